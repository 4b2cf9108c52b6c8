"""The registry of audit action names: every `record()` call names one of these.

The strings are what existing audit rows hold, so a value never changes; a new kind of event
adds a constant here (a test fails on a `record()` whose name is not registered). Names are
`<domain>.<what happened>`; clinical rows written through `save_clinical` without an explicit
name get `<model>.create|update|delete` (`CLINICAL_RECORD`).
"""

from __future__ import annotations

from typing import Final

# ---- access and sign-in --------------------------------------------------------------------
ACCESS_DENIED: Final = "access.denied"
AUTH_LOCKOUT: Final = "auth.lockout"
AUTH_LOGIN_FAILURE: Final = "auth.login.failure"
AUTH_LOGIN_SUCCESS: Final = "auth.login.success"
AUTH_LOGOUT: Final = "auth.logout"
AUTH_MFA_BACKUP_CODES_REPLACED: Final = "auth.mfa.backup_codes_replaced"
AUTH_MFA_ENROLLED: Final = "auth.mfa.enrolled"
AUTH_MFA_FAILURE: Final = "auth.mfa.failure"
AUTH_MFA_SUCCESS: Final = "auth.mfa.success"
CLINIC_SETTINGS_UPDATED: Final = "clinic.settings.updated"

# ---- the patient record --------------------------------------------------------------------
PATIENT_CREATE: Final = "patient.create"
PATIENT_LIST: Final = "patient.list"
PATIENT_READ: Final = "patient.read"
PATIENT_STAGE: Final = "patient.stage"
PATIENT_TREATED: Final = "patient.treated"
PATIENT_UPDATE: Final = "patient.update"
PATIENT_WRITE: Final = "patient.write"
INTAKE_LINK_CREATE: Final = "intake.link.create"
INTAKE_LINK_OPENED: Final = "intake.link.opened"
INTAKE_LINK_REFUSED: Final = "intake.link.refused"
INTAKE_PATIENT_SAVE: Final = "intake.patient_save"
INTAKE_REVIEW: Final = "intake.review"
INTAKE_SAVE: Final = "intake.save"
VA_AUTHORIZATION_CREATE: Final = "va_authorization.create"
VA_AUTHORIZATION_UPDATE: Final = "va_authorization.update"
VA_CLAIM_SUBMITTED: Final = "va_claim.submitted"
VA_VISIT_RECORD: Final = "va_visit.record"
VA_WARNINGS_READ: Final = "va.warnings.read"

# ---- the clinical record -------------------------------------------------------------------
ADVERSE_EVENT_RECORD: Final = "adverse_event.record"
ALTERNATIVE_REFERRAL_RECORD: Final = "alternative_referral.record"
FIBRIN_PROCEDURE_RECORD: Final = "fibrin_procedure.record"
# `save_clinical` / `delete_clinical` without an explicit name: "<model>.<create|update|delete>".
CLINICAL_RECORD: Final = frozenset(
    f"{model}.{verb}"
    for model in (
        "patient",
        "intake",
        "mristudy",
        "levelfinding",
        "discogram",
        "diagnosticinjection",
        "fibrinprocedure",
        "adverseevent",
        "alternativereferral",
        "communitycareauthorization",
        "authorizedvisit",
    )
    for verb in ("create", "update", "delete")
)

# ---- candidacy -----------------------------------------------------------------------------
CANDIDACY_ACCEPTED: Final = "candidacy.accepted"
CANDIDACY_CASE_EXPORT: Final = "candidacy.case_export"
CANDIDACY_CONSULT_NOTE: Final = "candidacy.consult_note"
CANDIDACY_EVALUATE: Final = "candidacy.evaluate"
CANDIDACY_OVERRIDDEN: Final = "candidacy.overridden"
CANDIDACY_OVERRIDE_COSIGNED: Final = "candidacy.override_cosigned"
CANDIDACY_TO_COSIGN: Final = "candidacy.to_cosign"
CANDIDACY_OVERRIDE_RATES: Final = "candidacy.override_rates"
CANDIDACY_RESCREEN: Final = "candidacy.rescreen"
CANDIDACY_RESCREEN_PREVIEW: Final = "candidacy.rescreen_preview"

