"""Typed readers for environment variables.

Each reader names the variable and the accepted values when a value is malformed, so a
deployer sees `ANNULUS_RATE_LIMITS must be 'on' or 'off' (got 'maybe')` instead of a traceback.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class EnvError(ValueError):
    """A malformed environment value. The message names the variable."""


def env_str(name: str, default: str = "", environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(name, default).strip() or default


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise EnvError(f"{name} must be one of on/off, true/false, yes/no, 1/0 (got {raw!r})")


def env_int(
    name: str, default: int, *, minimum: int = 0, environ: Mapping[str, str] = os.environ
) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name} must be a whole number (got {raw!r})") from None
    if value < minimum:
        raise EnvError(f"{name} must be at least {minimum} (got {value})")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(
    name: str, choices: tuple[str, ...], default: str, environ: Mapping[str, str] = os.environ
) -> str:
    raw = environ.get(name, "").strip().lower() or default
    if raw not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise EnvError(f"{name} must be one of {allowed} (got {raw!r})")
    return raw


def env_networks(name: str, environ: Mapping[str, str] = os.environ) -> list[IPNetwork]:
    """Comma-separated CIDRs or single addresses; a bad entry names the variable and the entry."""
    networks: list[IPNetwork] = []
    for item in env_list(name, [], environ):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise EnvError(
                f"{name}: {item!r} is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1)"
            ) from None
    return networks
