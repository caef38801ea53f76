"""A registration burst: BURST_PEOPLE generated people register at the same moment for one
event with BURST_PLACES places, through the real server (gunicorn, as `make bench` serves it).

Each person is signed in with a session made directly in the benchmarked database (generated
people have no usable password), fetches the registration form once (its CSRF cookie and
token), then all of them wait on one barrier and POST the form together, each on its own
connection. What is measured is the POSTs: the seconds from the release until the last answer,
and the latency of each registration (p50, p95, max). Then the database must hold exactly
BURST_PLACES confirmed and the rest on the waiting list, in one registration per person, with
the event's stored counters agreeing: nobody lost, nobody twice, no place given twice.

    .venv/bin/python bench/registration_burst.py                 # own server on bench/var DB
    .venv/bin/python bench/registration_burst.py --database-url postgres://.../eregion_bench
    .venv/bin/python bench/registration_burst.py --base-url http://127.0.0.1:8123  # running one

The event (bench/generate_events.BURST_ID) is reset before each run (its registrations
removed, registration open), so the burst can be repeated. Needs the dataset of
bench/generate.py. Prints `BURST_JSON {...}`; exits non-zero when the check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import EMAIL_DOMAIN  # noqa: E402
from bench.generate_events import BURST_ID, BURST_PLACES  # noqa: E402

BURST_PEOPLE = 200
TIMEOUT = 120.0


class FormFields(HTMLParser):
    """The fields of the page's POST form, with the values the page gives them (the name is
    filled in from the account; the honeypot stays empty)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.in_form = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.in_form = True
        elif self.in_form and tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[a["name"]] = a.get("value", "")
        elif self.in_form and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.in_form = False


@dataclass
class Person:
    user_id: int
    name: str
    cookies: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    status: int = 0
    seconds: float = 0.0
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the redirect to the registration is the answer measured


_opener = urllib.request.build_opener(_NoRedirect)


def _request(person: Person, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in person.cookies.items()))
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            status, headers, text = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, headers, text = exc.code, exc.headers, exc.read()
    for header in headers.get_all("Set-Cookie") or []:
        for key, morsel in SimpleCookie(header).items():
            person.cookies[key] = morsel.value
    return int(status), text.decode("utf-8", "replace")


# --- In the benchmarked database ------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def reset_event() -> None:
    """The burst's event with no registrations, registration open, BURST_PLACES places."""
    import datetime

    from django.utils import timezone

    from events.models import (
        Attendance,
        Certificate,
        Event,
        Feedback,
        Registration,
        RegistrationChange,
    )

    event = Event.objects.filter(pk=BURST_ID).first()
    if event is None:
        raise SystemExit(f"No event {BURST_ID}: build the dataset first (bench/generate.py).")
    registrations = Registration.objects.filter(event_id=BURST_ID).values("pk")
    for qs in (
        Certificate.objects.filter(registration__in=registrations),
        Feedback.objects.filter(registration__in=registrations),
        Attendance.objects.filter(registration__in=registrations),
        RegistrationChange.objects.filter(registration__in=registrations),
        Registration.objects.filter(event_id=BURST_ID),
    ):
        qs._raw_delete(qs.db)
    now = timezone.now()
    Event.objects.filter(pk=BURST_ID).update(
        state="published",
        capacity=BURST_PLACES,
        requires_approval=False,
        audience="everyone",
        confirmed_count=0,
        waiting_count=0,
        pending_count=0,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=max(event.starts_at, now + datetime.timedelta(days=2))
        - datetime.timedelta(days=1),
        starts_at=max(event.starts_at, now + datetime.timedelta(days=2)),
        ends_at=max(event.ends_at, now + datetime.timedelta(days=2, hours=6)),
    )


