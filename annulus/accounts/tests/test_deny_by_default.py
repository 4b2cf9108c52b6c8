"""Walk every route: only the public allowlist may answer 200 without a verified staff session."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from annulus.testing import sign_in

pytestmark = pytest.mark.django_db

# Adding a route here is a decision: it makes the route reachable by anyone on the internet.
PUBLIC_ALLOWLIST = {
    "website:home",
    "website:robots_txt",
    "website:article_list",
    "website:article",
    "website:sitemap_xml",
    "leads:guide",
    "leads:thanks",
    "leads:unsubscribe",
    "screening:start",
    "screening:about_your_pain",
    "screening:result",
    "api:openapi-json",
    # FHIR's CapabilityStatement is public by the FHIR specification; it holds no patient data.
    "fhir:metadata",
    # The clinic's published outcome snapshot (annulus.analytics): aggregate, dated, public.
    "our_results",
    "website:disclaimer",
    # Liveness and readiness probes (annulus.ops): status only, no patient data.
    "healthz",
    "readyz",
    # Patient-link pages: the secret token swaps for a session; without one they refuse.
    "check_in:start",
    "check_in:form",
    "consent_public:start",
    "consent_public:sign",
    "consent_public:done",
    # Referrals in and consult notes out (annulus.frontoffice): the form, and the doctor's
    # link, whose token swaps for a session; without one the note pages refuse.
    "referral_public:refer",
    "referral_public:thanks",
    "consult_note_public:start",
    "consult_note_public:note",
    "consult_note_public:file",
    "intake_public:access_report",
    # Booking (annulus.scheduling): the pages answer 200 with the visitor's own session only.
    "scheduling:start",
    "scheduling:details",
    "scheduling:appointment",
    "scheduling:appointment_ics",
    "scheduling:reschedule",
    "scheduling:cancel",
    # The waitlist (annulus.scheduling): join with your own details; an offer's link swaps for
    # a session, and the offer page answers only that session.
    "scheduling:waitlist_join",
    "scheduling:waitlist_leave",
    "scheduling:waitlist_offer",
    "api:slots",
    "api:bookings",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
# Reached after the password and before the code: useless without a second factor.
PASSWORD_ONLY_ALLOWLIST = {"accounts:mfa", "accounts:mfa_setup"}

SAMPLE_ARGS = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    routes = []
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += walk(entry, prefix + pattern, ns)
        elif isinstance(entry, URLPattern):
            routes.append((f"{namespace}{entry.name}", prefix + pattern))
    return routes


def sample_url(pattern: str) -> str:
    import re

    def fill(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_ARGS.get(converter, "x")

    path = re.sub(r"<(?:(\w+):)?\w+>", fill, pattern)
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = walk(get_resolver())


def test_it_finds_the_routes():
    names = {name for name, _ in ROUTES}
    assert "workbench:home" in names
    assert "accounts:login" in names


@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[n for n, _ in ROUTES])
def test_it_denies_anonymous_requests_by_default(client, name, pattern):
    response = client.get(sample_url(pattern))
    if name not in PUBLIC_ALLOWLIST:
        assert response.status_code != 200, f"{name} answered an anonymous request with 200"


@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[n for n, _ in ROUTES])
def test_it_denies_password_only_sessions_by_default(client, clinician, name, pattern):
    sign_in(client, clinician, verified=False)
    response = client.get(sample_url(pattern))
    if name not in PUBLIC_ALLOWLIST | PASSWORD_ONLY_ALLOWLIST:
        assert response.status_code != 200, f"{name} answered a password-only session with 200"


def test_it_refuses_a_verified_user_without_a_clinic(client, clinic):
    from annulus.accounts.models import Membership, Role
    from annulus.testing import make_staff

    user = make_staff(clinic, Role.CLINICIAN)
    Membership.objects.filter(user=user).delete()
    sign_in(client, user)
    assert client.get("/staff/").status_code == 403
