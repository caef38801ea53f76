"""Queries behind the public pages of events: the filtered list, the month calendar, an
event's page and a programme's live progress, plus the short texts those pages show for an
event (when it takes place, where, whether one can still register).

Every function runs a fixed number of queries, however many events, registrations or
attendance rows there are: rows are loaded with their organiser and place in one query, and
the programme's progress is counted from one aggregated query over its registrations.
"""

from __future__ import annotations

import calendar as calendar_mod
import datetime
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from core import search as search_index
from core.legal_calendar import SOFIA
from directory.models import Institution
from events.enums import ACTIVE_REGISTRATION_STATES, Format, Kind, RegistrationState, State
from events.models import (
    Certificate,
    Event,
    EventQuerySet,
    Programme,
    Registration,
    Session,
    Strand,
)
from organisations.models import Network, Organisation
from territory.models import Municipality

PUBLIC_STATES = (State.PUBLISHED, State.CANCELLED)
ORGANISER_KINDS = ("institution", "organisation", "network")
# Matches events.search.KIND (not imported: the search module imports this one's callers).
SEARCH_KIND = "events.event"

# What a list row or a calendar cell shows, and nothing more (the description can be long).
ROW_FIELDS = (
    "pk",
    "kind",
    "title",
    "state",
    "format",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "confirmed_count",
    "registration_opens_at",
    "registration_closes_at",
    "audience",
    "institution_id",
    "organisation_id",
    "network_id",
    "settlement_id",
    "institution__id",
    "institution__name_bg",
    "institution__name_en",
    "organisation__id",
    "organisation__name",
    "organisation__name_en",
    "organisation__legal_form",
    "network__id",
    "network__name",
    "settlement__ekatte",
    "settlement__name_bg",
    "settlement__name_en",
    "settlement__type_abbr",
)


def now_in_sofia() -> datetime.datetime:
    return timezone.now().astimezone(SOFIA)


# --- the list and its filters ----------------------------------------------------------------


def parse_organiser(value: str) -> tuple[str, int] | None:
    """ "institution-12" → ("institution", 12); anything else → None."""
    kind, _sep, pk = (value or "").partition("-")
    if kind not in ORGANISER_KINDS or not pk.isdigit() or len(pk) > 18:
        return None
    return kind, int(pk)


