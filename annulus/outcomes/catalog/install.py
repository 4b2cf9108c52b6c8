"""Installing a clinic's licensed text: the same instrument in everything but its wording."""

from collections.abc import Sequence

from .model import (
    DEMO_WORDING,
    PLACEHOLDER_STATUSES,
    ChoiceItem,
    Instrument,
    Item,
    ScaleItem,
    Section,
    visible_texts,
)

__all__ = ["check_install"]


def check_install(shipped: Instrument, candidate: Instrument) -> list[str]:
    """Return the problems that stop ``candidate`` (licensed text) replacing ``shipped``.

    The candidate must be the same instrument in everything but its wording: same id, version and
    scoring rule; the same sections and items, with the same ids, kinds and order; the same option
    values in the same order, and the same scale ranges. An empty list means it may be installed.
    """
    problems = []
    if shipped.licence.status not in PLACEHOLDER_STATUSES:
        problems.append(
            f"licence.status: {shipped.id!r} ships as {shipped.licence.status!r}; "
            "there is no licensed text to install"
        )
    if candidate.licence.status != "licensed-installed":
        problems.append(
            f"licence.status: must be 'licensed-installed', got {candidate.licence.status!r}"
        )
    if candidate.licence.holder is None:
        problems.append("licence.holder: name the licence holder of the installed text")
    for field in ("id", "version", "scoring_rule"):
        expected, got = getattr(shipped, field), getattr(candidate, field)
        if expected != got:
            problems.append(f"{field}: expected {expected!r}, got {got!r}")
    problems += _compare_sections(shipped.sections, candidate.sections)
    problems += [
        f"{path}: still says {DEMO_WORDING!r}; install the licensed text"
        for path, text in visible_texts(candidate)
        if DEMO_WORDING in text.lower()
    ]
    return problems


def _count(expected: int, got: int, noun: str) -> str:
    return f"expected {expected} {noun}, got {got}"


def _compare_sections(shipped: Sequence[Section], candidate: Sequence[Section]) -> list[str]:
    problems = []
    if len(shipped) != len(candidate):
        problems.append(f"sections: {_count(len(shipped), len(candidate), 'sections')}")
    for i, (ours, theirs) in enumerate(zip(shipped, candidate, strict=False)):
        path = f"sections[{i}]"
        if ours.id != theirs.id:
            problems.append(f"{path}.id: expected {ours.id!r}, got {theirs.id!r}")
            continue
        if len(ours.items) != len(theirs.items):
            problems.append(f"{path}.items: {_count(len(ours.items), len(theirs.items), 'items')}")
        for j, (a, b) in enumerate(zip(ours.items, theirs.items, strict=False)):
            problems += _compare_items(f"{path}.items[{j}]", a, b)
    return problems


def _compare_items(path: str, ours: Item, theirs: Item) -> list[str]:
    if ours.id != theirs.id:
        return [f"{path}.id: expected {ours.id!r}, got {theirs.id!r}"]
    if ours.kind != theirs.kind:
        return [f"{path}.kind: expected {ours.kind!r}, got {theirs.kind!r}"]
    problems = []
    if ours.may_skip != theirs.may_skip:
        problems.append(f"{path}.may_skip: expected {ours.may_skip}, got {theirs.may_skip}")
    if isinstance(ours, ChoiceItem):
        assert isinstance(theirs, ChoiceItem)  # same kind, checked above
        if len(ours.options) != len(theirs.options):
            problems.append(
                f"{path}.options: {_count(len(ours.options), len(theirs.options), 'options')}"
            )
        for k, (a, b) in enumerate(zip(ours.options, theirs.options, strict=False)):
            if a.value != b.value:
                problems.append(f"{path}.options[{k}].value: expected {a.value}, got {b.value}")
    else:
        assert isinstance(theirs, ScaleItem)  # same kind, checked above
        for end in ("min", "max"):
            expected, got = getattr(ours, end), getattr(theirs, end)
            if expected != got:
                problems.append(f"{path}.{end}: expected {expected}, got {got}")
    return problems
