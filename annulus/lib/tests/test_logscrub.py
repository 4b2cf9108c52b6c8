"""M1: secret link tokens never reach a log line (every logger, and gunicorn's access log)."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest

from annulus.lib.gunicorn_logger import GunicornLogger
from annulus.lib.logscrub import MASK, scrub
from annulus.lib.tokens import new_token

TOKEN = new_token()


def token_urls() -> list[str]:
    """Every route that carries a secret (each resolves, checked below), and a made-up one."""
    return [
        f"/intake/{TOKEN}/",
        f"/survey/{TOKEN}/",
        f"/book/manage/{TOKEN}/",
        f"/screen/result/{TOKEN}/",
        f"/guide/unsubscribe/{TOKEN}/",
        f"/accounts/password-reset/MQ/{'c' * 6}-{TOKEN[:32]}/",
        f"/anything/else/{TOKEN}/",
    ]


# Named without the token, which is new each run: parallel workers must collect the same ids.
@pytest.mark.parametrize(
    "path", token_urls(), ids=lambda path: path.replace(TOKEN, "T").replace(TOKEN[:32], "T")
)
def test_it_scrubs_the_token_from_every_secret_route(path):
    from django.urls import resolve

    if not path.startswith("/anything"):
        resolve(path)  # the route really exists
    line = f'GET "{path}?token={TOKEN}" 200 from https://x.test{path}'
    clean = scrub(line)
    assert TOKEN not in clean and TOKEN[:32] not in clean
    assert MASK in clean


def test_it_leaves_ordinary_paths_and_slugs_readable():
    for path in ("/staff/patients/12/", "/learn/what-a-disc-herniation-really-means-for-you/",
                 "/book/", "/intake/", "/survey/"):  # fmt: skip
        assert scrub(f'"GET {path}" 200') == f'"GET {path}" 200'


def test_every_logger_writes_the_line_without_the_token(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("django.request").warning("Not Found: %s", f"/survey/{TOKEN}/")
    logging.getLogger("some.library").info(f"opened /book/manage/{TOKEN}/ for a patient")
    assert caplog.records
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text
    assert "/survey/[token]/" in caplog.text


@pytest.mark.django_db
def test_a_request_for_a_token_route_logs_no_token(client, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("django.request").setLevel(logging.INFO)
    client.get(f"/survey/{TOKEN}/")
    client.get(f"/book/manage/{TOKEN}/")
    client.get(f"/intake/{TOKEN}/")
    assert TOKEN not in caplog.text


def test_the_gunicorn_access_log_is_scrubbed(capsys):
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", '%(h)s "%(r)s" %(U)s %(q)s %(s)s %(f)s')
    logger = GunicornLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/intake/{TOKEN}/?x=1",
        "PATH_INFO": f"/intake/{TOKEN}/",
        "QUERY_STRING": f"token={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://clinic.test/book/manage/{TOKEN}/",
    }
    resp = SimpleNamespace(status="200 OK", headers=[], sent=10)
    logger.access(resp, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    out = capsys.readouterr().out
    assert "/intake/[token]/" in out
    assert TOKEN not in out