def filtered(filters: dict[str, Any], qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Public events matching the filters of the list or the calendar (not yet ordered)."""
    qs = Event.objects.public() if qs is None else qs
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("province"):
        code = filters["province"]
        qs = qs.filter(Q(province_id=code) | Q(municipality__province_id=code))
    if filters.get("municipality"):
        qs = qs.filter(municipality_id=filters["municipality"])
    if filters.get("topic"):
        through = Event.topics.through.objects.filter(topic__slug=filters["topic"])
        qs = qs.filter(pk__in=through.values("event_id"))
    organiser = filters.get("organiser")
    if organiser:
        kind, pk = organiser
        qs = qs.filter(**{f"{kind}_id": pk})
    if filters.get("q"):
        ids = (
            search_index.matching(filters["q"], kind=SEARCH_KIND)
            .order_by()
            .annotate(eid=Cast("object_id", IntegerField()))
            .values("eid")
        )
        qs = qs.filter(pk__in=ids)
    return qs


def for_rows(qs: QuerySet[Event]) -> QuerySet[Event]:
    """Only what a row shows, with the organiser and the settlement in the same query."""
    return qs.select_related("institution", "organisation", "network", "settlement").only(
        *ROW_FIELDS
    )


def listed(filters: dict[str, Any], now: datetime.datetime | None = None) -> QuerySet[Event]:
    """The list: upcoming (still going on or to come) soonest first, or past latest first."""
    qs = cast(EventQuerySet, filtered(filters))
    if filters.get("when") == "past":
        return for_rows(qs.past(now)).order_by("-starts_at", "-pk")
    return for_rows(qs.upcoming(now)).order_by("starts_at", "pk")


# --- what a row says -------------------------------------------------------------------------

# An id no event has, replaced in one reversed address by each row's own (a reverse per row
# costs more than the rest of the row).
URL_PLACEHOLDER = 987654321


def _date(moment: datetime.datetime) -> str:
    return f"{moment.astimezone(SOFIA):%d.%m.%Y}"


def _time(moment: datetime.datetime) -> str:
    return f"{moment.astimezone(SOFIA):%H:%M}"


def when_text(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    """ "12.12.2026 г., 09:30 – 17:00 ч." or, over several days,
    "12.12.2026 г., 09:30 ч. – 13.12.2026 г., 16:30 ч." (Sofia time)."""
    start, end = starts_at.astimezone(SOFIA), ends_at.astimezone(SOFIA)
    if start.date() == end.date():
        return _("%(date)s, %(start)s–%(end)s h") % {
            "date": _date(start),
            "start": _time(start),
            "end": _time(end),
        }
    return _("%(first)s, %(start)s h – %(last)s, %(end)s h") % {
        "first": _date(start),
        "start": _time(start),
        "last": _date(end),
        "end": _time(end),
    }


def time_text(value: datetime.time) -> str:
    return _("%(time)s h") % {"time": f"{value:%H:%M}"}


def place_text(event: Event) -> str:
    """The venue and settlement, "online", or both for a hybrid event."""
    where = ", ".join(
        p for p in (event.venue, event.settlement.name if event.settlement else "") if p
    )
    if event.format == Format.ONLINE:
        return _("online")
    if event.format == Format.HYBRID:
        return _("%(place)s and online") % {"place": where} if where else _("online")
    return where


@dataclass(frozen=True)
class Status:
    """Whether one can register, as a short text with a tag style (the text carries the
    meaning; the colour only repeats it)."""

    text: str
    tag: str
    open: bool = False


def registration_status(event: Event, now: datetime.datetime | None = None) -> Status:
    now = now or timezone.now()
    if event.state == State.CANCELLED:
        return Status(pgettext("event", "cancelled"), "tag-red")
    if event.state != State.PUBLISHED:
        return Status(str(State(event.state).label), "tag-grey")
    if event.ends_at < now:
        return Status(_("has taken place"), "tag-grey")
    # As events.services.registration_refusal: without a closing time, registration closes
    # when the event starts.
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        return Status(_("registration closed"), "tag-grey")
    if event.registration_opens_at and now < event.registration_opens_at:
        return Status(
            _("registration opens on %(date)s") % {"date": _date(event.registration_opens_at)},
            "tag-blue",
        )
    left = event.places_left
    if left == 0:
        return Status(_("full — waiting list"), "tag-blue", open=True)
    if left is not None:
        return Status(
            ngettext("%(n)d place left", "%(n)d places left", left) % {"n": left},
            "tag-green",
            open=True,
        )
    return Status(_("registration open"), "tag-green", open=True)


def decorate(events: list[Event], now: datetime.datetime | None = None) -> list[Event]:
    """Attach what a row shows: when, where, the registration status, and its address, kind
    and start as written out (_event_row.html: no reverse or choice lookup per row)."""
    now = now or timezone.now()
    pattern = reverse("events:detail", args=[URL_PLACEHOLDER])
    kinds = dict(Kind.choices)
    for e in events:
        e.url = pattern.replace(str(URL_PLACEHOLDER), str(e.pk))  # type: ignore[attr-defined]
        e.kind_text = str(kinds.get(e.kind, e.kind))  # type: ignore[attr-defined]
        e.starts_iso = timezone.localtime(e.starts_at).isoformat()  # type: ignore[attr-defined]
        e.when_text = when_text(e.starts_at, e.ends_at)  # type: ignore[attr-defined]
        e.place_text = place_text(e)  # type: ignore[attr-defined]
        e.status = registration_status(e, now)  # type: ignore[attr-defined]
        e.organiser_name = organiser_name(e)  # type: ignore[attr-defined]
    return events


def organiser_name_of(organiser: Any) -> str:
    """An institution's, organisation's or network's name as its pages show it."""
    return str(getattr(organiser, "display_name", None) or getattr(organiser, "name", organiser))


def organiser_name(event: Event) -> str:
    return organiser_name_of(event.organiser)


# --- the organisers of the filters -----------------------------------------------------------

# The institutions, organisations and networks with public events in an area change only when
# an event is saved (events.apps connects `forget_public_organisers`, which moves the cached
# lists' version on); finding them scans the area's events, so the filter keeps them. Bulk
# loads raise no signal: they show within the timeout.
LISTS_CACHE_SECONDS = 600
# Raised whenever an event is saved or deleted: the cached organisers and months follow.
LISTS_VERSION = "events:lists-version"


def lists_version() -> int:
    """The lists' version. When it is lost (it expires: the database cache gives a raised
    version its default timeout, shorter than the months'; or evicted) it starts again from
    the clock, never at a number whose months may still be in the cache."""
    return cast(int, cache.get_or_set(LISTS_VERSION, time.time_ns, timeout=None))


def public_organisers(area: str) -> list[tuple[str, str]]:
    """(`institution-12`, name) for every organiser of a public event in `area` (a province
    or municipality code), in name order."""
    key = f"events:organisers:{lists_version()}:{get_language() or 'bg'}:{area}"
    found: list[tuple[str, str]] | None = cache.get(key)
    if found is not None:
        return found
    public = Event.objects.public().filter(Q(municipality_id=area) | Q(province_id=area))
    found = [
        (f"institution-{i.pk}", i.name)
        for i in Institution.objects.filter(pk__in=public.values("institution_id"))
        .only("pk", "name_bg", "name_en")
        .order_by("name_bg", "pk")
    ]
    found += [
        (f"organisation-{o.pk}", o.display_name)
        for o in Organisation.objects.filter(pk__in=public.values("organisation_id"))
        .only("pk", "name", "name_en", "legal_form")
        .order_by("name", "pk")
    ]
    found += [
        (f"network-{n.pk}", n.name)
        for n in Network.objects.filter(pk__in=public.values("network_id"))
        .only("pk", "name")
        .order_by("name", "pk")
    ]
    cache.set(key, found, LISTS_CACHE_SECONDS)
    return found


def forget_public_organisers(**kwargs: Any) -> None:
    """post_save / post_delete of an event: every area's organisers and every month are
    found again."""
    try:
        cache.incr(LISTS_VERSION)
    except ValueError:  # not there (yet, or any more): see lists_version
        cache.set(LISTS_VERSION, time.time_ns(), timeout=None)


# --- the month calendar ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An event as a day of the calendar shows it (plain values: a busy month has hundreds)."""

    pk: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    cancelled: bool

    @property
    def starts_on(self) -> datetime.date:
        return self.starts_at.astimezone(SOFIA).date()

    @property
    def ends_on(self) -> datetime.date:
        return self.ends_at.astimezone(SOFIA).date()


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    events: list[Entry] = field(default_factory=list)
    more: int = 0  # beyond DAY_LIMIT: in the month's list under the calendar


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]
    count: int  # the month's events (the list under the calendar pages through them)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(
            self.year, self.month, calendar_mod.monthrange(self.year, self.month)[1]
        )

    @property
    def previous(self) -> str:
        day = self.first - datetime.timedelta(days=1)
        return f"{day:%Y-%m}"

    @property
    def next(self) -> str:
        days = calendar_mod.monthrange(self.year, self.month)[1]
        return f"{self.first + datetime.timedelta(days=days):%Y-%m}"


