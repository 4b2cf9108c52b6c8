from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_cache_table(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # The database cache (rate limits) needs its table; createcachetable is idempotent.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "annulus.accounts"
    label = "accounts"

    def ready(self) -> None:
        from annulus.accounts import mfa_secrets, signals  # noqa: F401  (audits log-in events)

        mfa_secrets.install()  # TOTP seeds encrypted, backup codes hashed

        post_migrate.connect(_ensure_cache_table, sender=self)
