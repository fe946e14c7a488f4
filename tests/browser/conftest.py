"""Real-browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

One browser for the whole session; each test gets a fresh context (no cookies), so roles never leak
between tests. The front end is built here when it is missing, because the pages are unusable (and
axe's colour checks meaningless) without their stylesheet."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .a11y import AccessibilityAudit
from .html_validity import NuHtmlChecker, checker_unavailable
from .live_server_gate import GENERATION_COOKIE, LiveServerGate
from .page_errors import CSP_LISTENER_JS, PageErrors

ROOT = Path(__file__).resolve().parents[2]
FRONTEND_BUILD = ROOT / "frontend" / "build"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# As root on a machine with no route out: no sandbox, and nothing that phones home at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PASSWORD = "correct-horse-battery"
NAVIGATION_TIMEOUT_MS = 60_000
# How long an action or an expect() waits for an element on a page already there. Playwright's
# expect() keeps its own default of 5 s apart from the context's: under a full parallel run on
# 2 cores, the admin once took longer than that to open a new StreamField block's editor.
ELEMENT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items):
    """Mark the browser tests and run them last: while Playwright's sync API is open its event loop
    runs in the main thread, so the suite's other tests are better run before it starts."""
    here = Path(__file__).parent
    in_browser = [item for item in items if here in Path(item.path).parents]
    for item in in_browser:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if item not in in_browser] + in_browser


def _browser_tests_unavailable():
    """Why the browser tests cannot run here, or None. Missing Chromium is a failure, not a silent
    skip, unless someone opted out explicitly."""
    if os.environ.get("SKIP_BROWSER_TESTS") == "1":
        return (
            "skip",
            "SKIP_BROWSER_TESTS=1 is set: the real-browser and accessibility tests were not run.",
        )
    if not Path(CHROMIUM).exists():
        return "fail", (
            f"Chromium is not installed at {CHROMIUM}: run `make system-deps` (Debian's chromium package), "
            "or set SKIP_BROWSER_TESTS=1 to skip the browser tests on purpose."
        )
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return (
            "fail",
            "Playwright is not installed: run `pip install -r requirements.lock` (or `make test`).",
        )
    return None


@pytest.fixture(scope="session")
def frontend_built():
    """The compiled GOV.UK Frontend assets: built now (npm ci && npm run build) if missing."""
    if (FRONTEND_BUILD / "app.css").exists():
        return FRONTEND_BUILD
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(
            "The front end is not built (frontend/build/ is missing) and npm is not installed: run `make frontend`."
        )
    for command in (
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        [npm, "run", "--silent", "build"],
    ):
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )  # noqa: S603
        if result.returncode != 0:
            pytest.fail(
                f"Building the front end failed ({' '.join(command[1:])}); run `make frontend`.\n{result.stderr}"
            )
    if not (FRONTEND_BUILD / "app.css").exists():
        pytest.fail("`npm run build` did not produce frontend/build/app.css; run `make frontend`.")
    return FRONTEND_BUILD


def _serialized_rollback_prepare(connection, serialized):
    """Make serialized rollback (which puts back Wagtail's root page, site and collections after
    each live-server test's flush) work on ``connection`` whatever ran before.

    Three things break it: the snapshot taken at database set-up lives on the connection object
    of the context it was taken in, and Playwright's sync API gives the browser tests another one;
    a transactional test without serialized rollback leaves the rows its flush's post_migrate
    recreated (content types, permissions) under new ids; and Wagtail's Task models look up
    (creating if missing) their ContentType while being rebuilt. So the snapshot is carried over,
    and the restore starts from empty tables and loads content types first."""
    from django.core.management import call_command

    if serialized is not None:
        connection._test_serialized_contents = serialized
    restore = connection.creation.deserialize_db_from_string
    if getattr(restore, "restores_from_empty", False):
        return  # prepared already (this connection is the one the browser fixture prepared)

    def restore_from_empty(data):
        # Sequences keep counting (as Django's own flush between tests does), so they stay past
        # the ids of the restored rows.
        call_command(
            "flush",
            interactive=False,
            verbosity=0,
            inhibit_post_migrate=True,
            reset_sequences=False,
            database=connection.alias,
        )
        rows = json.loads(data)
        rows.sort(key=lambda row: row["model"] != "contenttypes.contenttype")
        restore(json.dumps(rows))

    restore_from_empty.restores_from_empty = True
    connection.creation.deserialize_db_from_string = restore_from_empty


