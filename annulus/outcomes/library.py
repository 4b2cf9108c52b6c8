"""Which wording and tables the survey uses, and which instruments each time point asks.

The shipped files (``instruments/*.yaml``) carry our own wording or placeholders. A clinic's
licensed text, once installed (``annulus instruments install``), replaces a placeholder file's
wording; its structure was checked against the shipped file, so scoring is unchanged.

Which instruments are asked (``BATTERIES``) is data, per plan and time point. An instrument is
only asked when patients can be shown real text and it can be scored (``usable``):

- open instruments (our own wording: NRS, PGIC, satisfaction) always;
- placeholder-only instruments (ODI, RMDQ, PEG) once the licensed text is installed, and outside
  production with their "demo wording" so the demo and the tests can run them;
- instruments scored through a table (PROMIS, EQ-5D) only with both text and table installed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from annulus.outcomes.catalog import (
    Instrument,
    TScoreTable,
    ValueSet,
    load_instrument,
    parse_instrument,
    parse_table,
)
from annulus.outcomes.models import InstalledInstrument, InstalledTable

__all__ = [
    "BATTERIES",
    "Availability",
    "availability",
    "battery",
    "definition_sha256",
    "instrument_in_use",
    "shipped",
    "table_for",
]

_BASELINE = ("nrs-back", "nrs-leg", "odi", "rmdq")
_EARLY = ("nrs-back", "nrs-leg", "odi", "pgic")
_MAIN = ("nrs-back", "nrs-leg", "odi", "rmdq", "pgic", "satisfaction")

# PGIC and satisfaction ask about change "since your treatment", so never at baseline. RMDQ (the
# disability measure of both fibrin trials, clinical-reference §4.5) is asked at baseline and from
# 6 months (the NCT01011816 primary end point) on; ODI at every point but the 2-week safety check.
BATTERIES: dict[str, dict[str, tuple[str, ...]]] = {
    "standard": {
        "baseline": _BASELINE,
        "week-2": ("nrs-back", "nrs-leg", "pgic"),
        "week-6": _EARLY,
        "month-3": _EARLY,
        "month-6": _MAIN,
        "month-12": _MAIN,
        "month-24": _MAIN,
        "month-36": _MAIN,
        "month-48": _MAIN,
        "month-60": _MAIN,
    }
}


@cache
def shipped(instrument_id: str) -> Instrument:
    """The shipped file (read once per process; released files are never edited)."""
    return load_instrument(instrument_id)


def definition_sha256(instrument: Instrument) -> str:
    """A hash of the wording and structure, the same for shipped and installed definitions."""
    canonical = json.dumps(instrument.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def instrument_in_use(instrument_id: str) -> tuple[Instrument, str]:
    """The definition patients see now (installed licensed text, else shipped) and its hash."""
    base = shipped(instrument_id)
    installed = InstalledInstrument.objects.filter(instrument_id=instrument_id).first()
    if installed is not None and installed.version == base.version:
        return parse_instrument(installed.definition, source="installed"), installed.sha256
    return base, definition_sha256(base)


def table_for(instrument: Instrument) -> TScoreTable | ValueSet | None:
    """The clinic-installed lookup table for this instrument and version, if any."""
    if not instrument.needs_table:
        return None
    row = InstalledTable.objects.filter(
        instrument_id=instrument.id, version=instrument.version
    ).first()
    return None if row is None else parse_table(row.definition, source="installed")


@dataclass(frozen=True)
class Availability:
    usable: bool
    status: str  # what `annulus instruments` and the staff pages say


def availability(instrument_id: str) -> Availability:
    """Whether patients can be asked this instrument here, and why (not)."""
    base = shipped(instrument_id)
    licence = base.licence.status
    has_text = InstalledInstrument.objects.filter(
        instrument_id=instrument_id, version=base.version
    ).exists()
    if licence == "open" and base.attribution:
        return Availability(True, "open: free to reproduce, shipped with its attribution")
    if licence == "open":
        return Availability(True, "open: our own wording")
    if base.needs_table:
        has_table = InstalledTable.objects.filter(
            instrument_id=instrument_id, version=base.version
        ).exists()
        missing = [
            what
            for what, ok in (("licensed text", has_text), ("lookup table", has_table))
            if not ok
        ]
        if missing:
            return Availability(False, f"not asked: install the {' and the '.join(missing)}")
        return Availability(True, "licensed text and lookup table installed")
    if has_text:
        return Availability(True, "licensed text installed")
    if settings.PRODUCTION:
        return Availability(False, "not asked: install the licensed text")
    return Availability(True, "demo wording (install the licensed text before real use)")


# Patients who had no procedure (conservative care, referred elsewhere) are never asked about
# change "since your treatment": they get the same questions counted from their first visit.
NO_PROCEDURE_WORDING = {
    "pgic": "since-first-visit-change",
    "satisfaction": "since-first-visit-satisfaction",
}


def battery(plan_id: str, code: str, *, arm: str = "fibrin") -> list[str]:
    """The usable instruments asked at this time point, in survey order, worded for the arm."""
    wanted = BATTERIES.get(plan_id, {}).get(code, ())
    if arm != "fibrin":
        wanted = tuple(NO_PROCEDURE_WORDING.get(i, i) for i in wanted)
    return [instrument_id for instrument_id in wanted if availability(instrument_id).usable]
