from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "annulus.consents"
    label = "consents"
