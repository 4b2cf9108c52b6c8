"""The self-screen's two forms. Every question needs an answer; messages name the question."""

from __future__ import annotations

from typing import Any

from django import forms

from annulus.screening import assess
from annulus.screening.red_flags import RED_FLAGS

YES_NO = [("yes", "Yes"), ("no", "No")]
CARRY_OVER_WORDING = "screening-carry-over-v1"


class RedFlagsForm(forms.Form):
    """The nine red-flag questions, in the order and words of `red_flags.RED_FLAGS`."""

    honeypot_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for flag in RED_FLAGS:
            self.fields[flag.id] = forms.ChoiceField(
                label=flag.question,
                help_text=flag.hint,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": "Please answer yes or no to this question."},
            )

    def flags(self) -> dict[str, bool]:
        return {flag.id: self.cleaned_data[flag.id] == "yes" for flag in RED_FLAGS}


def _choices(vocabulary: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (key, value[0] if isinstance(value, tuple) else value) for key, value in vocabulary.items()
    ]


def _required(what: str) -> dict[str, str]:
    return {"required": f"Please choose {what}.", "invalid_choice": f"Please choose {what}."}


class AboutYourPainForm(forms.Form):
    honeypot_name = ""

    age_band = forms.ChoiceField(
        label="How old are you?",
        choices=_choices(assess.AGE_BANDS),
        widget=forms.RadioSelect,
        error_messages=_required("your age group"),
    )
    duration = forms.ChoiceField(
        label="How long have you had this low back pain?",
        choices=_choices(assess.DURATIONS),
        widget=forms.RadioSelect,
        error_messages=_required("how long you have had the pain"),
    )
    back_pain = forms.TypedChoiceField(
        label="On a typical day last week, how bad was your low back pain?",
        help_text="0 means no pain and 10 the worst pain you can imagine.",
        choices=[("", "Choose a number")] + [(str(n), str(n)) for n in range(11)],
        coerce=int,
        error_messages=_required("a number from 0 to 10"),
    )
    pain_pattern = forms.ChoiceField(
        label="Where is the pain worst?",
        choices=_choices(assess.PAIN_PATTERNS),
        widget=forms.RadioSelect,
        error_messages=_required("where the pain is worst"),
    )
    below_knee = forms.ChoiceField(
        label="Does pain go down a leg below the knee?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer yes or no to this question."},
    )
    care = forms.ChoiceField(
        label="Have you had at least 3 months of care that included exercise or physical therapy?",
        help_text="For example a physical therapy course, a supervised exercise programme or a "
        "pain rehabilitation programme.",
        choices=_choices(assess.CARE),
        widget=forms.RadioSelect,
        error_messages=_required("the care you have had so far"),
    )
    prior_surgery = forms.ChoiceField(
        label="Have you had an operation or a disc treatment on your lower back?",
        choices=_choices(assess.PRIOR_SURGERY),
        widget=forms.RadioSelect,
        error_messages=_required("whether you have had back surgery"),
    )
    veteran = forms.ChoiceField(
        label="Have you served in the armed forces?",
        help_text="Veterans may be able to use VA Community Care. This does not change the result.",
        choices=[("yes", "Yes"), ("no", "No"), ("unsaid", "I'd rather not say")],
        widget=forms.RadioSelect,
        required=False,
    )
    carry_over = forms.BooleanField(
        label="If I book a consultation, use these answers to fill in the booking and intake "
        "forms for me.",
        help_text="Optional. Without it, nothing you answered here is passed on to booking or "
        "intake. Either way, no name or contact details are asked for on this page.",
        required=False,
    )

    def answers(self) -> assess.Answers:
        d = self.cleaned_data
        return assess.Answers(
            age_band=d["age_band"],
            duration=d["duration"],
            back_pain=int(d["back_pain"]),
            pain_pattern=d["pain_pattern"],
            below_knee=d["below_knee"] == "yes",
            care=d["care"],
            prior_surgery=d["prior_surgery"],
        )

    def veteran_status(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("veteran") or "")
