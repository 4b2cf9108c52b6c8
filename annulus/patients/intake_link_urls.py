from django.urls import path

from annulus.patients import access_report_views
from annulus.patients import intake_link_views as views

app_name = "intake_public"

urlpatterns = [
    path("", views.intake_form, name="form"),
    path("access-report/", access_report_views.request_report, name="access_report"),
    path("<str:token>/", views.intake_start, name="start"),
]
