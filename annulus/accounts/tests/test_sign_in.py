from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django_otp.plugins.otp_static.models import StaticToken

from annulus.accounts import mfa
from annulus.accounts.middleware import SESSION_STARTED_KEY
from annulus.accounts.models import Role
from annulus.testing import PASSWORD, audit_actions, current_totp, make_staff, sign_in

pytestmark = pytest.mark.django_db


def post_password(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.email, "password": password})


def test_it_asks_for_a_code_after_the_password(client, clinician):
    response = post_password(client, clinician)
    assert response.status_code == 302
    follow = client.get("/staff/")
    assert follow.status_code == 302
    assert follow["Location"].startswith("/accounts/mfa/")
    assert "auth.login.success" in audit_actions(actor=clinician)


def test_it_reaches_the_staff_home_with_password_and_totp(client, clinician):
    post_password(client, clinician)
    response = client.post("/accounts/mfa/?next=/staff/", {"token": current_totp(clinician)})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert b"Lakeside Spine" in home.content
    assert "auth.mfa.success" in audit_actions(actor=clinician)


def test_it_refuses_a_wrong_password_with_a_clear_message(client, clinician):
    response = post_password(client, clinician, "not the password")
    assert response.status_code == 200
    assert b"do not match an active account" in response.content
    assert "auth.login.failure" in audit_actions(actor=clinician)


def test_it_locks_the_account_after_five_failures(client, clinician):
    for _ in range(5):
        post_password(client, clinician, "wrong")
    response = post_password(client, clinician)  # even the right password now
    assert response.status_code == 429
    assert b"Sign-in paused" in response.content
    assert "auth.lockout" in audit_actions()


def test_it_refuses_a_wrong_totp_and_audits_it(client, clinician):
    post_password(client, clinician)
    good = current_totp(clinician)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/mfa/", {"token": wrong})
    assert response.status_code == 200
    assert b"was not accepted" in response.content
    assert "auth.mfa.failure" in audit_actions(actor=clinician)
    assert client.get("/staff/").status_code == 302


def test_it_refuses_a_reused_totp_code(client, clinician):
    code = current_totp(clinician)
    post_password(client, clinician)
    assert client.post("/accounts/mfa/", {"token": code}).status_code == 302
    client.post("/accounts/logout/")
    other = client.__class__()
    post_password(other, clinician)
    response = other.post("/accounts/mfa/", {"token": code})
    assert response.status_code == 200
    assert b"already used" in response.content


def test_it_accepts_a_backup_code_once(client, clinician):
    codes = mfa.new_backup_codes(clinician)
    post_password(client, clinician)
    assert client.post("/accounts/mfa/", {"token": codes[0].upper()}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.post("/accounts/logout/")
    post_password(client, clinician)
    assert client.post("/accounts/mfa/", {"token": codes[0]}).status_code == 200


def test_it_enrols_a_new_user_with_a_qr_code_and_backup_codes(client, clinic):
    user = make_staff(clinic, Role.COORDINATOR, mfa=False)
    post_password(client, user)
    assert client.get("/staff/")["Location"].startswith("/accounts/mfa/")
    setup = client.get("/accounts/mfa/setup/")
    assert setup.status_code == 200
    assert b"<svg" in setup.content
    device = mfa.pending_totp(user)
    from django_otp.oath import TOTP

    token = f"{TOTP(device.bin_key).token():06d}"
    done = client.post("/accounts/mfa/setup/", {"token": token})
    assert done.status_code == 200
    assert b"Your backup codes" in done.content
    assert client.get("/staff/").status_code == 200
    assert "auth.mfa.enrolled" in audit_actions(actor=user)


def test_it_does_not_let_a_password_alone_replace_the_authenticator(client, clinician):
    post_password(client, clinician)
    response = client.get("/accounts/mfa/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/?")


def test_it_ends_the_session_on_the_server_at_logout(client, clinician):
    sign_in(client, clinician)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/staff/").status_code == 302


def test_it_expires_idle_sessions_after_fifteen_minutes(client, clinician):
    sign_in(client, clinician)
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date - datetime.now(UTC) <= timedelta(minutes=15)
    Session.objects.filter(pk=session.pk).update(
        expire_date=datetime.now(UTC) - timedelta(seconds=1)
    )
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_ends_sessions_after_twelve_hours_even_when_active(client, clinician):
    sign_in(client, clinician)
    session = client.session
    session[SESSION_STARTED_KEY] = (datetime.now(UTC) - timedelta(hours=12, minutes=1)).timestamp()
    session.save()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_sends_a_password_reset_email_without_saying_who_exists(client, clinician, mailoutbox):
    for email in (clinician.email, "nobody@test.annulus.test"):
        response = client.post("/accounts/password-reset/", {"email": email})
        assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password-reset/" in mailoutbox[0].body


def test_it_refuses_an_unsafe_next_address(client, clinician):
    post_password(client, clinician)
    response = client.post(
        "/accounts/mfa/?next=https://evil.example.com/", {"token": current_totp(clinician)}
    )
    assert response["Location"] == "/staff/"
