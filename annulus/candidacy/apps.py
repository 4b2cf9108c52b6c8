from django.apps import AppConfig


class CandidacyConfig(AppConfig):
    name = "annulus.candidacy"
    label = "candidacy"
