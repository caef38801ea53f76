"""Read API of events: /api/v1/events (public discussions, hearings, seminars, trainings) and
one event with its programme.

Only public events exist here: published ones and cancelled ones (marked as such); a draft is
a 404 like an id that was never used. Nothing about people: no participant, no registration,
no e-mail, and never the online link (shown on the portal to confirmed participants only).
The programme's speakers and trainers are public, as on the event's page. Links are absolute
on the portal's own address (SITE_URL, as in the calendar feeds), whatever host a client
used. Lists are `{count, items}` (core/pagination.py) and load what their items show in a
fixed number of queries.
"""

# No `from __future__ import annotations`: django-ninja reads the parameter and schema
# annotations at run time.

import datetime
import functools
from typing import Annotated, Any

from django.conf import settings
from django.db.models import IntegerField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from consultations.enums import PUBLIC_STATES as CONSULTATION_PUBLIC_STATES
from consultations.models import Consultation
from core import search as search_index
from core.ical import absolute
from core.legal_calendar import SOFIA
from core.models import Topic
from core.pagination import PagePagination
from events.enums import Audience, Format, Kind, State
from events.models import MAX_DURATION, Event, Session
from territory.api import MunicipalityFilter, TitleWords

router = Router(tags=["events"])

MAX_QUERY_LENGTH = 200
MAX_ID = 2**63 - 1  # the database's integer: beyond it is a 422, not a database error
SEARCH_KIND = "events.event"

_KIND_VALUES = [str(k) for k in Kind]
_PUBLIC_STATE_VALUES = [str(State.PUBLISHED), str(State.CANCELLED)]
_ORGANISER_KINDS = ("institution", "organisation", "network")
# An organiser as the portal's filters write it: institution-12, organisation-5, network-3.
# At most 18 digits, so the id always fits the database's integer.
ORGANISER_PATTERN = r"^(institution|organisation|network)-[1-9][0-9]{0,17}$"
# Days a filter may name: a time zone shift at year 1 or 9999 would leave the calendar.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9999, 12, 30)


@functools.cache
def _url_pattern(name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=[123456789])


def _page(name: str, pk: int, fallback: str) -> str:
    """The canonical (Bulgarian) page on the portal's own address, whatever the client's
    Accept-Language or Host."""
    try:
        path = _url_pattern(name).replace("123456789", str(pk))
    except NoReverseMatch:  # the pages are not wired yet: the path they will have
        path = fallback.format(pk)
    return absolute(path)


def event_url(pk: int) -> str:
    return _page("events:detail", pk, "/events/{}/")


def event_ics_url(pk: int) -> str:
    return _page("events:event-ics", pk, "/events/{}/event.ics")


