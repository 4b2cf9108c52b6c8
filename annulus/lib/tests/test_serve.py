"""`annulus serve` starts gunicorn and a task worker, and the home page answers 200."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif("postgres" in os.environ.get("DATABASE_URL", ""), reason="SQLite pass only")
def test_it_serves_the_home_page_with_a_worker_beside_it(tmp_path):
    env = {**os.environ, "ANNULUS_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    cli = [sys.executable, "-m", "annulus.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1", "--task-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.2)
        assert status == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Starting worker" in output
