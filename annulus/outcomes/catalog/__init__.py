"""Instrument files as validated data.

An instrument lives in ``instruments/<id>.yaml``: its id and version, title, recall period, licence,
the id of the scoring rule (a closed vocabulary, one pure function each in ``scoring``) and its
sections, each holding items. An item is either a ``choice`` (options with integer values) or a
``scale`` (every whole number from ``min`` to ``max``, with labels for both ends).

Licences (clinical-reference §4.8) are recorded per file in ``licence.status``:

``open``
    Our own wording (NRS, PGIC, satisfaction); nothing to install.
``licensed-demo-wording``
    Structure and scoring only. Every visible text is a placeholder that says "demo wording";
    the clinic installs its licensed text before real use (ODI, RMDQ, PEG).
``licence-required-no-text``
    As above, and the score also needs a table the clinic installs (PROMIS T-score tables,
    EQ-5D value sets); without it nothing is scored.
``licensed-installed``
    A clinic's licensed text, accepted by ``check_install``.

Files are never trusted: unknown keys, duplicate ids, a structure that does not fit the scoring
rule, or real-looking text in a file that must carry placeholders are refused with messages that
name the path at fault (``sections[2].items[0].options[3].value: ...``).
"""

from .install import check_install
from .loading import (
    InstrumentFileError,
    UnknownInstrument,
    list_instruments,
    load_instrument,
    load_instrument_file,
    parse_instrument,
    parse_table,
)
from .model import (
    DEMO_WORDING,
    INSTRUMENTS_DIR,
    LICENCE_STATUSES,
    SCORING_RULES,
    TABLE_KINDS,
    ChoiceItem,
    Instrument,
    Item,
    Licence,
    LicenceStatus,
    Option,
    ScaleItem,
    ScoringRule,
    Section,
    visible_texts,
)
from .tables import LookupTable, TScoreTable, ValueSet, check_table

__all__ = [
    "DEMO_WORDING",
    "INSTRUMENTS_DIR",
    "LICENCE_STATUSES",
    "SCORING_RULES",
    "TABLE_KINDS",
    "ChoiceItem",
    "Instrument",
    "InstrumentFileError",
    "Item",
    "Licence",
    "LicenceStatus",
    "LookupTable",
    "Option",
    "ScaleItem",
    "ScoringRule",
    "Section",
    "TScoreTable",
    "UnknownInstrument",
    "ValueSet",
    "check_install",
    "check_table",
    "list_instruments",
    "load_instrument",
    "load_instrument_file",
    "parse_instrument",
    "parse_table",
    "visible_texts",
]
