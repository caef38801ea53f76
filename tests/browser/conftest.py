"""Real Chromium (Debian's) driven by Playwright against pytest-django's live server.

One browser for all the browser tests, a fresh context (cookies, storage) per test. Every page
a test visits is checked with axe-core (`support.check_a11y`), and tests fail on a console error
or a Content Security Policy violation the page reported (`BrowserPage.assert_clean_console`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    sync_playwright,
)

from tests.browser.support import CHROMIUM_ARGS, CHROMIUM_PATH, DESKTOP, BrowserPage


@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    """Playwright for the tests of this package only.

    Its sync API keeps an event loop running in the main thread, and Django then refuses ORM
    calls from that thread (the tests' own fixtures and factories, which are synchronous and
    safe) unless DJANGO_ALLOW_ASYNC_UNSAFE is set (scripts/test.sh sets it). Scoping both to
    this package stops the loop and restores the environment before any other test runs, so
    `manage.py check --deploy` in a later test never sees the variable.
    """
    if not os.path.exists(CHROMIUM_PATH):
        pytest.skip(f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium)")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="package")
def chromium(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def site(live_server: Any, territory: None) -> str:
    """The live server's base URL, with the real territory loaded in its database."""
    return str(live_server.url)


@pytest.fixture
def browser_page(chromium: Browser, site: str) -> Iterator[BrowserPage]:
    context = chromium.new_context(viewport=DESKTOP, locale="bg-BG")
    context.set_default_timeout(15_000)
    page = context.new_page()
    watched = BrowserPage(page=page, base_url=site)

    def on_console(msg: ConsoleMessage) -> None:
        text = f"[{msg.type}] {msg.text} ({msg.location.get('url', '')})"
        watched.console.append(text)
        if msg.type == "error":
            watched.errors.append(text)

    def on_page_error(exc: Error) -> None:
        watched.errors.append(f"[pageerror] {exc}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield watched
    context.close()


@pytest.fixture
def page(browser_page: BrowserPage) -> Page:
    return browser_page.page
