"""Builds the Spanish catalogue's .mo from its .po with Babel (issue #18).

GNU gettext's msgfmt is not on a fresh machine, and `make demo` must work with Python alone, so
the compiled catalogue is built here. Extraction (`make messages`, and the check in
lib/tests/test_translations.py) still uses Django's makemessages, which needs GNU xgettext:
CI installs the `gettext` package for it.

    python -m annulus.lib.i18n_build            # every annulus/locale/*/LC_MESSAGES/django.po
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"


class CatalogueError(Exception):
    pass


def compile_catalogue(po: Path, mo: Path | None = None) -> Path:
    """Write `po`'s .mo beside it; refuse a catalogue whose placeholders do not match."""
    mo = mo or po.with_suffix(".mo")
    with po.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    problems = [
        f"{po.name}:{message.lineno}: {error}"
        for message, errors in catalog.check()
        for error in errors
    ]
    if problems:
        raise CatalogueError("; ".join(problems[:5]))
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as handle:
        write_mo(handle, catalog)
    tmp.replace(mo)  # atomic, so a parallel test run never reads half a file
    return mo


def stale_catalogues(locale: Path = LOCALE) -> list[Path]:
    return [
        po
        for po in sorted(locale.glob("*/LC_MESSAGES/django.po"))
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]


def main(argv: list[str] | None = None) -> int:
    force = "--force" in (argv or [])
    targets = sorted(LOCALE.glob("*/LC_MESSAGES/django.po")) if force else stale_catalogues()
    for po in targets:
        try:
            compile_catalogue(po)
        except CatalogueError as exc:
            print(f"annulus: cannot compile {po}: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
