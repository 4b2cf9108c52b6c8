"""Public-site benchmark: home-page throughput under `annulus serve`, and page weights.

    .venv/bin/python bench/public.py [--seconds 8] [--rounds 3] [--clients 4] [--lighthouse DIR]

1. Starts `annulus serve` (gunicorn, 2 web workers, no task worker) on a throw-away SQLite
   database seeded with the demo clinic, using a settings module that adds one bare Django view
   (`HttpResponse("ok")`, through the same middleware) beside the real URLs.
2. Measures requests per second for the bare view and for the home page, interleaved in rounds,
   with several client processes on raw sockets (each request a new connection, as gunicorn's
   sync workers close them). The goal is home / bare >= 0.8.
3. Opens every public page in Debian's Chromium (Playwright) and records the bytes transferred
   and any request to another origin. The goal is <= 100 KB per page and none.
4. With --lighthouse pointing at a folder where `npm install lighthouse` was run, also records
   Lighthouse's scores for the home page and one article (goal >= 95 in each category).

Results go to bench/results/public.json and bench/results/public.md. Benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from public_report import markdown

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BARE_PATH = "/__bench__/bare/"

SETTINGS_MODULE = textwrap.dedent(
    """
    # Written by bench/public.py: the real settings, with a URLconf that adds one bare view.
    from annulus.settings import *  # noqa: F403

    ROOT_URLCONF = "annulus_bench_urls"
    """
)
URLS_MODULE = textwrap.dedent(
    """
    # Written by bench/public.py: the real URLs plus a bare view through the same middleware.
    from django.http import HttpResponse
    from django.urls import include, path

    from annulus.accounts.policy import public


    @public
    def bare(request):
        return HttpResponse("ok", content_type="text/plain")


    urlpatterns = [path("__bench__/bare/", bare), path("", include("annulus.urls"))]
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(port: int, path: str) -> tuple[int, bytes]:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0
    return status, raw


def _client(port: int, path: str, seconds: float, out: Any) -> None:
    done = errors = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        status, _ = fetch(port, path)
        if status == 200:
            done += 1
        else:
            errors += 1
    out.put((done, errors))


def throughput(port: int, path: str, seconds: float, clients: int) -> dict[str, float]:
    queue: Any = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_client, args=(port, path, seconds, queue))
        for _ in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    done = sum(r[0] for r in results)
    return {"rps": done / seconds, "errors": sum(r[1] for r in results)}


