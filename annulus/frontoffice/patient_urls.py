"""A patient's front-desk pages, mounted at /staff/patients/<pk>/."""

from django.urls import path

from annulus.frontoffice import patient_views

app_name = "patient_frontoffice"

urlpatterns = [
    path("referring-doctors/", patient_views.referrers, name="referrers"),
    path("coverage/", patient_views.coverage, name="coverage"),
    path("estimates/", patient_views.estimates, name="estimates"),
    path("estimates/<int:estimate_id>/pdf/", patient_views.estimate_pdf, name="estimate_pdf"),
]
