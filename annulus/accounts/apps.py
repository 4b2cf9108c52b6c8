from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "annulus.accounts"
    label = "accounts"

    def ready(self) -> None:
        from annulus.accounts import signals  # noqa: F401  (audits log-in events)
