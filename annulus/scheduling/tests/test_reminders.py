"""Reminders 48 h and 2 h before: queued as deferred tasks, recomputed on a move, dropped on a
cancel, and counted as sent only when the mail backend accepted them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from annulus.notifications.actions import deliver_email
from annulus.notifications.models import OutboundEmail
from annulus.scheduling import actions
from annulus.scheduling.models import Reminder
from annulus.scheduling.reminders import send_reminder
from annulus.scheduling.tests.conftest import run_worker
from annulus.scheduling.tests.factories import at, details, next_weekday

pytestmark = pytest.mark.django_db


def book(schedule, start, **kw):
    return actions.book_appointment(
        None, service=schedule.consultation, start=start, details=details(), **kw
    )


def queued_runs() -> list:
    return sorted(
        DBTaskResult.objects.filter(
            task_path__endswith="send_reminder", status="READY"
        ).values_list("run_after", flat=True)
    )


def test_a_booking_queues_two_reminders_at_48_and_2_hours_before(schedule):
    start = at(next_weekday(0), 9)
    appointment = book(schedule, start)
    assert queued_runs() == [start - timedelta(hours=48), start - timedelta(hours=2)]
    assert sorted(appointment.reminders.values_list("kind", flat=True)) == ["2h", "48h"]


def test_a_booking_inside_48_hours_gets_only_the_2_hour_reminder(schedule):
    start = at(next_weekday(0), 9)
    book(schedule, start, now=start - timedelta(hours=30))
    assert queued_runs() == [start - timedelta(hours=2)]


def test_a_move_recomputes_the_reminders_and_drops_the_old_tasks(schedule):
    monday = next_weekday(0)
    appointment = book(schedule, at(monday, 9))
    old = list(appointment.reminders.all())
    actions.reschedule(None, appointment, at(monday + timedelta(days=1), 14))
    new_start = at(monday + timedelta(days=1), 14)
    assert queued_runs() == [new_start - timedelta(hours=48), new_start - timedelta(hours=2)]
    assert {r.status for r in Reminder.objects.filter(pk__in=[r.pk for r in old])} == {"dropped"}
    # Even if a stale task ran, it would find its reminder dropped and send nothing.
    assert send_reminder.call(old[0].pk, "http://x") == "nothing to do"


def test_a_cancel_drops_every_reminder(schedule):
    appointment = book(schedule, at(next_weekday(0), 9))
    actions.cancel(None, appointment)
    assert queued_runs() == []
    assert set(appointment.reminders.values_list("status", flat=True)) == {"dropped"}


def test_a_reminder_for_a_moved_time_is_dropped_when_it_runs(schedule):
    appointment = book(schedule, at(next_weekday(0), 9))
    reminder = appointment.reminders.get(kind="48h")
    # The appointment moves behind the queue's back (no drop): the task still notices.
    appointment.start += timedelta(hours=1)
    appointment.end += timedelta(hours=1)
    appointment.save(update_fields=["start", "end"])
    assert send_reminder.call(reminder.pk, "http://x") == "dropped"
    assert not OutboundEmail.objects.filter(kind="booking.reminder").exists()


@pytest.mark.django_db(transaction=True)
def test_a_due_reminder_is_emailed_and_marked_sent_by_the_backend(schedule, mailoutbox):
    appointment = book(schedule, at(next_weekday(0), 9), base="https://clinic.example")
    reminder = appointment.reminders.get(kind="48h")
    assert send_reminder.call(reminder.pk, "https://clinic.example") == "queued"
    run_worker()
    email = OutboundEmail.objects.get(kind="booking.reminder")
    assert email.status == "sent"
    message = next(m for m in mailoutbox if m.subject.startswith("Reminder"))
    assert "https://clinic.example/book/manage/" in message.body
    assert message.attachments[0][0].endswith(".ics")
    # Running it again (a retried task) queues nothing new.
    assert send_reminder.call(reminder.pk, "https://clinic.example") == "nothing to do"
    assert OutboundEmail.objects.filter(kind="booking.reminder").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_reminder_the_mail_server_refuses_is_failed_never_sent(schedule):
    appointment = book(schedule, at(next_weekday(0), 9))
    reminder = appointment.reminders.get(kind="2h")
    send_reminder.call(reminder.pk, "http://x")
    email = OutboundEmail.objects.get(kind="booking.reminder")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,
        EMAIL_TIMEOUT=2,
    ):
        deliver_email.call(email.pk)
    email.refresh_from_db()
    assert email.status == "failed"
    assert email.sent_at is None
    assert email.next_attempt_at is not None
