from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "annulus.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        # The treatment record and the patient record belong to other apps; when a treatment
        # date moves there, pending invitations here must follow (signals.py says how).
        from annulus.outcomes import signals

        signals.connect()
