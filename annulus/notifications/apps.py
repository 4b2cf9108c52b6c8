from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "annulus.notifications"
    label = "notifications"
