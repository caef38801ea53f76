"""The compliance audit's pages: the dashboard (by institution, municipality or policy area,
by year, with the trend and the consultations below the minimum) and its methodology.

The dashboard's queries do not depend on the number of consultations (consultations.compliance
aggregates in the database; only the periods of the filtered rows are read for the medians).
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consultations import compliance
from consultations.enums import Source
from consultations.periods import ZNA_2016
from core.charts import chart
from core.widgets import DateInput

PAGE_SIZE = 25
# Groups shown before "show all" (a country's thousands of institutions make a slow, long page).
GROUPS_SHOWN = 50


class CountedPaginator(Paginator):
    """Pages of a list whose length the overall figures already give (every audited
    consultation meets the minimum or not): no COUNT over the table."""

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


class ComplianceForm(forms.Form):
    by = forms.ChoiceField(
        label=gettext_lazy("Compare by"),
        required=False,
        choices=list(compliance.GROUPING_LABELS.items()),
    )
    source = forms.ChoiceField(label=gettext_lazy("Held on"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int)
    opened_from = forms.DateField(
        label=gettext_lazy("Opened from"), required=False, widget=DateInput()
    )
    opened_to = forms.DateField(
        label=gettext_lazy("Opened until"), required=False, widget=DateInput()
    )
    institution = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    municipality = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)
    policy_area = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["source"]).choices = [
            ("", _("everywhere")),
            *Source.choices,
        ]
        cast(forms.ChoiceField, self.fields["year"]).choices = [("", _("all years"))] + [
            (y, str(y)) for y in compliance.years()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and start > end:
            self.add_error("opened_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> compliance.Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return compliance.Filters(
            source=data.get("source") or None,
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            year=data.get("year") or None,
            institution=data.get("institution") or None,
            municipality=data.get("municipality") or None,
            policy_area=data.get("policy_area") or None,
        )


def _query(filters: compliance.Filters, **extra: Any) -> str:
    values = {**filters.as_query(), **extra}
    return urlencode(
        {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}
    )


@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    form = ComplianceForm(request.GET or None)
    filters = form.filters()
    grouping = (form.cleaned_data.get("by") if form.is_valid() else "") or "institution"
    language = get_language() or "bg"
    total = compliance.overall(filters)
    groups = compliance.by_group(filters, grouping, language)
    trend = compliance.by_year(filters)
    below = CountedPaginator(
        compliance.below_minimum(filters), PAGE_SIZE, count=total.consultations - total.meeting
    ).get_page(request.GET.get("page"))
    key_name = {"institution": "institution", "municipality": "municipality"}.get(
        grouping, "policy_area"
    )
    all_groups = request.GET.get("all") == "1"
    shown = groups if all_groups else groups[:GROUPS_SHOWN]
    for g in shown:
        if g.key is not None and g.key != "":
            g.url = "?" + _query(filters, **{key_name: g.key})  # type: ignore[attr-defined]
    trend_chart = chart(
        "compliance-trend",
        _("Share of consultations meeting the legal minimum, by year (%)"),
        _("% meeting the minimum"),
        [(str(f.year), int(f.meeting_share or 0)) for f in trend],
        top=100,
    )
    narrowed = bool(filters.institution or filters.municipality or filters.policy_area)
    return render(
        request,
        "consultations/compliance/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "grouping": grouping,
            "grouping_label": compliance.GROUPING_LABELS[grouping],
            "total": total,
            "groups": shown,
            "groups_count": len(groups),
            "all_groups_url": "?" + _query(filters, by=grouping, all=1)
            if len(groups) > len(shown)
            else "",
            "trend": trend,
            "trend_chart": trend_chart,
            "page_obj": below,
            "below": below.object_list,
            "narrowed": narrowed,
            "narrowed_label": groups[0].label if narrowed and groups else "",
            "all_url": "?" + _query(compliance.Filters(source=filters.source, year=filters.year)),
            "page_query": _query(filters, by=grouping),
            "breadcrumbs": [
                (_("Public consultations"), reverse("consultations:index")),
                (_("Compliance with the law"), ""),
            ],
        },
    )


@require_http_methods(["GET", "HEAD"])
def methodology(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consultations/compliance/methodology.html",
        {
            "zna_2016": ZNA_2016,
            "breadcrumbs": [
                (_("Public consultations"), reverse("consultations:index")),
                (_("Compliance with the law"), reverse("consultations:compliance")),
                (_("Methodology"), ""),
            ],
        },
    )


urlpatterns = [
    path("compliance/", dashboard, name="compliance"),
    path("compliance/methodology/", methodology, name="compliance-methodology"),
]
