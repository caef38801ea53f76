"""Open data of the monitoring: CSV and JSON downloads of the public information requests,
proposals and signals, commitments and the responsiveness index, and Atom/RSS feeds of the
answers institutions gave.

Downloads (under /monitoring/):

- export/requests.csv, signals.csv, commitments.csv, responsiveness.csv
  ("monitoring:export-requests", "export-signals", "export-commitments",
  "export-responsiveness"), and the same as .json ("...-json");
- GET parameters: the filters of the API lists, with the same names and rules
  (monitoring/api/filters.py: institution, municipality, province, status, overdue, q, from,
  to; kind for signals; source_kind for commitments; level, province, sort for the index). Empty
  values are ignored (a list page's form sends them); a malformed one is a 400 that says
  which and why.

The rows are what the API shows, with the same privacy (its querysets, so a private request
can never be in a file): the requester's or filer's name only when they chose to show it, no
address, no e-mail, no account. CSV: UTF-8 with a byte-order mark (so spreadsheets read the
Cyrillic), English snake_case headers, ISO dates, true/false, and a cell that a spreadsheet
would take for a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe. Files are
streamed in chunks from one query read with a server-side cursor, so memory stays flat at
200,000 rows; each client may download EXPORT_LIMIT files per EXPORT_PERIOD.

Feeds: feeds/answers.atom (and .rss), and the same per institution — "monitoring:feed-answers",
"feed-answers-institution" (and "...-rss"): the public requests and signals an institution
decided, newest decision first, with no personal data at all (no names; not even the answer's
text, which may address the requester by name): the subject, the institution, the outcome and
its dates, and the link to the page.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError

from core import ical
from core.legal_calendar import SOFIA
from core.ratelimit import client_key, hit
from directory.models import Institution
from monitoring.api.filters import (
    CommitmentFilters,
    RequestFilters,
    ResponsivenessFilters,
    SignalFilters,
    filter_commitments,
    filter_requests,
    filter_responsiveness,
    filter_signals,
)
from monitoring.enums import (
    REQUEST_OUTCOMES,
    CommitmentStatus,
    RequestStatus,
    SignalKind,
    SignalStatus,
)
from monitoring.models import InformationRequest, Signal
from monitoring.search import label, page_path
from organisations.enums import Visibility
from organisations.models import display_name_of

CHUNK_ROWS = 2000  # rows read from the database at a time
CHUNK_BYTES = 64 * 1024  # the size of a piece of the response
EXPORT_LIMIT = 30
EXPORT_PERIOD = 600
FEED_ITEMS = 50
# Answers to what was filed in the last 120 days: bounds the rows a feed reads to a range of
# the "newest" index instead of sorting every decision ever made. The longest legal course of
# a request (14 days, a 30-day clarification, 14 more, a 14-day extension) is ~75 days, so
# only answers very late indeed fall outside it.
FEED_WINDOW_DAYS = 120


# --- Cells ------------------------------------------------------------------------------------

# A cell starting with one of these is a formula to a spreadsheet ("CSV injection"): such a
# cell gets a leading apostrophe. Subjects and names are typed by the public.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # Decimal


def public_name(show_name: bool, name: str, organisation_name: str | None) -> str:
    """InformationRequest.public_name / Signal.public_name over plain values: the
    organisation, or the person, only when they chose to be shown."""
    if not show_name:
        return ""
    return organisation_name or name


def _absolute(name: str, pk: Any, *leading: str) -> str:
    return ical.absolute(page_path(name, pk, *leading))


def _in_bulgarian(fn: Callable[[], str]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return fn()


# --- The datasets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    slug: str
    filters: type
    queryset: Callable[[Any], QuerySet[Any]]
    fields: tuple[str, ...]  # read from the database, in this order
    columns: tuple[str, ...]  # written to the file
    record: Callable[[dict[str, Any]], dict[str, Any]]
    title: Callable[[], str]


def _record(v: dict[str, Any], page: str, statuses: Any, **before_title: Any) -> dict[str, Any]:
    """What every request, signal and commitment says first: which, where, in what state (the
    keys in the order of the columns)."""
    return {
        "id": v["pk"],
        "url": _absolute(page, v["pk"]),
        **before_title,
        "title": v["title"],
        "status": v["status"],
        "status_label": label(statuses, v["status"]),
        "institution_id": v["institution_id"],
        "institution_name": v["institution__name_bg"],
        "municipality_code": v["municipality_id"],
        "province_code": v["province_id"],
    }


def _request_record(v: dict[str, Any]) -> dict[str, Any]:
    return {
        **_record(v, "monitoring:request", RequestStatus),
        "requester_name": public_name(v["show_name"], v["requester_name"], v["organisation__name"]),
        "channel": v["channel"],
        "filed_on": v["filed_on"],
        "registration_number": v["registration_number"],
        "registered_on": v["registered_on"],
        "due_on": v["due_on"],
        "is_overdue": v["is_overdue"],
        "extension_days": v["extension_days"],
        "decided_on": v["decided_on"],
        "refusal_ground": v["refusal_ground"],
        "answered_on_time": v["answered_on_time"],
        "days_to_answer": v["days_to_answer"],
    }


def _signal_record(v: dict[str, Any]) -> dict[str, Any]:
    return {
        **_record(
            v,
            "monitoring:signal",
            SignalStatus,
            kind=v["kind"],
            kind_label=label(SignalKind, v["kind"]),
        ),
        "filer_name": public_name(v["show_name"], v["filer_name"], v["organisation__name"]),
        "is_anonymous": v["is_anonymous"],
        "is_stale": v["is_stale"],
        "channel": v["channel"],
        "received_on": v["received_on"],
        "registration_number": v["registration_number"],
        "registered_on": v["registered_on"],
        "due_on": v["due_on"],
        "extended_months": v["extended_months"],
        "is_overdue": v["is_overdue"],
        "decided_on": v["decided_on"],
        "outcome": v["outcome"],
        "communicated_on": v["communicated_on"],
        "answered_on_time": v["answered_on_time"],
        "days_to_answer": v["days_to_answer"],
    }


def _commitment_record(v: dict[str, Any]) -> dict[str, Any]:
    monitor_public = v["monitor_id"] and v["monitor__visibility"] == Visibility.PUBLIC
    count, total = v["ratings_count"], v["ratings_sum"]
    return {
        **_record(v, "monitoring:commitment", CommitmentStatus),
        "source_kind": v["source_kind"],
        "source_reference": v["source_reference"],
        "source_date": v["source_date"],
        "source_url": v["source_url"],
        "deadline": v["deadline"],
        "indicator": v["indicator"],
        "progress": v["progress"],
        "done_on": v["done_on"],
        "done_on_time": v["done_on_time"],
        "is_overdue": v["is_overdue"],
        "monitor_id": v["monitor_id"] if monitor_public else None,
        "monitor_name": display_name_of(
            v["monitor__name"], v["monitor__name_en"] or "", v["monitor__legal_form"] or ""
        )
        if monitor_public
        else "",
        "ratings_count": count,
        "average_rating": round(total / count, 2) if count else None,
    }


_FIGURES = (
    "requests_total", "requests_due", "requests_on_time", "requests_overdue", "median_days",
    "signals_total", "signals_due", "signals_answered", "signals_on_time", "commitments_total",
    "commitments_due", "commitments_done_on_time", "score",
)  # fmt: skip


def _responsiveness_record(v: dict[str, Any]) -> dict[str, Any]:
    level = "institution" if v["institution_id"] else "municipality"
    key = v["institution_id"] or v["municipality_id"]
    figures = {f: v[f] for f in _FIGURES}
    for decimal in ("median_days", "score"):
        figures[decimal] = None if figures[decimal] is None else float(figures[decimal])
    return {
        "level": level,
        "id": str(key),
        "name": v["institution__name_bg"] or v["municipality__name_bg"],
        "municipality_code": v["institution__municipality_id"] or v["municipality_id"],
        "province_code": v["province_id"],
        **figures,
        "updated_at": v["updated_at"].isoformat(timespec="seconds"),
        "url": _absolute("monitoring:responsiveness-detail", key, level),
    }


REQUEST_FIELDS = (
    "pk", "title", "status", "institution_id", "institution__name_bg", "municipality_id",
    "province_id", "show_name", "requester_name", "organisation__name", "channel", "filed_on",
    "registration_number", "registered_on", "due_on", "is_overdue", "extension_days",
    "decided_on", "refusal_ground", "answered_on_time", "days_to_answer",
)  # fmt: skip
REQUEST_COLUMNS = (
    "id", "url", "title", "status", "status_label", "institution_id", "institution_name",
    "municipality_code", "province_code", "requester_name", "channel", "filed_on",
    "registration_number", "registered_on", "due_on", "is_overdue", "extension_days",
    "decided_on", "refusal_ground", "answered_on_time", "days_to_answer",
)  # fmt: skip
SIGNAL_FIELDS = (
    "pk", "kind", "title", "status", "institution_id", "institution__name_bg",
    "municipality_id", "province_id", "show_name", "filer_name", "organisation__name",
    "is_anonymous", "is_stale", "channel", "received_on", "registration_number",
    "registered_on", "due_on", "extended_months", "is_overdue", "decided_on", "outcome",
    "communicated_on", "answered_on_time", "days_to_answer",
)  # fmt: skip
SIGNAL_COLUMNS = (
    "id", "url", "kind", "kind_label", "title", "status", "status_label", "institution_id",
    "institution_name", "municipality_code", "province_code", "filer_name", "is_anonymous",
    "is_stale", "channel", "received_on", "registration_number", "registered_on", "due_on",
    "extended_months", "is_overdue", "decided_on", "outcome", "communicated_on",
    "answered_on_time", "days_to_answer",
)  # fmt: skip
COMMITMENT_FIELDS = (
    "pk", "title", "status", "institution_id", "institution__name_bg", "municipality_id",
    "province_id", "source_kind", "source_reference", "source_date", "source_url", "deadline",
    "indicator", "progress", "done_on", "done_on_time", "is_overdue", "monitor_id",
    "monitor__name", "monitor__name_en", "monitor__legal_form", "monitor__visibility",
    "ratings_count", "ratings_sum",
)  # fmt: skip
COMMITMENT_COLUMNS = (
    "id", "url", "title", "status", "status_label", "institution_id", "institution_name",
    "municipality_code", "province_code", "source_kind", "source_reference", "source_date",
    "source_url", "deadline", "indicator", "progress", "done_on", "done_on_time", "is_overdue",
    "monitor_id", "monitor_name", "ratings_count", "average_rating",
)  # fmt: skip
RESPONSIVENESS_FIELDS = (
    "institution_id", "municipality_id", "province_id", "institution__name_bg",
    "institution__municipality_id", "municipality__name_bg", *_FIGURES, "updated_at",
)  # fmt: skip
RESPONSIVENESS_COLUMNS = (
    "level", "id", "name", "municipality_code", "province_code", *_FIGURES, "updated_at", "url",
)  # fmt: skip

DATASETS: dict[str, Dataset] = {
    "requests": Dataset(
        "information-requests", RequestFilters, filter_requests, REQUEST_FIELDS,
        REQUEST_COLUMNS, _request_record, lambda: _("Requests for access to public information"),
    ),
    "signals": Dataset(
        "signals", SignalFilters, filter_signals, SIGNAL_FIELDS, SIGNAL_COLUMNS, _signal_record,
        lambda: _("Proposals and signals"),
    ),
    "commitments": Dataset(
        "commitments", CommitmentFilters, filter_commitments, COMMITMENT_FIELDS,
        COMMITMENT_COLUMNS, _commitment_record, lambda: _("Commitments of institutions"),
    ),
    "responsiveness": Dataset(
        "responsiveness", ResponsivenessFilters, filter_responsiveness, RESPONSIVENESS_FIELDS,
        RESPONSIVENESS_COLUMNS, _responsiveness_record,
        lambda: _("Responsiveness index of institutions and municipalities"),
    ),
}  # fmt: skip


def _records(dataset: Dataset, qs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    for values in qs.values(*dataset.fields).iterator(chunk_size=CHUNK_ROWS):
        yield dataset.record(values)


class _Echo:
    """A file-like object whose write() returns the line csv.writer gives it."""

    def write(self, value: str) -> str:
        return value


def _chunked(lines: Iterable[str]) -> Iterator[str]:
    """Lines gathered into pieces of about CHUNK_BYTES: one write per piece, not per row."""
    piece: list[str] = []
    size = 0
    for line in lines:
        piece.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def csv_lines(columns: tuple[str, ...], records: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)  # the byte-order mark: Excel then reads UTF-8
    for record in records:
        yield writer.writerow([cell(record[c]) for c in columns])


def json_lines(head: dict[str, Any], records: Iterable[dict[str, Any]]) -> Iterator[str]:
    opening = json.dumps(head, ensure_ascii=False)
    yield opening[:-1] + ', "items": ['
    for n, record in enumerate(records):
        item = {k: _json_value(v) for k, v in record.items()}
        yield ("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}\n"


def parse_filters(filters: type, params: Any) -> Any:
    """The list's GET parameters as the API's filter schema; empty values are left out (an
    unused field of a list page's form). Raises pydantic's ValidationError."""
    data = {key: params.get(key) for key in params if params.get(key, "").strip() != ""}
    return filters.model_validate(data)  # type: ignore[attr-defined]


def _bad_parameters(error: ValidationError) -> HttpResponse:
    messages = []
    for e in error.errors():
        where = ".".join(str(part) for part in e.get("loc", ())) or _("parameters")
        messages.append(f"{where}: {e.get('msg', '')}")
    text = _("The download's parameters are not valid: %(errors)s") % {
        "errors": "; ".join(messages)
    }
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@require_GET
def download(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    # core.ratelimit's own check (its decorator is typed for views that return an
    # HttpResponse, which a streamed file is not): each file reads the whole list.
    if not hit("monitoring-export", client_key(request), EXPORT_LIMIT, EXPORT_PERIOD):
        return render(request, "core/too_many_requests.html", status=429)
    dataset = DATASETS[name]
    try:
        filters = parse_filters(dataset.filters, request.GET)
    except ValidationError as error:
        return _bad_parameters(error)
    qs = dataset.queryset(filters)
    records = _records(dataset, qs)
    now = timezone.now()
    filename = f"eregion-{dataset.slug}-{now.astimezone(SOFIA):%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        body = _chunked(csv_lines(dataset.columns, records))
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        head = {
            "title": _in_bulgarian(dataset.title),
            "source": f"{_in_bulgarian(lambda: str(settings.PORTAL_NAME))} ({settings.SITE_URL})",
            "generated_at": now.isoformat(timespec="seconds"),
            "filters": filters.model_dump(mode="json", by_alias=True, exclude_none=True),
            "columns": list(dataset.columns),
            "count": qs.count(),
        }
        body = _chunked(json_lines(head, records))
        response = StreamingHttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export(name: str, fmt: str) -> Callable[[HttpRequest], HttpResponseBase]:
    def view(request: HttpRequest) -> HttpResponseBase:
        return download(request, name, fmt)

    view.__name__ = f"export_{name}_{fmt}"
    return view


# --- Feeds of answers -------------------------------------------------------------------------


def answered(institution: Institution | None) -> list[InformationRequest | Signal]:
    """The public requests and signals decided last (two queries, each on its table's
    "newest" index within the window), newest decision first."""
    since = timezone.now().astimezone(SOFIA).date() - datetime.timedelta(days=FEED_WINDOW_DAYS)
    fields = ("title", "status", "institution", "decided_on", "due_on", "answered_on_time",
              "updated_at", "institution__name_bg")  # fmt: skip
    requests = InformationRequest.objects.filter(
        is_public=True, status__in=REQUEST_OUTCOMES, decided_on__isnull=False, filed_on__gte=since
    )
    signals = Signal.objects.filter(
        is_public=True, status=SignalStatus.ANSWERED, decided_on__isnull=False,
        received_on__gte=since,
    )  # fmt: skip
    if institution is not None:
        requests = requests.filter(institution=institution)
        signals = signals.filter(institution=institution)
    items: list[InformationRequest | Signal] = [
        *requests.select_related("institution")
        .only(*fields)
        .order_by("-decided_on", "-id")[:FEED_ITEMS],
        *signals.select_related("institution")
        .only("kind", "outcome", *fields)
        .order_by("-decided_on", "-id")[:FEED_ITEMS],
    ]
    items.sort(key=lambda i: (i.decided_on, i.updated_at), reverse=True)
    return items[:FEED_ITEMS]


def _is_request(item: Any) -> bool:
    return isinstance(item, InformationRequest)


class AnswersFeed(Feed):
    """Atom feed of the answers (the whole portal, or one institution)."""

    feed_type: type[Atom1Feed] | type[Rss201rev2Feed] = Atom1Feed
    description_template = "monitoring/feeds/answer.html"

    def get_object(self, request: HttpRequest, pk: int | None = None) -> Institution | None:
        if pk is None:
            return None
        return get_object_or_404(Institution.objects.only("pk", "name_bg"), pk=pk)

    def title(self, obj: Institution | None) -> str:
        if obj is not None:
            return _("Answers to information requests, proposals and signals: %(name)s") % {
                "name": obj.name_bg
            }
        return _("Answers to information requests, proposals and signals")

    # Links on the portal's own address (SITE_URL), like the API's and the calendars', not
    # on the sites framework's domain.
    url_names = ("monitoring:feed-answers", "monitoring:feed-answers-institution")

    def link(self, obj: Institution | None) -> str:
        if obj is not None:
            return ical.absolute(page_path("directory:detail", obj.pk))
        return ical.absolute("/monitoring/")

    def feed_url(self, obj: Institution | None) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            if obj is not None:
                return ical.absolute(reverse(self.url_names[1], args=[obj.pk]))
            return ical.absolute(reverse(self.url_names[0]))

    def description(self, obj: Institution | None) -> str:
        return _(
            "Decisions of institutions on public requests for access to public information and "
            "on public proposals and signals filed through the portal."
        )

    subtitle = description

    def items(self, obj: Institution | None) -> list[InformationRequest | Signal]:
        return answered(obj)

    def item_title(self, item: InformationRequest | Signal) -> str:
        status = item.get_status_display() if _is_request(item) else item.get_kind_display()  # type: ignore[union-attr]
        return f"{status}: {item.title}"

    def item_link(self, item: InformationRequest | Signal) -> str:
        name = "monitoring:request" if _is_request(item) else "monitoring:signal"
        return _absolute(name, item.pk)

    def item_guid(self, item: InformationRequest | Signal) -> str:
        kind = "request" if _is_request(item) else "signal"
        return f"{kind}-{item.pk}-answer@{ical.host()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: InformationRequest | Signal) -> datetime.datetime:
        assert item.decided_on is not None  # noqa: S101 - filtered by the query
        return datetime.datetime.combine(item.decided_on, datetime.time.min, tzinfo=SOFIA)

    def item_updateddate(self, item: InformationRequest | Signal) -> datetime.datetime:
        return item.updated_at

    def item_author_name(self, item: InformationRequest | Signal) -> str:
        return item.institution.name_bg

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_request"] = _is_request(kwargs["item"])
        return context


class AnswersRss(AnswersFeed):
    feed_type = Rss201rev2Feed
    url_names = ("monitoring:feed-answers-rss", "monitoring:feed-answers-institution-rss")


atom = require_http_methods(["GET", "HEAD"])(AnswersFeed())
rss = require_http_methods(["GET", "HEAD"])(AnswersRss())

urlpatterns: list[URLPattern] = [
    *[
        path(f"export/{name}.{fmt}", _export(name, fmt), name=f"export-{name}{suffix}")
        for name in DATASETS
        for fmt, suffix in (("csv", ""), ("json", "-json"))
    ],
    path("feeds/answers.atom", atom, name="feed-answers"),
    path("feeds/answers.rss", rss, name="feed-answers-rss"),
    path("feeds/institutions/<int:pk>/answers.atom", atom, name="feed-answers-institution"),
    path("feeds/institutions/<int:pk>/answers.rss", rss, name="feed-answers-institution-rss"),
]
