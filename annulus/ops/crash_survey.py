"""The survey half of `make crash`: open invitations, a patient's browser, and the SQL checks.

- ``invite(count)`` (run as ``python -m annulus.ops.crash_survey invite N`` in the crash run's
  environment, after ``seed_demo``) enrols ``count`` synthetic patients of the demo clinic whose
  treatment is ten days away, so their baseline window is open, and gives each a fresh link
  through ``actions.reissue``. It writes JSON to stdout for the parent only: the pages (each
  page's instrument and its questions' allowed values) and, per invitation, its id and token.
  Nothing of it is printed. The patients have no email address, so no email is sent, and the
  enrolment timers are not started: they would only find that there is nobody to email.
- ``Survey`` is one patient's browser, with its own cookie jar: it opens the link once (the token
  is swapped for a session and a redirect to /survey/), reads the page's reference, posts every
  page and then "send" on the review page. Each step is kept, so after a connection error or a
  5xx the next round resumes at the step that failed, with the same session; the link token is
  never used again once the session holds it. Acknowledged: "send" answered with the redirect to
  the done page, or (a retry whose first attempt committed) the done page itself. A 400 is
  retried too and counted: Django's database session store turned a database error in the
  session save into SessionInterrupted, a 400; annulus.lib.sessions now raises the outage
  itself, a 503, so a 400 here would be a session really deleted mid-request.
- ``verify`` checks in SQL that each acknowledged survey is stored once and whole: one submitted,
  complete response, each instrument once with exactly the posted answers and a score, its
  ``outcomes_timepointscores`` row, the invitation completed, one submit audit event; and that no
  unacknowledged survey is stored half-submitted.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

REF = re.compile(r'name="ref" value="([0-9a-f]{32})"')
DONE = "Thank you"
PIVOT = {"odi": "odi", "nrs-back": "nrs_back", "rmdq": "rmdq"}  # time_point_scores columns

Page = dict[str, Any]  # {"instrument": id, "items": {item id: [allowed values]}}


# Days from today to the treatment date that puts each time point's window open today.
TREATED_IN = {"baseline": 10, "week-2": -14}


def invite(count: int, code: str) -> dict[str, Any]:
    """Enrol ``count`` synthetic patients and issue each a fresh link to the time point ``code``
    (its window open today). Django must be set up."""
    from django.db import transaction

    from annulus.outcomes.events import invitations_planned

    invitations_planned.disconnect(dispatch_uid="outcomes-timers")
    with transaction.atomic():  # one commit, not three per patient
        return _invite(count, code)


def _invite(count: int, code: str) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    from annulus.accounts.models import Clinic
    from annulus.outcomes import actions
    from annulus.outcomes.models import Invitation
    from annulus.patients.models import Patient

    clinic = Clinic.objects.order_by("id").first()
    if clinic is None:
        raise SystemExit("no clinic: run seed_demo first")
    treated = timezone.now().astimezone(clinic.zone).date() + timedelta(days=TREATED_IN[code])
    surveys: list[tuple[int, str]] = []
    pages: list[Page] = []
    for n in range(count):
        patient = Patient.objects.create(
            clinic=clinic, first_name="Survey", last_name=f"Crash{n}", procedure_date=treated
        )
        actions.enrol(patient)
        invitation = Invitation.objects.get(follow_up__patient=patient, code=code)
        _, token = actions.reissue(invitation)
        surveys.append((invitation.pk, token))
        if not pages:
            pages = [
                {
                    "instrument": page.instrument.id,
                    "items": {item.id: _values(item) for item in page.section.items},
                }
                for page in actions.survey_pages(invitation)
            ]
    return {"pages": pages, "surveys": surveys}


def _values(item: Any) -> list[int]:
    if hasattr(item, "options"):
        return [int(option.value) for option in item.options]
    return [int(value) for value in item.values]


def answers_for(invitation: int, page: Page) -> dict[str, int]:
    """Answers that differ from patient to patient, every question answered."""
    return {
        item: values[(invitation + i) % len(values)]
        for i, (item, values) in enumerate(sorted(page["items"].items()))
    }


@dataclass
class Survey:
    invitation: int
    token: str
    cookies: dict[str, str] = field(default_factory=dict)
    ref: str = ""
    step: int = 0  # 0 open the link, 1 read the reference, 2.. post the pages, then send
    acknowledged: bool = False
    attempts: int = 0
    interrupted: int = 0  # 400s: the session could not be saved while the database was down
    trouble: list[str] = field(default_factory=list)  # answers no retry can mend

    def run(self, port: int, pages: list[Page]) -> bool:
        """Go on from the last step that worked; True once the survey is acknowledged."""
        self.attempts += 1
        while not self.acknowledged:
            try:
                if not self._advance(port, pages):
                    return False
            except (OSError, http.client.HTTPException):
                return False
        return True

    def _advance(self, port: int, pages: list[Page]) -> bool:
        if self.step == 0:
            code, location, _ = self._send(port, "GET", f"/survey/{self.token}/")
            return self._expect(code == 302 and location == "/survey/", code)
        if self.step == 1:
            code, _, body = self._send(port, "GET", "/survey/?page=1")
            match = REF.search(body) if code == 200 else None
            if match:
                self.ref = match.group(1)
            return self._expect(match is not None, code)
        number = self.step - 1  # the page posted at this step (1-based)
        if number <= len(pages):
            form = {"ref": self.ref, **answers_for(self.invitation, pages[number - 1])}
            code, location, _ = self._send(port, "POST", f"/survey/?page={number}", form)
            return self._expect(code == 302 and location.endswith(f"?page={number + 1}"), code)
        code, location, body = self._send(
            port, "POST", f"/survey/?page={number}", {"ref": self.ref, "send": "1"}
        )
        done = (code == 302 and location == "/survey/") or (code == 200 and DONE in body)
        self.acknowledged = done
        return self._expect(done, code)

    def resend(self, port: int, pages: list[Page]) -> bool:
        """Send the finished survey again (a resent form): True if the app says it is done."""
        form = {"ref": self.ref, "send": "1"}
        code, _, body = self._send(port, "POST", f"/survey/?page={len(pages) + 1}", form)
        return code == 200 and DONE in body

    def _expect(self, ok: bool, code: int) -> bool:
        if ok:
            self.step += 1
        elif code == 400:  # SessionInterrupted: the session row was gone when it was saved
            self.interrupted += 1
        elif code < 500:  # a 5xx is the crash; anything else is a wrong answer from the app
            self.trouble.append(f"step {self.step} answered {code}")
        return ok

    def _send(
        self, port: int, method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            payload = urlencode(form) if form is not None else None
            if payload is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, payload, headers)
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", body
        finally:
            conn.close()


def query(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        return list(conn.execute(sql, args).fetchall())


def verify(url: str, surveys: list[Survey], pages: list[Page]) -> list[str]:
    """What is wrong in the database with these surveys (empty: nothing)."""
    ids = [s.invitation for s in surveys]
    rows = query(
        url,
        "SELECT i.id, i.status, i.completed_at IS NOT NULL, r.id, r.submitted_at IS NOT NULL,"
        " r.partial,"
        " (SELECT count(*) FROM outcomes_timepointscores t WHERE t.invitation_id = i.id),"
        " (SELECT count(*) FROM audit_auditevent e WHERE e.action = 'outcomes.survey.submit'"
        "   AND e.object_id = r.id::text)"
        " FROM outcomes_invitation i LEFT JOIN outcomes_response r ON r.invitation_id = i.id"
        " WHERE i.id = ANY(%s)",
        ids,
    )
    parts = query(
        url,
        "SELECT r.invitation_id, ir.instrument_id, ir.answers, ir.score"
        " FROM outcomes_instrumentresponse ir JOIN outcomes_response r ON r.id = ir.response_id"
        " WHERE r.invitation_id = ANY(%s)",
        ids,
    )
    pivot = {
        row[0]: row[1:]
        for row in query(
            url,
            "SELECT invitation_id, odi, nrs_back, rmdq FROM outcomes_timepointscores"
            " WHERE invitation_id = ANY(%s)",
            ids,
        )
    }
    stored: dict[int, dict[str, list[tuple[Any, Any]]]] = {}
    for invitation, instrument, answers, score in parts:
        stored.setdefault(invitation, {}).setdefault(instrument, []).append((answers, score))
    by_id = {row[0]: row for row in rows}
    never = sum(not s.acknowledged for s in surveys)
    problems = [f"{never} surveys never acknowledged after the retries"] if never else []
    for survey in surveys:
        row = by_id.get(survey.invitation)
        if row is None:
            problems.append(f"invitation {survey.invitation} is gone")
            continue
        _, status, completed, response, submitted, partial, scored, audited = row
        if not survey.acknowledged:
            if submitted and (status, scored, audited) != ("completed", 1, 1):
                problems.append(f"unacknowledged survey {survey.invitation} half submitted")
            continue
        if (status, completed, submitted, partial, scored, audited) != (
            "completed", True, True, False, 1, 1,
        ):  # fmt: skip
            problems.append(
                f"acknowledged survey {survey.invitation} not stored whole: invitation {status}, "
                f"response {response} submitted {submitted} partial {partial}, {scored} score "
                f"rows, {audited} submit events"
            )
            continue
        problems += _check_answers(survey.invitation, pages, stored.get(survey.invitation, {}))
        columns = dict(
            zip(("odi", "nrs_back", "rmdq"), pivot.get(survey.invitation, ()), strict=False)
        )
        expected = {PIVOT[p["instrument"]] for p in pages if p["instrument"] in PIVOT}
        if any(columns.get(column) is None for column in expected):
            problems.append(f"survey {survey.invitation}: time point scores {columns}")
    return problems


def _check_answers(
    invitation: int, pages: list[Page], stored: dict[str, list[tuple[Any, Any]]]
) -> list[str]:
    posted: dict[str, dict[str, int]] = {}
    for page in pages:
        posted.setdefault(page["instrument"], {}).update(answers_for(invitation, page))
    problems = []
    for instrument, answers in posted.items():
        copies = stored.get(instrument, [])
        if len(copies) != 1:
            problems.append(f"survey {invitation}: {instrument} stored {len(copies)} times")
        elif copies[0][0] != answers or copies[0][1] is None:
            problems.append(f"survey {invitation}: {instrument} answers or score differ")
    return problems


def resend(port: int, surveys: list[Survey], pages: list[Page]) -> tuple[int, list[str]]:
    """Send every tenth acknowledged survey again (a resent form, a double click): the app must
    answer with the done page, and ``verify`` then finds it stored once all the same."""
    again = [s for s in surveys if s.acknowledged][::10]
    return len(again), [f"survey {s.invitation} sent again: no done page" for s in again
                        if not s.resend(port, pages)]  # fmt: skip


def summary(surveys: list[Survey], resent: int) -> str:
    acknowledged = sum(s.acknowledged for s in surveys)
    resumed = sum(s.attempts > 1 for s in surveys)
    interrupted = sum(s.interrupted for s in surveys)
    return (
        f"surveys {acknowledged} of {len(surveys)} acknowledged ({resumed} resumed after a "
        f"failure, {interrupted} answers 400 from the session save during the outage, "
        f"{resent} sent twice)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] != ["invite"] or len(sys.argv) != 4 or sys.argv[3] not in TREATED_IN:
        raise SystemExit(
            f"usage: python -m annulus.ops.crash_survey invite N {'|'.join(TREATED_IN)}"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annulus.settings")
    import django

    django.setup()
    json.dump(invite(int(sys.argv[2]), sys.argv[3]), sys.stdout)
