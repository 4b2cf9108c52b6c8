from django.apps import AppConfig


class FrontOfficeConfig(AppConfig):
    name = "annulus.frontoffice"
    label = "frontoffice"
    verbose_name = "Front desk: referrals, coverage and cost estimates"
