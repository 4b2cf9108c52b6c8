"""The consult note: one stored evaluation as a PDF for the chart and the patient.

It carries the decision, its rationale (every criterion with its explanation), the alternatives
in plain words, the clinician's review, and an honest summary of the evidence, led by the failed
phase III trial. Figures are those of `shared/clinical-reference.md`, with its citations.

The HTML is rendered by WeasyPrint with a fetcher that refuses every URL but inline `data:`:
the note never loads anything from another origin, nor from the file system.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from annulus.candidacy.models import Evaluation, OverrideReason, Review
from annulus.candidacy.presenters import (
    OUTCOME_HEADLINES,
    OUTCOME_LABELS,
    decisive_rows,
    group_criteria,
    routes_in_words,
)

# WeasyPrint reports each layout step at INFO: noise in the server log, a line per page.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Evidence:
    heading: str
    text: str
    cite: str  # reference tags, resolved in REFERENCES


EVIDENCE: tuple[Evidence, ...] = (
    Evidence(
        "The randomized trial failed",
        "The sponsor's phase III trial (NCT01011816) randomized 220 patients 3:1 to fibrin "
        "sealant or a saline injection into one disc, with patients and assessors blinded. At "
        "26 weeks, composite success, which needed all five of at least 30 % less back pain, at "
        "least 30 % better function (RMDQ), maintained neurological status, no secondary "
        "intervention and no serious adverse event, was 33.5 % with fibrin and 39.3 % "
        "with saline. Clinically meaningful back-pain improvement: 42.1 % vs 50.0 %; function "
        "(RMDQ): 52.4 % vs 50.0 %. The trial was terminated for lack of efficacy, and no "
        "peer-reviewed full publication was found.",
        "F3, F4",
    ),
    Evidence(
        "The encouraging figures come from small or uncontrolled studies",
        "The pilot study (Yin et al. 2014, NCT00693784) treated 15 patients with no control "
        "group: mean back pain fell from 72.4 to 31.7 mm (of 100) at 26 weeks and was 33.0 mm "
        "at 104 weeks; the Roland-Morris score fell 41 % at 26 weeks (15.2 to 8.9) and passed a "
        "50 % fall only at 52 and 104 weeks (6.2 and 5.6). Adverse events "
        "occurred in 9 of 15 patients; 2 episodes of back-muscle spasm and 1 discitis were "
        "judged related. A later single-centre retrospective registry (Pauza et al. 2024, "
        "827 patients) reports improvement, but its detailed results could not be verified.",
        "F1, F6",
    ),
    Evidence(
        "The trials tested a different delivery",
        "Both sponsor trials injected the sponsor's product into the disc (intradiscally) "
        "through the sponsor's own delivery device. Intra-annular injection of another fibrin "
        "product is a different procedure, so their results may not carry over to it. As far "
        "as we know, no fibrin product is FDA-approved for injection into a disc, so its use "
        "here is off-label (check the label of the product used).",
        "F1, F3, F11",
    ),
    Evidence(
        "Many people improve without a specific treatment",
        "In the phase III trial, 39.3 % of patients given saline met the success definition. "
        "In cohorts with persistent low back pain, average pain fell from 51 to 23 (of 100) "
        "over a year. A clinic's own before-and-after results therefore look better than the "
        "true effect of any treatment.",
        "F3, B15",
    ),
    Evidence(
        "Surgery is not clearly better than structured rehabilitation",
        "In the MRC trial, disability (ODI) went from 46.5 to 34.0 after fusion and from 44.8 "
        "to 36.1 after intensive rehabilitation: 4.1 points in favour of fusion (95 % CI 0.1 "
        "to 8.1), below the 10-point change usually taken as clinically important. In Brox "
        "2003 the difference was not significant. Complications within two years of fusion "
        "were 12 % to 40 % depending on the technique.",
        "B3, B4, B2, P7",
    ),
    Evidence(
        "Guidelines",
        "NICE (NG59) advises against spinal fusion for low back pain outside a randomized "
        "trial, and against disc replacement. The NHS Evidence-Based Interventions programme "
        "lists intradiscal therapy among spinal injections that should not be offered for "
        "non-specific low back pain.",
        "R9, R10",
    ),
)

EVIDENCE_BOTTOM_LINE = (
    "Under this protocol a candidate is someone the published evidence does not rule out, not "
    "someone it shows will benefit. Intra-annular fibrin is not proven better than a saline "
    "injection."
)

REFERENCES: dict[str, str] = {
    "F1": "Yin W, Pauza K, Olan WJ, Doerzbacher JF, Thorne KJ. Intradiscal injection of fibrin "
    "sealant for the treatment of symptomatic lumbar internal disc disruption: results of a "
    "prospective multicenter pilot study with 24-month follow-up. Pain Med 2014. "
    "doi:10.1111/pme.12249 (registry NCT00693784).",
    "F3": "ClinicalTrials.gov NCT01011816: randomized, blinded, saline-controlled trial of the "
    "Biostat System for symptomatic lumbar internal disc disruption; results posted May 2014.",
    "F4": "Medical Device Network, 21 Jul 2013: “Spinal Restoration's Phase III study of Biostat "
    "System yields disappointing results”.",
    "F6": "Pauza K et al. Long-term investigation of annulargrams and intra-annular fibrin. "
    "Pain Physician 2024;27(8):537 (detailed results from secondary summaries only).",
    "F11": "openFDA NDC records for the US-marketed fibrin sealants TISSEEL (0338-9560) and "
    "VISTASEAL (61953-0020).",
    "B2": "Fritzell P, Hägg O, Nordwall A. Eur Spine J 2003. doi:10.1007/s00586-002-0493-8.",
    "B3": "Fairbank J et al. MRC Spine Stabilisation Trial. BMJ 2005;330:1233.",
    "B4": "Brox JI et al. Spine 2003;28(17):1913–21.",
    "B15": "da C Menezes Costa L et al. CMAJ 2012;184(11):E613.",
    "P7": "Ostelo RW et al. Interpreting change scores for pain and functional status in low back "
    "pain. Spine 2008;33(1):90–4.",
    "R9": "NICE guideline NG59, Low back pain and sciatica in over 16s (2016).",
    "R10": "Academy of Medical Royal Colleges, Evidence-Based Interventions: spinal injections "
    "for non-specific low back pain.",
}

# Open to everyone, whatever the protocol decided.
OPTIONS_FOR_EVERYONE = (
    (
        "Structured conservative care",
        "Exercise-based physical therapy with pain education, which in trials did about as well "
        "as fusion for chronic low back pain.",
    ),
    (
        "No procedure for now",
        "Chronic back pain often eases over months; choosing to wait and review is reasonable.",
    ),
)


@functools.cache
def _fetcher_class() -> type:
    # WeasyPrint is imported on first use: it is slow to import and only this page needs it.
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Refuses every URL except inline `data:`: nothing from the network or the disk."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                raise ValueError(f"the consult note loads nothing from outside ({url[:60]})")
            return super().fetch(url, headers)

    return LocalOnlyFetcher


def local_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses everything but inline `data:` URLs."""
    return _fetcher_class()()


