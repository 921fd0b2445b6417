"""/api/v1/ (the REST API), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI from our own
static files), and the API tokens pages of the account."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import pages
from api.views import audit_packs, governance, me, outcomes, projects

app_name = "api"

v1 = [
    path("me/", me.Me.as_view(), name="me"),
    path("projects/", projects.ProjectList.as_view(), name="project-list"),
    path("projects/<int:pk>/", projects.ProjectDetail.as_view(), name="project-detail"),
    path("projects/<int:pk>/submit/", projects.ProjectSubmit.as_view(), name="project-submit"),
    path(
        "projects/<int:pk>/withdraw/", projects.ProjectWithdraw.as_view(), name="project-withdraw"
    ),
    path("projects/<int:pk>/measures/", projects.MeasureList.as_view(), name="measure-list"),
    path("projects/<int:pk>/gates/", governance.GateList.as_view(), name="gate-list"),
    path(
        "projects/<int:pk>/gates/<str:kind>/",
        governance.GateDetail.as_view(),
        name="gate-detail",
    ),
    path(
        "projects/<int:pk>/gates/<str:kind>/sign-off/",
        governance.GateSignOff.as_view(),
        name="gate-sign-off",
    ),
    path("projects/<int:pk>/reports/", outcomes.ReportList.as_view(), name="report-list"),
    path(
        "projects/<int:pk>/reports/<int:number>/",
        outcomes.ReportDetail.as_view(),
        name="report-detail",
    ),
    path(
        "projects/<int:pk>/reports/<int:number>/submit/",
        outcomes.ReportSubmit.as_view(),
        name="report-submit",
    ),
    path(
        "projects/<int:pk>/disclosures/",
        outcomes.DisclosureList.as_view(),
        name="disclosure-list",
    ),
    path("disclosures/<int:pk>/", outcomes.DisclosureDetail.as_view(), name="disclosure-detail"),
    path("audit-packs/", audit_packs.AuditPackList.as_view(), name="audit-pack-list"),
    path(
        "disclosures/<int:pk>/download/",
        outcomes.DisclosureDownload.as_view(),
        name="disclosure-download",
    ),
    path("partners/", projects.PartnerList.as_view(), name="partner-list"),
    path("partners/<int:pk>/", projects.PartnerDetail.as_view(), name="partner-detail"),
    path("declarations/", governance.DeclarationList.as_view(), name="declaration-list"),
    path("register/", governance.RegisterList.as_view(), name="register-list"),
    path("register/<str:reference>/", governance.RegisterDetail.as_view(), name="register-detail"),
]

urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("accounts/api-tokens/", pages.token_list, name="token-list"),
    path("accounts/api-tokens/new/", pages.token_create, name="token-create"),
    path("accounts/api-tokens/<int:pk>/revoke/", pages.token_revoke, name="token-revoke"),
]
