"""`make crash`: kill -9 PostgreSQL under 1,000 concurrent bookings and survey submissions.

    .venv/bin/python -m annulus.ops.crash [--requests 1000] [--surveys N] [--clients 50]

1. initdb a throw-away cluster (PostgreSQL 15's binaries, as the `postgres` user when run as
   root) on a free port in a temporary directory, with the server's defaults for durability;
   checks that `fsync`, `full_page_writes` and `synchronous_commit` are on.
2. Migrates, seeds the demo clinic, gives `--surveys` (default: half the requests) synthetic
   patients an open baseline questionnaire with a fresh link (crash_survey.py), starts
   `annulus serve` on it.
3. Sends the bookings (`POST /api/v1/bookings`, each with its own Idempotency-Key and patient)
   and the surveys (a browser each: open the link, post every page, send) interleaved from
   `--clients` concurrent clients. When a third of all have been answered it kill -9s the
   postmaster and every backend (a power cut, as far as the database can tell), and starts the
   server again a second later: it recovers from its WAL.
4. Retries every booking not answered 201 or 409 with the same key and body, and resumes every
   survey not acknowledged at the step that failed with the same session, until all are (or 10
   rounds pass); then sends every tenth acknowledged survey once more (a resent form).
5. Asserts, straight from the database: every acknowledged booking is there, with its patient;
   none is stored twice (one appointment per request, one per key); none is half written (each
   has its active occupancy, its audit event, its confirmation email and its key's answer).
   Every acknowledged survey is stored once and whole (crash_survey.verify). The audit chain
   still verifies.

Exits non-zero with the reason on any failure. Prints the figures for the notes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from annulus.ops.cluster import ROOT, call, free_port, status
from annulus.ops.crash_survey import TREATED_IN, Page, Survey, query, resend
from annulus.ops.crash_survey import summary as survey_summary
from annulus.ops.crash_survey import verify as verify_surveys

PG_BIN = Path(os.environ.get("ANNULUS_PG_BIN", "/usr/lib/postgresql/15/bin"))
DURABILITY = ("fsync", "full_page_writes", "synchronous_commit")


class Postgres:
    """A throw-away cluster; run as the `postgres` user when we are root (initdb refuses root)."""

    def __init__(self, tmp: Path) -> None:
        self.data, self.port = tmp / "pgdata", free_port()
        self.sockets = tmp / "sock"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for path in (tmp, self.sockets):
                path.mkdir(exist_ok=True)
                os.chown(path, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.sockets.mkdir(exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/annulus_crash"

    def init(self) -> None:
        subprocess.run(
            [*self.prefix, str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        log = open(self.log, "ab")  # noqa: SIM115 (the server's output, kept for the failure text)
        self.proc = subprocess.Popen(
            [*self.prefix, str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.sockets}",
             "-c", "max_connections=200"],
            stdout=log, stderr=log,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        ).returncode:
            if time.monotonic() > deadline:
                raise SystemExit("PostgreSQL did not start:\n" + self.log.read_text()[-2000:])
            time.sleep(0.2)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill9(self) -> int:
        """SIGKILL the postmaster and all its children at once, as a power cut would."""
        pid = self.postmaster_pid()
        group = [pid, *children(pid)]
        for victim in group:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        for victim in group:
            while Path(f"/proc/{victim}").exists() and not zombie(victim):
                time.sleep(0.05)
        if self.proc is not None:
            self.proc.wait(timeout=30)
        return len(group)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                os.kill(self.postmaster_pid(), signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def free_slots(port: int, weeks: int) -> list[tuple[str, str]]:
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    pairs: list[tuple[str, str]] = []
    for w in range(weeks):
        first = monday + timedelta(weeks=w)
        path = f"/api/v1/slots?service=consultation&from={first}&to={first + timedelta(days=6)}"
        code, body = call(port, "GET", path, tls=False)
        if code != 200:
            raise SystemExit(f"slot search answered {code}: {body[:300]!r}")
        pairs += [(s["start"], s["resource"]) for s in json.loads(body)["slots"]]
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--surveys", type=int, help="of the requests (default: half)")
    parser.add_argument("--time-point", choices=sorted(TREATED_IN), default="week-2",
                        help="the questionnaire (baseline: 13 pages; week-2: 3)")  # fmt: skip
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="annulus-crash-"))
    began = time.monotonic()
    pg = Postgres(tmp)
    server: subprocess.Popen[bytes] | None = None
    try:
        pg.init()
        pg.start()
        admin = pg.url.rsplit("/", 1)[0] + "/postgres"
        settings = dict(query(admin, "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                              list(DURABILITY)))  # fmt: skip
        off = [name for name in DURABILITY if settings.get(name) != "on"]
        if off:
            raise SystemExit(f"durability settings off: {', '.join(off)}")
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE annulus_crash")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": pg.url,
            "ANNULUS_VAR_DIR": str(tmp / "var"),
            "ANNULUS_AUDIT_ANCHOR": str(tmp / "anchor.jsonl"),
            "ANNULUS_TASK_BACKEND": "database",
            "ANNULUS_RATE_LIMITS": "off",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "GUNICORN_CMD_ARGS": "--timeout 120",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        cli = [sys.executable, "-m", "annulus.cli"]
        for args in (["migrate", "--no-input", "-v", "0"], ["seed_demo", "--quiet-logins"]):
            subprocess.run([*cli, *args], env=env, check=True, capture_output=True, cwd=ROOT)
        surveys = opts.requests // 2 if opts.surveys is None else opts.surveys
        invited = subprocess.run(  # the tokens come back through the pipe, never printed
            [sys.executable, "-m", "annulus.ops.crash_survey", "invite", str(surveys),
             opts.time_point],
            env=env, check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        plan = json.loads(invited.stdout)
        port = free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--workers", "4", "--task-workers", "1",
             "--no-scheduler"],
            env=env, cwd=ROOT, stdout=(tmp / "serve.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while status(port, "/healthz", tls=False) != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("annulus serve did not start:\n" + (tmp / "serve.log").read_text())
            time.sleep(0.3)
        pairs = free_slots(port, 12)
        if not pairs:
            raise SystemExit("the demo clinic offers no consultation slots")
        bookings = opts.requests - surveys
        print(f"setup {time.monotonic() - began:.1f} s; {len(pairs)} free slots for "
              f"{bookings} bookings; {surveys} {opts.time_point} survey links of "
              f"{len(plan['pages'])} pages",
              flush=True)  # fmt: skip
        survey_list = [Survey(invitation, token) for invitation, token in plan["surveys"]]
        code = run(pg, port, pairs, bookings, opts.clients, survey_list, plan["pages"])
        chain = subprocess.run([*cli, "audit", "verify"], env=env, capture_output=True, text=True)
        print(f"audit verify: {(chain.stdout + chain.stderr).strip()[-300:]}", flush=True)
        return code or (1 if chain.returncode else 0)
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        pg.stop()
        if not opts.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"total {time.monotonic() - began:.1f} s", flush=True)


def run(
    pg: Postgres,
    port: int,
    pairs: list[tuple[str, str]],
    total: int,
    clients: int,
    surveys: list[Survey],
    pages: list[Page],
) -> int:
    requests = []
    for i in range(total):
        start, resource = pairs[i % len(pairs)]  # repeats when slots run out: a fair 409
        body = {
            "service": "consultation",
            "start": start,
            "resource": resource,
            "patient": {"first_name": "Crash", "last_name": f"Test{i}", "phone": "",
                        "email": f"crash{i}@example.org", "date_of_birth": "1970-01-01"},
        }  # fmt: skip
        requests.append((str(uuid.uuid4()), body))
    answers: dict[int, tuple[int, dict[str, Any]]] = {}
    answered = threading.Event()
    lock = threading.Lock()
    everything = total + len(surveys)

    def done() -> int:
        return len(answers) + sum(s.acknowledged for s in surveys)

    def send(i: int) -> None:
        key, body = requests[i]
        try:
            code, content = call(port, "POST", "/api/v1/bookings", body,
                                 {"Idempotency-Key": key}, tls=False)  # fmt: skip
        except OSError:
            return
        if code in (201, 409):
            with lock:
                answers[i] = (code, json.loads(content))
                if done() >= everything // 3:
                    answered.set()

    def fill_in(survey: Survey) -> None:
        if survey.run(port, pages) and done() >= everything // 3:
            answered.set()

    def crash() -> None:
        answered.wait()
        killed = pg.kill9()
        crash_stats["acknowledged_before"] = len(answers)
        crash_stats["surveys_before"] = sum(s.acknowledged for s in surveys)
        crash_stats["killed"] = killed
        time.sleep(1.0)
        pg.start()

    def both(bookings: list[int], forms: list[Survey]) -> None:
        """Bookings and surveys interleaved in one pool, so they run at the same time."""
        jobs: list[Any] = []
        for n in range(max(len(bookings), len(forms))):
            jobs += [(send, i) for i in bookings[n : n + 1]]
            jobs += [(fill_in, f) for f in forms[n : n + 1]]
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(lambda job: job[0](job[1]), jobs))

    crash_stats: dict[str, int] = {}
    crasher = threading.Thread(target=crash)
    crasher.start()
    started = time.monotonic()
    both(list(range(total)), surveys)
    answered.set()
    crasher.join()
    first_round = time.monotonic() - started
    unanswered_first = total - len(answers)
    unacknowledged_first = sum(not s.acknowledged for s in surveys)
    rounds = 0
    while done() < everything and rounds < 10:
        rounds += 1
        unfinished = [s for s in surveys if not s.acknowledged]
        both([i for i in range(total) if i not in answers], unfinished)
        if done() < everything:
            time.sleep(1)
    resent, problems = resend(port, surveys, pages)
    problems += verify(pg.url, requests, answers, total)
    problems += verify_surveys(pg.url, surveys, pages)
    problems += [f"survey {s.invitation}: {t}" for s in surveys for t in s.trouble]
    codes = Counter(code for code, _ in answers.values())
    print(
        f"{total} bookings and {len(surveys)} surveys ({len(pages)} pages each), {clients} "
        f"clients: first pass {first_round:.1f} s; postmaster and "
        f"{crash_stats.get('killed', 0) - 1} children kill -9'd after "
        f"{crash_stats.get('acknowledged_before', 0)} booking answers and "
        f"{crash_stats.get('surveys_before', 0)} acknowledged surveys; {unanswered_first} "
        f"bookings and {unacknowledged_first} surveys unfinished, retried (keys, sessions) in "
        f"{rounds} round(s) in {time.monotonic() - started - first_round:.1f} s; final bookings "
        f"{dict(codes)}; {survey_summary(surveys, resent)}; durability {', '.join(DURABILITY)} on",
        flush=True,
    )
    for problem in problems[:40]:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print("OK: no acknowledged booking or survey missing, none duplicated, none half written")
    return 1 if problems else 0


def verify(
    url: str, requests: list[tuple[str, dict[str, Any]]], answers: dict[int, Any], total: int
) -> list[str]:
    problems = []
    if len(answers) < total:
        problems.append(f"{total - len(answers)} requests never answered 201/409 after retries")
    rows = query(
        url,
        "SELECT a.id, p.email, a.status,"
        " (SELECT count(*) FROM scheduling_occupancy o WHERE o.appointment_id = a.id AND o.active),"
        " (SELECT count(*) FROM audit_auditevent e WHERE e.action = 'appointment.booked'"
        "   AND e.object_id = a.id::text),"
        " (SELECT count(*) FROM notifications_outboundemail m WHERE m.to = p.email"
        "   AND m.kind = 'booking.confirmation'),"
        " (SELECT count(*) FROM scheduling_idempotencykey k WHERE k.appointment_id = a.id"
        "   AND k.status_code = 201)"
        " FROM scheduling_appointment a JOIN patients_patient p ON p.id = a.patient_id"
        " WHERE p.email LIKE 'crash%%@example.org'",
    )
    by_email = Counter(row[1] for row in rows)
    stored = {row[1]: row for row in rows}
    for i, (code, body) in answers.items():
        email = requests[i][1]["patient"]["email"]
        if code == 201:
            row = stored.get(email)
            if row is None or row[0] != body.get("id"):
                problems.append(f"acknowledged booking {body.get('id')} ({email}) is missing")
        elif email in stored:
            problems.append(
                f"request {i} was refused (409) but its booking {stored[email][0]} exists"
            )
    problems += [f"{email} booked {n} times" for email, n in by_email.items() if n > 1]
    for appointment, _email, state, occupied, audited, confirmed, keyed in rows:
        if (state, min(occupied, 1), audited, confirmed, keyed) != ("booked", 1, 1, 1, 1):
            problems.append(
                f"appointment {appointment} half written: status {state}, {occupied} active "
                f"occupancies, {audited} audit events, {confirmed} confirmations, {keyed} keys"
            )
    acknowledged = sum(code == 201 for code, _ in answers.values())
    if len(rows) != acknowledged:
        problems.append(f"{len(rows)} bookings stored, {acknowledged} acknowledged")
    return problems[:20]


if __name__ == "__main__":
    sys.exit(main())