# Far beyond any calendar anyone pages to; keeps dates and SQL inside their ranges.
MIN_YEAR, MAX_YEAR = 1990, 2200
# Events shown in one day's cell; the rest are counted there and listed under the calendar
# (a region's busy month has hundreds of events: the grid stays readable and cheap).
DAY_LIMIT = 4


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=SOFIA)


def month_key(year: int, month: int, filters: dict[str, Any]) -> str:
    """The cache key of a month as shown today with these filters, under the lists' version
    (an event saved or deleted moves it on): its grid (`month_of`) and its rendered table."""
    spec = json.dumps(
        [lists_version(), year, month, f"{now_in_sofia():%Y-%m-%d}",
         sorted(filters.items())], default=str,
    )  # fmt: skip
    return "events:month:" + hashlib.sha256(spec.encode()).hexdigest()[:32]


def month_of(year: int, month: int, filters: dict[str, Any], key: str | None = None) -> Month:
    """`month_grid`, kept in the cache until an event is saved (the same for everyone: a busy
    month of a region is a thousand events to sort into days). `key`: `month_key`'s, when
    the caller has it already."""
    key = key or month_key(year, month, filters)
    found: Month | None = cache.get(key)
    if found is None:
        found = month_grid(year, month, filters)
        cache.set(key, found, LISTS_CACHE_SECONDS)
    return found


