from outcomes import final_views, learning_views, report_views, views

app_name = "outcomes"

urlpatterns = (
    views.urlpatterns
    + report_views.urlpatterns
    + final_views.urlpatterns
    + learning_views.urlpatterns
)
