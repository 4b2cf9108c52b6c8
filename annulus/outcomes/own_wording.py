"""Our own survey questions in the patient's language (issue #18), through Django's gettext.

Only the instruments whose wording is ours are translated: the 0-10 pain ratings, the global
impression of change and the satisfaction items. Licensed questionnaires (ODI, RMDQ, PEG, PROMIS,
EQ-5D) are asked in Spanish only once the clinic installs licensed Spanish text, and the PHQ-9
stays English: an official Spanish version exists, but we show only wording we can check word
for word against its source, and we cannot here. Those pages say so and mark the text English.

The English in the instrument files is the msgid; `MESSAGES` lists every such text so that
`makemessages` extracts it, and a test checks the list matches the files. An instrument is shown
in Spanish only when every one of its texts has a Spanish msgstr, never half and half. The
answers' values and ids are the English file's, so storing and scoring do not change.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from annulus.outcomes.catalog import ChoiceItem, Instrument, ScaleItem, Section

OWN_INSTRUMENTS = (
    "nrs-back",
    "nrs-leg",
    "pgic",
    "satisfaction",
    "since-first-visit-change",
    "since-first-visit-satisfaction",
)

_CHANGE = (
    gettext_noop("Very much better"),
    gettext_noop("Much better"),
    gettext_noop("A little better"),
    gettext_noop("No change"),
    gettext_noop("A little worse"),
    gettext_noop("Much worse"),
    gettext_noop("Very much worse"),
)
_SATISFACTION = (
    gettext_noop("Very dissatisfied"),
    gettext_noop("Somewhat dissatisfied"),
    gettext_noop("Neither satisfied nor dissatisfied"),
    gettext_noop("Somewhat satisfied"),
    gettext_noop("Very satisfied"),
)
MESSAGES = (
    *_CHANGE,
    *_SATISFACTION,
    # nrs-back, nrs-leg
    gettext_noop("Low back pain, 0-10"),
    gettext_noop("past 7 days"),
    gettext_noop("Your low back pain"),
    gettext_noop(
        "Over the past 7 days, how strong has the pain in your lower back been on average? "
        "Choose one number."
    ),
    gettext_noop("0: no pain at all"),
    gettext_noop("10: the worst pain you can imagine"),
    gettext_noop("Leg pain, 0-10"),
    gettext_noop("Your leg pain"),
    gettext_noop(
        "Over the past 7 days, how strong has the pain in your leg or legs (including the "
        "buttock) been on average? If you have had no leg pain, choose 0."
    ),
    # pgic, since-first-visit-change
    gettext_noop("Overall change since treatment"),
    gettext_noop("since your treatment"),
    gettext_noop("How things have changed"),
    gettext_noop(
        "Since your treatment, how would you describe the change in your back problem overall "
        "(pain, activity and how you feel)?"
    ),
    gettext_noop("Overall change since your first visit"),
    gettext_noop("since your first visit to the clinic"),
    gettext_noop(
        "Since your first visit to the clinic, how would you describe the change in your back "
        "problem overall (pain, activity and how you feel)?"
    ),
    # satisfaction, since-first-visit-satisfaction
    gettext_noop("Satisfaction with treatment"),
    gettext_noop("Your treatment"),
    gettext_noop(
        "All things considered, how satisfied are you with the result of your treatment so far?"
    ),
    gettext_noop("Satisfaction with your care"),
    gettext_noop("Your care"),
    gettext_noop(
        "All things considered, how satisfied are you with how your back problem has been "
        "looked after since your first visit to the clinic?"
    ),
)


def patient_texts(instrument: Instrument) -> list[str]:
    """Every text of the instrument a patient reads: title, recall period, sections, items."""
    texts = [instrument.title, *([instrument.recall_period] if instrument.recall_period else [])]
    for section in instrument.sections:
        texts.append(section.title)
        for item in section.items:
            texts.append(item.text)
            if isinstance(item, ChoiceItem):
                texts += [option.label for option in item.options]
            else:
                texts += [item.min_label, item.max_label]
    return texts


def in_language(instrument: Instrument) -> Instrument | None:
    """The instrument in the active language, or None when it must be shown in English.

    English pages get the instrument unchanged. In another language, only our own instruments
    with every text translated are returned, translated; the caller shows the rest in English.
    """
    if (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return instrument
    if instrument.id not in OWN_INSTRUMENTS or instrument.licence.status != "open":
        return None
    if any(gettext(text) == text for text in patient_texts(instrument)):
        return None
    return instrument.model_copy(
        update={
            "title": gettext(instrument.title),
            "recall_period": gettext(instrument.recall_period)
            if instrument.recall_period
            else None,
            "sections": tuple(_section(section) for section in instrument.sections),
        }
    )


def _section(section: Section) -> Section:
    items: list[ChoiceItem | ScaleItem] = []
    for item in section.items:
        if isinstance(item, ChoiceItem):
            options = tuple(o.model_copy(update={"label": gettext(o.label)}) for o in item.options)
            items.append(item.model_copy(update={"text": gettext(item.text), "options": options}))
        else:
            items.append(
                item.model_copy(
                    update={
                        "text": gettext(item.text),
                        "min_label": gettext(item.min_label),
                        "max_label": gettext(item.max_label),
                    }
                )
            )
    return section.model_copy(update={"title": gettext(section.title), "items": tuple(items)})
