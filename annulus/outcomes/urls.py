from django.urls import path

from annulus.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.clinic_overview, name="overview"),
]
