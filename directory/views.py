"""Pages of the directory: the list with filters, an institution, who serves a settlement.

Every view runs a fixed number of queries, whatever the number of entries shown.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import search as search_index
from directory import hours as hours_mod
from directory import selectors
from directory.models import HoursException, Institution, InstitutionKind
from directory.vcard import vcard as make_vcard
from territory.models import PortalScope, Province, Settlement

PAGE_SIZE = 25
MAX_QUERY_LENGTH = 200


def _crumbs() -> list[tuple[str, str]]:
    return [(_("Directory"), reverse("directory:index"))]


def index(request: HttpRequest) -> HttpResponse:
    filters = selectors.Filters(
        q=request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH],
        kind=request.GET.get("kind", "").strip(),
        province=request.GET.get("province", "").strip(),
        show_all=request.GET.get("all") == "1",
    )
    kinds = list(InstitutionKind.objects.all())
    provinces = list(Province.objects.only("code", "name_bg", "name_en").order_by("name_bg"))
    qs: QuerySet[Institution] = Institution.objects.for_list()
    scope = None
    if filters.kind:
        qs = qs.filter(kind__slug=filters.kind)
    if filters.province:
        qs = qs.filter(province_id=filters.province)
    if filters.q:
        qs = selectors.by_relevance(selectors.matching(qs, filters.q))
    if not filters.given:
        # Without a filter, the part of the country this portal serves (DESIGN.md §2.1).
        scope = PortalScope.current()
        qs = selectors.in_scope(qs, scope)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    crumbs = _crumbs()
    crumbs[-1] = (crumbs[-1][0], "")
    return render(
        request,
        "directory/index.html",
        {
            "filters": filters,
            "kinds": kinds,
            "provinces": provinces,
            "scope": scope,
            "page_obj": page_obj,
            "breadcrumbs": crumbs,
        },
    )


MAX_ID = 2**63 - 1


def _today() -> datetime.date:
    return timezone.now().astimezone(hours_mod.SOFIA).date()


def _institution(pk: int) -> Institution:
    if pk > MAX_ID:  # SQLite would raise OverflowError: an unknown id is a 404
        raise Http404
    children = Institution.objects.select_related("kind").order_by("kind__order", "name_bg", "pk")
    qs = Institution.objects.select_related(
        "kind", "province", "municipality", "mayoralty", "district", "settlement", "parent__kind"
    ).prefetch_related(
        "hours",
        Prefetch("hours_exceptions", queryset=HoursException.objects.filter(date__gte=_today())),
        Prefetch("children", queryset=children),
        Prefetch("area_municipalities"),
    )
    return get_object_or_404(qs, pk=pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _institution(pk)
    hours = list(obj.hours.all())
    exceptions = list(obj.hours_exceptions.all())
    now = timezone.now()
    status = hours_mod.open_status(hours, now, exceptions)
    crumbs = _crumbs()
    if obj.parent:
        crumbs.append((obj.parent.name, obj.parent.get_absolute_url()))
    crumbs.append((obj.name, ""))
    context: dict[str, Any] = {
        "institution": obj,
        "hours": hours,
        "status": status,
        "hours_exceptions": exceptions,
        "today": now.astimezone(hours_mod.SOFIA).weekday(),
        "children": list(obj.children.all()),
        "areas": list(obj.area_municipalities.all()),
        "source_date": _source_date(obj.source_date),
        "breadcrumbs": crumbs,
    }
    return render(request, "directory/detail.html", context)


def _source_date(value: str) -> str:
    """A source's date as precise as it is: 14.10.2022 г., 05.2020 г. or 2014 г."""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{datetime.date(*map(int, parts)):%d.%m.%Y} г."
        if len(parts) == 2:
            return f"{int(parts[1]):02d}.{parts[0]} г."
    except ValueError:
        return value
    return f"{value} г." if value else ""


def vcard(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:
        raise Http404
    obj = get_object_or_404(Institution.objects.select_related("settlement"), pk=pk)
    body = make_vcard(obj, request.build_absolute_uri(obj.get_absolute_url()))
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    filename = slugify(obj.name_en or str(obj.pk)) or str(obj.pk)
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    return response


def who_serves(request: HttpRequest) -> HttpResponse:
    ekatte = request.GET.get("settlement", "").strip()
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    settlement = None
    institutions: list[Institution] = []
    if ekatte:
        if not (len(ekatte) == 5 and ekatte.isdigit()):
            raise Http404
        settlement = get_object_or_404(
            Settlement.objects.select_related("municipality__province", "mayoralty"), pk=ekatte
        )
        institutions = selectors.serving(settlement)
    candidates = list(search_index.matching(q, kind="territory.settlement")[:20]) if q else []
    crumbs = _crumbs()
    crumbs.append((_("Who serves my settlement?"), ""))
    return render(
        request,
        "directory/who_serves.html",
        {
            "q": q,
            "candidates": candidates,
            "settlement": settlement,
            "institutions": institutions,
            "breadcrumbs": crumbs,
        },
    )


def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # filled in by the services increment
