"""The access helper for stored evaluations: always reached through their patient."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from annulus.accounts.access import deny
from annulus.candidacy.models import Evaluation
from annulus.patients.models import Patient


def get_evaluation_for_user(request: HttpRequest, patient: Patient, pk: int) -> Evaluation:
    """The evaluation, if it is this patient's (who was already checked to be in the clinic).

    Another patient's evaluation is a 404 and an `access.denied` event, like another clinic's.
    """
    evaluation = (
        Evaluation.objects.select_related("evaluated_by", "reviewed_by").filter(pk=pk).first()
    )
    if evaluation is None:
        raise Http404("No such evaluation.")
    if evaluation.patient_id != patient.pk:
        deny(request, kind="evaluation", pk=pk, patient_id=patient.pk)
    evaluation.patient = patient  # already loaded, with its clinic
    return evaluation
