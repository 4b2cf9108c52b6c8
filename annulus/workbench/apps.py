from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "annulus.workbench"
    label = "workbench"
