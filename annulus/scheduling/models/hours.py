"""When resources are open: weekly hours, closures and one-off extra hours."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from annulus.scheduling.models.setup import Location, Resource


class WeeklyHours(models.Model):
    """A resource is open every `weekday` (Monday=0) from `start` to `end`, local wall time."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["resource_id", "weekday", "start"]
        verbose_name_plural = "weekly hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_hours_weekday"),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="weekly_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} weekday {self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class Closure(models.Model):
    """Closed on local dates first_day..last_day: a holiday (whole location) or leave (resource)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="closures"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=80, blank=True, help_text="e.g. Holiday, Leave")

    class Meta:
        ordering = ["first_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_day__lte=models.F("last_day")), name="closure_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason or 'Closed'} {self.first_day}..{self.last_day}"


class ExtraHours(models.Model):
    """One-off opening of a resource on a local date."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="extra_hours")
    day = models.DateField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["day", "start", "id"]
        verbose_name_plural = "extra hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="extra_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} on {self.day} {self.start:%H:%M}-{self.end:%H:%M}"
