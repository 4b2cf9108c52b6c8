from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    name = "annulus.clinical"
    label = "clinical"
