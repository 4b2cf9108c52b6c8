from django.urls import path

from annulus.safety import views

app_name = "safety"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:pk>/", views.alert_detail, name="alert"),
    path("<int:pk>/adverse-event/", views.adverse_event_from_alert, name="adverse_event"),
]
