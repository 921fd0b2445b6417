"""Browser tests: Playwright's sync API driving Debian's chromium against live_server.

One browser per test session, a fresh context (cookies, storage) per test.
Screenshots go to /tmp/portal-shots/, never into the repository.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, and Django refuses
# ORM calls from a thread with a running loop unless told this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Browser tests get their own test database (test_<name>_e2e).

    live_server tests run with transaction=True, which truncates every table
    after each test; on a shared test_<name> that would wreck a unit-test run
    going on at the same time (and creating the database would collide with it).
    """
    from django.conf import settings

    for db in settings.DATABASES.values():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            continue
        test = db.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_e2e"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the e2e tests drive Debian's chromium. "
            "Install it with `apt-get install -y chromium` (not `playwright install`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    # No internet here: refuse the NHS font host at once rather than wait on DNS.
    context.route("https://assets.nhs.uk/**", lambda route: route.abort())
    yield context
    context.close()


# NHS.UK frontend's CSS loads the Frutiger web fonts from assets.nhs.uk (allowed
# by the CSP's font-src), which a test machine without internet cannot fetch;
# pages fall back to Arial. Only these failures are let through.
EXTERNAL_FONTS = "https://assets.nhs.uk/fonts/"


class PageProblems(list):
    """Console errors, uncaught exceptions and failed requests seen by a page."""

    def append(self, problem):
        if problem is not None and EXTERNAL_FONTS not in problem:
            super().append(problem)

    def describe(self):
        return "\n".join(self)


@pytest.fixture
def page(context):
    page = context.new_page()
    problems = PageProblems()

    def on_console(msg):
        if msg.type in ("error", "warning"):
            where = (msg.location or {}).get("url", "")
            problems.append(f"console {msg.type}: {msg.text} ({where})")

    def on_response(response):
        # Stylesheets, scripts, images: the page itself may be a 4xx on purpose.
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"uncaught exception: {exc}"))

    def on_request_failed(request):
        # ERR_ABORTED is the browser cancelling a request because the page moved on
        # (a form was submitted before the favicon arrived, say): not a fault.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    page.problems = problems
    yield page
    page.close()
