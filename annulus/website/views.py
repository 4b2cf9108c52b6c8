"""Public pages. Anyone may open them; they never show patient data."""

from __future__ import annotations

import sys

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from annulus.accounts.policy import public
from annulus.lib.outage import RETRY_AFTER_SECONDS, is_database_outage
from annulus.website.caching import cached_public_page
from annulus.website.content import Library, library
from annulus.website.languages import prefixed
from annulus.website.site import absolute_url

EVIDENCE_SLUG = "evidence"
HOME_DESCRIPTION = gettext_lazy(
    "Straight answers about chronic disc pain, intra-annular fibrin injection and the "
    "alternatives to lumbar fusion, including what the evidence does not show."
)
LEARN_DESCRIPTION = gettext_lazy(
    "Plain-language articles on disc pain, fibrin injection, fusion and its alternatives, the "
    "honest evidence, veterans' options and when to get a second opinion."
)


def localized() -> Library:
    """The content as this page's readers see it (Spanish files under /es/, else English)."""
    return library().in_language(translation.get_language())


def _seo(request: HttpRequest, *, title: str, description: str, kind: str = "website") -> dict:
    """What every public page puts in its <head>: meta description, canonical URL, Open Graph."""
    return {
        "page_title": title,
        "meta_description": description,
        "canonical_url": absolute_url(request, request.path),
        "og_type": kind,
    }


@public
@require_safe
@cached_public_page
def home(request: HttpRequest) -> HttpResponse:
    context = {
        **_seo(
            request,
            title=_("Chronic disc pain, honestly explained"),
            description=str(HOME_DESCRIPTION),
        ),
        "articles": list(localized().articles.values()),
    }
    return render(request, "website/home.html", context)


@public
@require_safe
@cached_public_page
def article_list(request: HttpRequest) -> HttpResponse:
    context = {
        **_seo(
            request,
            title=_("Learn about disc pain and your options"),
            description=str(LEARN_DESCRIPTION),
        ),
        "articles": list(localized().articles.values()),
    }
    return render(request, "website/article_list.html", context)


@public
@require_safe
@cached_public_page
def article(request: HttpRequest, slug: str) -> HttpResponse:
    lib = localized()
    found = lib.get(slug)
    if found is None:
        raise Http404("No such article.")
    context = {
        **_seo(request, title=found.title, description=found.description, kind="article"),
        "article": found,
        "related": lib.related(found),
        # Shown in English on a Spanish page until translated: say so, and mark its language.
        "article_language": found.language if found.language != lib.language else "",
    }
    if slug == EVIDENCE_SLUG:
        # The clinic's own published numbers go under the evidence article (analytics app).
        from annulus.analytics.public_views import latest_public_snapshot

        context["results_block"] = True
        context["snapshot"] = latest_public_snapshot()
    return render(request, "website/article.html", context)


DISCLAIMER_DESCRIPTION = gettext_lazy(
    "Medical disclaimer: general information, not medical advice. Fibrin injection for disc "
    "pain is unproven and off-label, and results vary."
)


@public
@require_safe
@cached_public_page
def disclaimer(request: HttpRequest) -> HttpResponse:
    lib = localized()
    context = {
        **_seo(request, title=_("Medical disclaimer"), description=str(DISCLAIMER_DESCRIPTION)),
        "summary_html": lib.disclaimer_html,
        "body_html": lib.disclaimer_page_html,
        "updated": lib.updated,
    }
    return render(request, "website/disclaimer.html", context)


@public
@require_safe
@cached_public_page
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    lib = library()
    pages = [
        ("/", lib.updated),
        ("/learn/", lib.updated),
        *((a.path, a.updated) for a in lib.articles.values()),
        ("/guide/", lib.guide.updated),
        ("/screen/", None),
        ("/disclaimer/", lib.updated),
    ]
    codes = [code for code, _ in settings.LANGUAGES]
    entries = []
    for path, lastmod in pages:
        # Each language's page is listed, and names all of them as hreflang alternates.
        alternates = [(code, absolute_url(request, prefixed(path, code))) for code in codes]
        for _code, loc in alternates:
            entries.append({"loc": loc, "lastmod": lastmod, "alternates": alternates})
    return render(
        request, "website/sitemap.xml", {"entries": entries}, content_type="application/xml"
    )


@public
@require_safe
@cached_public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        # Personal result and unsubscribe links: never index them.
        "Disallow: /screen/result/",
        "Disallow: /guide/unsubscribe/",
        "Disallow: /es/screen/result/",
        "Disallow: /es/guide/unsubscribe/",
        "",
        f"Sitemap: {absolute_url(request, '/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")


@public
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors: the database may be what failed.
    from django.template import loader

    # Called while Django handles the exception, so sys.exc_info() is the failure. An outage
    # is 503 with Retry-After (clients and the proxy may try again), the same friendly page.
    outage = is_database_outage(sys.exc_info()[1])
    response = HttpResponse(loader.get_template("500.html").render(), status=503 if outage else 500)
    if outage:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
