"""Clinic-wide candidacy pages, mounted at /staff/candidacy/."""

from django.urls import path

from annulus.candidacy import views

app_name = "candidacy"

urlpatterns = [
    path("overrides/", views.override_rates_page, name="overrides"),
]
