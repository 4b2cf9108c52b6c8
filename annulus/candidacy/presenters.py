"""A stored decision in words people read: outcome, grouped criteria, routes and a to-do list.

Shared by the evaluation page and the consult note, so both say the same thing the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from annulus.candidacy.engine import ProtocolError, UnknownProtocolError, load_protocol
from annulus.candidacy.models import Evaluation
from annulus.candidacy.needs import CRITERION_FIELDS
from annulus.clinical.forms import grid_name

OUTCOME_LABELS = {
    "urgent_referral": "Urgent referral",
    "not_candidate": "Not a candidate",
    "needs_more_information": "Needs more information",
    "candidate": "Candidate",
}
OUTCOME_HEADLINES = {
    "urgent_referral": "A red flag is present: refer now and stop the candidacy work-up.",
    "not_candidate": "Not a candidate for intra-annular fibrin under this protocol.",
    "needs_more_information": "Not decided yet: the record lacks what the to-do list names.",
    "candidate": "A candidate for intra-annular fibrin under this protocol.",
}
STATUS_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "missing": "Missing",
    "warning": "Warning",
    "not_applicable": "Not applicable",
}
# Each route in plain words: a short name, and what it means for the patient.
ROUTES = {
    "emergency_department": (
        "Emergency department, today",
        "Symptoms that can mean compression of the nerves to the bladder, bowel or legs need "
        "same-day emergency assessment.",
    ),
    "urgent_medical_review": (
        "Urgent medical review",
        "A prompt medical assessment to rule out infection, cancer or fracture before any "
        "spine procedure is considered.",
    ),
    "fibrin_injection": (
        "Intra-annular fibrin injection",
        "An injection of fibrin sealant into the torn outer wall of the painful disc(s), under "
        "imaging guidance. Read the evidence summary before choosing it.",
    ),
    "conservative_care": (
        "Structured conservative care",
        "Exercise-based physical therapy, pain education and a medication review, for a "
        "set period, before any procedure.",
    ),
    "radicular_pain_care": (
        "Care for nerve-root (leg) pain",
        "The leg pain or nerve signs come first: treatment aimed at the nerve root, such as an "
        "epidural steroid injection or a surgical opinion on a compressed nerve.",
    ),
    "facet_directed_care": (
        "Facet-joint-directed care",
        "The medial branch block relieved the pain, so the facet joints are the likelier "
        "source: for example radiofrequency denervation.",
    ),
    "si_joint_care": (
        "Sacroiliac-joint-directed care",
        "The SI joint block relieved the pain, so the SI joint is the likelier source.",
    ),
    "fusion_consult": (
        "Spinal fusion consultation",
        "Instability, a vertebral slip or scoliosis need a surgeon's opinion on stabilising "
        "the spine; fibrin does not address them.",
    ),
    "spine_surgery_consult": (
        "Spine surgery consultation",
        "Advanced degeneration, a herniation or stenosis need a surgeon's opinion.",
    ),
    "multidisciplinary_review": (
        "Multidisciplinary review",
        "The case falls outside what the protocol covers: the clinic's team discusses it "
        "before anything is offered.",
    ),
}

_GROUPS = (("red_flags", "Red-flag screen"), ("patient", "The patient"))
_GROUP_DISCOGRAPHY = ("discography", "Discography")

# Where each criterion's facts are filled in, and the field to land on.
_INTAKE_ANCHORS = {
    "RF-SADDLE-ANESTHESIA": "saddle_anesthesia",
    "RF-BLADDER-BOWEL": "bladder_or_bowel_dysfunction",
    "RF-PROGRESSIVE-DEFICIT": "progressive_neurological_deficit",
    "RF-FEVER": "fever",
    "RF-IMMUNOSUPPRESSION": "immunosuppression",
    "RF-IV-DRUG-USE": "iv_drug_use",
    "RF-CANCER-HISTORY": "cancer_history",
    "RF-WEIGHT-LOSS": "unexplained_weight_loss",
    "RF-TRAUMA": "recent_significant_trauma",
    "P-DURATION": "back_pain_duration_months",
    "P-PAIN": "back_pain_nrs",
    "P-DISABILITY": "odi",
    "P-LEG": "leg_pain_nrs",
    "P-CONSERVATIVE": "conservative_care_months",
    "P-ESI": "epidural_steroid_received",
    "P-BLEEDING": "bleeding_disorder",
    "P-ALLERGY": "fibrin_sealant_allergy",
    "P-OPIOID": "opioid_mme_per_day",
}
_BLOCKS = {"P-FACET", "P-SIJ"}
_NEW_MRI = {"P-MRI"}
_DETAILS = {"P-AGE"}
_IMAGING_WORDS = ("mri", "imaging", "pfirrmann", "height", "contour", "protrusion", "modic",
                  "stenosis", "scoliosis", "cobb", "spondylol", "flexion", "slip")  # fmt: skip
_BLOCK_WORDS = ("medial branch", "block", "si joint", "sacroiliac")


@dataclass
class Row:
    id: str
    title: str
    level: str | None
    status: str
    status_label: str
    explanation: str
    source: str


@dataclass
class Group:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def all_pass(self) -> bool:
        return all(row.status in ("pass", "not_applicable") for row in self.rows)

    @property
    def all_not_applicable(self) -> bool:
        return all(row.status == "not_applicable" for row in self.rows)

    @property
    def collapsed(self) -> bool:
        """Nothing to read but a list of passes (red flags) or of rules that do not apply."""
        return self.all_not_applicable or (self.key == "red_flags" and self.all_pass)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(row.source for row in self.rows if row.source))


@dataclass
class Todo:
    text: str
    place: str
    url: str


@dataclass(frozen=True)
class ProtocolNames:
    titles: dict[str, str]
    red_flags: frozenset[str]
    level_criteria: frozenset[str]


def protocol_names(protocol_id: str, version: int) -> ProtocolNames:
    """Criterion titles and which ids are red flags or level criteria; empty if not loadable."""
    try:
        protocol = load_protocol(protocol_id, version)
    except (UnknownProtocolError, ProtocolError):
        return ProtocolNames({}, frozenset(), frozenset())
    every = (*protocol.red_flags, *protocol.criteria, *protocol.level_criteria)
    return ProtocolNames(
        {c.id: c.title for c in every},
        frozenset(c.id for c in protocol.red_flags),
        frozenset(c.id for c in protocol.level_criteria),
    )


def group_criteria(evaluation: Evaluation) -> list[Group]:
    """Red flags, the patient, discography, then one group per level (cranial to caudal).

    Level criteria judged at no level (no positive level yet) form one "painful level" group.
    """
    names = protocol_names(evaluation.protocol_id, evaluation.protocol_version)
    groups: dict[str, Group] = {key: Group(key, title) for key, title in _GROUPS}
    groups[_GROUP_DISCOGRAPHY[0]] = Group(*_GROUP_DISCOGRAPHY)
    for item in evaluation.decision.get("criteria", []):
        cid, level = item["id"], item.get("level")
        if level:
            key = f"level:{level}"
            groups.setdefault(key, Group(key, f"Level {level}"))
        elif cid in names.level_criteria or (not names.titles and cid.startswith("L-")):
            key = "levels"
            groups.setdefault(key, Group(key, "The painful level"))
        elif cid in names.red_flags or cid.startswith("RF-"):
            key = "red_flags"
        elif cid.startswith("D-"):
            key = "discography"
        else:
            key = "patient"
        groups[key].rows.append(
            Row(
                id=cid,
                title=names.titles.get(cid, cid),
                level=level,
                status=item["status"],
                status_label=STATUS_LABELS.get(item["status"], item["status"]),
                explanation=item["explanation"],
                source=item.get("source", ""),
            )
        )
    return [group for group in groups.values() if group.rows]


def decisive_rows(groups: list[Group]) -> list[Row]:
    """The criteria that shaped the outcome: every fail, missing and warning, in page order."""
    return [row for g in groups for row in g.rows if row.status in ("fail", "missing", "warning")]


def routes_in_words(routes: list[str]) -> list[tuple[str, str]]:
    return [ROUTES.get(route, (route.replace("_", " "), "")) for route in routes]


def criterion_choices(evaluation: Evaluation) -> list[tuple[str, str]]:
    """The criteria a clinician may disagree with: those the protocol judged, in its order."""
    titles = protocol_names(evaluation.protocol_id, evaluation.protocol_version).titles
    judged = set(evaluation.judged_criteria)
    in_order = dict.fromkeys(c["id"] for c in evaluation.decision.get("criteria", []))
    ordered = [cid for cid in in_order if cid in judged]
    ordered += sorted(judged - set(ordered))
    return [(cid, titles.get(cid, cid)) for cid in ordered]


def criterion_names(evaluation: Evaluation, ids: list[str]) -> list[str]:
    """The disputed criteria by name (a code only when the protocol has no title for it)."""
    titles = protocol_names(evaluation.protocol_id, evaluation.protocol_version).titles
    return [titles.get(cid, cid) for cid in ids]


def todo_list(evaluation: Evaluation, *, latest_study_id: int | None) -> list[Todo]:
    """The decision's missing items, each with a link to the page (and field) that fills it."""
    pk = evaluation.patient_id
    missing_criteria = [
        c for c in evaluation.decision.get("criteria", []) if c["status"] == "missing"
    ]
    todos = []
    for text in evaluation.decision.get("missing", []):
        criterion = next((c for c in missing_criteria if text in c["explanation"]), None)
        place, url = _place(pk, criterion, text, latest_study_id)
        todos.append(Todo(text, place, url))
    return todos