def _sofia(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Times with Sofia's offset of that day (+02:00 or +03:00), as people read them."""
    return moment.astimezone(SOFIA) if moment is not None else None


# --- Schemas --------------------------------------------------------------------------------


class OrganiserRef(Schema):
    kind: str = Field(description="institution, organisation or network.")
    id: int
    name: str = Field(description="The organiser's name in Bulgarian.")
    url: str = Field(description="The organiser's page on the portal.")


class SettlementRef(Schema):
    ekatte: str
    name: str = Field(description="Name in Bulgarian with its abbreviation (гр. Пловдив).")


class ProgrammeRef(Schema):
    id: int
    title: str
    url: str


class StrandRef(Schema):
    id: int
    title: str
    target_people: int = Field(description="Target of the strand: people trained.")


class SessionOut(Schema):
    day: datetime.date
    starts: datetime.time = Field(description="Sofia time.")
    ends: datetime.time | None = Field(description="Sofia time.")
    title: str
    speakers: str = Field(description="Speakers or trainers.")


def _organiser(event: Event) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        if event.institution is not None:
            inst = event.institution
            return {
                "kind": "institution",
                "id": inst.pk,
                "name": str(inst.name_bg),
                "url": _page("directory:detail", inst.pk, "/directory/institutions/{}/"),
            }
        if event.organisation is not None:
            org = event.organisation
            return {
                "kind": "organisation",
                "id": org.pk,
                "name": org.display_name,
                "url": _page("organisations:detail", org.pk, "/organisations/{}/"),
            }
        # The check constraint leaves only a network.
        net = event.network
        assert net is not None  # noqa: S101
        return {
            "kind": "network",
            "id": net.pk,
            "name": net.name,
            "url": _page("organisations:network", net.pk, "/organisations/networks/{}/"),
        }


class EventOut(Schema):
    id: int
    url: str = Field(description="The event's page on the portal.")
    ical: str = Field(description="The event as an iCalendar file (.ics).")
    kind: str = Field(description=f"One of: {', '.join(_KIND_VALUES)}.")
    title: str
    description: str = Field(description="Markdown.")
    state: str = Field(
        description="published, or cancelled (a cancelled event stays listed, marked)."
    )
    cancelled_reason: str = Field(description="Why it was cancelled (empty otherwise).")
    organiser: OrganiserRef
    programme: ProgrammeRef | None = Field(description="The series it belongs to, if any.")
    strand: StrandRef | None = Field(description="The programme's strand (topic), if any.")
    format: str = Field(description=f"One of: {', '.join(str(f) for f in Format)}.")
    venue: str
    address: str
    settlement: SettlementRef | None
    municipality: str | None = Field(description="Municipality code (PDV22), if one.")
    province: str | None = Field(description="Province code (PDV), if one.")
    starts_at: datetime.datetime = Field(description="ISO 8601 with Sofia's offset.")
    ends_at: datetime.datetime = Field(description="ISO 8601 with Sofia's offset.")
    capacity: int | None = Field(description="Places; null: no limit.")
    confirmed_count: int = Field(description="Confirmed registrations.")
    waiting_count: int = Field(description="People on the waiting list.")
    places_left: int | None = Field(description="Null when there is no limit.")
    registration_opens_at: datetime.datetime | None
    registration_closes_at: datetime.datetime | None
    audience: str = Field(
        description=f"Who may register: one of {', '.join(str(a) for a in Audience)}."
    )
    hours: float | None = Field(description="Academic hours of a training.")
    sessions: list[SessionOut] = Field(description="The programme, by day and time.")
    topics: list[str] = Field(description="Slugs of its topics.")
    consultation: int | None = Field(
        description="Id of the public consultation it belongs to (a public hearing)."
    )

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return event_url(obj.pk)

    @staticmethod
    def resolve_ical(obj: Event) -> str:
        return event_ics_url(obj.pk)

    @staticmethod
    def resolve_organiser(obj: Event) -> dict[str, Any]:
        return _organiser(obj)

    @staticmethod
    def resolve_programme(obj: Event) -> dict[str, Any] | None:
        p = obj.programme
        if p is None:
            return None
        url = _page("events:programme", p.pk, "/events/programmes/{}/")
        return {"id": p.pk, "title": p.title, "url": url}

    @staticmethod
    def resolve_strand(obj: Event) -> dict[str, Any] | None:
        s = obj.strand
        return (
            None if s is None else {"id": s.pk, "title": s.title, "target_people": s.target_people}
        )

    @staticmethod
    def resolve_settlement(obj: Event) -> dict[str, str] | None:
        s = obj.settlement
        return {"ekatte": s.ekatte, "name": f"{s.type_abbr} {s.name_bg}"} if s else None

    @staticmethod
    def resolve_municipality(obj: Event) -> str | None:
        return obj.municipality_id

    @staticmethod
    def resolve_province(obj: Event) -> str | None:
        return obj.province_id

    @staticmethod
    def resolve_starts_at(obj: Event) -> datetime.datetime | None:
        return _sofia(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj: Event) -> datetime.datetime | None:
        return _sofia(obj.ends_at)

    @staticmethod
    def resolve_registration_opens_at(obj: Event) -> datetime.datetime | None:
        return _sofia(obj.registration_opens_at)

    @staticmethod
    def resolve_registration_closes_at(obj: Event) -> datetime.datetime | None:
        return _sofia(obj.registration_closes_at)

    @staticmethod
    def resolve_hours(obj: Event) -> float | None:
        return None if obj.hours is None else float(obj.hours)

    @staticmethod
    def resolve_sessions(obj: Event) -> list[Session]:
        return list(obj.sessions.all())

    @staticmethod
    def resolve_topics(obj: Event) -> list[str]:
        return sorted(t.slug for t in obj.topics.all())

    @staticmethod
    def resolve_consultation(obj: Event) -> int | None:
        # Only while that consultation is public: a link would reveal a draft.
        c = obj.consultation
        return c.pk if c is not None and c.state in CONSULTATION_PUBLIC_STATES else None


# --- Queries --------------------------------------------------------------------------------


EVENT_FIELDS = (
    "kind", "title", "description", "state", "cancelled_reason", "institution", "organisation",
    "network", "programme", "strand", "consultation", "province", "municipality", "format",
    "venue", "address", "settlement", "starts_at", "ends_at", "capacity", "confirmed_count",
    "waiting_count", "registration_opens_at", "registration_closes_at", "audience", "hours",
)  # fmt: skip
RELATED_FIELDS = (
    "institution__name_bg", "organisation__name", "organisation__name_en",
    "organisation__legal_form", "network__name", "programme__title", "strand__title",
    "strand__target_people", "settlement__type_abbr", "settlement__name_bg",
)  # fmt: skip


def public_events() -> QuerySet[Event]:
    """Public events (EventQuerySet.public: every state but draft) with what an item shows,
    in a fixed number of queries: one for the rows (organiser, programme, strand and
    settlement joined), one each for sessions, topics and linked consultations.

    Written as an exclusion of drafts rather than `state IN (published, cancelled)`: with the
    IN, SQLite reads the state index and sorts every public event to find a page (50,000 at
    the national scale); without it, it walks the start-time index in order and stops at the
    page's end. tests/events/test_api.py checks that the two still mean the same."""
    return (
        Event.objects.exclude(state=State.DRAFT)
        .select_related(
            "institution", "organisation", "network", "programme", "strand", "settlement"
        )
        # What the items show and no more: the organisers' rows are wide (an institution's
        # departments and contacts), and the online link must never be read here at all.
        .only(*EVENT_FIELDS, *RELATED_FIELDS)
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("day", "starts", "pk")),
            Prefetch("topics", queryset=Topic.objects.only("pk", "slug")),
            Prefetch("consultation", queryset=Consultation.objects.only("pk", "state")),
        )
    )


