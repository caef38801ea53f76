"""Open-data exports of the directory: every institution of a province or of the country as
CSV or JSON, with the official codes (NSI province and municipality codes, EKATTE of the seat,
the institution's EIK/BULSTAT where known and valid).

/directory/export/ lists the downloads; /directory/export/<scope>.<fmt> gives one, where the
scope is "bg" (the whole country) or a province code (PDV) and the format "csv" or "json".
The files are streamed row by row from one query read in chunks, so memory stays flat and
the number of queries is the same for a province and for the country.

CSV: UTF-8 with a byte-order mark (so that Excel reads the Cyrillic), a header row of English
snake_case names, phones joined with "; ". JSON: {"generated_at", "source", "scope",
"count", "items": [...]}, phones as a list.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.eik import is_valid_eik
from directory.hours import SOFIA
from directory.models import Institution
from territory.models import Province

COUNTRY = "bg"
FORMATS = ("csv", "json")
CHUNK_SIZE = 2000
COLUMNS = [
    "id",
    "kind",
    "name_bg",
    "name_en",
    "province_code",
    "municipality_code",
    "mayoralty_code",
    "settlement_ekatte",
    "address",
    "postal_code",
    "phones",
    "email",
    "website",
    "eik",
    "head_position",
    "head_name",
    "verified_at",
    "source",
    "source_date",
    "url",
]
# The database fields behind the columns, in the same order (url is made from the id).
_FIELDS = [
    "pk",
    "kind__slug",
    "name_bg",
    "name_en",
    "province_id",
    "municipality_id",
    "mayoralty_id",
    "settlement_id",
    "address",
    "postal_code",
    "phones",
    "email",
    "website",
    "eik",
    "head_position",
    "head_name",
    "verified_at",
    "source",
    "source_date",
]
# What each column holds, for the export page (msgids: shown in the reader's language).
COLUMN_HELP: dict[str, Any] = {
    "id": gettext_lazy("The institution's number on the portal."),
    "kind": gettext_lazy("Kind of institution (e.g. municipal-council, mayoralty)."),
    "province_code": gettext_lazy("NSI code of the province (e.g. PDV)."),
    "municipality_code": gettext_lazy("NSI code of the municipality (e.g. PDV22)."),
    "mayoralty_code": gettext_lazy("Code of the mayoralty (e.g. PDV22-01)."),
    "settlement_ekatte": gettext_lazy("EKATTE code of the settlement where the institution sits."),
    "phones": gettext_lazy("Phone numbers (in CSV separated by “; ”)."),
    "eik": gettext_lazy("EIK/BULSTAT, only where known and its check digits are right."),
    "verified_at": gettext_lazy(
        "When the institution confirmed the contacts; empty: not yet verified."
    ),
    "source": gettext_lazy(
        "Where the contacts come from, and the date of that source (source_date)."
    ),
    "url": gettext_lazy("The institution's page on the portal."),
}


def _scope(scope: str) -> Province | None:
    """None for the whole country, the province for its code; anything else is a 404."""
    if scope == COUNTRY:
        return None
    if not re.fullmatch(r"[A-Z]{3}", scope):
        raise Http404
    try:
        return Province.objects.only("code", "name_bg", "name_en").get(pk=scope)
    except Province.DoesNotExist:
        raise Http404 from None


def _queryset(province: Province | None) -> QuerySet[Institution]:
    qs = Institution.objects.order_by("pk")
    if province is not None:
        qs = qs.filter(province_id=province.code)
    return qs


def _url_pattern(request: HttpRequest) -> str:
    """The canonical (Bulgarian) page of institution 123456789, as an absolute URL."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse("directory:detail", args=[123456789]))


def _records(qs: QuerySet[Institution], url_pattern: str) -> Iterator[dict[str, Any]]:
    for values in qs.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        record = dict(zip(COLUMNS, values, strict=False))
        record["phones"] = [p.strip() for p in (record["phones"] or "").splitlines() if p.strip()]
        record["eik"] = record["eik"] if is_valid_eik(record["eik"]) else ""
        verified = record["verified_at"]
        record["verified_at"] = verified.isoformat() if verified else None
        for key in ("municipality_code", "mayoralty_code", "settlement_ekatte"):
            record[key] = record[key] or None
        record["url"] = url_pattern.replace("123456789", str(record["id"]))
        yield record


# A cell starting with one of these is a formula to a spreadsheet ("CSV injection"); such a
# cell gets a leading apostrophe, unless it is plainly a number or a phone ("+359 32 …").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[\d\s()/.-]+")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns the line csv.writer gives it."""

    def write(self, value: str) -> str:
        return value


def _csv(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for record in records:
        yield writer.writerow([_cell(record[c]) for c in COLUMNS])


def _json(records: Iterable[dict[str, Any]], head: dict[str, Any], count: int) -> Iterator[str]:
    opening = json.dumps({**head, "count": count}, ensure_ascii=False)
    yield opening[:-1] + ', "items": ['
    for n, record in enumerate(records):
        yield ("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def _source() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return f"{settings.PORTAL_NAME} ({settings.SITE_URL}), " + _(
            "directory of institutions; every record names its own source and its date"
        )


def download(request: HttpRequest, scope: str, fmt: str) -> StreamingHttpResponse:
    if fmt not in FORMATS:
        raise Http404
    province = _scope(scope)
    qs = _queryset(province)
    records = _records(qs, _url_pattern(request))
    now = timezone.now()
    filename = f"eregion-directory-{scope}-{now.astimezone(SOFIA):%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv(records), content_type="text/csv; charset=utf-8")
    else:
        head = {
            "generated_at": now.isoformat(),
            "source": _source(),
            "scope": scope,
        }
        response = StreamingHttpResponse(
            _json(records, head, qs.count()), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def index(request: HttpRequest) -> HttpResponse:
    counts = dict(
        Institution.objects.order_by()
        .values_list("province_id")
        .annotate(n=Count("pk"))
        .values_list("province_id", "n")
    )
    provinces = list(Province.objects.only("code", "name_bg", "name_en").order_by("name_bg"))
    rows = [{"province": p, "count": counts.get(p.code, 0)} for p in provinces]
    columns = [(c, COLUMN_HELP.get(c, "")) for c in COLUMNS]
    return render(
        request,
        "directory/export.html",
        {
            "rows": rows,
            "total": sum(counts.values()),
            "country": COUNTRY,
            "columns": columns,
            "breadcrumbs": [
                (_("Directory"), reverse("directory:index")),
                (_("Open data: the directory"), ""),
            ],
        },
    )
