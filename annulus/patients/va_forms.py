"""Forms for VA Community Care: the authorization, visits counted against it, claims sent.

Every message names the field at fault. The checks here give friendly messages; the database
constraints (dates ordered, at least one visit, one row per referral) hold whatever path writes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from annulus.clinical.forms import not_in_future
from annulus.patients.models import AuthorizedVisit, CommunityCareAuthorization, Patient
from annulus.patients.va import day_label, visit_refusal

REGIONS = [("", "Not stated"), *((f"Region {n}", f"Region {n}") for n in range(1, 6))]
TPAS = ("Optum", "TriWest")


def _date_errors(label: str) -> dict[str, str]:
    return {
        "required": f"{label}: enter the date.",
        "invalid": f"{label}: enter a real date, e.g. 2026-03-31.",
    }


class AuthorizationForm(forms.ModelForm[CommunityCareAuthorization]):
    visits_authorized = forms.IntegerField(
        label="Visits authorized",
        min_value=1,
        max_value=999,
        help_text="The visit limit on the authorization (its SEOC).",
        error_messages={
            "required": "Visits authorized: enter the number of visits.",
            "invalid": "Visits authorized: enter a whole number.",
            "min_value": "Visits authorized: at least 1.",
            "max_value": "Visits authorized: at most 999.",
        },
    )
    region = forms.ChoiceField(label="CCN region", required=False, choices=REGIONS)

    class Meta:
        model = CommunityCareAuthorization
        fields = [
            "referral_number",
            "seoc",
            "authorized_services",
            "visits_authorized",
            "valid_from",
            "valid_to",
            "region",
            "third_party_administrator",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
            "authorized_services": forms.Textarea(attrs={"rows": 3}),
            "third_party_administrator": forms.TextInput(attrs={"list": "va-tpa-options"}),
        }
        labels = {
            "referral_number": "Referral number",
            "seoc": "SEOC",
            "authorized_services": "Authorized services",
            "valid_from": "Valid from",
            "valid_to": "Valid to",
            "third_party_administrator": "Third-party administrator (TPA)",
        }
        help_texts = {
            "referral_number": "As shown in HealthShare Referral Manager (HSRM).",
            "seoc": "The Standardized Episode of Care named on the authorization.",
            "authorized_services": "The services and CPT/HCPCS codes listed. Fibrin injection and "
            "discography are care the authorization must name explicitly.",
            "third_party_administrator": "Who the claims go to, as named on the authorization "
            "(Optum for Regions 1–3, TriWest for Regions 4–5).",
        }
        error_messages = {
            "referral_number": {
                "required": "Referral number: enter it as shown in HSRM.",
                "max_length": "Referral number: at most %(limit_value)d characters.",
            },
            "seoc": {
                "required": "SEOC: enter the episode of care named on the authorization.",
                "max_length": "SEOC: at most %(limit_value)d characters.",
            },
            "authorized_services": {"required": "Authorized services: list what is authorized."},
            "valid_from": _date_errors("Valid from"),
            "valid_to": _date_errors("Valid to"),
            "third_party_administrator": {
                "max_length": "Third-party administrator: at most %(limit_value)d characters."
            },
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        current = self.instance.region
        if current and current not in dict(REGIONS):  # keep a value typed before the list
            region.choices = [*REGIONS, (current, current)]
        self.visit_dates: list[date] = []
        if self.instance.pk:
            self.visit_dates = sorted(
                AuthorizedVisit.objects.filter(authorization=self.instance).values_list(
                    "visit_date", flat=True
                )
            )

    def clean_referral_number(self) -> str:
        number = (self.cleaned_data.get("referral_number") or "").strip()
        others = CommunityCareAuthorization.objects.filter(
            patient=self.patient, referral_number=number
        ).exclude(pk=self.instance.pk)
        if number and others.exists():
            raise forms.ValidationError(
                "Referral number: already recorded for this patient. Edit that authorization "
                "to record an extension."
            )
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error(
                "valid_to", f"Valid to: cannot be before valid from ({day_label(start)})."
            )
        visits = data.get("visits_authorized")
        if visits is not None and len(self.visit_dates) > visits:
            self.add_error(
                "visits_authorized",
                f"Visits authorized: {len(self.visit_dates)} visits are already recorded "
                "against this authorization.",
            )
        if self.visit_dates and start and start > self.visit_dates[0]:
            self.add_error(
                "valid_from",
                f"Valid from: a visit on {day_label(self.visit_dates[0])} is already recorded.",
            )
        if self.visit_dates and end and end < self.visit_dates[-1]:
            self.add_error(
                "valid_to",
                f"Valid to: a visit on {day_label(self.visit_dates[-1])} is already recorded.",
            )
        return data


class VisitForm(forms.ModelForm[AuthorizedVisit]):
    """A visit counted against one authorization: inside its dates, within its visit count."""

    class Meta:
        model = AuthorizedVisit
        fields = ["visit_date", "description"]
        widgets = {"visit_date": forms.DateInput(attrs={"type": "date"})}
        labels = {"visit_date": "Visit date", "description": "Description"}
        help_texts = {"description": "What the visit was, e.g. consultation, discography."}
        error_messages = {
            "visit_date": _date_errors("Visit date"),
            "description": {
                "required": "Description: say what the visit was.",
                "max_length": "Description: at most %(limit_value)d characters.",
            },
        }

    def __init__(
        self,
        *args: Any,
        authorization: CommunityCareAuthorization,
        visits_used: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.authorization = authorization
        self.visits_used = visits_used

    def clean_visit_date(self) -> date | None:
        return not_in_future(self.cleaned_data.get("visit_date"), "visit date")

    def clean_description(self) -> str:
        return (self.cleaned_data.get("description") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, description = data.get("visit_date"), data.get("description")
        if day is None:
            return data
        if (
            description
            and AuthorizedVisit.objects.filter(
                authorization=self.authorization, visit_date=day, description=description
            ).exists()
        ):
            self.add_error(
                "description",
                f"Description: a visit on {day_label(day)} with this description is already "
                "recorded.",
            )
            return data
        self.refuse(self.visits_used)
        return data

    def refuse(self, visits_used: int) -> bool:
        """Add the error when this visit cannot be counted; True when it was refused."""
        day = self.cleaned_data.get("visit_date")
        if day is None:
            return False
        auth = self.authorization
        refusal = visit_refusal(
            day,
            valid_from=auth.valid_from,
            valid_to=auth.valid_to,
            visits_authorized=auth.visits_authorized,
            visits_used=visits_used,
        )
        if refusal is not None:
            self.add_error(*refusal)
        return refusal is not None


class ClaimForm(forms.ModelForm[AuthorizedVisit]):
    """The date the claim for a visit went to the third-party administrator."""

    class Meta:
        model = AuthorizedVisit
        fields = ["claim_submitted_on"]
        widgets = {"claim_submitted_on": forms.DateInput(attrs={"type": "date"})}
        labels = {"claim_submitted_on": "Claim submitted on"}
        error_messages = {"claim_submitted_on": _date_errors("Claim submitted on")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim_submitted_on"].required = True

    def clean_claim_submitted_on(self) -> date | None:
        day = not_in_future(self.cleaned_data.get("claim_submitted_on"), "claim date")
        visit_day = self.instance.visit_date
        if day is not None and day < visit_day:
            raise forms.ValidationError(
                f"Claim submitted on: cannot be before the visit ({day_label(visit_day)})."
            )
        return day
