from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "annulus.website"
    label = "website"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from annulus.accounts.models import Clinic
        from annulus.website.caching import bump_generation

        # The footer shows the clinic record: a saved clinic must not wait for the cache to expire.
        post_save.connect(bump_generation, sender=Clinic, dispatch_uid="website-clinic-saved")
        post_delete.connect(bump_generation, sender=Clinic, dispatch_uid="website-clinic-deleted")
