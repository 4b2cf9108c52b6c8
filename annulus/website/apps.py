from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "annulus.website"
    label = "website"
