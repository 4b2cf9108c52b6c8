"""The shipped nginx config parses with Debian's nginx (`nginx -t`), with a throw-away cert."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
IN_CI = os.environ.get("CI", "").lower() == "true"


def test_it_ships_an_nginx_config_that_nginx_accepts(tmp_path: Path) -> None:
    if not os.path.exists(NGINX):
        if IN_CI:
            pytest.fail("nginx is not installed, and CI=true requires it (.ci/run installs it)")
        pytest.skip("Debian's nginx is not installed")
    shipped = (ROOT / "deploy" / "nginx" / "annulus.conf").read_text()
    for needed in (
        "ssl_certificate ",
        "return 301 https://",
        "X-Forwarded-For $proxy_add_x_forwarded_for",
        "X-Forwarded-Proto $scheme",
        "location /static/",
    ):
        assert needed in shipped
    site = shipped.replace("/etc/ssl/annulus/", f"{tmp_path}/").replace(
        "/var/log/nginx/", f"{tmp_path}/"
    )
    (tmp_path / "annulus.conf").write_text(site)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include {tmp_path}/annulus.conf; }}\n"
    )
    proc = subprocess.run(
        [NGINX, "-t", "-c", str(main)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
