"""The staff navigation, showing only the pages the member's roles may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

ALL = {"coordinator", "clinician", "director", "admin"}
# (label, path, roles that may open it). Leads and clinic settings refuse other roles (403).
NAV = (
    ("Home", "/staff/", ALL),
    ("Alerts", "/staff/alerts/", {"coordinator", "clinician", "director"}),
    # IT administrators see no patient data (accounts/permissions.yaml).
    ("Calendar", "/staff/calendar/", {"coordinator", "clinician", "director"}),
    ("Patients", "/staff/patients/", {"coordinator", "clinician", "director"}),
    ("Leads", "/staff/leads/", {"coordinator", "director", "admin"}),
    ("Referrers", "/staff/referrers/", {"coordinator", "clinician", "director"}),
    ("Price list", "/staff/price-list/", {"coordinator", "clinician", "director"}),
    ("Outcomes report", "/staff/outcomes/report/", {"clinician", "director"}),
    ("Outbox", "/staff/outbox/", ALL),
    ("Staff", "/staff/staff/", ALL),
    ("Clinic", "/staff/clinic/", {"director", "admin"}),
    ("Research export", "/staff/research/", {"director"}),
    ("FHIR clients", "/staff/fhir-clients/", {"director"}),
)


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    if getattr(request, "clinic", None) is None or not request.path.startswith("/staff/"):
        return {}
    from annulus.accounts.session import roles_in_clinic

    roles = roles_in_clinic(request)
    items = []
    for label, path, allowed in NAV:
        if roles & allowed:
            current = request.path == path if path == "/staff/" else request.path.startswith(path)
            items.append({"label": label, "path": path, "current": current})
    return {"staff_nav": items}
