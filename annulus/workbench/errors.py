"""A refused page inside the staff area: the staff layout, and one log line without a traceback."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template import loader


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    name = "staff/403.html" if request.path.startswith("/staff/") else "403.html"
    template = loader.get_template(name)
    return HttpResponseForbidden(template.render({"exception": exception}, request))


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 is an expected refusal: log its one line ("Forbidden (…): /path"), not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
