from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from annulus.accounts import mfa
from annulus.accounts.actions import enrol_totp, replace_backup_codes
from annulus.accounts.forms import EmailLoginForm, TokenForm
from annulus.accounts.policy import password_only, public
from annulus.audit.actions import AUTH_MFA_FAILURE, AUTH_MFA_SUCCESS
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=EmailLoginForm,
        redirect_authenticated_user=False,
    )
)
logout = public(auth_views.LogoutView.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url="/accounts/password-reset/sent/",
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url="/accounts/password-reset/complete/",
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/staff/"


@password_only
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: a TOTP code or a backup code."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    if mfa.confirmed_totp(request.user) is None:
        return redirect(f"/accounts/mfa/setup/?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            record(AUTH_MFA_SUCCESS, request=request, details={"device": type(device).__name__})
            return redirect(_next_url(request))
        record(AUTH_MFA_FAILURE, request=request, outcome=Outcome.FAILURE)
        form.add_error(
            "token",
            "That code was not accepted. It may be wrong, already used, or expired: "
            "codes change every 30 seconds, and each backup code works once.",
        )
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@password_only
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app. Only before the first device: replacing one needs MFA first."""
    if mfa.confirmed_totp(request.user) is not None:
        return redirect(f"/accounts/mfa/?next={_next_url(request)}")
    device = mfa.pending_totp(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = enrol_totp(
            request.user,  # type: ignore[arg-type]
            device,
            form.cleaned_data["token"],
            ctx=AuditContext.from_request(request),
        )
        if codes is not None:
            otp_login(request, device)
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        record(AUTH_MFA_FAILURE, request=request, outcome=Outcome.FAILURE,
               details={"step": "enrolment"})  # fmt: skip
        form.add_error("token", "That code did not match. Check the app's clock and try again.")
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(device),
        "manual_key": mfa.manual_key(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/mfa_setup.html", context)


@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Show how many backup codes remain; a POST replaces them all."""
    if request.method == "POST":
        codes = replace_backup_codes(
            request.user,  # type: ignore[arg-type]
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, "New backup codes made. The old ones no longer work.")
        return render(request, "accounts/backup_codes.html", {"codes": codes, "next": "/staff/"})
    return render(request, "accounts/backup_codes_status.html", {})
