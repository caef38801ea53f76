"""Screenshots of the key pages of a running portal, for a person to look at.

    .venv/bin/python scripts/screenshots.py [BASE_URL]      (default http://127.0.0.1:8000)

Saves full-page PNGs at 1280 px and 375 px wide into var/screenshots/ with Debian's Chromium
(CHROMIUM_PATH overrides /usr/bin/chromium). Not a test: it never fails on what it sees.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import ConsoleMessage, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PAGES = {
    "home": "/",
    "province-PDV": "/territory/provinces/PDV/",
    "municipality-PDV22": "/territory/municipalities/PDV22/",
    "settlement-02974-bachkovo": "/territory/settlements/02974/",
    "search-plovdiv": "/search/?q=Plovdiv",
    "sign-in": "/accounts/login/",
    "directory-search": "/directory/?q=общински+съвет&province=PDV",
    "who-serves-56784": "/directory/who-serves/?settlement=56784",
    "print-PDV": "/directory/print/province/PDV/",
    "organisations-chitalishte": "/organisations/?q=читалище+Пловдив",
    "networks": "/organisations/networks/",
    "consultations": "/consultations/",
    "consultation-open": "/consultations/1/",
    "consultation-unit": "/consultations/1/units/chl-3/",
    "consultation-report": "/consultations/2/report/",
    "consultation-versions": "/consultations/3/versions/",
    "events": "/events/",
    "events-calendar": "/events/calendar/",
    "monitoring": "/monitoring/",
    "monitoring-requests": "/monitoring/requests/",
    "monitoring-request": "/monitoring/requests/1/",
    "monitoring-signals": "/monitoring/signals/",
    "monitoring-commitments": "/monitoring/commitments/",
    "monitoring-commitment": "/monitoring/commitments/1/",
    "monitoring-report": "/monitoring/reports/1/",
    "monitoring-responsiveness": "/monitoring/responsiveness/",
    "monitoring-methodology": "/monitoring/responsiveness/methodology/",
    "assessments": "/assessments/",
    "assessments-report": "/assessments/1/",
    "assessments-municipality": "/assessments/1/municipalities/PDV22/",
    "assessments-open": "/assessments/2/",
    "assessments-questionnaire": "/assessments/questionnaires/1/",
    "assessments-methodology": "/assessments/methodology/",
}
WIDTHS = {"desktop": 1280, "phone": 375}


def print_console_error(message: ConsoleMessage) -> None:
    if message.type == "error":
        print(f"  console error: {message.text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--lang", choices=["bg", "en"], default="bg")
    parser.add_argument("--only", default="", help="only the pages whose name starts with this")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    prefix = "/en" if args.lang == "en" else ""
    OUT.mkdir(parents=True, exist_ok=True)
    problems = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        for label, width in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            page.on("console", print_console_error)
            for name, path in PAGES.items():
                if not name.startswith(args.only):
                    continue
                response = page.goto(base + prefix + path)
                status = response.status if response else 0
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                target = OUT / f"{name}-{args.lang}-{label}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                note = f" HORIZONTAL OVERFLOW {overflow}px" if overflow > 0 else ""
                if status != 200 or overflow > 0:
                    problems += 1
                print(f"{status} {path} @ {width}px -> {target.relative_to(ROOT)}{note}")
            context.close()
        browser.close()
    print(f"{problems} page(s) with a non-200 status or horizontal overflow.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
