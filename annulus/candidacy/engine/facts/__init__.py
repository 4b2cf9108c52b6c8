"""The closed vocabulary of facts a protocol may mention.

Every fact has a name (`symptoms.back_pain_nrs`), a scope (`case` facts work anywhere, `level`
facts only in level criteria, `disc` facts only in the `discogram:` rules), a kind (number,
boolean, choice, levels or text; text facts are for explanations only), a description, and the
to-do item a coordinator sees when the value is unknown. `docs/criteria-authoring.md` lists them;
a test keeps that list and this registry in step.
"""

from __future__ import annotations

from . import diagnostics, level, patient, risk
from .registry import FACTS, get_fact

__all__ = ["FACTS", "get_fact"]

_MODULES = (patient, risk, diagnostics, level)  # importing them registers their facts
