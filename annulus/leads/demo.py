"""Demo guide requests: a few invented prospective patients at each lead status.

Written directly, like the demo's appointments: no guide email goes out from a seed (the
addresses are reserved .test ones anyway). Idempotent by email. One lead became the demo's new
patient (Noor Castellanos), so the leads list shows a conversion.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from annulus.leads.actions import unsubscribe_token
from annulus.leads.forms import CONSENT_WORDING_VERSION
from annulus.leads.models import HeardAbout, Lead, LeadStatus
from annulus.lib.tokens import token_hash

# first name, email, heard about, days ago, status, patient email (for a conversion)
LEADS: list[tuple[str, str, str, int, str, str]] = [
    ("Rowan", "rowan@leads.demo.annulus.test", HeardAbout.SEARCH, 1, LeadStatus.NEW, ""),
    ("Sage", "sage@leads.demo.annulus.test", HeardAbout.DOCTOR, 3, LeadStatus.NEW, ""),
    ("Tatum", "tatum@leads.demo.annulus.test", HeardAbout.VETERANS, 6, LeadStatus.CONTACTED, ""),
    ("Uma", "uma@leads.demo.annulus.test", HeardAbout.FRIEND, 12, LeadStatus.CONTACTED, ""),
    (
        "Noor",
        "noor@leads.demo.annulus.test",
        HeardAbout.SOCIAL,
        20,
        LeadStatus.CONVERTED,
        "noor.castellanos@patients.demo.annulus.test",
    ),
]


@transaction.atomic
def seed_leads(clinic: Any, today: date) -> list[Lead]:
    from annulus.patients.models import Patient

    seeded = []
    for first, email, heard, days_ago, status, patient_email in LEADS:
        lead = Lead.objects.filter(clinic=clinic, email=email).first()
        if lead is None:
            asked = datetime.combine(today - timedelta(days=days_ago), time(19), tzinfo=clinic.zone)
            patient = (
                Patient.objects.filter(clinic=clinic, email=patient_email).first()
                if patient_email
                else None
            )
            lead = Lead.objects.create(
                clinic=clinic,
                first_name=first,
                email=email,
                heard_about=heard,
                status=status if status != LeadStatus.CONVERTED or patient else LeadStatus.NEW,
                consent_wording_version=CONSENT_WORDING_VERSION,
                consent_given_at=asked,
                created_at=asked,
                last_requested_at=asked,
                guide_sent_at=asked + timedelta(minutes=1),
                guide_version="demo",
                patient=patient,
                converted_at=asked + timedelta(days=5) if patient else None,
            )
            lead.unsubscribe_token_hash = token_hash(unsubscribe_token(lead))
            lead.save(update_fields=["unsubscribe_token_hash"])
        seeded.append(lead)
    return seeded
