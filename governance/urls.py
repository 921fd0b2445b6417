from governance.views import declarations, register

app_name = "governance"

urlpatterns = [
    *register.urlpatterns,
    *declarations.urlpatterns,
]
