"""The public articles, the guide and the disclaimer, read from Markdown files in `content/`.

`library()` parses and renders the whole folder once and keeps the result in the process until a
file changes (its name, size or modification time), so an edit goes live without a restart and an
unchanged folder costs a few `stat` calls per request. Front matter is validated with pydantic at
this boundary: a bad edit fails with a message that names the file and the field.

`Library.version` is a hash of every source file; page caches and the guide PDF key on it, so a
content change produces new pages and a new PDF.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import markdown
import yaml
from django.conf import settings
from django.utils.html import escape, strip_tags
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

__all__ = ["Article", "ContentError", "Guide", "Library", "content_dir", "library"]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
NOT_ARTICLES = {"README.md", "guide.md"}
M = TypeVar("M", bound=BaseModel)


class ContentError(ValueError):
    """A content file that cannot be published as written."""


class ArticleFrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    description: Annotated[str, StringConstraints(min_length=1, max_length=155)]
    slug: Slug
    order: int = Field(ge=1)
    updated: date
    related: list[Slug] = Field(min_length=2, max_length=4)


class GuideFrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(min_length=1, max_length=160)]
    description: Annotated[str, StringConstraints(min_length=1, max_length=155)]
    updated: date


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    description: str
    order: int
    updated: date
    related: tuple[str, ...]
    html: str
    words: int
    language: str = "en"

    @property
    def path(self) -> str:
        return f"/learn/{self.slug}/"


@dataclass(frozen=True)
class Guide:
    title: str
    description: str
    updated: date
    markdown: str
    html: str
    words: int


@dataclass(frozen=True)
class Library:
    articles: dict[str, Article]  # in reading order
    guide: Guide
    disclaimer_html: str
    disclaimer_text: str
    version: str
    disclaimer_page_html: str = ""
    """The longer text of the standalone disclaimer page (`_disclaimer-page.md`)."""
    updated: date = field(default=date(2000, 1, 1))
    # Other languages' versions (`evidence.es.md`): same slugs, English where not translated yet.
    translations: dict[str, Library] = field(default_factory=dict)
    language: str = "en"

    def in_language(self, code: str | None) -> Library:
        """This library as readers of `code` see it: their version of each file, else English."""
        return self.translations.get(code or "en", self)

    def get(self, slug: str) -> Article | None:
        return self.articles.get(slug)

    def related(self, article: Article) -> list[Article]:
        return [self.articles[s] for s in article.related if s in self.articles]


def content_dir() -> Path:
    return Path(getattr(settings, "ANNULUS_CONTENT_DIR", settings.BASE_DIR / "content"))


_lock = threading.Lock()
_cached: tuple[tuple[object, ...], Library] | None = None


_checked: tuple[str, float] = ("", 0.0)  # (folder, when its files were last looked at)


def library() -> Library:
    """The parsed content folder; re-read only when one of its files changed.

    The files are looked at no more than once per ANNULUS_CONTENT_CHECK_SECONDS (default 2):
    a dozen `stat` calls on every request cost a public page a fifth of its throughput.
    """
    global _cached, _checked
    folder = content_dir()
    now = time.monotonic()
    interval = float(getattr(settings, "ANNULUS_CONTENT_CHECK_SECONDS", 2.0))
    current = _cached
    if current is not None and _checked[0] == str(folder) and now - _checked[1] < interval:
        return current[1]
    stamp = _fingerprint(folder)
    _checked = (str(folder), now)
    if current is not None and current[0] == stamp:
        return current[1]
    with _lock:
        if _cached is not None and _cached[0] == stamp:
            return _cached[1]
        loaded = load(folder)
        _cached = (stamp, loaded)
        return loaded


def _fingerprint(folder: Path) -> tuple[object, ...]:
    entries = []
    for path in sorted(folder.glob("*.md")):
        stat = path.stat()
        entries.append((path.name, stat.st_size, stat.st_mtime_ns))
    return (str(folder), *entries)


TRANSLATED = re.compile(r"^(?P<stem>.+)\.(?P<lang>es)\.md$")  # e.g. evidence.es.md


def load(folder: Path) -> Library:
    """Parse and render every file in `folder`. Raises ContentError naming the file and field.

    `name.md` is English; `name.es.md` is its Spanish version, with the same front matter
    fields and slug. Spanish readers get English for a file not translated yet.
    """
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.md")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    english = _load_language(folder, "en", None)
    spanish = _load_language(folder, "es", english)
    version = digest.hexdigest()[:16]
    spanish = replace(spanish, version=version)
    return replace(english, version=version, translations={"es": spanish})


def _source(folder: Path, stem: str, language: str, fallback: bool = True) -> Path | None:
    """The file for `stem` in `language` (`stem.es.md`), else the English one when allowed."""
    if language != "en":
        translated = folder / f"{stem}.{language}.md"
        if translated.exists():
            return translated
        if not fallback:
            return None
    english = folder / f"{stem}.md"
    return english if english.exists() else None


def _load_language(folder: Path, language: str, english: Library | None) -> Library:
    articles: list[Article] = []
    for path in sorted(folder.glob("*.md")):
        match = TRANSLATED.match(path.name)
        if match is not None or path.name in NOT_ARTICLES or path.name.startswith("_"):
            continue
        if language != "en":
            own = _source(folder, path.stem, language, fallback=False)
            if own is None:
                assert english is not None
                articles.append(english.articles[path.stem])
                continue
            path = own
        source = path.read_text(encoding="utf-8")
        meta, body = _split(path, source)
        front = _validate(ArticleFrontMatter, path, meta)
        stem = path.name.removesuffix(".md").removesuffix(f".{language}")
        if front.slug != stem:
            raise ContentError(f"{path.name}: slug: must match the file name ({stem!r})")
        html = render_markdown(body, language)
        articles.append(
            Article(
                slug=front.slug,
                title=front.title,
                description=front.description,
                order=front.order,
                updated=front.updated,
                related=tuple(front.related),
                html=html,
                words=len(strip_tags(html).split()),
                language=language,
            )
        )
    articles.sort(key=lambda a: (a.order, a.slug))
    by_slug = {a.slug: a for a in articles}
    for article in articles:
        for slug in article.related:
            if slug not in by_slug or slug == article.slug:
                raise ContentError(f"{article.slug}.md: related: {slug!r} is not another article")

    guide_path = _source(folder, "guide", language)
    if guide_path is None:
        raise ContentError("guide.md: the free guide is missing")
    guide_meta, guide_body = _split(guide_path, guide_path.read_text(encoding="utf-8"))
    guide_front = _validate(GuideFrontMatter, guide_path, guide_meta)
    guide_html = render_markdown(guide_body, language)

    disclaimer_path = _source(folder, "_disclaimer", language)
    disclaimer_md = disclaimer_path.read_text(encoding="utf-8") if disclaimer_path else ""
    disclaimer_html = render_markdown(disclaimer_md, language)
    page_path = _source(folder, "_disclaimer-page", language)
    page_md = page_path.read_text(encoding="utf-8") if page_path else ""
    return Library(
        articles=by_slug,
        guide=Guide(
            title=guide_front.title,
            description=guide_front.description,
            updated=guide_front.updated,
            markdown=guide_body,
            html=guide_html,
            words=len(strip_tags(guide_html).split()),
        ),
        disclaimer_html=disclaimer_html,
        disclaimer_text=strip_tags(disclaimer_html).strip(),
        disclaimer_page_html=render_markdown(page_md, language),
        version="",
        updated=max([a.updated for a in articles] + [guide_front.updated]),
        language=language,
    )


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _split(path: Path, source: str) -> tuple[dict[str, object], str]:
    match = _FRONT.match(source)
    if match is None:
        raise ContentError(f"{path.name}: the file must start with front matter between --- lines")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: the front matter is not valid YAML ({exc})") from None
    if not isinstance(meta, dict):
        raise ContentError(f"{path.name}: the front matter must be a list of `key: value` lines")
    return meta, source[match.end() :]


def _validate(model: type[M], path: Path, meta: dict[str, object]) -> M:
    try:
        return model.model_validate(meta)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "front matter"
        raise ContentError(f"{path.name}: {where}: {first['msg']}") from None


_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
_TH = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>\s*</th>")


# The scroll box's name is read aloud, so it is in the page's language (content is not in .po).
TABLE_WORD = {"en": "Table", "es": "Tabla"}


def render_markdown(text: str, language: str = "en") -> str:
    """Markdown to HTML. Wide tables get a focusable scroll box so a phone can pan them."""
    word = TABLE_WORD.get(language, TABLE_WORD["en"])
    html = markdown.markdown(
        text,
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )
    # An empty corner cell above row labels is not a column header (screen readers skip it).
    html = _EMPTY_TH.sub(r"<td\1></td>", html)
    seen: dict[str, int] = {}

    def wrap(match: re.Match[str]) -> str:
        # Each scroll box is a landmark, so each needs its own name: the table's column heads.
        heads = [strip_tags(h).strip() for h in _TH.findall(match.group(1))]
        label = f"{word}: " + ", ".join(h for h in heads if h)[:80] if heads else word
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label += f" ({seen[label]})"
        return (
            f'<div class="table-scroll" role="region" aria-label="{escape(label)}" tabindex="0">'
            f"<table>{match.group(1)}</table></div>"
        )

    return _TABLE.sub(wrap, html)
