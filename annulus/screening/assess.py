"""The self-screen's verdict: a pure function from answers to one plain-language outcome.

This is a coarse pre-screen for the public, not the candidacy engine. It reuses the default
protocol's patient thresholds (spec/candidacy.md §4.2: age 18-75, pain for 6 months or more, back
pain of at least 4 in 10, leg pain at most half the back pain and not below the knee, 3 months of
care that included exercise) so that it never tells someone "worth an evaluation" when the
protocol would plainly say no. The order is fixed: red flags stop everything; then anything that
makes the procedure an unlikely fit; then anything that means conservative care comes first.

No Django import: the intake form and tests use it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from annulus.screening.red_flags import FLAG_IDS, Route, gettext_noop, routes_for

__all__ = [
    "AGE_BANDS",
    "CARE",
    "DURATIONS",
    "PAIN_PATTERNS",
    "PRIOR_SURGERY",
    "Answers",
    "Outcome",
    "Reason",
    "Verdict",
    "assess",
    "assess_red_flags",
]

Outcome = Literal["urgent_referral", "worth_evaluation", "unlikely_fit", "conservative_first"]

# Each closed vocabulary maps a form value to what it means in the protocol's terms.
AGE_BANDS: Final = {
    "under_18": gettext_noop("Under 18"),
    "18_to_75": gettext_noop("18 to 75"),
    "over_75": gettext_noop("Over 75"),
}
DURATIONS: Final = {
    "under_6_weeks": (gettext_noop("Less than 6 weeks"), 0.0),
    "6_weeks_to_3_months": (gettext_noop("6 weeks to 3 months"), 1.5),
    "3_to_6_months": (gettext_noop("3 to 6 months"), 3.0),
    "6_to_12_months": (gettext_noop("6 to 12 months"), 6.0),
    "over_12_months": (gettext_noop("More than a year"), 12.0),
}
PAIN_PATTERNS: Final = {
    "mostly_back": gettext_noop("Mostly my low back (any leg pain is much milder)"),
    "back_and_leg": gettext_noop("My back and a leg about equally"),
    "mostly_leg": gettext_noop("Mostly a leg"),
}
# (label, months of care at least, included exercise) — None where the answer cannot tell.
CARE: Final[dict[str, tuple[str, float | None, bool | None]]] = {
    "three_months_with_exercise": (
        gettext_noop("Yes: 3 months or more, including exercise or physical therapy"),
        3.0,
        True,
    ),
    "some": (gettext_noop("Some, but less than 3 months, or without exercise"), None, None),
    "none": (gettext_noop("No, not yet"), 0.0, False),
}
PRIOR_SURGERY: Final = {
    "none": gettext_noop("No"),
    "discectomy_or_laminectomy": gettext_noop(
        "Yes: a discectomy or laminectomy (removing disc or bone)"
    ),
    "fusion_or_disc_replacement": gettext_noop("Yes: a fusion or an artificial disc"),
    "intradiscal": (
        gettext_noop(
            "Yes: an injection treatment into a disc (for example fibrin, PRP or stem cells)"
        )
    ),
}


@dataclass(frozen=True)
class Answers:
    age_band: str
    duration: str
    back_pain: int  # 0-10, a typical day last week
    pain_pattern: str
    below_knee: bool
    care: str
    prior_surgery: str


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    # For "unlikely to fit": what to ask your own doctor instead.
    ask: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    routes: tuple[Route, ...] = ()

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def assess_red_flags(flags: dict[str, bool]) -> Verdict | None:
    """An urgent verdict when any flag is yes; None when all nine were answered no."""
    missing = [f for f in FLAG_IDS if f not in flags]
    if missing:
        raise ValueError(f"red flags not answered: {', '.join(missing)}")
    raised = [f for f in FLAG_IDS if flags[f]]
    if not raised:
        return None
    reasons = tuple(Reason(code=f, text="") for f in raised)
    return Verdict("urgent_referral", reasons, tuple(routes_for(flags)))


def assess(answers: Answers) -> Verdict:
    """The outcome for someone who answered no to every red flag."""
    unlikely = _unlikely_reasons(answers)
    if unlikely:
        return Verdict("unlikely_fit", tuple(unlikely))
    conservative = _conservative_reasons(answers)
    if conservative:
        return Verdict("conservative_first", tuple(conservative))
    return Verdict(
        "worth_evaluation",
        (
            Reason(
                "meets_screen",
                gettext_noop(
                    "Your pain has lasted 6 months or more, it is mainly in your back, it is at "
                    "least moderate, and you have already tried 3 months of care with exercise. "
                    "That is the pattern the fibrin studies looked at. Only an examination, an "
                    "MRI and diagnostic injections can tell whether a disc is really the cause."
                ),
            ),
        ),
    )


def _unlikely_reasons(a: Answers) -> list[Reason]:
    reasons = []
    if a.age_band == "under_18":
        reasons.append(
            Reason(
                "age_under_18",
                gettext_noop("Fibrin injection has only been studied in adults."),
                (
                    gettext_noop(
                        "Ask your doctor about a referral to a spine specialist who treats "
                        "children and teenagers."
                    ),
                ),
            )
        )
    elif a.age_band == "over_75":
        reasons.append(
            Reason(
                "age_over_75",
                gettext_noop(
                    "Our criteria follow the first fibrin study (ages 18 to 75); the company's "
                    "large "
                    "trial set no upper age and a later registry took people up to 80. After 75, "
                    "back pain more often comes from narrowing around the nerves or from worn "
                    "joints than from a disc."
                ),
                (
                    gettext_noop(
                        "Ask whether narrowing of the spinal canal (stenosis) or the facet joints "
                        "could explain your pain."
                    ),
                    gettext_noop(
                        "Ask about physical therapy and which injections or treatments fit those "
                        "causes."
                    ),
                ),
            )
        )
    if a.pain_pattern != "mostly_back" or a.below_knee:
        reasons.append(
            Reason(
                "leg_pain",
                gettext_noop(
                    "Your leg pain is as strong as your back pain, stronger, or goes below the "
                    "knee. That usually means a nerve is irritated or pinched (sciatica), and "
                    "fibrin injection was studied for pain that stays mainly in the back."
                ),
                (
                    gettext_noop("Ask whether a nerve root is pinched, and by what."),
                    gettext_noop(
                        "Ask about physical therapy for sciatica, and whether a nerve-root "
                        "(epidural) "
                        "steroid injection could help."
                    ),
                    gettext_noop(
                        "Ask when surgery for sciatica is worth considering, and what happens if "
                        "you wait."
                    ),
                ),
            )
        )
    if a.prior_surgery == "fusion_or_disc_replacement":
        reasons.append(
            Reason(
                "prior_fusion",
                gettext_noop(
                    "Our clinic does not treat a level at or next to a fusion or artificial disc: "
                    "pain after those operations often has other causes, and the only fibrin "
                    "report "
                    "after surgery (one clinic, 2024) had no comparison group."
                ),
                (
                    gettext_noop(
                        "Ask the surgeon who operated, or a second surgeon, to check the levels "
                        "next to the operation and the hardware."
                    ),
                    gettext_noop(
                        "Ask about a pain rehabilitation programme while that is looked into."
                    ),
                ),
            )
        )
    elif a.prior_surgery == "intradiscal":
        reasons.append(
            Reason(
                "prior_intradiscal",
                gettext_noop(
                    "A disc that has already had an injection treatment was not included in the "
                    "fibrin studies."
                ),
                (
                    gettext_noop(
                        "Ask the doctor who treated you what the first treatment showed, and what "
                        "the next sensible step is."
                    ),
                ),
            )
        )
    return reasons


def _conservative_reasons(a: Answers) -> list[Reason]:
    reasons = []
    if DURATIONS[a.duration][1] < 6:
        reasons.append(
            Reason(
                "short_duration",
                gettext_noop(
                    "Your pain has lasted less than 6 months. Many people's back pain improves a "
                    "lot within months without any procedure."
                ),
            )
        )
    if a.care != "three_months_with_exercise":
        reasons.append(
            Reason(
                "conservative_care",
                gettext_noop(
                    "You have not yet had 3 months of structured care that included exercise or "
                    "physical therapy. In trials, good rehabilitation helped about as much as "
                    "fusion surgery did."
                ),
            )
        )
    if a.back_pain < 4:
        reasons.append(
            Reason(
                "mild_pain",
                gettext_noop(
                    "Your back pain is mild on most days (below 4 out of 10). A needle procedure "
                    "carries risks that are hard to justify for mild pain."
                ),
            )
        )
    return reasons
