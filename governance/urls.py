from governance.views import declarations, gates, register

app_name = "governance"

urlpatterns = [
    *register.urlpatterns,
    *declarations.urlpatterns,
    *gates.urlpatterns,
]