def consult_note_context(
    evaluation: Evaluation, *, generated_at: datetime, generated_by: Any
) -> dict[str, Any]:
    patient = evaluation.patient
    decision = evaluation.decision
    overridden = evaluation.review == Review.OVERRIDDEN
    final_outcome = evaluation.override_outcome if overridden else evaluation.outcome
    groups = group_criteria(evaluation)
    tags = dict.fromkeys(t.strip() for e in EVIDENCE for t in e.cite.split(","))  # as cited
    return {
        "evaluation": evaluation,
        "patient": patient,
        "clinic": patient.clinic,
        "decision": decision,
        "outcome_label": OUTCOME_LABELS.get(evaluation.outcome, evaluation.outcome),
        "outcome_headline": OUTCOME_HEADLINES.get(evaluation.outcome, ""),
        "final_outcome_label": OUTCOME_LABELS.get(final_outcome, final_outcome),
        "overridden": overridden,
        "pending": evaluation.review in (Review.PENDING, Review.TO_COSIGN),
        "override_reason": OverrideReason(evaluation.override_reason).label
        if evaluation.override_reason
        else "",
        "groups": groups,
        "decisive": decisive_rows(groups),
        "routes": routes_in_words(decision.get("routes", [])),
        "options_for_everyone": OPTIONS_FOR_EVERYONE,
        "evidence": EVIDENCE,
        "evidence_bottom_line": EVIDENCE_BOTTOM_LINE,
        "references": [(tag, REFERENCES[tag]) for tag in tags],
        "generated_at": generated_at,
        "generated_by": generated_by,
    }


def render_html(evaluation: Evaluation, *, generated_at: datetime, generated_by: Any) -> str:
    context = consult_note_context(evaluation, generated_at=generated_at, generated_by=generated_by)
    return render_to_string("candidacy/consult_note.html", context)


def render_pdf(html: str) -> bytes:
    """WeasyPrint, with every outside resource refused."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url="about:blank", url_fetcher=local_only_fetcher()).write_pdf()
    assert pdf is not None
    return pdf
