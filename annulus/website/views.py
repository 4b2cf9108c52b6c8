"""Public pages. Anyone may open them; they never show patient data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from annulus.accounts.policy import public


@public
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "website/home.html")


@public
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Disallow: /staff/", "Disallow: /accounts/", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")


@public
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
