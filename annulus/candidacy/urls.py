"""Clinic-wide candidacy pages, mounted at /staff/candidacy/."""

from django.urls import path

from annulus.candidacy import protocol_setting_views, views

app_name = "candidacy"

urlpatterns = [
    path("overrides/", views.override_rates_page, name="overrides"),
    path(
        "protocol/",
        protocol_setting_views.clinic_protocol_setting,
        name="protocol_setting",
    ),
]
