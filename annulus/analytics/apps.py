from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "annulus.analytics"
    label = "analytics"