def _matching(qs: QuerySet[Event], q: str) -> QuerySet[Event]:
    """Through the site's search index when events are registered there (Latin or Cyrillic,
    word prefixes); a plain match on the title otherwise."""
    if search_index.get_kind(SEARCH_KIND) is not None:
        ids = (
            search_index.matching(q, kind=SEARCH_KIND)
            .order_by()
            .annotate(oid=Cast("object_id", IntegerField()))
            .values("oid")
        )
        return qs.filter(pk__in=ids)
    return qs.filter(title__icontains=q)


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SOFIA)


def _day_end(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=SOFIA)


def _organiser_filter(value: str) -> Q:
    kind, _sep, pk = value.partition("-")
    if kind not in _ORGANISER_KINDS:  # the pattern has already refused it; belt and braces
        raise HttpError(422, f"Unknown organiser kind {kind!r}.")
    return Q(**{f"{kind}_id": int(pk)})


# --- Operations -----------------------------------------------------------------------------


@router.get(
    "/events",
    response=list[EventOut],
    summary="List public events",
    description=(
        "Public discussions, public hearings, seminars, trainings and working meetings, by "
        "start time (earliest first). Drafts are not listed; cancelled events are, marked "
        "`cancelled`. `from` and `to` keep the events that take place (at least partly) "
        "between those days, Sofia time. Filters combine (AND)."
    ),
    url_name="events",
)
@paginate(PagePagination)
def list_events(
    request: Any,
    kind: Annotated[
        str | None,
        Query(
            None,
            pattern="^(" + "|".join(_KIND_VALUES) + ")$",
            description=f"One of: {', '.join(_KIND_VALUES)}.",
        ),
    ] = None,
    organiser: Annotated[
        str | None,
        Query(
            None,
            pattern=ORGANISER_PATTERN,
            description="The organiser: institution-12, organisation-5 or network-3.",
        ),
    ] = None,
    municipality: MunicipalityFilter = None,
    date_from: Annotated[
        datetime.date | None,
        Query(
            None,
            alias="from",
            ge=FIRST_DAY,
            le=LAST_DAY,
            description="First day (YYYY-MM-DD): events ending then or later.",
        ),
    ] = None,
    date_to: Annotated[
        datetime.date | None,
        Query(
            None,
            alias="to",
            ge=FIRST_DAY,
            le=LAST_DAY,
            description="Last day (YYYY-MM-DD): events starting then or earlier.",
        ),
    ] = None,
    state: Annotated[
        str | None,
        Query(
            None,
            pattern="^(" + "|".join(_PUBLIC_STATE_VALUES) + ")$",
            description="published or cancelled.",
        ),
    ] = None,
    q: TitleWords = None,
) -> QuerySet[Event]:
    qs = public_events().order_by("starts_at", "pk")
    if kind:
        qs = qs.filter(kind=kind)
    if organiser:
        qs = qs.filter(_organiser_filter(organiser))
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if date_from is not None:
        # Bounded on the start too (an event lasts at most MAX_DURATION): the start-time
        # index is walked from a few weeks before, not from the first event ever.
        start = _day_start(date_from)
        qs = qs.filter(ends_at__gte=start, starts_at__gte=start - MAX_DURATION)
    if date_to is not None:
        qs = qs.filter(starts_at__lte=_day_end(date_to))
    if state:
        qs = qs.filter(state=state)
    if q and q.strip():
        qs = _matching(qs, q.strip())
    return qs


@router.get(
    "/events/{id}",
    response=EventOut,
    summary="Get an event",
    description="One public event with its programme (sessions by day and time).",
    url_name="event",
)
def get_event(request: Any, id: Annotated[int, Path(..., ge=1, le=MAX_ID)]) -> Event:
    found = public_events().filter(pk=id).first()
    if found is None:
        raise HttpError(404, f"No public event with id {id}.")
    return found