def start_server(workdir: Path, port: int) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    (workdir / "annulus_bench_settings.py").write_text(SETTINGS_MODULE)
    (workdir / "annulus_bench_urls.py").write_text(URLS_MODULE)
    env = {
        **os.environ,
        "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "annulus_bench_settings",
        "ANNULUS_VAR_DIR": str(workdir / "var"),
        "ANNULUS_RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
    }
    annulus = str(BIN / "annulus")
    for args in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        subprocess.run([annulus, *args], env=env, check=True, cwd=ROOT, capture_output=True)
    server = subprocess.Popen(
        [
            annulus,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--task-workers",
            "0",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if fetch(port, BARE_PATH)[0] == 200:
                return server, env
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("annulus serve did not answer within 30 s")


def page_weights(base: str) -> list[dict[str, Any]]:
    """Bytes on the wire for every public page (first visit, empty cache), in Chromium."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)

        def measure(name: str, go: Any) -> None:
            page = context.new_page()
            seen: list[Any] = []
            page.on("requestfinished", lambda request: seen.append(request))
            go(page)
            page.wait_for_load_state("networkidle")
            total = 0
            foreign = []
            for request in seen:
                sizes = request.sizes()
                total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                if not request.url.startswith(base):
                    foreign.append(request.url)
            rows.append(
                {
                    "page": name,
                    "requests": len(seen),
                    "bytes": total,
                    "third_party_requests": foreign,
                }
            )
            page.close()

        from annulus.website.content import library

        paths = [
            "/",
            "/learn/",
            *(a.path for a in library().articles.values()),
            "/guide/",
            "/screen/",
        ]
        for path in paths:
            measure(path, lambda page, path=path: page.goto(base + path))

        def screen_result(page: Any) -> None:
            page.goto(base + "/screen/")
            for radio in page.locator("input[type=radio][value=no]").all():
                radio.check()
            with page.expect_navigation():
                page.get_by_role("button", name="Continue").click()
            page.locator("input[name=age_band][value='18_to_75']").check()
            page.locator("input[name=duration][value='over_12_months']").check()
            page.locator("select[name=back_pain]").select_option("6")
            page.locator("input[name=pain_pattern][value=mostly_back]").check()
            page.locator("input[name=below_knee][value=no]").check()
            page.locator("input[name=care][value=three_months_with_exercise]").check()
            page.locator("input[name=prior_surgery][value=none]").check()
            with page.expect_navigation():
                page.get_by_role("button", name="See my result").click()

        measure("/screen/result/<token>/ (after both steps)", screen_result)
        browser.close()
    return rows


def service_times(rounds: int, n: int = 1500) -> dict[str, Any]:
    """Server time per request without sockets or client processes (Django's test client).

    Less exposed to other load on the machine than the socket figures: the same code path
    minus gunicorn and the network.
    """
    from django.test import Client

    client = Client()
    per: dict[str, list[float]] = {"bare": [], "home": []}
    for path in (BARE_PATH, "/"):
        assert client.get(path).status_code == 200
    for _ in range(rounds):
        for name, path in (("bare", BARE_PATH), ("home", "/")):
            start = time.perf_counter()
            for _ in range(n):
                client.get(path)
            per[name].append((time.perf_counter() - start) / n * 1e6)
    bare, home = statistics.median(per["bare"]), statistics.median(per["home"])
    return {
        "bare_us_per_request": round(bare, 1),
        "home_us_per_request": round(home, 1),
        "ratio_home_to_bare_throughput": round(bare / home, 3),
        "requests_per_round": n,
    }


def lighthouse(folder: Path, base: str) -> dict[str, Any]:
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return {"skipped": f"no lighthouse under {folder}"}
    scores: dict[str, Any] = {}
    for path in ("/", "/learn/evidence/", "/screen/"):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            run = subprocess.run(
                [
                    str(binary),
                    base + path,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--chrome-flags=--headless=new --no-sandbox",
                    "--form-factor=mobile",
                    "--only-categories=performance,accessibility,best-practices,seo",
                ],
                env={**os.environ, "CHROME_PATH": CHROMIUM},
                capture_output=True,
                text=True,
                timeout=180,
            )
            if run.returncode != 0 or not report.exists():
                scores[path] = {"error": (run.stderr or run.stdout)[-400:]}
                continue
            data = json.loads(report.read_text())
            scores[path] = {
                key: round(cat["score"] * 100) for key, cat in data["categories"].items()
            }
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--lighthouse", type=Path, help="folder where lighthouse was npm-installed")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="annulus-bench-") as tmp:
        port = free_port()
        server, env = start_server(Path(tmp), port)
        # This process uses the same settings and database, for the in-process figures.
        for key in ("DJANGO_SETTINGS_MODULE", "ANNULUS_VAR_DIR", "ANNULUS_RATE_LIMITS"):
            os.environ[key] = env[key]
        sys.path[:0] = [tmp, str(ROOT)]
        import django

        django.setup()
        base = f"http://127.0.0.1:{port}"
        try:
            in_process = service_times(opts.rounds)
            status, raw = fetch(port, "/")
            assert status == 200, raw[:300]
            for path in ("/", BARE_PATH):  # warm every worker's cache
                throughput(port, path, 1.0, opts.clients)
            rounds = []
            for _ in range(opts.rounds):
                bare = throughput(port, BARE_PATH, opts.seconds, opts.clients)
                home = throughput(port, "/", opts.seconds, opts.clients)
                rounds.append(
                    {
                        "bare_rps": round(bare["rps"], 1),
                        "home_rps": round(home["rps"], 1),
                        "ratio": round(home["rps"] / bare["rps"], 3),
                        "errors": bare["errors"] + home["errors"],
                    }
                )
            weights = page_weights(base)
            scores = (
                lighthouse(opts.lighthouse, base)
                if opts.lighthouse
                else {"skipped": "no --lighthouse"}
            )
        finally:
            server.terminate()
            server.wait(timeout=15)

    ratio = round(statistics.median(r["ratio"] for r in rounds), 3)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "server": "annulus serve --workers 2 --task-workers 0 (gunicorn sync), SQLite, demo clinic",
        "load": f"{opts.clients} client processes, raw sockets, new connection per request, "
        f"{opts.rounds} rounds x {opts.seconds:g} s per view, interleaved",
        "in_process": in_process,
        "throughput": {
            "rounds": rounds,
            "median_ratio_home_to_bare": ratio,
            "goal": 0.8,
            "met": ratio >= 0.8,
        },
        "page_weights": {
            "pages": weights,
            "goal_bytes": 100_000,
            "largest": max(w["bytes"] for w in weights),
            "met": all(w["bytes"] <= 100_000 and not w["third_party_requests"] for w in weights),
        },
        "lighthouse": scores,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "public.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "public.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
