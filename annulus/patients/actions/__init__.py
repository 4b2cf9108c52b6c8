"""Every write of the patient record: one function each, one transaction, its audit event and
its change history (`annulus/patients/history.py`), side effects on commit.

Views, the API, commands and other apps call these with the acting user and an `AuditContext`;
none of them writes a patient row itself.
"""

from annulus.patients.actions.access_report import (
    produce_access_report,
    request_access_report,
)
from annulus.patients.actions.intake import issue_intake_link, review_intake, save_intake
from annulus.patients.actions.record import change_stage, create_patient, update_patient
from annulus.patients.actions.va import (
    VisitRefused,
    record_va_visit,
    save_authorization,
    submit_claim,
)

__all__ = [
    "VisitRefused",
    "change_stage",
    "create_patient",
    "issue_intake_link",
    "produce_access_report",
    "record_va_visit",
    "request_access_report",
    "review_intake",
    "save_authorization",
    "save_intake",
    "submit_claim",
    "update_patient",
]
