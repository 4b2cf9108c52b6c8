"""The permission matrix (role × capability, and each staff route's capability), from one file.

`annulus/accounts/permissions.yaml` is the single source. `DenyByDefaultMiddleware` calls
`allowed()` for every staff route before the view runs; a route the file does not list is
allowed for any verified member of staff (so a new route keeps working) but fails the test that
walks every route × role (annulus/accounts/tests/test_permission_matrix.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

# libyaml's safe loader when PyYAML has it: the same documents parsed in C, several times faster
# than the pure-Python parser (as in candidacy/engine/protocol.py).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

log = logging.getLogger(__name__)
MATRIX_FILE = Path(__file__).with_name("permissions.yaml")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Matrix:
    roles: dict[str, frozenset[str]]
    routes: dict[str, tuple[str, str]]  # route name → (read capability, write capability)

    def capability(self, route: str, method: str) -> str | None:
        entry = self.routes.get(route)
        if entry is None:
            return None
        return entry[0] if method.upper() in READ_METHODS else entry[1]

    def grants(self, roles: set[str], capability: str) -> bool:
        return any(capability in self.roles.get(role, frozenset()) for role in roles)


@cache
def matrix() -> Matrix:
    data = yaml.load(MATRIX_FILE.read_text(), Loader=_YAML_LOADER)  # noqa: S506
    roles = {role: frozenset(caps) for role, caps in data["roles"].items()}
    known = frozenset().union(*roles.values())
    routes: dict[str, tuple[str, str]] = {}
    for route, entry in data["routes"].items():
        read, write = (entry, entry) if isinstance(entry, str) else (entry["read"], entry["write"])
        for capability in (read, write):
            if capability not in known:
                raise ValueError(
                    f"{MATRIX_FILE.name}: {route} needs {capability!r}, no role has it"
                )
        routes[route] = (read, write)
    return Matrix(roles=roles, routes=routes)


def allowed(route: str, method: str, roles: set[str]) -> bool:
    capability = matrix().capability(route, method)
    if capability is None:
        log.warning("route %s has no entry in the permission matrix", route)
        return True
    return matrix().grants(roles, capability)