# ---- scheduling ----------------------------------------------------------------------------
APPOINTMENT_ARRIVED: Final = "appointment.arrived"
APPOINTMENT_BOOKED: Final = "appointment.booked"
APPOINTMENT_CANCELLED: Final = "appointment.cancelled"
APPOINTMENT_CREATED: Final = "appointment.created"
APPOINTMENT_LINK_OPENED: Final = "appointment.link_opened"
APPOINTMENT_LINK_REFUSED: Final = "appointment.link_refused"
APPOINTMENT_MOVED: Final = "appointment.moved"
APPOINTMENT_NO_SHOW: Final = "appointment.no_show"
APPOINTMENT_READ: Final = "appointment.read"
APPOINTMENT_RESCHEDULED: Final = "appointment.rescheduled"
CALENDAR_VIEWED: Final = "calendar.viewed"
APPOINTMENT_FOLLOW_UP_DISMISSED: Final = "appointment.follow_up_dismissed"
WAITLIST_JOINED: Final = "waitlist.joined"
WAITLIST_OFFERED: Final = "waitlist.offered"
WAITLIST_ACCEPTED: Final = "waitlist.accepted"
WAITLIST_OFFER_TAKEN: Final = "waitlist.offer_taken"
WAITLIST_OFFER_OPENED: Final = "waitlist.offer_opened"
WAITLIST_OFFER_REFUSED: Final = "waitlist.offer_refused"
WAITLIST_LAPSED: Final = "waitlist.lapsed"
WAITLIST_REMOVED: Final = "waitlist.removed"
WAITLIST_VIEWED: Final = "waitlist.viewed"

# ---- outcomes ------------------------------------------------------------------------------
OUTCOMES_CLINIC_VIEW: Final = "outcomes.clinic.view"
OUTCOMES_ENROL: Final = "outcomes.enrol"
OUTCOMES_INSTRUMENT_INSTALL: Final = "outcomes.instrument.install"
OUTCOMES_LINK_ISSUE: Final = "outcomes.link.issue"
OUTCOMES_LINK_REFUSED: Final = "outcomes.link.refused"
OUTCOMES_REPLAN: Final = "outcomes.replan"
OUTCOMES_REPORT_PDF: Final = "outcomes.report.pdf"
OUTCOMES_STOP: Final = "outcomes.stop"
OUTCOMES_SURVEY_OPEN: Final = "outcomes.survey.open"
OUTCOMES_SURVEY_SAVE: Final = "outcomes.survey.save"
OUTCOMES_SURVEY_SUBMIT: Final = "outcomes.survey.submit"
OUTCOMES_SURVEY_WRONG_SURVEY: Final = "outcomes.survey.wrong_survey"
OUTCOMES_TABLE_INSTALL: Final = "outcomes.table.install"
OUTCOMES_WINDOW_CLOSE: Final = "outcomes.window.close"
ANALYTICS_REPORT_VIEW: Final = "analytics.report.view"
ANALYTICS_SNAPSHOT_PUBLISH: Final = "analytics.snapshot.publish"
RESEARCH_EXPORT: Final = "research.export"
RESEARCH_EXPORT_BLOCKED: Final = "research.export.blocked"

# ---- safety (alerts, check-ins) -------------------------------------------------------------
ALERT_ACKNOWLEDGED: Final = "alert.acknowledged"
ALERT_ADVERSE_EVENT_RECORDED: Final = "alert.adverse_event_recorded"
ALERT_DELIVERED: Final = "alert.delivered"
ALERT_ESCALATED: Final = "alert.escalated"
ALERT_RAISED: Final = "alert.raised"
ALERT_RESENT: Final = "alert.resent"
CHECK_IN_ANSWERED: Final = "check_in.answered"
CHECK_IN_LINK_ISSUED: Final = "check_in.link_issued"
CHECK_IN_LINK_REFUSED: Final = "check_in.link.refused"
CHECK_IN_SCHEDULED: Final = "check_in.scheduled"