def signed_in_people(count: int) -> list[Person]:
    """Generated people, each with a new session of the portal (as after signing in)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    store = import_module(settings.SESSION_ENGINE).SessionStore
    users = list(
        get_user_model()
        .objects.filter(email__endswith="@" + EMAIL_DOMAIN, is_active=True)
        .order_by("email")[:count]
    )
    if len(users) < count:
        raise SystemExit(f"Only {len(users)} generated people: the burst needs {count}.")
    people = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append(
            Person(
                user.pk,
                user.get_full_name(),
                cookies={settings.SESSION_COOKIE_NAME: str(session.session_key)},
            )
        )
    return people


def outcome(people: list[Person]) -> dict[str, Any]:
    from django.db.models import Count

    from events.enums import RegistrationState
    from events.models import Event, Registration, RegistrationChange

    event = Event.objects.get(pk=BURST_ID)
    rows = Registration.objects.filter(event_id=BURST_ID)
    states = dict(rows.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    per_person = rows.values("user").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {
        "confirmed": states.get(RegistrationState.CONFIRMED, 0),
        "waiting": states.get(RegistrationState.WAITING, 0),
        "other_states": {
            k: v
            for k, v in states.items()
            if k not in (RegistrationState.CONFIRMED, RegistrationState.WAITING)
        },
        "registered_people": rows.values("user").distinct().count(),
        "people_twice": per_person,
        "history_rows": RegistrationChange.objects.filter(registration__event_id=BURST_ID).count(),
        "counters": [event.confirmed_count, event.waiting_count, event.pending_count],
    }


# --- Over HTTP ------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def fetch_forms(base: str, people: list[Person], threads: int = 16) -> None:
    url = f"{base}/events/{BURST_ID}/register/"
    queue = list(people)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                person = queue.pop()
            status, html = _request(person, url)
            if status != 200:
                person.error = f"form: HTTP {status}"
                continue
            parser = FormFields()
            parser.feed(html)
            person.form = parser.fields
            if "csrfmiddlewaretoken" not in person.form:
                person.error = "form: no CSRF token (already registered, or refused?)"
            elif not person.form.get("name"):
                person.form["name"] = person.name

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def post_all(base: str, people: list[Person]) -> float:
    """Every person POSTs the form at once; the seconds from the release to the last answer."""
    url = f"{base}/events/{BURST_ID}/register/"
    ready = [p for p in people if not p.error]
    barrier = threading.Barrier(len(ready) + 1)

    def work(person: Person) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            person.status, html = _request(person, url, person.form)
        except OSError as exc:
            person.error = f"post: {exc}"
        else:
            if person.status != 302:
                found = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
                person.error = f"post: HTTP {person.status} " + (
                    re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))[:200]
                    if found
                    else ""
                )
        person.seconds = time.perf_counter() - started

    pool = [threading.Thread(target=work, args=(p,)) for p in ready]
    for t in pool:
        t.start()
    barrier.wait()
    released = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - released


def burst(base: str, count: int = BURST_PEOPLE) -> dict[str, Any]:
    """Reset the event, sign people in, fetch the forms, POST them all at once, check."""
    reset_event()
    people = signed_in_people(count)
    fetch_forms(base, people)
    seconds = post_all(base, people)
    latencies = [p.seconds for p in people if p.status]
    result: dict[str, Any] = {
        "people": count,
        "places": BURST_PLACES,
        "seconds": round(seconds, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "registered_per_second": round(len(latencies) / seconds, 1) if seconds else None,
        "errors": len([p for p in people if p.error]),
        "first_errors": sorted({p.error for p in people if p.error})[:5],
    }
    result.update(outcome(people))
    waiting = count - BURST_PLACES
    result["ok"] = (
        result["errors"] == 0
        and result["confirmed"] == BURST_PLACES
        and result["waiting"] == waiting
        and result["registered_people"] == count
        and result["people_twice"] == 0
        and result["counters"] == [BURST_PLACES, waiting, 0]
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="", help="a server already running (else own)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="the benchmarked database (default: sqlite in bench/var/bench.sqlite3)",
    )
    parser.add_argument("--people", type=int, default=BURST_PEOPLE)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (own server)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (own server)")
    args = parser.parse_args(argv)

    from bench import run

    database_url = args.database_url or f"sqlite:///{run.VAR / 'bench.sqlite3'}"
    parsed = urllib.parse.urlparse(database_url)
    if parsed.scheme.startswith("sqlite") and Path(parsed.path).resolve() == ROOT / "var" / (
        "db.sqlite3"
    ):
        run.log("Refusing to register generated people in the development database.")
        return 2
    env = run.server_env(database_url)
    os.environ.update({"DATABASE_URL": database_url, "DEBUG": "0"})
    _django()
    server = None
    base = args.base_url.rstrip("/")
    if not base:
        port = run.free_port()
        base = f"http://127.0.0.1:{port}"
        server = run.start_server(env, port, args.workers, args.threads)
    try:
        if server is not None:
            run.wait_until_up(base, server)
        run.log(f"→ registration burst: {args.people} people, {BURST_PLACES} places, {base}")
        result = burst(base, args.people)
    finally:
        if server is not None:
            run.stop_server(server)
    run.log(
        f"  {result['people']} registrations in {result['seconds']} s, p95 "
        f"{result['p95_ms']} ms; {result['confirmed']} confirmed + {result['waiting']} waiting"
        f"{'' if result['ok'] else '  FAILED'}"
    )
    print("BURST_JSON " + json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
