"""Several `annulus serve` instances behind Debian's nginx, for the two-instance test and bench.

The nginx config is the shipped `deploy/nginx/annulus.conf`, rewritten only where a test must:
free ports on 127.0.0.1 instead of 80/443, one upstream line per instance, a throw-away
self-signed certificate, and logs, pid and temp files in a temporary prefix. nginx runs in the
foreground (`daemon off`) as a child of this process, so it ends with it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A one-day certificate for 127.0.0.1/localhost, made with `cryptography`."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    chain, private = directory / "fullchain.pem", directory / "privkey.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain, private


def nginx_site(prefix: Path, upstreams: list[int], http_port: int, https_port: int) -> str:
    """The shipped site config, pointed at our instances, ports, certificate and directories."""
    site = (ROOT / "deploy" / "nginx" / "annulus.conf").read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in upstreams
    )
    site = re.sub(r"(?m)^\s*#?\s*server \S+:\d+ max_fails.*\n", "", site)
    site = site.replace("    least_conn;\n", "    least_conn;\n" + servers, 1)
    site = re.sub(r"(?m)^\s*listen \[::\].*\n", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = site.replace("/etc/ssl/annulus/", f"{prefix}/")
    site = site.replace("/var/log/nginx/", f"{prefix}/")
    site = site.replace("/var/www/letsencrypt", f"{prefix}/acme")
    return site.replace("/var/lib/annulus/static/", f"{prefix}/static/")


class Instance:
    """One `annulus serve`, its output kept (the access log tells which requests it served)."""

    def __init__(self, env: Mapping[str, str], port: int, args: list[str]) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "annulus.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), *args],
            env=dict(env), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def served(self, method: str, path: str) -> int:
        needle = f'"{method} {path}"'
        return sum(needle in line for line in list(self.lines))


class Cluster:
    """`instances` app servers (plus anything else in `extra`) behind one nginx."""

    def __init__(self, tmp: Path, env: Mapping[str, str], instances: int, serve_args: list[str]):
        self.tmp, self.env, self.count, self.serve_args = tmp, dict(env), instances, serve_args
        self.instances: list[Instance] = []
        self.nginx: subprocess.Popen[bytes] | None = None
        self.https_port = 0

    def start(self, timeout: float = 90) -> Cluster:
        prefix = self.tmp / "nginx"
        for sub in ("", "static", "acme", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        self_signed_cert(prefix)
        ports = [free_port() for _ in range(self.count)]
        self.instances = [Instance(self.env, port, self.serve_args) for port in ports]
        self.https_port = free_port()
        (prefix / "annulus.conf").write_text(
            nginx_site(prefix, ports, free_port(), self.https_port)
        )
        temp = "".join(
            f"    {kind}_temp_path {prefix}/{sub};\n"
            for kind, sub in (("client_body", "body"), ("proxy", "proxy"),
                              ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"), ("scgi", "scgi"))
        )  # fmt: skip
        user = "user root root;\n" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
            f"events {{ worker_connections 1024; }}\nhttp {{\n{temp}"
            f"    include {prefix}/annulus.conf;\n}}\n"
        )
        deadline = time.monotonic() + timeout
        for instance in self.instances:
            while status(instance.port, "/healthz", tls=False) != 200:
                if time.monotonic() > deadline or instance.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("annulus serve did not start:\n" + "".join(instance.lines))
                time.sleep(0.3)
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        while status(self.https_port, "/healthz") != 200:
            if time.monotonic() > deadline or self.nginx.poll() is not None:
                self.stop()
                raise RuntimeError(f"nginx did not start: {(prefix / 'error.log').read_text()}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        procs = [i.proc for i in self.instances] + ([self.nginx] if self.nginx else [])
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def connection(port: int, *, tls: bool = True, source: str = "") -> http.client.HTTPConnection:
    """A fresh connection to 127.0.0.1:port, from `source` (e.g. 127.0.0.2) when given."""
    address = (source, 0) if source else None
    if not tls:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=address)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our own throw-away certificate
    return http.client.HTTPSConnection(
        "127.0.0.1", port, timeout=120, context=context, source_address=address
    )


def call(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    *,
    tls: bool = True,
    source: str = "",
) -> tuple[int, bytes]:
    conn = connection(port, tls=tls, source=source)
    try:
        payload = json.dumps(body) if body is not None else None
        sent = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, payload, {**sent, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def status(port: int, path: str, *, tls: bool = True) -> int:
    try:
        return call(port, "GET", path, tls=tls)[0]
    except OSError:
        return 0