def _place(
    pk: int, criterion: dict[str, Any] | None, text: str, latest_study_id: int | None
) -> tuple[str, str]:
    cid = criterion["id"] if criterion else ""
    level = criterion.get("level") if criterion else None
    lowered = text.lower()
    if cid in _DETAILS:
        return "Patient details", reverse("patients:edit", args=[pk])
    if cid in _INTAKE_ANCHORS:
        return "Intake", reverse("patients:intake", args=[pk]) + f"#id_{_INTAKE_ANCHORS[cid]}"
    if cid in _BLOCKS or (not cid and any(w in lowered for w in _BLOCK_WORDS)):
        return "Blocks and injections", reverse("clinical:injection_new", kwargs={"pk": pk})
    if cid.startswith("D-") or "discogra" in lowered or "control disc" in lowered:
        return "Discography", reverse("clinical:discography", kwargs={"pk": pk})
    imaging = cid.startswith("L-") or cid in ("P-SCOLIOSIS", *_NEW_MRI)
    if imaging or any(w in lowered for w in _IMAGING_WORDS):
        if cid in _NEW_MRI or latest_study_id is None:
            url = reverse("clinical:imaging_new", kwargs={"pk": pk})
        else:
            url = reverse("clinical:imaging", kwargs={"pk": pk, "study_id": latest_study_id})
        if level and cid in CRITERION_FIELDS:
            url += f"#id_{grid_name(level, CRITERION_FIELDS[cid][0])}"
        elif cid == "P-SCOLIOSIS":
            url += "#id_scoliosis_cobb_degrees"
        return "Imaging", url
    return "Intake", reverse("patients:intake", args=[pk])
