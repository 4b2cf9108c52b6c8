"""The shipped content follows content/README.md: checked here so a bad edit fails CI."""

from __future__ import annotations

import re

import pytest

from annulus.website.content import content_dir, library

ARTICLES = sorted(p for p in content_dir().glob("*.md") if p.name not in ("README.md",))


def body(path):
    return re.sub(r"\A---\n.*?\n---\n", "", path.read_text(), count=1, flags=re.S)


@pytest.mark.parametrize("path", ARTICLES, ids=[p.name for p in ARTICLES])
def test_it_keeps_every_content_file_free_of_top_level_headings_and_other_websites(path):
    text = body(path)
    assert not re.search(r"^# ", text, flags=re.M), "use ## and ###: the page prints the title"
    assert not re.search(r"\]\((?!/(?:es/)?learn/)", text), "only links to /learn/<slug>/"
    if path.name.endswith(".es.md"):
        assert not re.search(r"\]\(/learn/", text), "a Spanish file links to /es/learn/<slug>/"
    assert "![" not in text, "no images"
    assert not re.search(r"<(img|script|iframe|link|video|audio|embed|object)\b", text, re.I)
    assert not re.search(r"https?://", text), "name outside sources as citations, not links"


def test_it_links_only_to_articles_that_exist(settings):
    lib = library()
    for article in lib.articles.values():
        for slug in re.findall(r'href="/learn/([^/"]+)/"', article.html):
            assert slug in lib.articles, f"{article.slug} links to a missing article {slug!r}"


def test_it_keeps_article_lengths_within_the_editorial_limits():
    lib = library()
    for article in lib.articles.values():
        assert 400 <= article.words <= 1500, (article.slug, article.words)
    assert 1500 <= lib.guide.words <= 2800


def test_it_says_the_phase_three_trial_failed_wherever_results_are_discussed():
    lib = library()
    for slug in ("fibrin-injection", "evidence", "faq", "fibrin-vs-fusion"):
        html = lib.articles[slug].html
        assert "saline" in html, slug
    assert "saline" in lib.guide.html and "saline" in lib.disclaimer_html


NUMBER = re.compile(r"\d+(?:\.\d+)?")


def test_a_spanish_version_keeps_every_figure_and_the_failed_trial():
    """Translations say the same, no stronger: every number of the English is in the Spanish."""
    lib = library()
    spanish = lib.in_language("es")
    translated = [a for a in spanish.articles.values() if a.language == "es"]
    assert any(a.slug == "evidence" for a in translated)
    for article in translated:
        english = set(NUMBER.findall(lib.articles[article.slug].html))
        missing = english - set(NUMBER.findall(article.html))
        assert missing == set(), (article.slug, sorted(missing))
        if article.slug in ("fibrin-injection", "evidence", "faq", "fibrin-vs-fusion"):
            assert "suero salino" in article.html, article.slug
    assert "suero salino" in spanish.disclaimer_html
    assert spanish.disclaimer_html != lib.disclaimer_html


def test_every_article_the_guide_and_the_disclaimer_have_a_spanish_version():
    """Issue #18: a new English article without its `.es.md` fails here, naming the file."""
    folder = content_dir()
    english = [
        p.name
        for p in folder.glob("*.md")
        if p.name != "README.md" and not p.name.endswith(".es.md")
    ]
    missing = [n for n in english if not (folder / n.replace(".md", ".es.md")).exists()]
    assert missing == [], f"no Spanish version: {sorted(missing)}"
    spanish = library().in_language("es")
    assert all(a.language == "es" for a in spanish.articles.values())
    assert "suero salino" in spanish.disclaimer_page_html
    assert "33.5%" in spanish.disclaimer_page_html and "39.3%" in spanish.disclaimer_page_html
    assert 'href="/es/learn/evidence/"' in spanish.disclaimer_page_html


def test_the_spanish_guide_keeps_every_figure_of_the_english_one():
    lib = library()
    spanish = lib.in_language("es").guide
    missing = set(NUMBER.findall(lib.guide.html)) - set(NUMBER.findall(spanish.html))
    assert missing == set(), sorted(missing)
    assert "suero salino" in spanish.html and "33.5%" in spanish.html
    assert spanish.title != lib.guide.title


def test_a_spanish_table_is_named_in_spanish_for_screen_readers():
    html = library().in_language("es").articles["fibrin-vs-fusion"].html
    assert 'aria-label="Tabla: Inyección de fibrina, Fusión lumbar"' in html
    assert 'aria-label="Table:' not in html
