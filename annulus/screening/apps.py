from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "annulus.screening"
    label = "screening"
