"""Forms: one survey page (a section of an instrument), and the staff's small forms.

Every question may be left blank (people may decline to answer; scoring decides what a blank
means). A value that is not one of the item's answers is refused with a message that names the
question; the page is then saved not at all.
"""

from __future__ import annotations

from typing import Any

from django import forms

from annulus.outcomes.catalog import ChoiceItem, Section
from annulus.outcomes.models import StopReason


def _choices(item: Any) -> list[tuple[str, str]]:
    if isinstance(item, ChoiceItem):
        return [(str(option.value), option.label) for option in item.options]
    return [(str(value), str(value)) for value in item.values]


def _allowed(item: Any) -> str:
    if isinstance(item, ChoiceItem):
        return "one of the answers shown"
    return f"a whole number from {item.min} to {item.max}"


class SectionForm(forms.Form):
    """The questions of one section, as radio buttons, plus the response's reference."""

    ref = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        for number, item in enumerate(section.items, start=1):
            label = item.text if len(section.items) == 1 else f"{number}. {item.text}"
            self.fields[item.id] = forms.TypedChoiceField(
                label=label,
                choices=_choices(item),
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": (
                        f"Question {number}: “%(value)s” is not an answer to this question. "
                        f"Choose {_allowed(item)}, or leave it blank."
                    )
                },
            )
            self.fields[item.id].item = item  # type: ignore[attr-defined]

    def answers(self) -> dict[str, int | None]:
        return {item.id: self.cleaned_data.get(item.id) for item in self.section.items}


class StopForm(forms.Form):
    reason = forms.ChoiceField(label="Why stop follow-up?", choices=StopReason.choices)
