"""Patient-facing words are all translated into Spanish (issue #18).

Two checks, both part of `make test`:

1. Every patient-facing template has no visible words outside `{% translate %}` and
   `{% blocktranslate %}` (text between tags, and the aria-label, alt, title and placeholder
   attributes). A new English sentence added without a tag fails here, naming the file.
2. `makemessages` run afresh (into a temporary folder, seeded with our .po) finds no msgid
   without a Spanish msgstr, and nothing fuzzy: a new tagged string nobody translated fails.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "annulus" / "locale" / "es" / "LC_MESSAGES" / "django.po"

# What patients and the public read. Staff pages stay English (issue #18).
PATIENT_TEMPLATES = [
    "templates/public/*.html",
    "templates/404.html",
    "annulus/website/templates/website/*.html",
    "annulus/screening/templates/screening/*.html",
    "annulus/scheduling/templates/scheduling/*.html",
    "annulus/scheduling/templates/scheduling/email/[!s]*.txt",  # staff_new.txt is for staff
    "annulus/outcomes/templates/outcomes/survey_*.html",
    "annulus/outcomes/templates/outcomes/email/survey.txt",
    "annulus/safety/templates/safety/_instruction.html",
    "annulus/safety/templates/safety/check_in*.html",
    "annulus/patients/templates/patients/intake_public*.html",
    "annulus/patients/templates/patients/intake_link_invalid.html",
    "annulus/patients/templates/patients/access_report_request.html",
    "annulus/leads/templates/leads/[!s]*.html",  # the guide form, thanks, unsubscribe, PDF
    "annulus/leads/templates/leads/email/guide.*",
    "annulus/consents/templates/consents/public_*.html",
    "annulus/consents/templates/consents/_estimate.html",
    "annulus/consents/templates/consents/consent_pdf.html",
    "annulus/frontoffice/templates/frontoffice/gfe_pdf.html",
]

IGNORE = ["bench/*", "static/*", "deploy/*", "docs/*", "var/*", ".venv/*"]
ATTRIBUTES = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"')
WORD = re.compile(r"[A-Za-z]{2,}")
OPEN_BLOCK = re.compile(r"^(blocktranslate|blocktrans|comment)\b")
CLOSE_BLOCK = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}


def patient_templates() -> list[Path]:
    found = sorted({p for pattern in PATIENT_TEMPLATES for p in ROOT.glob(pattern)})
    assert found, "no patient-facing templates found"
    return found


def untranslated_words(source: str) -> list[str]:
    """The visible words of a template that no translate tag covers."""
    visible: list[str] = []
    closing = ""
    skip_next_text = False
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = ""
            continue
        if skip_next_text and token.token_type == TokenType.TEXT:
            skip_next_text = False
            continue
        skip_next_text = False
        if token.token_type == TokenType.BLOCK:
            # A class name, not words: {% block body_class %}public{% endblock %}
            skip_next_text = token.contents.startswith("block body_class")
            opened = OPEN_BLOCK.match(token.contents)
            if opened:
                closing = CLOSE_BLOCK.get(opened.group(1), "endcomment")
            visible.append(" 0 ")
        elif token.token_type == TokenType.TEXT:
            visible.append(token.contents)
        else:
            visible.append("0")  # a variable or a comment: not words of ours
    html = "".join(visible)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.DOTALL)
    attributes = " ".join(ATTRIBUTES.findall(html))
    text = re.sub(r"<[^>]*>", " ", html)
    text = re.sub(r"&\w+;", " ", text)
    return WORD.findall(text + " " + attributes)


@pytest.mark.parametrize("path", patient_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_patient_templates_wrap_every_word_in_a_translate_tag(path: Path):
    assert untranslated_words(path.read_text(encoding="utf-8")) == []


def test_the_check_notices_a_bare_sentence():
    source = '{% load i18n %}<p>{% translate "Hello" %}</p><p>Hello there</p><a aria-label="Go">'
    assert untranslated_words(source) == ["Hello", "there", "Go"]
    assert untranslated_words("{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}") == []


def parse_po(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr of the first form, fuzzy) for every entry but the header."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        fuzzy = bool(re.search(r"^#,.*\bfuzzy\b", block, re.MULTILINE))
        parts: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) (".*")$', line)
            if m:
                key = m.group(1).replace("[0]", "")
                parts[key] = m.group(2)[1:-1]
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        if parts.get("msgid"):
            entries.append((parts["msgid"], parts.get("msgstr", ""), fuzzy))
    return entries


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI", "").lower() != "true",
    reason="makemessages needs GNU gettext (Debian package gettext; .ci/run installs it)",
)
def test_every_extracted_string_has_a_spanish_translation(tmp_path, settings, monkeypatch):
    # makemessages writes into any `locale` folder it walks past, so it runs on a copy of the
    # sources without ours: the real .po is never touched by a test.
    source = tmp_path / "src"
    keep = shutil.ignore_patterns("locale", "__pycache__", "tests", "*.pyc", "vendor")
    for folder in ("annulus", "templates"):
        shutil.copytree(ROOT / folder, source / folder, ignore=keep)
    locale = source / "locale"
    (locale / "es" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, locale / "es" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(source)
    call_command(
        "makemessages", locale=["es"], no_location=True, ignore_patterns=IGNORE, verbosity=0
    )
    fresh = parse_po((locale / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert len(fresh) > 100
    missing = [msgid for msgid, msgstr, fuzzy in fresh if not msgstr or fuzzy]
    assert missing == [], f"untranslated (run `make messages`, then translate): {missing[:10]}"


def test_the_compiled_catalogue_is_used(client):
    from django.utils import translation

    with translation.override("es"):
        assert translation.gettext("Skip to main content") == "Saltar al contenido principal"
