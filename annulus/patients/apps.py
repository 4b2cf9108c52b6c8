from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "annulus.patients"
    label = "patients"
