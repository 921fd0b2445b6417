from governance.views import register

app_name = "governance"

urlpatterns = [
    *register.urlpatterns,
]
