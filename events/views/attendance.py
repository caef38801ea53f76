"""Attendance: the organiser's check-in list at the door, the attendance report, the
participant list as CSV and the attendance sheet for signing as PDF.

Every page here is the organiser's (`events.manage_event`): a person who may not see the event
at all gets 404, one who may see it but not manage it 403. The check-in list is built for a
phone held at the door: one column, one big button per person, a plain GET search by name
(Cyrillic or Latin, core.translit) or registration code, and forms that work without
JavaScript; after each check-in the page comes back at the same person (an anchor).

Queries are a fixed number per page, whatever the number of participants: the event, the
permission check, the confirmed registrations, the attendance rows of the event (or the day).
"""

from __future__ import annotations

import csv
import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.legal_calendar import SOFIA
from core.ratelimit import ratelimit
from core.translit import transliterate
from events import printing, services
from events.enums import ACTIVE_REGISTRATION_STATES, RegistrationState
from events.models import Attendance, Event, Registration

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
MAX_QUERY = 100  # a longer search is cut: nobody's name or code is that long
# Check-in at the door: a few hundred people in an hour, each perhaps undone once.
checkin_limit = ratelimit("events-attendance", limit=1000, period=3600)
# The attendance sheet is laid out in the request (a few pages, well under a second), but
# WeasyPrint's CPU is shared: a stop for scripts, never reached by an organiser.
sheet_limit = ratelimit("events-attendance-sheet", limit=30, period=600, methods=("GET",))
_CODE_CHARS = re.compile(r"[^0-9A-Z]")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- helpers ---------------------------------------------------------------------------------


def _managed_event(request: HttpRequest, pk: int) -> Event:
    """The event, for its organiser: 404 for those who may not even see it, 403 for the
    others who may see it but not manage it."""
    if pk > MAX_ID:
        raise Http404
    qs = Event.objects.select_related(
        "institution", "organisation", "network__coordinator", "settlement"
    )
    event = get_object_or_404(qs, pk=pk)
    if not request.user.has_perm("events.view_event", event):
        raise Http404
    if not request.user.has_perm("events.manage_event", event):
        raise PermissionDenied
    return event


def _user(request: HttpRequest) -> User:
    # login_required let only signed-in people in.
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def parse_day(text: str | None) -> datetime.date | None:
    """A YYYY-MM-DD day, or None when it is not one."""
    if not text or not _DAY.fullmatch(text.strip()):
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:  # 2026-02-30
        return None


def sofia_today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def default_day(event: Event) -> datetime.date:
    """Today while the event runs, else its first day."""
    today = sofia_today()
    days = event.days
    return today if today in days else days[0]


def day_label(day: datetime.date) -> str:
    return date_format(day, "d.m.Y")


def time_label(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, SOFIA).strftime("%H:%M")


def matches(registration: Registration, query: str) -> bool:
    """Whether the search `query` finds this person: every word of it in the name (Cyrillic
    or Latin alike, case ignored), or the query is (part of) the registration code."""
    terms = transliterate(query).split()
    name = transliterate(registration.name)
    if terms and all(term in name for term in terms):
        return True
    code = _CODE_CHARS.sub("", query.upper())
    # A short run of letters would find codes at random; four characters say "a code".
    return len(code) >= 4 and code in registration.code


def _list_url(event: Event, day: datetime.date | None, query: str = "", anchor: str = "") -> str:
    params: dict[str, str] = {}
    if day is not None:
        params["day"] = day.isoformat()
    if query:
        params["q"] = query
    url = reverse("events:attendance", args=[event.pk])
    if params:
        url += "?" + urlencode(params)
    return url + (f"#{anchor}" if anchor else "")


def _crumbs(event: Event, title: str) -> list[tuple[str, str]]:
    return [
        (_("Events"), reverse("events:index")),
        (event.title, event.get_absolute_url()),
        (_("Manage"), reverse("events:manage", args=[event.pk])),
        (title, ""),
    ]


def _confirmed(event: Event) -> list[Registration]:
    return list(
        event.registrations.filter(state=RegistrationState.CONFIRMED)
        .only("pk", "code", "name", "organisation_name", "state", "event_id")
        .order_by("name", "pk")
    )


# --- the check-in list -----------------------------------------------------------------------


@dataclass
class Person:
    registration: Registration
    attendance: Attendance | None

    @property
    def anchor(self) -> str:
        return f"p-{self.registration.code}"

    @property
    def time(self) -> str:
        return time_label(self.attendance.checked_in_at) if self.attendance else ""


