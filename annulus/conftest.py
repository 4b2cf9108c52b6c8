"""Shared fixtures: personas, and Playwright on Debian's Chromium for browser tests."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# Tests assert correctness, never timings: Hypothesis' default 200 ms deadline per example failed
# the scoring properties on a loaded machine (first example 440 ms, then 22 ms on the replay).
hypothesis_settings.register_profile("annulus", deadline=None)
hypothesis_settings.load_profile("annulus")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config: pytest.Config) -> None:
    """Build the Spanish .mo from its .po when it is missing or older (make does it too), and
    start the SQLite template's build beside the workers (annulus/testing_template.py)."""
    from annulus.lib.i18n_build import compile_catalogue, stale_catalogues
    from annulus.testing_template import start_beside_workers

    for po in stale_catalogues():
        compile_catalogue(po)

    start_beside_workers(config)


# Test modules that share one module-scoped seed (set up once, rolled back after the module):
# the fixtures, and the app fixtures built on them (interop's and research's `demo_clinic`).
SHARED_SEED_FIXTURES = re.compile(r"\b(demo_seeded_once|demo_base_once|demo_clinic)\b")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's `load` mode, except that a module sharing a seed runs on one worker.

    Plain `load` deals a module's tests out to both workers one by one, so each worker seeded the
    module again. (xdist's `loadgroup` marks do not take under pytest 9: it rewrites node ids.)
    """
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    root = config.rootpath
    shared = {
        str(path.relative_to(root))
        for path in (root / "annulus").rglob("test_*.py")
        if SHARED_SEED_FIXTURES.search(path.read_text(encoding="utf-8"))
    }

    class SharedSeedScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in shared else nodeid

    return SharedSeedScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = "postgres" in os.environ.get("DATABASE_URL", "")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass (make postgres)"))
        # Under CI a missing browser is not a reason to skip: the test runs and fails.
        if "browser" in item.keywords and not os.path.exists(CHROMIUM) and not IN_CI:
            item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Hash passwords with Argon2 at its lowest cost in tests (production cost: settings.py)."""
    from django.conf import settings
    from django.test import override_settings

    production = list(settings.PASSWORD_HASHERS)
    assert production[0].endswith(".Argon2PasswordHasher"), production
    with override_settings(
        PASSWORD_HASHERS=["annulus.testing.CheapArgon2PasswordHasher", *production[1:]]
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _own_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Files the app writes (consent PDFs, documents, the printed guide, exports) go to this
    session's own folder, so parallel workers (pytest -n 2) never share or clear each other's.
    The test database already gets a per-worker name from pytest-django.
    """
    from django.conf import settings
    from django.test import override_settings

    var = tmp_path_factory.mktemp("var")
    configured: dict[str, Any] = settings.STORAGES
    storages = {name: dict(config) for name, config in configured.items()}
    for name, folder in (("consents", "private"), ("documents", "documents")):
        storages[name]["OPTIONS"] = {**storages[name]["OPTIONS"], "location": str(var / folder)}
    with override_settings(
        VAR_DIR=var,
        STORAGES=storages,
        EMAIL_FILE_PATH=str(var / "outbox"),
        AUDIT_ANCHOR_PATH=str(var / "audit-anchor.jsonl"),
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's set-up, except that an on-disk SQLite test database is migrated once and
    copied per worker afterwards (annulus/testing_db.py); PostgreSQL is unchanged.
    """
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from annulus import testing_db

    if not django_db_use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    keepdb = django_db_keepdb and not django_db_createdb
    test_name = testing_db.sqlite_test_name()

    def setup(keep: bool) -> Any:
        return setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,  # type: ignore[arg-type]  # a set works; the stub wants a Mapping
            serialized_aliases=serialized_aliases,
            keepdb=keep,
        )

    with django_db_blocker.unblock():
        if test_name is None or not django_db_use_migrations or keepdb:
            db_cfg = setup(keepdb)
        else:
            # xdist gives every worker of one pass the same id: --create-db rebuilds once a pass.
            run_id = getattr(request.config, "workerinput", {}).get("testrunuid", uuid.uuid4().hex)
            db_cfg = testing_db.set_up_from_template(
                test_name, rebuild=django_db_createdb, run_id=run_id, setup=setup
            )

    yield

    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=request.config.option.verbose)
            except Exception as exc:
                request.node.warn(
                    pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}")
                )


