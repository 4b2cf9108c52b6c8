"""The red-flag questions (protocol version 2) in plain words, and where each one sends a person.

This module is the one place the questions live: the public self-screen, the patient's own intake
link and the staff intake all ask these, in these words, so a patient meets the same question in
the same words everywhere. The ids are the candidacy engine's fixed vocabulary (spec/candidacy.md
§4.1 and §6.1): never rename one. `fragility_trauma` is the one question the engine has no field
for: it asks the trauma question's second half separately and feeds `recent_significant_trauma`
(`engine_red_flags`). What the patient is told to do, and how urgent the staff alert is, follow
from the route (`instruction_for`, `severity_for`). No Django import, so the engine, intake and
tests can all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CAUDA_EQUINA_IDS",
    "EMERGENCY_DEPARTMENT",
    "EMERGENCY_INSTRUCTION",
    "FLAG_IDS",
    "RED_FLAGS",
    "URGENT_MEDICAL_REVIEW",
    "WORDING_VERSION",
    "Instruction",
    "RedFlag",
    "Route",
    "by_id",
    "engine_red_flags",
    "instruction_for",
    "raised",
    "routes_for",
    "severity_for",
]


def gettext_noop(message: str) -> str:
    """Marks a string for `makemessages` (the same name Django uses) and returns it unchanged.

    This module has no Django import, so the words stay English here; the pages that show them
    translate at render time (`{% translate flag.question %}`, `gettext_lazy(flag.hint)`).
    """
    return message


Route = Literal["emergency_department", "urgent_medical_review"]
EMERGENCY_DEPARTMENT: Final[Route] = "emergency_department"
URGENT_MEDICAL_REVIEW: Final[Route] = "urgent_medical_review"

# Bump when a question's meaning changes, so stored answers say which wording they answered.
WORDING_VERSION: Final = "red-flags-v2"


@dataclass(frozen=True)
class RedFlag:
    id: str
    question: str
    hint: str
    route: Route
    # What this flag can point to, said plainly on the stop page.
    concern: str
    # A sign of pressure on the cauda equina: the patient's own forms never offer "Not known yet".
    cauda_equina: bool = False
    # The candidacy engine's field this answer feeds (its own id unless said otherwise).
    engine_id: str = ""

    @property
    def engine_field(self) -> str:
        return self.engine_id or self.id


RED_FLAGS: Final[tuple[RedFlag, ...]] = (
    RedFlag(
        id="saddle_anesthesia",
        question=gettext_noop(
            "Is there new numbness or tingling between your legs, around your genitals, "
            "buttocks or inner thighs?"
        ),
        hint=gettext_noop("The area that would touch a saddle."),
        route=EMERGENCY_DEPARTMENT,
        concern=gettext_noop(
            "pressure on the nerves at the base of the spine (cauda equina syndrome)"
        ),
        cauda_equina=True,
    ),
    RedFlag(
        id="bladder_or_bowel_dysfunction",
        question=gettext_noop(
            "Do you have new trouble passing urine, or have you lost control of your "
            "bladder or bowels?"
        ),
        hint=gettext_noop(
            "Including not feeling when you need to go, or leaking that is new for you."
        ),
        route=EMERGENCY_DEPARTMENT,
        concern=gettext_noop(
            "pressure on the nerves at the base of the spine (cauda equina syndrome)"
        ),
        cauda_equina=True,
    ),
    RedFlag(
        id="bilateral_sciatica",
        question=gettext_noop("Does pain, numbness or tingling go down both of your legs?"),
        hint=gettext_noop("Both legs at the same time, even if one is worse than the other."),
        route=EMERGENCY_DEPARTMENT,
        concern=gettext_noop(
            "pressure on the nerves at the base of the spine (cauda equina syndrome)"
        ),
        cauda_equina=True,
    ),
    RedFlag(
        id="new_sexual_dysfunction",
        question=gettext_noop(
            "Have you noticed a new loss of sexual function or of feeling in your genitals?"
        ),
        hint=gettext_noop("For example new trouble getting an erection, or numbness during sex."),
        route=EMERGENCY_DEPARTMENT,
        concern=gettext_noop(
            "pressure on the nerves at the base of the spine (cauda equina syndrome)"
        ),
        cauda_equina=True,
    ),
    RedFlag(
        id="progressive_neurological_deficit",
        question=gettext_noop(
            "Is weakness in a leg or foot getting worse, or has a foot started to drag?"
        ),
        hint=gettext_noop(
            "For example tripping over your toes, or a leg giving way more than it used to."
        ),
        route=EMERGENCY_DEPARTMENT,
        concern=gettext_noop("a nerve that is being damaged and may need treatment quickly"),
    ),
    RedFlag(
        id="fever",
        question=gettext_noop(
            "Along with your back pain, do you have a fever, chills or night sweats?"
        ),
        hint=gettext_noop(
            "A temperature of 38 °C (100.4 °F) or more, or shivering you cannot explain."
        ),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop("an infection in or near the spine"),
    ),
    RedFlag(
        id="infection_risk",
        question=gettext_noop(
            "In the past 3 months, have you had a bacterial or urine infection, a urinary "
            "catheter, or an injection or procedure in your spine, and your back pain is new or "
            "worse?"
        ),
        hint=gettext_noop("Only answer yes if the back pain is new or worse since then."),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop("an infection in or near the spine"),
    ),
    RedFlag(
        id="immunosuppression",
        question=gettext_noop("Is your immune system weakened, by an illness or by medicines?"),
        hint=gettext_noop(
            "For example steroid tablets taken for a long time, chemotherapy, transplant "
            "medicines, or HIV that is not well controlled."
        ),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop("an infection in or near the spine"),
    ),
    RedFlag(
        id="iv_drug_use",
        question=gettext_noop("Have you injected drugs into a vein, now or in the past year?"),
        hint=gettext_noop(
            "We ask only because it raises the risk of a spine infection. Your answer is "
            "not shared."
        ),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop("an infection in or near the spine"),
    ),
    RedFlag(
        id="cancer_history",
        question=gettext_noop("Have you ever had cancer?"),
        hint=gettext_noop("Even if it was treated years ago."),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop(
            "cancer that has spread to the spine, which is rare but must be ruled out"
        ),
    ),
    RedFlag(
        id="unexplained_weight_loss",
        question=gettext_noop("Have you lost weight recently without trying?"),
        hint=gettext_noop("For example about 5 kg (10 lb) or more over the last few months."),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop("an illness elsewhere in the body that needs checking"),
    ),
    RedFlag(
        id="night_or_rest_pain",
        question=gettext_noop(
            "Is the pain there all the time, and worse at night or when you rest, whatever "
            "position you lie or sit in?"
        ),
        hint=gettext_noop("Pain that wakes you and does not ease when you change position."),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop(
            "an infection or a growth in the spine, which are rare but must be ruled out"
        ),
    ),
    RedFlag(
        id="recent_significant_trauma",
        question=gettext_noop(
            "In the past 3 months, did your pain start or get much worse after a fall, an "
            "accident or another injury?"
        ),
        hint=gettext_noop("For example a car accident, or a fall from a height or down stairs."),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop("a broken bone in the spine"),
    ),
    RedFlag(
        id="fragility_trauma",
        question=gettext_noop(
            "Do you have thin bones (osteoporosis), or have you taken steroid tablets for "
            "months, and did your pain start after a fall or a minor injury?"
        ),
        hint=gettext_noop(
            "Even a small fall, a bump or lifting something can matter with thin bones."
        ),
        route=URGENT_MEDICAL_REVIEW,
        concern=gettext_noop("a broken bone in the spine"),
        engine_id="recent_significant_trauma",
    ),
)

FLAG_IDS: Final[tuple[str, ...]] = tuple(flag.id for flag in RED_FLAGS)
_BY_ID: Final[dict[str, RedFlag]] = {flag.id: flag for flag in RED_FLAGS}


def by_id(flag_id: str) -> RedFlag:
    """The flag with this id; KeyError for an id outside the fixed vocabulary."""
    return _BY_ID[flag_id]


CAUDA_EQUINA_IDS: Final[tuple[str, ...]] = tuple(f.id for f in RED_FLAGS if f.cauda_equina)


def raised(answers: dict[str, bool | None]) -> list[RedFlag]:
    """The flags answered yes, in question order."""
    return [flag for flag in RED_FLAGS if answers.get(flag.id) is True]


def severity_for(flag: RedFlag) -> str:
    """The staff alert's severity for a yes: an emergency route is an emergency."""
    return "emergency" if flag.route == EMERGENCY_DEPARTMENT else "urgent"


