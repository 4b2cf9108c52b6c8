from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "annulus.research"
    label = "research"
    verbose_name = "De-identified research export"