@pytest.fixture(scope="session")
def serialized_rollback_ready(django_db_setup):
    """Serialized rollback made to work on the connection the live-server tests use, before the
    first of them restores the database: the browser fixture does it for the connection its
    Playwright context brings, and this for a test that drives no Playwright page (Lighthouse),
    which may be the first live-server test its worker runs, straight after a transactional test
    whose flush recreated the content types under new ids."""
    from django.db import connections

    _serialized_rollback_prepare(connections["default"], None)


@pytest.fixture(scope="session")
def browser(frontend_built, django_db_setup):
    unavailable = _browser_tests_unavailable()
    if unavailable:
        action, reason = unavailable
        (pytest.skip if action == "skip" else pytest.fail)(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ELEMENT_TIMEOUT_MS)

    # Playwright's sync API keeps an event loop running in this thread; the tests' own ORM calls
    # (and pytest-django's database set-up) are still plain synchronous code, so Django's
    # async-safety guard, which only looks for a running loop, must stand aside while it is open.
    from django.db import connections

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    before = connections["default"]
    playwright = sync_playwright().start()
    _serialized_rollback_prepare(
        connections["default"], getattr(before, "_test_serialized_contents", None)
    )
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def html_checker(browser):
    """The Nu HTML Checker, started once for the session. Missing, it fails the browser tests as
    a missing Chromium does: every journey page's HTML is checked, or the run says it was not."""
    unavailable = checker_unavailable()
    if unavailable:
        pytest.fail(unavailable)
    checker = NuHtmlChecker().start()
    yield checker
    checker.stop()


@pytest.fixture(scope="session")
def live_server_gate(live_server):
    """The live server, behind a gate that lets in only the running test's requests
    (live_server_gate.py says why)."""
    server = live_server.thread.httpd
    gate = LiveServerGate(server.get_app())
    server.set_app(gate)
    yield gate
    server.set_app(gate.app)


@pytest.fixture
def served(live_server, live_server_gate, serialized_rollback_ready, django_db_serialized_rollback):
    """The live server for this test, with its database: returns the generation the test's
    browser contexts carry. The live server needs a transactional database, whose flush after
    each test would take Wagtail's root page and site with it: serialized rollback puts them
    back."""
    yield live_server_gate.open()
    live_server_gate.shut()


@pytest.fixture
def served_to_anyone(
    live_server, live_server_gate, serialized_rollback_ready, django_db_serialized_rollback
):
    """As ``served``, for a test whose requests come from a browser of its own (Lighthouse)."""
    yield live_server_gate.open(only_marked=False)
    live_server_gate.shut()


@pytest.fixture
def new_page(browser, html_checker, live_server, served):
    """Open a page in a fresh browser context (a new person at a new computer)."""
    contexts, pages = [], []

    def open_page(*, width=1024, height=768):
        context = browser.new_context(
            base_url=live_server.url,
            accept_downloads=True,
            viewport={"width": width, "height": height},
        )
        context.add_cookies([{"name": GENERATION_COOKIE, "value": served, "url": live_server.url}])
        context.set_default_timeout(ELEMENT_TIMEOUT_MS)
        # A page's answer is awaited as long as a slow machine may need (an admin save writes
        # revisions and indexes as it goes); a wait for an element on a page already there stays
        # short, so that a missing one fails fast.
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER_JS)
        contexts.append(context)
        page = context.new_page()
        page.audit = AccessibilityAudit(page, html_checker)
        page.errors = PageErrors(page)
        pages.append(page)
        return page

    yield open_page
    try:
        for page in pages:
            # A console error, an uncaught exception or a blocked script fails the test.
            page.errors.assert_none()
            # A journey that reached a page of the service without running axe on it is unfinished.
            page.audit.assert_every_page_checked()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(autouse=True)
def _two_factor_set_up_not_walked(settings):
    """The journeys sign authors, auditors and administrators in with a password. Setting up an
    authenticator app, which production requires of them first, is walked once in
    test_mfa_enrolment.py (which switches the requirement back on) and tested without a browser
    in tests/people/test_mfa_required.py, so the other journeys start after it."""
    settings.LMS_MFA_REQUIRED_ROLES = []
    settings.LMS_MFA_REQUIRED_FOR_SUPERUSERS = False


@pytest.fixture
def page(new_page):
    return new_page()
