"""Pages that bring several apps together: the home page and the open-data page."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.enums import CampaignState
from assessments.models import Campaign
from config.home import home_blocks
from consultations.models import Consultation
from core.legal_calendar import SOFIA
from directory.models import Institution
from events.models import Event
from monitoring.enums import REQUEST_OUTCOMES, RequestStatus, SignalStatus
from monitoring.models import Commitment, InformationRequest, Responsiveness, Signal
from monitoring.views.exports import FEED_WINDOW_DAYS
from organisations.selectors import public_organisations
from territory.maps import make_map
from territory.selectors import scope_overview


def home(request: HttpRequest) -> HttpResponse:
    """What is happening now in the portal's scope (config/home.py), and the scope at a
    glance: a map and lists of its provinces and municipalities."""
    scope = scope_overview()
    css = {p.code: "partial" for p in scope.map_provinces if p.code in scope.partial_province_codes}
    css.update({p.code: "in-scope" for p in scope.provinces})
    scope_map = make_map(
        _("The portal's region on the map of Bulgaria"),
        _(
            "Provinces served by the portal are solid, provinces with served municipalities "
            "are hatched; the same provinces and municipalities are listed beside the map."
        ),
        scope.map_provinces,
        css=css,
    )
    return render(
        request,
        "home.html",
        {"scope": scope, "scope_map": scope_map, "blocks": home_blocks(scope)},
    )


# --- Open data -------------------------------------------------------------------------------

# The licence of the portal's open data (the footer's "open licences").
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.bg"
# The newest change of each dataset is one aggregate query; kept this long in the cache.
OPEN_DATA_CACHE_SECONDS = 600
OPEN_DATA_CACHE_KEY = "open-data:last-updates:1"
# Published assessment campaigns listed with their files (the newest first).
CAMPAIGNS_LISTED = 10

Moment = datetime.datetime | datetime.date | None


@dataclass(frozen=True)
class File:
    """One download: its format ("CSV", "Atom") and the URL name with its arguments."""

    format: str
    url_name: str
    args: tuple[Any, ...] = ()
    query: str = ""

    def url(self) -> str:
        return reverse(self.url_name, args=self.args) + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str | Promise
    description: str | Promise
    files: tuple[File, ...]
    # The newest change of its records (one aggregate query), or None when it has none.
    last_update: Callable[[], Moment]
    # A page of the app about these files (more areas, columns), if it has one.
    more: tuple[str | Promise, str] | None = None


@dataclass
class Section:
    title: str | Promise
    datasets: list[Dataset] = field(default_factory=list)


def _newest(queryset: QuerySet[Any], field_name: str = "updated_at") -> Callable[[], Moment]:
    def newest() -> Moment:
        value: Moment = queryset.order_by().aggregate(newest=Max(field_name))["newest"]
        return value

    return newest


def _latest(*values: Moment) -> Moment:
    """The latest of dates and moments (a date counts as its end of day)."""

    def key(v: datetime.datetime | datetime.date) -> datetime.date:
        return v.date() if isinstance(v, datetime.datetime) else v

    found = [v for v in values if v is not None]
    return max(found, key=key) if found else None


def _answers_last_update() -> Moment:
    """The newest answer the feed of answers carries: it reads what was filed within its
    window (monitoring/views/exports.py), so this reads the same range of the "newest" index
    rather than every decision ever made."""
    since = timezone.now().astimezone(SOFIA).date() - datetime.timedelta(days=FEED_WINDOW_DAYS)
    # "No other status" rather than "one of the outcomes": with `IN` SQLite walks the status
    # index, which most requests pass.
    others = [s for s in RequestStatus if s not in REQUEST_OUTCOMES]
    requests = (
        InformationRequest.objects.public()
        .exclude(status__in=others)
        .filter(decided_on__isnull=False, filed_on__gte=since)
    )
    signals = Signal.objects.public().filter(
        status=SignalStatus.ANSWERED, decided_on__isnull=False, received_on__gte=since
    )
    return _latest(_newest(requests, "decided_on")(), _newest(signals, "decided_on")())


def _optional(url_name: str) -> bool:
    """Whether an app (library, news: being built) already has this address."""
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def _news_dataset() -> Dataset | None:
    """The news feeds, once the news app has them."""
    if not (_optional("news:index-rss") and _optional("news:index-atom")):
        return None
    try:
        model = apps.get_model("news", "NewsItem")
    except LookupError:
        return None
    manager = model._default_manager
    queryset = manager.public() if hasattr(manager, "public") else manager.all()  # type: ignore[attr-defined]
    return Dataset(
        "news",
        gettext_lazy("News and announcements"),
        gettext_lazy("The news of the portal, of institutions, organisations and networks."),
        (File("RSS", "news:index-rss"), File("Atom", "news:index-atom")),
        _newest(queryset),
    )


def open_data_sections() -> list[Section]:
    """Every export and feed of the platform, grouped by part, each with its formats."""
    directory = Section(
        gettext_lazy("Directory of institutions"),
        [
            Dataset(
                "institutions",
                gettext_lazy("Institutions of the whole country"),
                gettext_lazy(
                    "Every institution of the directory with its contacts and official codes."
                ),
                (
                    File("CSV", "directory:export-download", ("bg", "csv")),
                    File("JSON", "directory:export-download", ("bg", "json")),
                ),
                _newest(Institution.objects.all()),
                (
                    gettext_lazy("Files of each province and the printable directory"),
                    "directory:export",
                ),
            )
        ],
    )
    organisations = Section(
        gettext_lazy("Organisations"),
        [
            Dataset(
                "organisations",
                gettext_lazy("Civil-society organisations of the whole country"),
                gettext_lazy("The public entries of the catalogue, without any data about people."),
                (
                    File("CSV", "organisations:export", ("bg", "csv")),
                    File("JSON", "organisations:export", ("bg", "json")),
                ),
                _newest(public_organisations()),
                (gettext_lazy("Files of each province"), "organisations:exports"),
            )
        ],
    )
    consultations = Section(
        gettext_lazy("Public consultations"),
        [
            Dataset(
                "consultations",
                gettext_lazy("Public consultations"),
                gettext_lazy(
                    "New and changed consultations as a feed, and their periods as a calendar."
                ),
                (
                    File("RSS", "consultations:feed-rss"),
                    File("Atom", "consultations:feed-atom"),
                    File("iCalendar", "consultations:calendar"),
                ),
                _newest(Consultation.objects.public()),
            )
        ],
    )
    events = Section(
        gettext_lazy("Events"),
        [
            Dataset(
                "events",
                gettext_lazy("Public discussions, seminars and trainings"),
                gettext_lazy("Every public event as a calendar to subscribe to."),
                (File("iCalendar", "events:feed"),),
                _newest(Event.objects.public()),
            )
        ],
    )
    monitoring = Section(
        gettext_lazy("Monitoring of the administration"),
        [
            Dataset(
                "requests",
                gettext_lazy("Information requests"),
                gettext_lazy("Public requests for access to public information and their fate."),
                (
                    File("CSV", "monitoring:export-requests"),
                    File("JSON", "monitoring:export-requests-json"),
                ),
                _newest(InformationRequest.objects.public()),
            ),
            Dataset(
                "signals",
                gettext_lazy("Proposals and signals"),
                gettext_lazy("Public proposals and signals to institutions and the answers."),
                (
                    File("CSV", "monitoring:export-signals"),
                    File("JSON", "monitoring:export-signals-json"),
                ),
                _newest(Signal.objects.public()),
            ),
            Dataset(
                "commitments",
                gettext_lazy("Commitments"),
                gettext_lazy("What institutions promised, with deadlines and progress."),
                (
                    File("CSV", "monitoring:export-commitments"),
                    File("JSON", "monitoring:export-commitments-json"),
                ),
                _newest(Commitment.objects.public()),
            ),
            Dataset(
                "responsiveness",
                gettext_lazy("Responsiveness index"),
                gettext_lazy("The index of every institution and municipality."),
                (
                    File("CSV", "monitoring:export-responsiveness"),
                    File("JSON", "monitoring:export-responsiveness-json"),
                ),
                _newest(Responsiveness.objects.all()),
            ),
            Dataset(
                "answers",
                gettext_lazy("Answers of institutions to requests, proposals and signals"),
                gettext_lazy("The latest answers as a feed."),
                (
                    File("Atom", "monitoring:feed-answers"),
                    File("RSS", "monitoring:feed-answers-rss"),
                ),
                _answers_last_update,
            ),
        ],
    )
    sections = [directory, organisations, consultations, events, monitoring]
    campaigns = list(
        Campaign.objects.filter(state=CampaignState.PUBLISHED)
        .only("pk", "title", "updated_at", "published_at")
        .order_by("-published_at", "-pk")[:CAMPAIGNS_LISTED]
    )
    if campaigns:
        sections.append(
            Section(
                gettext_lazy("Assessments of capacity"),
                [
                    Dataset(
                        f"campaign-{c.pk}",
                        c.title,
                        gettext_lazy("The indices of the published results."),
                        (
                            File("CSV", "assessments:indices-csv", (c.pk,)),
                            File("JSON", "assessments:indices-json", (c.pk,)),
                        ),
                        # Read with the list: no query of its own.
                        (lambda c=c: _latest(c.updated_at, c.published_at)),  # type: ignore[misc]
                    )
                    for c in campaigns
                ],
            )
        )
    news = _news_dataset()
    if news is not None:
        sections.append(Section(gettext_lazy("News"), [news]))
    return sections


def last_updates(sections: list[Section]) -> dict[str, Moment]:
    """The newest change of each dataset, from the cache when fresh."""
    timeout = getattr(settings, "OPEN_DATA_CACHE_SECONDS", OPEN_DATA_CACHE_SECONDS)
    keys = [d.key for s in sections for d in s.datasets]
    cached: dict[str, Moment] | None = cache.get(OPEN_DATA_CACHE_KEY) if timeout else None
    if cached is not None and all(k in cached for k in keys):
        return cached
    found = {d.key: d.last_update() for s in sections for d in s.datasets}
    if timeout:
        cache.set(OPEN_DATA_CACHE_KEY, found, timeout)
    return found


@functools.cache
def api_endpoints() -> list[dict[str, Any]]:
    """The API's operations, read from its OpenAPI schema once per process: building the
    schema takes a quarter of a second, and only a new release changes it."""
    from api.api import api

    return api.public_endpoints()


def api_page(request: HttpRequest) -> HttpResponse:
    """Every export and feed of the platform with its licence and last update, and the API."""
    sections = open_data_sections()
    updates = last_updates(sections)
    rows = [
        {
            "title": s.title,
            "datasets": [
                {
                    "dataset": d,
                    "files": [(f.format, f.url()) for f in d.files],
                    "more": (d.more[0], reverse(d.more[1])) if d.more else None,
                    "last_update": updates.get(d.key),
                }
                for d in s.datasets
            ],
        }
        for s in sections
    ]
    return render(
        request,
        "api_page.html",
        {
            "breadcrumbs": [(_("Open data and API"), "")],
            "endpoints": api_endpoints(),
            "sections": rows,
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
        },
    )
