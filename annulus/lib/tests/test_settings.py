from __future__ import annotations

import os
import subprocess
import sys

import pytest

from annulus.lib.env import EnvError, env_bool, env_choice, env_int, env_list


def run_annulus(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ANNULUS_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith(("ANNULUS_AUDIT_KEY", "ANNULUS_MFA_KEY"))
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "annulus.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_reads_typed_values():
    env = {"A": "off", "B": "12", "C": "a.org, b.org", "D": "ON"}
    assert env_bool("A", True, env) is False
    assert env_int("B", 0, environ=env) == 12
    assert env_list("C", [], env) == ["a.org", "b.org"]
    assert env_choice("D", ("on", "off"), "on", env) == "on"
    assert env_bool("MISSING", True, env) is True


@pytest.mark.parametrize(
    ("reader", "message"),
    [
        (lambda: env_bool("X", True, {"X": "maybe"}), "X must be one of on/off"),
        (lambda: env_int("X", 1, environ={"X": "ten"}), "X must be a whole number (got 'ten')"),
        (lambda: env_int("X", 1, minimum=1, environ={"X": "0"}), "X must be at least 1 (got 0)"),
        (lambda: env_choice("X", ("on", "off"), "on", {"X": "sometimes"}), "got 'sometimes'"),
    ],
)
def test_it_names_the_variable_when_a_value_is_malformed(reader, message):
    with pytest.raises(EnvError, match=message.replace("(", r"\(").replace(")", r"\)")):
        reader()


def test_production_refuses_to_start_without_a_secret():
    result = run_annulus("check", ANNULUS_ENV="production", ALLOWED_HOSTS="clinic.example.org")
    assert result.returncode == 2
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_the_development_secret():
    from annulus.settings import DEV_SECRET_KEY

    result = run_annulus(
        "check", ANNULUS_ENV="production", SECRET_KEY=DEV_SECRET_KEY, ALLOWED_HOSTS="x.org"
    )
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_production_deploy_check_reports_nothing():
    result = run_annulus(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


PRODUCTION_ENV = {
    "ANNULUS_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-for-the-test-only-0123456789",
    "ALLOWED_HOSTS": "clinic.example.org",
    "ANNULUS_AUDIT_KEY": "audit-key-for-the-test-only-0123456789abcdef",
    "ANNULUS_MFA_KEY": "mfa-key-for-the-test-only-0123456789abcdefgh",
}


def test_production_cookies_carry_the_host_prefix():
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    result = run_annulus("shell", "-c", code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["__Host-annulus_session", "__Host-csrftoken"]


@pytest.mark.parametrize("missing", ["ANNULUS_AUDIT_KEY", "ANNULUS_MFA_KEY"])
def test_production_refuses_to_start_without_each_key(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_annulus("check", **env)
    assert result.returncode == 2
    assert missing in result.stderr


def test_a_malformed_variable_gets_a_message_not_a_traceback():
    result = run_annulus("check", ANNULUS_RATE_LIMITS="sometimes")
    assert result.returncode == 2
    assert "ANNULUS_RATE_LIMITS must be one of 'on', 'off' (got 'sometimes')" in result.stderr
    assert "Traceback" not in result.stderr


def test_hyphenated_commands_reach_their_django_command():
    result = run_annulus("export-case", "--help")
    assert result.returncode == 0, result.stderr
    assert "--all DIR" in result.stdout