@pytest.fixture(autouse=True)
def _audit_triggers_yield_to_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush, which the append-only triggers would refuse.

    Drop them just before the flush; post_migrate (which flush sends) puts them back.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if not (transactional or "live_server" in request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from annulus.audit import triggers

    triggers.remove(connection)


@pytest.fixture(autouse=True)
def _audit_anchor_per_test(request: pytest.FixtureRequest) -> None:
    """Each test's database starts empty, so its audit anchors live in its own file.

    Only for tests that use the database: the pure cores' tests stay free of Django.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db")
    )
    if not uses_db:
        return
    settings = request.getfixturevalue("settings")
    tmp_path = request.getfixturevalue("tmp_path")
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "audit-anchor.jsonl")


@pytest.fixture(scope="session")
def demo_snapshot(
    request: pytest.FixtureRequest,
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path | None:
    """SQLite: the demo seed, run once per pass and kept as a copy of the database.

    Seeding the demo costs several CPU-seconds (17 consent PDFs among the rest), and a dozen
    modules need it. The seed runs for real, committed, on this process's test database as it is
    now; the result is copied to a file, and the database is put back as it was.

    Under pytest-xdist the workers of one pass share that file: the first worker to need the demo
    seeds it, the others wait on a lock and take its copy (every worker migrated from the same
    template, so it fits each of them). Files the seed writes under the seeding worker's own var
    folder (`_own_var_dir`), the signed consent PDFs among them, are kept beside the copy and
    copied into each other worker's, where the copied rows point. None on PostgreSQL or an
    in-memory database: there, each module seeds (see below).
    """
    import io

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from annulus import testing_db

    if testing_db.sqlite_test_name() is None:
        return None
    own = tmp_path_factory.mktemp("demo-snapshot")
    # xdist gives each worker a base temporary folder inside the pass's own: a folder beside
    # it is shared by the workers of this pass, and only by them.
    in_worker = hasattr(request.config, "workerinput")
    shared = tmp_path_factory.getbasetemp().parent / "demo-snapshot" if in_worker else own
    demo, written = shared / "demo.sqlite3", shared / "written"
    var = Path(settings.VAR_DIR)
    with testing_db.locked(shared, "demo.lock"):
        if demo.exists():
            testing_db.copy_files(written, var, list(testing_db.files_under(written)))
            return demo
        files_before = testing_db.files_under(var)
        with django_db_blocker.unblock():
            testing_db.snapshot(connection, own / "before.sqlite3")
            try:
                call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
                testing_db.snapshot(connection, own / "demo.sqlite3")
            finally:
                testing_db.restore_snapshot(own / "before.sqlite3", connection)
        files_after = testing_db.files_under(var)
        changed = [name for name, stamp in files_after.items() if files_before.get(name) != stamp]
        testing_db.copy_files(var, written, changed)
        # Last, so a seed that failed leaves no snapshot for another worker to take.
        os.replace(own / "demo.sqlite3", demo)
    return demo


@pytest.fixture(scope="module")
def demo_seeded_once(
    django_db_setup: Any,
    django_db_blocker: Any,
    demo_snapshot: Path | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """The seeded demo for a test module, inside a transaction rolled back after its last test.

    As with Django's setUpTestData: each test still runs in its own savepoint inside it (the `db`
    fixture), so whatever a test changes is undone before the next, and no test sees another's
    writes. Request `db` beside it. On SQLite the module starts from a copy of the process's
    seeded snapshot (`demo_snapshot`) and the database is put back as it was after the module;
    elsewhere the module seeds inside its transaction. The seed itself is tested in
    patients/tests/test_demo_seed.py.
    """
    import io

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction

    from annulus import testing_db

    with django_db_blocker.unblock():
        if demo_snapshot is None:
            with transaction.atomic():
                call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
                yield
                transaction.set_rollback(True)
            return
        before = tmp_path_factory.mktemp("before-demo") / "db.sqlite3"
        testing_db.snapshot(connection, before)
        testing_db.restore_snapshot(demo_snapshot, connection)
        # Content type ids are cached per process; the copy may come from another worker.
        ContentType.objects.clear_cache()
        try:
            with transaction.atomic():
                yield
                transaction.set_rollback(True)
        finally:
            testing_db.restore_snapshot(before, connection)
            ContentType.objects.clear_cache()
            before.unlink()


@pytest.fixture
def clinic(db: Any) -> Any:
    from annulus.testing import make_clinic

    return make_clinic()


@pytest.fixture
def clinician(clinic: Any) -> Any:
    from annulus.accounts.models import Role
    from annulus.testing import make_staff

    return make_staff(clinic, Role.CLINICIAN)


@pytest.fixture
def outsider(db: Any) -> Any:
    """A clinician of another clinic."""
    from annulus.accounts.models import Role
    from annulus.testing import make_clinic, make_staff

    return make_staff(make_clinic("Elsewhere Spine (test)"), Role.CLINICIAN)


@pytest.fixture
def staff_client(client: Any, clinician: Any) -> Any:
    from annulus.testing import sign_in

    return sign_in(client, clinician)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session (Debian's package, never a downloaded build)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()
