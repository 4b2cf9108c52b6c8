from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SchedulingConfig(AppConfig):
    name = "annulus.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        """Saving what a slot listing caches (services, hours, roles) clears its caches."""
        from annulus.accounts.models import Clinic
        from annulus.scheduling import availability, models

        for model in (
            Clinic,
            models.Location,
            models.Resource,
            models.Service,
            models.ServiceRole,
            models.RoleCandidate,
            models.WeeklyHours,
            models.Closure,
            models.ExtraHours,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    availability.clear_caches,
                    sender=model,
                    dispatch_uid=f"scheduling-caches-{signal is post_save}-{model.__name__}",
                )
