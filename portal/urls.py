from allauth.account.decorators import secure_admin_login
from django.conf import settings
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
    path("", include("compliance.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("projects/", include("partnerships.urls")),
    path("", include("governance.urls")),
    path("", include("outcomes.urls")),
    path("", include("api.urls")),
]

if settings.PORTAL_BENCH:
    from portal import bench

    urlpatterns.append(path("bench/floor", bench.floor, name="bench-floor"))

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
# A database outage is a 503; any other fault is errors.server_error (JSON on the API).
handler500 = "portal.views.server_error"
