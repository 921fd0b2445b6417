from outcomes import views

app_name = "outcomes"

urlpatterns = views.urlpatterns
