from django.urls import path

from compliance.views import audit

app_name = "compliance"

urlpatterns = [
    path("audit/compliance/", audit.compliance_list, name="breach-list"),
    path("audit/compliance.csv", audit.compliance_csv, name="breach-csv"),
]
