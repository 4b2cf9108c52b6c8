from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "annulus.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
