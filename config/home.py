"""The home page's blocks: what is happening now in the portal's scope.

Each block is a short list (at most `LIMIT` items) with a heading and "see all" links: the
consultations closing soon, the upcoming events, the latest reports and answers, the new
organisations and networks, the overdue commitments and, once those apps are there, the latest
news and publications. A block is left out when it has nothing to show.

Every block costs one query per kind of record it lists (eager-loaded, limited in SQL), so
the page costs the same whatever the size of the data. The blocks are kept in the cache for a
short while (`HOME_BLOCKS_CACHE_SECONDS`, 60 s by default), per language and per scope: the
home page is the most visited page and "now" may lag by a minute.

config is the top layer, so it reads any app; library and news are optional
(`latest_for_home(limit)` in their `selectors`, looked up when the page is built).
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from consultations.enums import State as ConsultationState
from consultations.models import Consultation
from core.legal_calendar import SOFIA
from events import selectors as event_selectors
from events.enums import Kind as EventKind
from events.enums import State as EventState
from monitoring.enums import COMMITMENT_OPEN, REQUEST_OUTCOMES, RequestStatus, SignalStatus
from monitoring.models import Commitment, InformationRequest, Signal
from organisations import selectors as organisation_selectors
from organisations.models import Network
from territory.models import Settlement
from territory.selectors import ScopeOverview

LIMIT = 5
CACHE_SECONDS = 60
CACHE_VERSION = 1
# Answers to what was filed in the last 120 days, as the monitoring feed of answers reads
# them (monitoring/views/exports.py, FEED_WINDOW_DAYS): a range of the tables' "newest"
# index instead of sorting every decision ever made (200,000 requests at national scale).
ANSWERS_WINDOW_DAYS = 120


@dataclass(frozen=True)
class Item:
    """One line of a block, as plain values (kept in the cache)."""

    title: str
    url: str
    # "Срок: 31.12.2026 г.": the date with what it is, in the reader's language.
    when: str = ""
    # Who (the institution, the organiser) or what kind of record it is.
    meta: str = ""
    # A status tag (DESIGN.md §8): the words, and its colour class (never the colour alone).
    tag: str = ""
    tag_class: str = "tag-grey"
    # For ordering mixed lists, newest first; not shown.
    sort_key: str = ""


@dataclass(frozen=True)
class Block:
    key: str
    title: str
    items: tuple[Item, ...]
    # "See all" links: (label, address).
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Territory:
    """The portal's scope as codes: the provinces served whole, the municipalities served and
    the provinces holding a served municipality (whose province-wide records concern it)."""

    provinces: frozenset[str]
    municipalities: frozenset[str]
    partial_provinces: frozenset[str]

    @classmethod
    def of(cls, scope: ScopeOverview) -> Territory:
        return cls(
            provinces=frozenset(p.code for p in scope.provinces),
            municipalities=frozenset(m.code for m in scope.municipalities),
            partial_provinces=frozenset(m.province_id for m in scope.municipalities),
        )

    @property
    def is_everything(self) -> bool:
        """No scope chosen: the whole country is shown."""
        return not self.provinces and not self.municipalities

    def signature(self) -> str:
        text = ",".join(sorted(self.provinces)) + "|" + ",".join(sorted(self.municipalities))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def filter(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Records of the scope by their own `province` and `municipality`: of a served
        province or municipality, province-wide ones of a province holding a served
        municipality, and national ones (no territory at all).

        The fields are compared through COALESCE, which no index serves: the database then
        walks the index of the block's order (soonest, newest) and stops at the fifth match,
        where with the plain fields SQLite gathers every record of the scope's provinces
        through their index and sorts them (120 ms instead of 4 for 50,000 events).
        """
        if self.is_everything:
            return queryset
        queryset = queryset.alias(
            scope_province=Coalesce("province_id", Value(""), output_field=CharField()),
            scope_municipality=Coalesce("municipality_id", Value(""), output_field=CharField()),
        )
        return queryset.filter(
            Q(scope_province__in=sorted(self.provinces))
            | Q(scope_municipality__in=sorted(self.municipalities))
            | Q(scope_municipality="", scope_province__in=sorted(self.partial_provinces))
            | Q(scope_municipality="", scope_province="")
        )

    def settlements(self) -> QuerySet[Settlement, Any]:
        """The settlements of the scope, as a subquery (organisations are seated in one)."""
        return Settlement.objects.filter(
            Q(municipality__province_id__in=sorted(self.provinces))
            | Q(municipality_id__in=sorted(self.municipalities))
        ).values("ekatte")


