from django.urls import path

from annulus.outcomes import survey_views as views

app_name = "survey"

urlpatterns = [
    path("", views.survey_page, name="page"),
    path("<str:token>/", views.survey_start, name="start"),
]