def month_grid(year: int, month: int, filters: dict[str, Any]) -> Month:
    """The month as weeks of Monday to Sunday; each day lists the events taking place on it
    (an event of several days on each of them), at most DAY_LIMIT. One query of plain values
    however many events."""
    weeks_dates = calendar_mod.Calendar(firstweekday=0).monthdatescalendar(year, month)
    # Only the month's own days list events (the days of the weeks around it are greyed):
    # a busy month has a thousand, and the neighbours' would double them.
    first_shown = datetime.date(year, month, 1)
    last_shown = first_shown + datetime.timedelta(days=calendar_mod.monthrange(year, month)[1] - 1)
    start, end = _midnight(first_shown), _midnight(last_shown + datetime.timedelta(days=1))
    rows = [
        Entry(pk, title, starts_at, ends_at, state == State.CANCELLED)
        for pk, title, starts_at, ends_at, state in cast(EventQuerySet, filtered(filters))
        .overlapping(start, end)
        .order_by("starts_at", "pk")
        .values_list("pk", "title", "starts_at", "ends_at", "state")
    ]
    by_day: dict[datetime.date, list[Entry]] = defaultdict(list)
    for e in rows:
        day, last = max(e.starts_on, first_shown), min(e.ends_on, last_shown)
        while day <= last:
            by_day[day].append(e)
            day += datetime.timedelta(days=1)
    today = now_in_sofia().date()
    weeks = []
    for week in weeks_dates:
        days = []
        for d in week:
            found = by_day.get(d, [])
            days.append(Day(d, d.month == month, d == today, found[:DAY_LIMIT],
                            max(len(found) - DAY_LIMIT, 0)))  # fmt: skip
        weeks.append(days)
    return Month(year, month, weeks, len(rows))


def month_list(year: int, month: int, filters: dict[str, Any]) -> QuerySet[Event]:
    """The month's events as list rows, in order (the list under the calendar pages it)."""
    first = datetime.date(year, month, 1)
    last = first + datetime.timedelta(days=calendar_mod.monthrange(year, month)[1])
    qs = cast(EventQuerySet, filtered(filters)).overlapping(_midnight(first), _midnight(last))
    return for_rows(qs).order_by("starts_at", "pk")


# --- an event's page -------------------------------------------------------------------------


def event_for_page(pk: int) -> Event | None:
    return (
        Event.objects.select_related(
            "institution",
            "organisation",
            "network",
            "settlement",
            "municipality",
            "province",
            "programme",
            "strand",
            "consultation",
            "related_network",
        )
        .filter(pk=pk)
        .first()
    )


@dataclass
class ProgrammeDay:
    date: datetime.date
    sessions: list[Session]


def programme_days(event: Event) -> list[ProgrammeDay]:
    days: dict[datetime.date, list[Session]] = {}
    for s in event.sessions.all():
        s.starts_text = time_text(s.starts)  # type: ignore[attr-defined]
        s.ends_text = time_text(s.ends) if s.ends else ""  # type: ignore[attr-defined]
        days.setdefault(s.day, []).append(s)
    return [ProgrammeDay(d, sessions) for d, sessions in sorted(days.items())]


