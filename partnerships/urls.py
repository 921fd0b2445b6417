from partnerships.views import documents, measures, partners, projects, proposal

app_name = "partnerships"

urlpatterns = [
    *projects.urlpatterns,
    *measures.urlpatterns,
    *proposal.urlpatterns,
    *partners.urlpatterns,
    *documents.urlpatterns,
]
