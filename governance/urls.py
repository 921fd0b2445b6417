from governance.views import declarations, gates, notifications, register

app_name = "governance"

urlpatterns = [
    *register.urlpatterns,
    *declarations.urlpatterns,
    *gates.urlpatterns,
    *notifications.urlpatterns,
]
