"""Reminder emails 48 hours and 2 hours before, as deferred background tasks.

A reminder is a row plus a task queued to run at its due time. The task re-checks everything
when it runs (the row still scheduled, the appointment still booked at the same time), so a
moved or cancelled appointment never gets a stale reminder whatever the queue holds; dropping
also deletes the queued task so the queue shows only what will really happen. The email the
task queues gets its delivery state from the mail backend (see notifications).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django_tasks import TaskResultStatus, task

from annulus.scheduling import notify
from annulus.scheduling.models import Appointment, Reminder, ReminderStatus, Status

OFFSETS = {"48h": timedelta(hours=48), "2h": timedelta(hours=2)}


def schedule(appointment: Appointment, base: str, *, now: datetime) -> list[Reminder]:
    """Queue the reminders still ahead of `now`, inside the caller's transaction.

    The database task backend writes to the same database, so the queued tasks commit or roll
    back with the booking: there is no moment when a booking exists without its reminders.
    """
    created = []
    for kind, before in OFFSETS.items():
        due = appointment.start - before
        if due <= now or not appointment.patient.email:
            continue
        reminder = Reminder.objects.create(appointment=appointment, kind=kind, due_at=due)
        result = send_reminder.using(run_after=due).enqueue(reminder.pk, base)
        reminder.task_id = str(result.id)
        reminder.save(update_fields=["task_id"])
        created.append(reminder)
    return created


def drop(appointment: Appointment) -> int:
    """Drop the appointment's scheduled reminders (it moved or was cancelled)."""
    pending = list(
        Reminder.objects.filter(appointment=appointment, status=ReminderStatus.SCHEDULED)
    )
    Reminder.objects.filter(pk__in=[r.pk for r in pending]).update(status=ReminderStatus.DROPPED)
    task_ids = [r.task_id for r in pending if r.task_id]
    if task_ids and "django_tasks_db" in settings.INSTALLED_APPS:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id__in=task_ids, status=TaskResultStatus.READY).delete()
    return len(pending)


@task()
def send_reminder(reminder_id: int, base: str) -> str:
    """Queue the reminder email, unless the appointment moved, was cancelled, or has no email."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None or reminder.status != ReminderStatus.SCHEDULED:
            return "nothing to do"
        appointment = Appointment.objects.select_related(
            "patient", "service", "location", "clinic"
        ).get(pk=reminder.appointment_id)
        still_due = appointment.start - OFFSETS[reminder.kind] == reminder.due_at
        if appointment.status != Status.BOOKED or not still_due:
            reminder.status = ReminderStatus.DROPPED
            reminder.save(update_fields=["status"])
            return reminder.status
        email = notify.to_patient(appointment, "reminder", base, dedupe=f"{reminder.pk}")
        reminder.status = ReminderStatus.QUEUED if email else ReminderStatus.SKIPPED
        reminder.email = email
        reminder.save(update_fields=["status", "email"])
        return reminder.status
