"""The self-screen's two forms. Every question needs an answer; messages name the question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from annulus.screening import assess
from annulus.screening.red_flags import RED_FLAGS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
CARRY_OVER_WORDING = "screening-carry-over-v1"


class RedFlagsForm(forms.Form):
    """The nine red-flag questions, in the order and words of `red_flags.RED_FLAGS`."""

    honeypot_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for flag in RED_FLAGS:
            self.fields[flag.id] = forms.ChoiceField(
                # The words live in red_flags (marked there); translated when the page renders.
                label=_(flag.question),
                help_text=_(flag.hint),
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please answer yes or no to this question.")},
            )

    def flags(self) -> dict[str, bool]:
        return {flag.id: self.cleaned_data[flag.id] == "yes" for flag in RED_FLAGS}


def _choices(vocabulary: dict[str, Any]) -> list[tuple[str, StrOrPromise]]:
    return [
        (key, _(value[0] if isinstance(value, tuple) else value))
        for key, value in vocabulary.items()
    ]


def _required(message: StrOrPromise) -> dict[str, StrOrPromise]:
    return {"required": message, "invalid_choice": message}


class AboutYourPainForm(forms.Form):
    honeypot_name = ""

    age_band = forms.ChoiceField(
        label=_("How old are you?"),
        choices=_choices(assess.AGE_BANDS),
        widget=forms.RadioSelect,
        error_messages=_required(_("Please choose your age group.")),
    )
    duration = forms.ChoiceField(
        label=_("How long have you had this low back pain?"),
        choices=_choices(assess.DURATIONS),
        widget=forms.RadioSelect,
        error_messages=_required(_("Please choose how long you have had the pain.")),
    )
    back_pain = forms.TypedChoiceField(
        label=_("On a typical day last week, how bad was your low back pain?"),
        help_text=_("0 means no pain and 10 the worst pain you can imagine."),
        choices=[("", _("Choose a number"))] + [(str(n), str(n)) for n in range(11)],
        coerce=int,
        error_messages=_required(_("Please choose a number from 0 to 10.")),
    )
    pain_pattern = forms.ChoiceField(
        label=_("Where is the pain worst?"),
        choices=_choices(assess.PAIN_PATTERNS),
        widget=forms.RadioSelect,
        error_messages=_required(_("Please choose where the pain is worst.")),
    )
    below_knee = forms.ChoiceField(
        label=_("Does pain go down a leg below the knee?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please answer yes or no to this question.")},
    )
    care = forms.ChoiceField(
        label=_(
            "Have you had at least 3 months of care that included exercise or physical therapy?"
        ),
        help_text=_(
            "For example a physical therapy course, a supervised exercise programme or a "
            "pain rehabilitation programme."
        ),
        choices=_choices(assess.CARE),
        widget=forms.RadioSelect,
        error_messages=_required(_("Please choose the care you have had so far.")),
    )
    prior_surgery = forms.ChoiceField(
        label=_("Have you had an operation or a disc treatment on your lower back?"),
        choices=_choices(assess.PRIOR_SURGERY),
        widget=forms.RadioSelect,
        error_messages=_required(_("Please choose whether you have had back surgery.")),
    )
    veteran = forms.ChoiceField(
        label=_("Have you served in the armed forces?"),
        help_text=_(
            "Veterans may be able to use VA Community Care. This does not change the result."
        ),
        choices=[("yes", _("Yes")), ("no", _("No")), ("unsaid", _("I'd rather not say"))],
        widget=forms.RadioSelect,
        required=False,
    )
    carry_over = forms.BooleanField(
        label=_(
            "If I book a consultation, use these answers to fill in the booking and intake "
            "forms for me."
        ),
        help_text=_(
            "Optional. Without it, nothing you answered here is passed on to booking or "
            "intake. Either way, no name or contact details are asked for on this page."
        ),
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