# ---- leads, screening, email, interoperability ---------------------------------------------
LEAD_CONTACTED: Final = "lead.contacted"
LEAD_CONVERTED: Final = "lead.converted"
LEAD_EXPORTED: Final = "lead.exported"
LEAD_GUIDE_REQUESTED: Final = "lead.guide_requested"
LEAD_SPAM_REFUSED: Final = "lead.spam_refused"
LEAD_UNSUBSCRIBED: Final = "lead.unsubscribed"
SCREENING_COMPLETED: Final = "screening.completed"
EMAIL_RETRY: Final = "email.retry"
EMAIL_VIEWED: Final = "email.viewed"
FHIR_CLIENT_CREATE: Final = "fhir.client.create"
FHIR_CLIENT_REVOKE: Final = "fhir.client.revoke"
FHIR_EVERYTHING: Final = "fhir.everything"
FHIR_EXPORT: Final = "fhir.export"
FHIR_EXPORT_CANCEL: Final = "fhir.export.cancel"
FHIR_EXPORT_START: Final = "fhir.export.start"
FHIR_READ: Final = "fhir.read"

# ---- merged apps: break-glass, clinic protocol, discography session, consents, documents --------
ACCESS_BREAK_GLASS: Final = "access.break_glass"
ACCESS_BREAK_GLASS_REVIEWED: Final = "access.break_glass.reviewed"
ACCESS_REPORT_PRODUCED: Final = "access_report.produced"
ACCESS_REPORT_REQUESTED: Final = "access_report.requested"
CLINIC_CANDIDACY_PROTOCOL: Final = "clinic.candidacy_protocol"
DISCOGRAPHY_SESSION_RECORD: Final = "discography_session.record"
CONSENT_PREPARE: Final = "consent.prepare"
CONSENT_LINK_CREATE: Final = "consent.link.create"
CONSENT_LINK_OPENED: Final = "consent.link.opened"
CONSENT_LINK_REFUSED: Final = "consent.link.refused"
CONSENT_SIGN: Final = "consent.sign"
CONSENT_PDF_VIEW: Final = "consent.pdf.view"
CONSENT_PDF_REFUSED: Final = "consent.pdf.refused"
DOCUMENT_UPLOAD: Final = "document.upload"
DOCUMENT_VIEW: Final = "document.view"
DOCUMENT_DOWNLOAD: Final = "document.download"

# ---- the front desk: referrals in and out, coverage, price list, Good Faith Estimates -------
REFERRAL_RECEIVED: Final = "referral.received"
REFERRAL_SPAM_REFUSED: Final = "referral.spam_refused"
REFERRAL_READ: Final = "referral.read"
REFERRAL_ATTACHMENT_VIEW: Final = "referral.attachment.view"
REFERRING_DOCTOR_SAVE: Final = "referring_doctor.save"
REFERRING_DOCTOR_LINKED: Final = "referring_doctor.linked"
CONSULT_NOTE_EMAILED: Final = "consult_note.emailed"
CONSULT_NOTE_FAXED: Final = "consult_note.faxed"
CONSULT_NOTE_OPENED: Final = "consult_note.opened"
CONSULT_NOTE_LINK_REFUSED: Final = "consult_note.link_refused"
CONSULT_NOTE_DOCTOR_VIEW: Final = "consult_note.doctor_view"
COVERAGE_SAVE: Final = "coverage.save"
PRICE_ITEM_SAVE: Final = "price_item.save"
GFE_ISSUE: Final = "gfe.issue"
GFE_PDF_VIEW: Final = "gfe.pdf.view"
GFE_PDF_REFUSED: Final = "gfe.pdf.refused"

REGISTERED: Final[frozenset[str]] = frozenset(
    {value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)}
    | CLINICAL_RECORD
)


def is_registered(action: str) -> bool:
    return action in REGISTERED
