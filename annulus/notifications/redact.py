"""Remove secret links from the stored copy of an email once it is sent (L3).

The patient has the email; the copy in the outbox and the database no longer needs a working
link, and anyone reading the outbox (or a database backup) must not be able to open the patient's
booking, survey or intake. A failed email keeps its links for the retry.
"""

from __future__ import annotations

import re

from annulus.lib.logscrub import TOKEN_PREFIXES

# The same words the survey redaction uses (annulus/outcomes/delivery.py), so both agree.
REDACTED = "[link removed after sending]"
_LINK = re.compile(
    r"(/(?:" + "|".join(re.escape(p) for p in TOKEN_PREFIXES) + r")/)[A-Za-z0-9_:.-]{20,}/?"
)


def redact_links(text: str) -> str:
    return _LINK.sub(rf"\g<1>{REDACTED}/", text)