@login_required
@require_GET
def attendance_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    days = event.days
    asked = request.GET.get("day", "")
    day = parse_day(asked)
    day_error = ""
    if asked and (day is None or day not in days):
        day_error = _("“%(day)s” is not a day of this event. Choose one of the days below.") % {
            "day": asked[:20]
        }
        day = None
    if day is None:
        day = default_day(event)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]

    registrations = _confirmed(event)
    present = {
        a.registration_id: a
        for a in Attendance.objects.filter(
            registration__event=event,
            registration__state=RegistrationState.CONFIRMED,
            day=day,
        )
    }
    people = [Person(r, present.get(r.pk)) for r in registrations if not query or matches(r, query)]
    title = _("Attendance")
    return render(
        request,
        "events/attendance/list.html",
        {
            "event": event,
            "day": day,
            "days": [(d, day_label(d), d == day) for d in days],
            "day_error": day_error,
            "query": query,
            "people": people,
            "present_count": len(present),
            "confirmed_count": len(registrations),
            "breadcrumbs": _crumbs(event, title),
            "title": title,
        },
    )


@login_required
@checkin_limit
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    query = request.POST.get("q", "").strip()[:MAX_QUERY]
    typed_day = request.POST.get("day", "")
    day = parse_day(typed_day)
    if day is None or day not in event.days:
        messages.error(
            request,
            _("“%(day)s” is not a day of this event: nobody was checked in.")
            % {"day": typed_day[:20]},
        )
        return HttpResponseRedirect(_list_url(event, None, query))
    typed_code = request.POST.get("code", "").strip()[:20]
    code = _CODE_CHARS.sub("", typed_code.upper())
    registration = (
        event.registrations.filter(code=code, state=RegistrationState.CONFIRMED).first()
        if code
        else None
    )
    if registration is None:
        messages.error(
            request,
            _("No confirmed participant of this event has the registration code “%(code)s”.")
            % {"code": typed_code},
        )
        return HttpResponseRedirect(_list_url(event, day, query))
    undo = request.POST.get("undo", "") not in ("", "0", "false")
    try:
        if undo:
            services.undo_check_in(registration, day)
        else:
            attendance = services.check_in(registration, day, by=_user(request))
    except services.RegistrationError as error:
        messages.error(request, str(error))
    else:
        if undo:
            text = _("%(name)s: check-in on %(day)s undone.")
            messages.success(request, text % {"name": registration.name, "day": day_label(day)})
        else:
            text = _("%(name)s: present on %(day)s, checked in at %(time)s.")
            messages.success(
                request,
                text
                % {
                    "name": registration.name,
                    "day": day_label(day),
                    "time": time_label(attendance.checked_in_at),
                },
            )
    return HttpResponseRedirect(_list_url(event, day, query, f"p-{registration.code}"))


# --- the attendance report -------------------------------------------------------------------


@dataclass
class ReportRow:
    registration: Registration
    # Per day of the event, in order: the time of check-in ("" when absent).
    marks: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[str, str]]:
        """(day, time of check-in) for the table."""
        return list(zip(self.labels, self.marks, strict=True))

    @property
    def all_days(self) -> bool:
        return all(self.marks)

    @property
    def cancelled(self) -> bool:
        return self.registration.state != RegistrationState.CONFIRMED


def _attended(event: Event) -> dict[int, dict[datetime.date, Attendance]]:
    """Each registration's attendance rows by day (one query for the whole event)."""
    by_registration: dict[int, dict[datetime.date, Attendance]] = defaultdict(dict)
    for a in Attendance.objects.filter(registration__event=event).only(
        "registration_id", "day", "checked_in_at"
    ):
        by_registration[a.registration_id][a.day] = a
    return by_registration


def _report_registrations(event: Event) -> list[Registration]:
    """Confirmed participants, and anyone who was checked in and cancelled later: what
    happened at the event is reported as it happened."""
    attended = Attendance.objects.filter(registration=OuterRef("pk"))
    return list(
        event.registrations.filter(Q(state=RegistrationState.CONFIRMED) | Exists(attended))
        .only("pk", "code", "name", "organisation_name", "state", "event_id")
        .order_by("name", "pk")
    )


