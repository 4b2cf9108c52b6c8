from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "annulus.documents"
    label = "documents"
    verbose_name = "Outside records and documents"