@dataclass(frozen=True)
class Instruction:
    """What a patient who answered yes is told to do now, on every form that asks."""

    route: Route
    heading: str
    text: str


# The self-screen's own words (screening/result.html), shared by every form that asks.
EMERGENCY_INSTRUCTION: Final = Instruction(
    route=EMERGENCY_DEPARTMENT,
    heading=gettext_noop("Go to an emergency department now"),
    text="Do not wait for an appointment with us or anyone else. If you cannot get there safely, "
    "call 911.",
)


def instruction_for(answers: dict[str, bool | None], clinic_phone: str = "") -> Instruction | None:
    """The most urgent instruction for these answers; None when nothing was answered yes."""
    routes = routes_for({flag.id: True for flag in raised(answers)})
    if not routes:
        return None
    if routes[0] == EMERGENCY_DEPARTMENT:
        return EMERGENCY_INSTRUCTION
    phone = f" on {clinic_phone}" if clinic_phone else ""
    return Instruction(
        route=URGENT_MEDICAL_REVIEW,
        heading=gettext_noop("Call us today"),
        text=f"Please call the clinic today{phone} so a clinician can talk to you about this. If "
        "the clinic is closed, contact your own doctor or an urgent care clinic today.",
    )


def engine_red_flags(values: dict[str, bool | None]) -> dict[str, bool | None]:
    """The answers in the engine's fields: a yes to either trauma question is trauma."""
    out: dict[str, bool | None] = {}
    for flag in RED_FLAGS:
        value, field = values.get(flag.id), flag.engine_field
        if field in out and out[field] is True:
            continue
        if field in out and value is not True and None in (value, out[field]):
            value = None
        out[field] = value
    return out


def routes_for(answers: dict[str, bool]) -> list[Route]:
    """The routes of the flags answered yes, most urgent first, each once."""
    raised = {by_id(flag_id).route for flag_id, yes in answers.items() if yes}
    return [route for route in (EMERGENCY_DEPARTMENT, URGENT_MEDICAL_REVIEW) if route in raised]
