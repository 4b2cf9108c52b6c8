from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "annulus.interop"
    label = "interop"
    verbose_name = "FHIR interoperability"
