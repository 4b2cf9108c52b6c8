"""gunicorn's access logger with secret link tokens scrubbed (see logscrub.py), for `annulus serve`.

Its own module so that the logging configuration every process loads (logscrub.configure) does
not import gunicorn: only the web server needs it.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from annulus.lib.logscrub import scrub


class GunicornLogger(Logger):
    """gunicorn's logger with the request line, path, query and Referer scrubbed."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: scrub(v) if isinstance(v, str) else v for k, v in atoms.items()}
