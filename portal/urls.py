from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import views

admin.site.site_header = "Partnership portal administration"
admin.site.site_title = "Partnership portal"
# Administrators sign in through allauth, so MFA and throttling apply to the admin too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit_trail, name="audit-trail"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("projects/", include("partnerships.urls")),
    path("", include("governance.urls")),
    path("", include("outcomes.urls")),
    path("", include("api.urls")),
]

handler500 = "portal.views.server_error"
