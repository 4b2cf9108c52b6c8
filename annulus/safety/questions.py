"""The post-procedure check-in: our own questions, and what each yes means.

Asked 48–72 hours and 2 weeks after any procedure that puts a needle near the spine (fibrin
injection, discography, a diagnostic block). Every yes raises an alert. Fever with back pain much
worse than before, after a procedure inside a disc, can be discitis and is an emergency; so are
new bladder or bowel changes and new leg weakness, which can be pressure on the nerves. No Django
import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# One wording version for every language. A translation asks the same question (reviewed
# against the English), and the alerts depend on the question's id, never on its words, so a
# Spanish wording is not its own version: the check-in stores the language it was read in beside
# this version instead. Bump the version, for every language at once, when a question's meaning
# changes; correcting a translation's words to the same meaning is a change to django.po only.
WORDING_VERSION: Final = "check-in-v1"


def gettext_noop(message: str) -> str:
    """Marks a string for `makemessages` and returns it unchanged (this module has no Django
    import). The check-in form translates the words when the patient's page renders (#18)."""
    return message


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    hint: str
    # The alert's code and severity when answered yes on its own.
    code: str
    severity: str


QUESTIONS: Final[tuple[Question, ...]] = (
    Question(
        id="fever",
        question=gettext_noop("Since the procedure, have you had a fever, chills or shivering?"),
        hint=gettext_noop(
            "A temperature of 38 °C (100.4 °F) or more, or shivers you cannot explain."
        ),
        code="post_procedure_fever",
        severity="urgent",
    ),
    Question(
        id="needle_site",
        question=gettext_noop(
            "Is the place where the needle went in red, swollen, or leaking any fluid?"
        ),
        hint=gettext_noop("Some tenderness there for a day or two is expected."),
        code="post_procedure_needle_site",
        severity="urgent",
    ),
    Question(
        id="leg_weakness",
        question=gettext_noop("Do you have new weakness or numbness in a leg or foot?"),
        hint=gettext_noop("Weakness or numbness you did not have before the procedure."),
        code="post_procedure_leg_weakness",
        severity="emergency",
    ),
    Question(
        id="bladder_bowel",
        question=gettext_noop(
            "Have you noticed any new change in passing urine or in your bowels?"
        ),
        hint=gettext_noop(
            "For example trouble starting to pass urine, leaking, or not feeling when you need "
            "to go."
        ),
        code="post_procedure_bladder_bowel",
        severity="emergency",
    ),
    Question(
        id="back_pain_worse",
        question=gettext_noop("Is your back pain much worse than it was before the procedure?"),
        hint=gettext_noop(
            "Much worse, not the soreness you were told to expect for the first few days."
        ),
        code="post_procedure_back_pain_worse",
        severity="urgent",
    ),
)
QUESTION_IDS: Final = tuple(q.id for q in QUESTIONS)
DISCITIS_CODE: Final = "post_procedure_suspected_discitis"


@dataclass(frozen=True)
class Raised:
    code: str
    severity: str
    questions: tuple[str, ...]


def alerts_for(answers: dict[str, bool], *, disc_procedure: bool) -> list[Raised]:
    """The alerts these answers raise, most severe first.

    Fever together with much worse back pain after a procedure inside a disc is one emergency
    (suspected discitis) instead of two urgent alerts.
    """
    yes = {q.id for q in QUESTIONS if answers.get(q.id)}
    out: list[Raised] = []
    if disc_procedure and {"fever", "back_pain_worse"} <= yes:
        out.append(Raised(DISCITIS_CODE, "emergency", ("fever", "back_pain_worse")))
        yes -= {"fever", "back_pain_worse"}
    out += [Raised(q.code, q.severity, (q.id,)) for q in QUESTIONS if q.id in yes]
    order = {"emergency": 0, "urgent": 1, "review": 2}
    return sorted(out, key=lambda r: order[r.severity])
