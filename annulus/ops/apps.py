from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "annulus.ops"
    label = "ops"
    verbose_name = "Operations: health, backups, task backend"
