"""The staff inbox: the information requests and the proposals or signals that wait for the
institutions a person works for (administrators: for all), overdue first, then by the
nearest deadline, with counts per status and a filter by institution.

Two tables feed one list. Each is asked for the sort keys of its first `offset + size + 1`
rows only (an indexed order over its pending rows), the keys are merged in Python, and the
rows of the page are then loaded with what they show: a fixed number of queries per page,
and no COUNT of everything (the counts are one grouped query per table over pending rows).
"""

from __future__ import annotations

import heapq
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.rules import is_administrator
from core.widgets import ListSelect
from directory.models import Institution
from directory.selectors import staff_institution_ids
from monitoring.enums import REQUEST_PENDING, RequestStatus, SignalStatus
from monitoring.models import InformationRequest, Signal
from monitoring.views.common import Page, page_number

PAGE_SIZE = 25
MAX_PAGE = 200
# Sorts after every real deadline: the items without one come last.
NO_DEADLINE = date.max


class InboxForm(forms.Form):
    institution = forms.ChoiceField(
        label=gettext_lazy("Institution"), required=False, widget=ListSelect
    )

    def __init__(self, *args: Any, institutions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["institution"])
        field.choices = [("", _("all")), *institutions]


def _keys(queryset: QuerySet[Any], limit: int) -> list[tuple[bool, date, int]]:
    """(not overdue, deadline, id) of the first `limit` rows, in the inbox's order."""
    rows = queryset.order_by("-is_overdue", F("due_on").asc(nulls_last=True), "pk").values_list(
        "is_overdue", "due_on", "pk"
    )[:limit]
    return [(not overdue, due or NO_DEADLINE, pk) for overdue, due, pk in rows]


def _signal_url(pk: int) -> str:
    # The signal pages are another part's; the inbox works before they exist.
    try:
        return reverse("monitoring:signal", args=[pk])
    except NoReverseMatch:
        return ""


def _counts(requests: QuerySet[Any], signals: QuerySet[Any]) -> list[tuple[str, int]]:
    """The pending items per status (one grouped query per table) and the overdue ones."""
    by_status = dict(
        requests.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    signal_status = dict(
        signals.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    overdue = requests.filter(is_overdue=True).order_by().count()
    overdue += signals.filter(is_overdue=True).order_by().count()
    return [
        (_("overdue now"), overdue),
        (_("requests awaiting registration"), by_status.get(RequestStatus.SUBMITTED, 0)),
        (_("requests in progress"), by_status.get(RequestStatus.REGISTERED, 0)),
        (
            _("proposals and signals awaiting registration"),
            signal_status.get(SignalStatus.SUBMITTED, 0),
        ),
        (_("proposals and signals being examined"), signal_status.get(SignalStatus.REGISTERED, 0)),
    ]


@login_required
@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    admin = bool(is_administrator.test(user))
    ids = staff_institution_ids(user)
    if not ids and not admin:
        raise PermissionDenied
    requests = InformationRequest.objects.filter(status__in=REQUEST_PENDING)
    signals = Signal.objects.pending()
    if not admin:
        requests = requests.of_institutions(ids)
        signals = signals.of_institutions(ids)
        choices = list(
            Institution.objects.filter(pk__in=ids).order_by("name_bg").values_list("pk", "name_bg")
        )
    else:
        with_items = Q(pk__in=requests.values("institution_id")) | Q(
            pk__in=signals.values("institution_id")
        )
        choices = list(
            Institution.objects.filter(with_items).order_by("name_bg").values_list("pk", "name_bg")
        )
    form = InboxForm(request.GET or None, institutions=[(str(pk), n) for pk, n in choices])
    chosen = form.cleaned_data.get("institution") if form.is_valid() else ""
    if chosen:
        requests = requests.filter(institution_id=int(chosen))
        signals = signals.filter(institution_id=int(chosen))

    number = page_number(request.GET.get("page"), MAX_PAGE)
    offset = (number - 1) * PAGE_SIZE
    limit = offset + PAGE_SIZE + 1
    merged = list(
        heapq.merge(
            [(*k, "r") for k in _keys(requests, limit)],
            [(*k, "s") for k in _keys(signals, limit)],
        )
    )[offset:limit]
    shown = merged[:PAGE_SIZE]
    request_rows = InformationRequest.objects.select_related("institution").in_bulk(
        [pk for *_k, pk, kind in shown if kind == "r"]
    )
    signal_rows = Signal.objects.select_related("institution").in_bulk(
        [pk for *_k, pk, kind in shown if kind == "s"]
    )
    items: list[Any] = []
    for *_k, pk, kind in shown:
        if kind == "r":
            item: Any = request_rows[pk]
            item.kind_label = _("Information request")
            item.url = item.get_absolute_url()
        else:
            item = signal_rows[pk]
            item.kind_label = item.get_kind_display()
            item.url = _signal_url(pk)
        items.append(item)
    page = Page(items, number, number > 1, len(merged) > PAGE_SIZE and number < MAX_PAGE)
    return render(
        request,
        "monitoring/inbox/index.html",
        {
            "form": form,
            "items": items,
            "page": page,
            "counts": _counts(requests, signals),
            "filtered": bool(chosen),
            "breadcrumbs": [(_("Inbox of the institution"), "")],
        },
    )


urlpatterns = [path("inbox/", index, name="inbox")]
