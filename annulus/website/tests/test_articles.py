from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annulus.website.content import ContentError, library, load

pytestmark = pytest.mark.django_db

SLUGS = [
    "fibrin-injection",
    "fibrin-vs-fusion",
    "annular-tears",
    "evidence",
    "candidacy",
    "veterans",
    "second-opinion",
    "alternatives-to-fusion",
    "faq",
]


class Head(HTMLParser):
    """Collects <title>, <meta> and <link rel=canonical> from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.h1 = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = a.get("name") or a.get("property")
            if key:
                self.meta[key] = a.get("content") or ""
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href") or ""
        elif tag == "h1":
            self.h1 += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def head_of(response) -> Head:
    parser = Head()
    parser.feed(response.content.decode())
    return parser


def test_it_publishes_the_nine_articles_in_reading_order(client, site_clinic):
    assert list(library().articles) == SLUGS
    page = client.get("/learn/").content.decode()
    positions = [page.index(f'href="/learn/{slug}/"') for slug in SLUGS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("slug", SLUGS)
def test_it_renders_each_article_with_its_title_description_canonical_and_open_graph(
    client, site_clinic, slug
):
    article = library().get(slug)
    response = client.get(f"/learn/{slug}/")
    assert response.status_code == 200
    head = head_of(response)
    assert head.title == f"{article.title} · {site_clinic.name}"
    assert head.meta["description"] == article.description
    assert head.canonical == f"http://testserver/learn/{slug}/"
    assert head.meta["og:url"] == head.canonical
    assert head.meta["og:title"] == article.title
    assert head.meta["og:description"] == article.description
    assert head.meta["og:type"] == "article"
    assert head.h1 == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_it_links_each_article_to_its_related_reading(client, site_clinic, slug):
    html = client.get(f"/learn/{slug}/").content.decode()
    read_next = html.split('id="read-next-heading"', 1)[1]
    for related in library().get(slug).related:
        assert f'href="/learn/{related}/"' in read_next


def test_it_shows_the_disclaimer_from_the_markdown_file_and_the_clinic_from_its_record(
    client, site_clinic
):
    html = client.get("/learn/evidence/").content.decode()
    footer = html.split("<footer", 1)[1]
    assert "This page is general information, not medical advice." in footer
    assert "1 Test Street" in footer
    assert 'href="tel:+15550142"' in footer
    assert "hello@lakeside.test" in footer
    assert 'href="https://facebook.example.org/lakeside-test"' in footer


def test_it_shows_a_new_clinic_phone_number_at_once(client, site_clinic):
    assert "+1 555 0142" in client.get("/").content.decode()
    site_clinic.phone = "+1 555 0177"
    site_clinic.save()
    assert "+1 555 0177" in client.get("/").content.decode()


def test_it_answers_404_for_an_unknown_article(client, site_clinic):
    assert client.get("/learn/not-an-article/").status_code == 404


def test_it_lists_every_public_page_in_the_sitemap(client, site_clinic):
    response = client.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    expected = [
        "/",
        "/learn/",
        *(f"/learn/{s}/" for s in SLUGS),
        "/guide/",
        "/screen/",
        "/disclaimer/",
    ]
    # Each page in English, then the same page in Spanish (issue #18).
    assert locs == [f"http://testserver{p}" for path in expected for p in (path, f"/es{path}")]
    assert '<xhtml:link rel="alternate" hreflang="es" href="http://testserver/es/learn/"/>' in (
        response.content.decode()
    )


def test_it_points_robots_to_the_sitemap_and_away_from_private_links(client, site_clinic):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    for private in ("/staff/", "/accounts/", "/screen/result/", "/guide/unsubscribe/"):
        assert f"Disallow: {private}" in text


def test_it_uses_the_configured_site_address_for_canonical_urls(client, site_clinic, settings):
    settings.ANNULUS_SITE_URL = "https://spine.example.org"
    head = head_of(client.get("/learn/faq/"))
    assert head.canonical == "https://spine.example.org/learn/faq/"


def test_it_lets_browsers_cache_public_pages_and_revalidate_them(client, site_clinic):
    response = client.get("/learn/evidence/")
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    again = client.get("/learn/evidence/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_it_serves_a_rendered_article_from_the_cache_without_the_database(client, site_clinic):
    first = client.get("/learn/candidacy/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/learn/candidacy/")
    assert second.content == first.content
    assert len(queries) == 0


def test_it_publishes_an_edited_article_without_a_restart(client, site_clinic, content_copy):
    assert "Brand new sentence" not in client.get("/learn/faq/").content.decode()
    path = content_copy / "faq.md"
    path.write_text(path.read_text() + "\n\nBrand new sentence for the test.\n")
    assert "Brand new sentence for the test." in client.get("/learn/faq/").content.decode()


def test_it_names_the_file_and_field_of_bad_front_matter(content_copy):
    path = content_copy / "evidence.md"
    path.write_text(path.read_text().replace("order: 4", "order: four", 1))
    with pytest.raises(ContentError, match=r"evidence\.md: order:"):
        load(content_copy)


def test_it_refuses_a_description_too_long_for_search_results(content_copy):
    path = content_copy / "faq.md"
    source = path.read_text()
    long = "x" * 160
    path.write_text(
        re.sub(r"^description: .*$", f"description: {long}", source, count=1, flags=re.M)
    )
    with pytest.raises(ContentError, match=r"faq\.md: description:"):
        load(content_copy)


def test_it_refuses_a_related_link_to_a_missing_article(content_copy):
    path = content_copy / "faq.md"
    path.write_text(path.read_text().replace("related: [", "related: [no-such-page, ", 1))
    with pytest.raises(ContentError, match="no-such-page"):
        load(content_copy)


def test_it_refuses_a_slug_that_does_not_match_the_file_name(content_copy):
    path = content_copy / "faq.md"
    path.write_text(path.read_text().replace("slug: faq", "slug: questions", 1))
    with pytest.raises(ContentError, match="slug: must match"):
        load(content_copy)