@login_required
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    days = event.days
    attended = _attended(event)
    labels = [day_label(d) for d in days]
    rows = []
    for registration in _report_registrations(event):
        mine = attended.get(registration.pk, {})
        marks = [time_label(mine[d].checked_in_at) if d in mine else "" for d in days]
        rows.append(ReportRow(registration, marks, labels))
    confirmed = sum(1 for r in rows if not r.cancelled)
    per_day = [
        {
            "day": d,
            "label": labels[n],
            "present": sum(1 for r in rows if r.marks[n]),
            "sheet_url": reverse("events:attendance-sheet", args=[event.pk])
            + f"?day={d.isoformat()}",
            "list_url": _list_url(event, d),
        }
        for n, d in enumerate(days)
    ]
    title = _("Attendance report")
    return render(
        request,
        "events/attendance/report.html",
        {
            "event": event,
            "rows": rows,
            "per_day": per_day,
            "confirmed_count": confirmed,
            "all_days_count": sum(1 for r in rows if r.all_days),
            "multi_day": len(days) > 1,
            "breadcrumbs": _crumbs(event, title),
            "title": title,
        },
    )


# --- the participant list as CSV -------------------------------------------------------------

# A cell starting with one of these is a formula to a spreadsheet ("CSV injection"): such a
# cell gets a leading apostrophe. Names and answers are typed by the public.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    """A file-like object whose write() returns the line csv.writer gives it."""

    def write(self, value: str) -> str:
        return value


def csv_columns() -> list[str]:
    return [
        _("Registration code"),
        _("Name"),
        _("Organisation"),
        _("Position"),
        _("State"),
        _("Registered at"),
        _("Accessibility needs"),
        _("Answer"),
        _("Days present"),
    ]


def csv_notice(event: Event) -> str:
    return _(
        "Personal data (GDPR): use this list only for organising the event no. %(id)s and "
        "delete it when it is no longer needed for that purpose; do not pass it on."
    ) % {"id": event.pk}


def _csv_lines(
    head: list[list[str]],
    states: dict[str, str],
    registrations: Iterable[Registration],
    days: dict[int, list[datetime.date]],
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark lets spreadsheets read the Cyrillic.
    yield "\ufeff" + "".join(writer.writerow(row) for row in head)
    for r in registrations:
        registered = timezone.localtime(r.created_at, SOFIA).strftime("%d.%m.%Y %H:%M")
        attended = ", ".join(day_label(d) for d in sorted(days.get(r.pk, [])))
        row = [
            r.code,
            r.name,
            r.organisation_name,
            r.position,
            states.get(r.state, r.state),
            registered,
            r.accessibility_needs,
            r.answer,
            attended,
        ]
        yield writer.writerow([_cell(v) for v in row])


@login_required
@require_GET
def participants_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    event = _managed_event(request, pk)
    days: dict[int, list[datetime.date]] = defaultdict(list)
    for registration_id, day in Attendance.objects.filter(registration__event=event).values_list(
        "registration_id", "day"
    ):
        days[registration_id].append(day)
    attended = Attendance.objects.filter(registration=OuterRef("pk"))
    # Active registrations (and anyone checked in who cancelled later); people who cancelled
    # or were declined before the event are no one's business any more.
    registrations = (
        event.registrations.filter(Q(state__in=ACTIVE_REGISTRATION_STATES) | Exists(attended))
        .order_by("state", "name", "pk")
        .iterator(chunk_size=500)
    )
    # Translated now, in the request's language: the lines are written later, as the
    # response streams. The notice comes first so that whoever opens the file sees it.
    head = [[csv_notice(event)], csv_columns()]
    states = {value: str(label) for value, label in RegistrationState.choices}
    response = StreamingHttpResponse(
        _csv_lines(head, states, registrations, days), content_type="text/csv; charset=utf-8"
    )
    # No personal data in the file's name: it ends up in download folders and logs.
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-participants.csv"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- the attendance sheet (PDF) --------------------------------------------------------------


@login_required
@sheet_limit
@require_GET
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    asked = request.GET.get("day", "")
    day = parse_day(asked) if asked else event.days[0]
    if day is None or day not in event.days:
        messages.error(
            request,
            _("“%(day)s” is not a day of this event. Choose one of the days below.")
            % {"day": asked[:20]},
        )
        return HttpResponseRedirect(reverse("events:attendance-report", args=[event.pk]))
    data = printing.attendance_sheet_pdf(event, day)
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"event-{event.pk}-attendance-{day.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


urlpatterns: list[URLPattern] = [
    path("<int:pk>/attendance/", attendance_list, name="attendance"),
    path("<int:pk>/attendance/check-in/", check_in, name="check-in"),
    path("<int:pk>/attendance/report/", report, name="attendance-report"),
    path("<int:pk>/participants.csv", participants_csv, name="participants-csv"),
    path("<int:pk>/attendance-sheet.pdf", attendance_sheet, name="attendance-sheet"),
]
