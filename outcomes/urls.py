from outcomes import report_views, views

app_name = "outcomes"

urlpatterns = views.urlpatterns + report_views.urlpatterns
