"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API keeps an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A phone: 360 px wide, as most parents use it.
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}, "locale": "zh-TW"}


@pytest.fixture
def captcha_test_mode():
    """The browser tests type PASSED into the captcha: dev/test settings' CAPTCHA_TEST_MODE=1."""
    from captcha.conf import settings as captcha_settings

    if not captcha_settings.CAPTCHA_TEST_MODE:
        pytest.fail("Run the browser tests with CAPTCHA_TEST_MODE=1 (bash .ci/dev test sets it).")


def assert_accessible(page):
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = Axe().run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == [], "\n".join(serious)


def assert_fits_the_screen(page):
    """Nothing forces sideways scrolling on a phone."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


@pytest.fixture(autouse=True)
def _live_server_rows(migrated_rows_kept):
    """The live server needs committed rows: real transactions, migrated rows restored."""


@pytest.fixture
def csp_violations():
    """Watch browser contexts for what the Content-Security-Policy refused (Chromium logs each
    refusal to the console); the test fails if anything was."""
    refused = []

    def watch(context):
        def on_console(message):
            if "Content Security Policy" in message.text:
                refused.append(f"{message.location.get('url', '')}: {message.text}")

        context.on("console", on_console)
        return context

    yield watch
    assert refused == [], "\n".join(refused)


@pytest.fixture
def context(context, csp_violations):
    """pytest-playwright's context (and so its ``page``), watched for CSP refusals."""
    return csp_violations(context)


# The parent pages on a phone: one without JavaScript, as a parent may have it, and one with it
# to run axe-core and measure the pages the other shows.


@pytest.fixture
def phone_without_javascript(browser, browser_context_args, csp_violations):
    context = csp_violations(browser.new_context(**browser_context_args, java_script_enabled=False))
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def inspector(browser, browser_context_args, csp_violations):
    """A phone with JavaScript, to run axe-core and measure pages the other one shows."""
    context = csp_violations(browser.new_context(**browser_context_args))
    yield context.new_page()
    context.close()
