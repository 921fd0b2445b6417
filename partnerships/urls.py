from partnerships.views import documents, partners, projects, proposal

app_name = "partnerships"

urlpatterns = [
    *projects.urlpatterns,
    *proposal.urlpatterns,
    *partners.urlpatterns,
    *documents.urlpatterns,
]