# --- helpers ---------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def day_text(day: datetime.date | datetime.datetime | None) -> str:
    """22.11.2026 г. (DATE_FORMAT of the active language)."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = day.astimezone(SOFIA).date()
    return date_format(day, "DATE_FORMAT")


def _stamp(day: datetime.date | datetime.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        return day.astimezone(SOFIA).isoformat()
    return datetime.datetime(day.year, day.month, day.day, 23, 59, tzinfo=SOFIA).isoformat()


def _url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def _newest(items: Iterable[Item]) -> tuple[Item, ...]:
    return tuple(sorted(items, key=lambda i: i.sort_key, reverse=True)[:LIMIT])


# --- the blocks ------------------------------------------------------------------------------


def closing_consultations(territory: Territory) -> Block:
    """Open consultations, the soonest to close first (one query)."""
    rows = (
        territory.filter(Consultation.objects.open())
        .filter(closes_on__gte=today())
        .select_related("institution")
        .only("pk", "title", "closes_on", "institution__name_bg", "institution__name_en")
        .order_by("closes_on", "pk")[:LIMIT]
    )
    items = tuple(
        Item(
            title=c.title,
            url=c.get_absolute_url(),
            meta=c.institution.name,
            tag=_("Open until %(date)s") % {"date": day_text(c.closes_on)},
            tag_class="tag-green",
        )
        for c in rows
    )
    return Block(
        "consultations",
        _("Consultations closing soon"),
        items,
        ((_("All open consultations"), _url("consultations:index", "state=open")),),
    )


def upcoming_events(territory: Territory) -> Block:
    """Public events still to come or going on, soonest first (one query)."""
    rows = territory.filter(event_selectors.listed({}))[:LIMIT]
    kinds = dict(EventKind.choices)
    items = []
    for e in rows:
        cancelled = e.state == EventState.CANCELLED
        items.append(
            Item(
                title=e.title,
                url=e.get_absolute_url(),
                when=_("Starts: %(date)s") % {"date": day_text(e.starts_at)},
                meta=f"{capfirst(kinds.get(e.kind, e.kind))} · {event_selectors.organiser_name(e)}",
                tag=_("Cancelled") if cancelled else "",
                tag_class="tag-red" if cancelled else "tag-grey",
            )
        )
    return Block(
        "events",
        _("Upcoming events"),
        tuple(items),
        ((_("All upcoming events"), _url("events:index")),),
    )


def reports_and_answers(territory: Territory) -> Block:
    """The newest reports on consultations and answers to public requests and signals (three
    queries, each limited), newest first."""
    reports = (
        territory.filter(Consultation.objects.public())
        .filter(report_published_at__isnull=False)
        .select_related("institution")
        .only("pk", "title", "report_published_at", "institution__name_bg", "institution__name_en")
        .order_by("-report_published_at", "-pk")[:LIMIT]
    )
    fields = ("pk", "title", "decided_on", "institution__name_bg", "institution__name_en")
    since = today() - datetime.timedelta(days=ANSWERS_WINDOW_DAYS)
    requests = (
        territory.filter(InformationRequest.objects.public())
        # "Not any other status" rather than "one of the outcomes": with `IN` SQLite takes the
        # status index, which most requests pass, and sorts them (240 ms instead of 30).
        .exclude(status__in=[s for s in RequestStatus if s not in REQUEST_OUTCOMES])
        .filter(decided_on__isnull=False, filed_on__gte=since)
        .select_related("institution")
        .only(*fields)
        .order_by("-decided_on", "-pk")[:LIMIT]
    )
    signals = (
        territory.filter(Signal.objects.public())
        .filter(status=SignalStatus.ANSWERED, decided_on__isnull=False)
        .filter(received_on__gte=since)
        .select_related("institution")
        .only(*fields)
        .order_by("-decided_on", "-pk")[:LIMIT]
    )
    items = [
        Item(
            title=c.title,
            url=c.get_absolute_url(),
            when=_("Published: %(date)s") % {"date": day_text(c.report_published_at)},
            meta=f"{_('Report on the proposals')} · {c.institution.name}",
            sort_key=_stamp(c.report_published_at),
        )
        for c in reports
    ]
    for kind, rows in (
        (_("Answer to a request for information"), requests),
        (_("Answer to a proposal or signal"), signals),
    ):
        items += [
            Item(
                title=r.title,
                url=r.get_absolute_url(),
                when=_("Decided: %(date)s") % {"date": day_text(r.decided_on)},
                meta=f"{kind} · {r.institution.name}",
                sort_key=_stamp(r.decided_on),
            )
            for r in rows
        ]
    return Block(
        "reports",
        _("Latest reports and answers"),
        _newest(items),
        (
            (
                _("Consultations with a report"),
                _url("consultations:index", f"state={ConsultationState.REPORT_PUBLISHED}"),
            ),
            (_("Information requests"), _url("monitoring:requests")),
            (_("Proposals and signals"), _url("monitoring:signals")),
        ),
    )


def new_organisations(territory: Territory) -> Block:
    """Organisations registered on the portal (not entries loaded from a register) and
    networks, newest first (two queries). Only public ones."""
    organisations = organisation_selectors.public_organisations().filter(source="")
    networks = organisation_selectors.public_networks()
    if not territory.is_everything:
        organisations = organisations.filter(settlement_id__in=territory.settlements())
        served_provinces = sorted(territory.provinces | territory.partial_provinces)
        by_province = Network.provinces.through.objects.filter(network_id=OuterRef("pk"))
        by_municipality = Network.municipalities.through.objects.filter(network_id=OuterRef("pk"))
        networks = networks.filter(
            Exists(by_province.filter(province_id__in=served_provinces))
            | Exists(
                by_municipality.filter(
                    Q(municipality_id__in=sorted(territory.municipalities))
                    | Q(municipality__province_id__in=sorted(territory.provinces))
                )
            )
            # A network with no territory of its own works across the country.
            | (~Exists(by_province) & ~Exists(by_municipality))
        )
    org_rows = (
        organisations.select_related("settlement")
        .only(
            "pk",
            "name",
            "name_en",
            "legal_form",
            "created_at",
            "settlement__ekatte",
            "settlement__name_bg",
            "settlement__name_en",
            "settlement__type_abbr",
        )
        # Newest first by the primary key, which grows with creation: walked in its index
        # (64,000 organisations at national scale) instead of sorting them by date.
        .order_by("-pk")[:LIMIT]
    )
    network_rows = networks.only("pk", "name", "created_at").order_by("-pk")[:LIMIT]
    items = [
        Item(
            title=o.display_name,
            url=o.get_absolute_url(),
            when=_("Added: %(date)s") % {"date": day_text(o.created_at)},
            meta=_("Organisation")
            + (f" · {o.settlement.type_abbr} {o.settlement.name}" if o.settlement else ""),
            sort_key=_stamp(o.created_at),
        )
        for o in org_rows
    ]
    items += [
        Item(
            title=n.name,
            url=n.get_absolute_url(),
            when=_("Added: %(date)s") % {"date": day_text(n.created_at)},
            meta=_("Network of organisations"),
            sort_key=_stamp(n.created_at),
        )
        for n in network_rows
    ]
    return Block(
        "organisations",
        _("New organisations and networks"),
        _newest(items),
        (
            (_("The catalogue of organisations"), _url("organisations:index")),
            (_("All networks"), _url("organisations:networks")),
        ),
    )


def overdue_commitments(territory: Territory) -> Block:
    """Open commitments past their deadline, as the commitments' list shows them with its
    "only overdue" filter: by deadline (one query)."""
    rows = (
        territory.filter(Commitment.objects.public().overdue())
        .filter(status__in=COMMITMENT_OPEN)
        .select_related("institution")
        .only("pk", "title", "deadline", "institution__name_bg", "institution__name_en")
        .order_by("deadline", "pk")[:LIMIT]
    )
    items = tuple(
        Item(
            title=c.title,
            url=c.get_absolute_url(),
            when=_("Deadline: %(date)s") % {"date": day_text(c.deadline)},
            meta=c.institution.name,
            tag=_("Past its deadline"),
            tag_class="tag-red",
        )
        for c in rows
    )
    return Block(
        "commitments",
        _("Overdue commitments"),
        items,
        ((_("All overdue commitments"), _url("monitoring:commitments", "overdue=on")),),
    )


# --- library and news, when they are there --------------------------------------------------


def _optional_selectors(app: str) -> Any | None:
    """`<app>.selectors` if the app has one with `latest_for_home`, else None."""
    name = f"{app}.selectors"
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    module = importlib.import_module(name)
    return module if callable(getattr(module, "latest_for_home", None)) else None


def _value(entry: Any, *names: str) -> Any:
    for name in names:
        value = entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)
        if callable(value) and name.startswith("get_"):
            value = value()
        if value not in (None, ""):
            return value
    return None


def _optional_item(entry: Any) -> Item:
    """An item of news or of the library: an object (or a dict) with a title, an address
    (`url` or `get_absolute_url()`), a date (`publish_at` of news, `published_at` of a
    publication, ...) and who published it or what it is (`publisher.name`, the type)."""
    day = _value(entry, "publish_at", "published_at", "published_on", "date", "created_at")
    publisher = _value(entry, "publisher")
    meta = getattr(publisher, "name", None) or _value(entry, "get_type_display", "meta")
    return Item(
        title=str(_value(entry, "title") or entry),
        url=str(_value(entry, "url", "get_absolute_url") or ""),
        when=_("Published: %(date)s") % {"date": day_text(day)} if day else "",
        meta=str(meta or ""),
    )


def _optional_block(app: str, key: str, title: str, see_all: str) -> Block | None:
    module = _optional_selectors(app)
    if module is None:
        return None
    items = tuple(_optional_item(e) for e in list(module.latest_for_home(LIMIT))[:LIMIT])
    try:
        links: tuple[tuple[str, str], ...] = ((see_all, reverse(f"{app}:index")),)
    except NoReverseMatch:
        links = ()
    return Block(key, title, items, links)


def latest_news(territory: Territory) -> Block | None:
    return _optional_block("news", "news", _("Latest news"), _("All news"))


def latest_publications(territory: Territory) -> Block | None:
    return _optional_block("library", "library", _("Latest publications"), _("The whole library"))


# In the order of the page: what needs people's action first.
BLOCKS: tuple[Callable[[Territory], Block | None], ...] = (
    closing_consultations,
    upcoming_events,
    latest_news,
    reports_and_answers,
    overdue_commitments,
    new_organisations,
    latest_publications,
)


def build_blocks(territory: Territory) -> list[Block]:
    """Every block with something to show (no cache)."""
    blocks = (make(territory) for make in BLOCKS)
    return [b for b in blocks if b is not None and b.items]


def home_blocks(scope: ScopeOverview) -> list[Block]:
    """The blocks of the home page for the portal's scope, from the cache when fresh."""
    territory = Territory.of(scope)
    key = f"home:blocks:{CACHE_VERSION}:{get_language() or 'bg'}:{territory.signature()}"
    timeout = getattr(settings, "HOME_BLOCKS_CACHE_SECONDS", CACHE_SECONDS)
    if timeout:
        cached: list[Block] | None = cache.get(key)
        if cached is not None:
            return cached
    blocks = build_blocks(territory)
    if timeout:
        cache.set(key, blocks, timeout)
    return blocks
