from django.urls import path

from compliance.views import audit, audit_pack

app_name = "compliance"

urlpatterns = [
    path("audit/compliance/", audit.compliance_list, name="breach-list"),
    path("audit/compliance.csv", audit.compliance_csv, name="breach-csv"),
    path("audit/packs/", audit_pack.audit_pack_list, name="audit-pack-list"),
    path("audit/packs/status.json", audit_pack.audit_pack_status, name="audit-pack-status"),
]
