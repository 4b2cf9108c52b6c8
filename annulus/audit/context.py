"""`AuditContext`: what an action needs to know about where a write came from.

Actions take this small value instead of the `HttpRequest`, so commands, tasks and other apps can
call them. Views build it with `AuditContext.from_request(request)`; commands and tasks use
`AuditContext.system("command-name")`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from annulus.lib.middleware import client_ip


@dataclass(frozen=True)
class AuditContext:
    request_id: str = ""
    ip: str | None = None
    # Where a write came from when there is no request: "seed_demo", "rescreen", "task:…".
    origin: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> AuditContext:
        return cls(request_id=getattr(request, "request_id", "") or "", ip=client_ip(request))

    @classmethod
    def system(cls, origin: str) -> AuditContext:
        return cls(origin=origin)
