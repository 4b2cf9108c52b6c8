"""The nine red flags, in plain words, with where each one sends the person.

This module is the one place the wording lives: the public self-screen asks these questions, and
the clinic's intake form imports them too, so a patient meets the same question twice in the same
words. The ids are the candidacy engine's fixed vocabulary (spec/candidacy.md §4.1): never rename
one. No Django import, so the engine, intake and tests can all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "EMERGENCY_DEPARTMENT",
    "FLAG_IDS",
    "RED_FLAGS",
    "URGENT_MEDICAL_REVIEW",
    "WORDING_VERSION",
    "RedFlag",
    "Route",
    "by_id",
    "routes_for",
]

Route = Literal["emergency_department", "urgent_medical_review"]
EMERGENCY_DEPARTMENT: Final[Route] = "emergency_department"
URGENT_MEDICAL_REVIEW: Final[Route] = "urgent_medical_review"

# Bump when a question's meaning changes, so stored answers say which wording they answered.
WORDING_VERSION: Final = "red-flags-v1"


@dataclass(frozen=True)
class RedFlag:
    id: str
    question: str
    hint: str
    route: Route
    # What this flag can point to, said plainly on the stop page.
    concern: str


RED_FLAGS: Final[tuple[RedFlag, ...]] = (
    RedFlag(
        id="saddle_anesthesia",
        question="Is there new numbness or tingling between your legs, around your genitals, "
        "buttocks or inner thighs?",
        hint="The area that would touch a saddle.",
        route=EMERGENCY_DEPARTMENT,
        concern="pressure on the nerves at the base of the spine (cauda equina syndrome)",
    ),
    RedFlag(
        id="bladder_or_bowel_dysfunction",
        question="Do you have new trouble passing urine, or have you lost control of your "
        "bladder or bowels?",
        hint="Including not feeling when you need to go, or leaking that is new for you.",
        route=EMERGENCY_DEPARTMENT,
        concern="pressure on the nerves at the base of the spine (cauda equina syndrome)",
    ),
    RedFlag(
        id="progressive_neurological_deficit",
        question="Is weakness in a leg or foot getting worse, or has a foot started to drag?",
        hint="For example tripping over your toes, or a leg giving way more than it used to.",
        route=EMERGENCY_DEPARTMENT,
        concern="a nerve that is being damaged and may need treatment quickly",
    ),
    RedFlag(
        id="fever",
        question="Along with your back pain, do you have a fever, chills or night sweats?",
        hint="A temperature of 38 °C (100.4 °F) or more, or shivering you cannot explain.",
        route=URGENT_MEDICAL_REVIEW,
        concern="an infection in or near the spine",
    ),
    RedFlag(
        id="immunosuppression",
        question="Is your immune system weakened, by an illness or by medicines?",
        hint="For example steroid tablets taken for a long time, chemotherapy, transplant "
        "medicines, or HIV that is not well controlled.",
        route=URGENT_MEDICAL_REVIEW,
        concern="an infection in or near the spine",
    ),
    RedFlag(
        id="iv_drug_use",
        question="Have you injected drugs into a vein, now or in the past year?",
        hint="We ask only because it raises the risk of a spine infection. Your answer is "
        "not shared.",
        route=URGENT_MEDICAL_REVIEW,
        concern="an infection in or near the spine",
    ),
    RedFlag(
        id="cancer_history",
        question="Have you ever had cancer?",
        hint="Even if it was treated years ago.",
        route=URGENT_MEDICAL_REVIEW,
        concern="cancer that has spread to the spine, which is rare but must be ruled out",
    ),
    RedFlag(
        id="unexplained_weight_loss",
        question="Have you lost weight recently without trying?",
        hint="For example about 5 kg (10 lb) or more over the last few months.",
        route=URGENT_MEDICAL_REVIEW,
        concern="an illness elsewhere in the body that needs checking",
    ),
    RedFlag(
        id="recent_significant_trauma",
        question="Did your pain start or get much worse after a fall, an accident or another "
        "injury?",
        hint="Or a minor fall if you have thin bones (osteoporosis) or take steroid tablets.",
        route=URGENT_MEDICAL_REVIEW,
        concern="a broken bone in the spine",
    ),
)

FLAG_IDS: Final[tuple[str, ...]] = tuple(flag.id for flag in RED_FLAGS)
_BY_ID: Final[dict[str, RedFlag]] = {flag.id: flag for flag in RED_FLAGS}


def by_id(flag_id: str) -> RedFlag:
    """The flag with this id; KeyError for an id outside the fixed vocabulary."""
    return _BY_ID[flag_id]


def routes_for(answers: dict[str, bool]) -> list[Route]:
    """The routes of the flags answered yes, most urgent first, each once."""
    raised = {by_id(flag_id).route for flag_id, yes in answers.items() if yes}
    return [route for route in (EMERGENCY_DEPARTMENT, URGENT_MEDICAL_REVIEW) if route in raised]
