from outcomes.views import disclosure, final_report, learning, reports

app_name = "outcomes"

urlpatterns = [
    *disclosure.urlpatterns,
    *reports.urlpatterns,
    *final_report.urlpatterns,
    *learning.urlpatterns,
]
