from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "annulus.leads"
    label = "leads"
