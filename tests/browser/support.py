"""Helpers of the browser tests: the watched page, the axe-core check, the overflow check."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
SMALL_PHONE = {"width": 320, "height": 640}
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class BrowserPage:
    """A Playwright page of the live server, with what its console said."""

    page: Page
    base_url: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    response: Response | None = None

    def goto(self, path: str) -> Page:
        self.response = self.page.goto(self.base_url + path)
        assert self.response is not None, path
        assert self.response.ok, f"{path}: HTTP {self.response.status}"
        return self.page

    def visit(self, path: str) -> Page:
        """Open a page of the live server and check its accessibility."""
        self.goto(path)
        check_a11y(self.page, path)
        return self.page

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]

    def assert_clean_console(self) -> None:
        assert not self.errors, "Console errors or uncaught exceptions:\n" + "\n".join(self.errors)
        assert not self.csp_violations(), "CSP violations:\n" + "\n".join(self.csp_violations())


# --- Accessibility ---------------------------------------------------------------------------

_axe = Axe()


def _format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            target = ", ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now.

    axe-playwright-python injects axe with `page.evaluate(source)`, which goes through the
    DevTools protocol and is not subject to the page's Content Security Policy, so the strict
    `script-src 'self'` needs no bypass and the page under test keeps its real CSP.
    """
    results = _axe.run(page)
    return list(results.response["violations"])


def check_a11y(page: Page, label: str = "") -> None:
    """Fail on any axe violation of impact "serious" or "critical" (others are printed)."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    minor = [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]
    where = label or page.url
    if minor:
        print(f"axe, minor issues on {where}:\n{_format_violations(minor)}")
    assert not blocking, (
        f"axe found {len(blocking)} serious/critical accessibility violation(s) on {where}:\n"
        + _format_violations(blocking)
    )


def assert_no_horizontal_scroll(page: Page, label: str = "") -> None:
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    scroll_width, inner_width = int(sizes[0]), int(sizes[1])
    if scroll_width > inner_width:
        wide = page.evaluate(
            """() => { const w = window.innerWidth; const out = [];
            for (const el of document.querySelectorAll('body *')) {
              const r = el.getBoundingClientRect();
              if (r.right > w + 1 && out.length < 8) {
                out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                  (el.className && typeof el.className === 'string' ?
                   '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                  ' right=' + Math.round(r.right));
              } }
            return out; }"""
        )
        raise AssertionError(
            f"{label or page.url}: horizontal scrolling at {inner_width}px "
            f"(scrollWidth {scroll_width}); elements past the edge: {wide}"
        )


def submit(page: Page, selector: str = "main form [type=submit]") -> None:
    page.locator(selector).first.click()
    page.wait_for_load_state()


def sign_in(page: Page, base_url: str, email: str, password: str = "") -> None:
    """Sign in with e-mail and password (the factories' password by default)."""
    import re

    from playwright.sync_api import expect

    from tests.factories.accounts import PASSWORD

    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password or PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).first.locator(
        "[type=submit]"
    ).first.click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def sign_in_with_totp(page: Page, base_url: str, email: str, password: str, secret: str) -> None:
    """Sign in as a person whose role requires two-factor authentication, typing the current
    TOTP code (waiting for the next one when this one would expire on the way)."""
    import re
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from playwright.sync_api import expect

    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.2)
    page.locator("input[name=code]").fill(
        format_hotp_value(hotp_value(secret, int(time.time()) // period))
    )
    submit(page)
    expect(page).to_have_url(re.compile(r"/profile/$"))