def own_registration(event: Event, user: Any) -> Registration | None:
    """The person's active registration for the event, else their latest one."""
    if not getattr(user, "is_authenticated", False):
        return None
    mine = list(Registration.objects.filter(event=event, user=user).order_by("-created_at", "-pk"))
    active = [r for r in mine if r.state in ACTIVE_REGISTRATION_STATES]
    return next(iter(active or mine), None)


# --- a programme's progress ------------------------------------------------------------------


@dataclass
class Progress:
    """People trained against a target, organisations reached and the municipalities."""

    key: str  # unique on the page: "total" or "strand-<pk>"
    title: str
    target: int
    people: int = 0
    organisations: int = 0
    by_municipality: list[tuple[str, int]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.people / self.target)

    @property
    def bar_value(self) -> int:
        return min(self.people, self.target)


@dataclass
class ProgrammeProgress:
    total: Progress
    strands: list[Progress]
    events: list[Event]


def _trained_rows(programme: Programme) -> list[dict[str, Any]]:
    """Confirmed registrations for the programme's public events, each with its days present
    and whether a (not revoked) certificate was issued: one query."""
    certified = Certificate.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True)
    rows = (
        Registration.objects.filter(
            event__programme=programme,
            event__state__in=PUBLIC_STATES,
            state=RegistrationState.CONFIRMED,
        )
        .annotate(present=Count("attendances", distinct=True), certified=Exists(certified))
        .values(
            "user_id",
            "event_id",
            "organisation_id",
            "organisation__settlement__municipality_id",
            "event__municipality_id",
            "present",
            "certified",
        )
        .order_by()
    )
    return [dict(row) for row in rows]


def programme_progress(programme: Programme) -> ProgrammeProgress:
    """Live progress: a person counts as trained in a strand once they hold a certificate for
    one of its events or attended every day of one; organisations are those they registered
    for; the municipality is the organisation's seat, else the event's."""
    strands = list(Strand.objects.filter(programme=programme))
    events = decorate(
        list(for_rows(programme.events.public()).only(*ROW_FIELDS, "strand", "municipality"))
    )
    days = {e.pk: len(e.days) for e in events}
    strand_of = {e.pk: e.strand_id for e in events}
    people: dict[int | None, set[int]] = defaultdict(set)
    orgs: dict[int | None, set[int]] = defaultdict(set)
    places: dict[int | None, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row in _trained_rows(programme):
        event_id = row["event_id"]
        if not (row["certified"] or row["present"] >= days.get(event_id, 1)):
            continue
        municipality = (
            row["organisation__settlement__municipality_id"] or row["event__municipality_id"]
        )
        # The whole programme (key None) and the event's strand, if it has one.
        strand = strand_of.get(event_id)
        for key in (None,) if strand is None else (None, strand):
            people[key].add(row["user_id"])
            if row["organisation_id"]:
                orgs[key].add(row["organisation_id"])
            if municipality:
                places[key][municipality].add(row["user_id"])
    codes = {code for per in places.values() for code in per}
    names = dict(
        Municipality.objects.filter(code__in=codes).values_list("code", "name_bg") if codes else []
    )

    def progress(key: int | None, title: str, target: int) -> Progress:
        per = places.get(key, {})
        return Progress(
            key="total" if key is None else f"strand-{key}",
            title=title,
            target=target,
            people=len(people.get(key, ())),
            organisations=len(orgs.get(key, ())),
            by_municipality=sorted(
                ((names.get(code, code), len(users)) for code, users in per.items()),
                key=lambda item: (-item[1], item[0]),
            ),
            events=[e for e in events if key is not None and e.strand_id == key],
        )

    return ProgrammeProgress(
        total=progress(None, programme.title, sum(s.target_people for s in strands)),
        strands=[progress(s.pk, s.title, s.target_people) for s in strands],
        events=events,
    )


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.state != RegistrationState.WAITING or registration.waiting_since is None:
        return None
    ahead = (
        Registration.objects.filter(event_id=registration.event_id, state=RegistrationState.WAITING)
        .filter(
            Q(waiting_since__lt=registration.waiting_since)
            | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1
