"""The public side of assessments: the campaigns, a campaign's report with its comparisons,
a municipality's report, the methodology, the PDF reports and the open-data exports.

Results show once the campaign is published (and before, to those who run it, to check them),
always under the anonymity threshold (assessments/report.py).
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessments import exports
from assessments.enums import CampaignState, RespondentType
from assessments.models import Campaign, Dimension
from assessments.report import cached_campaign_report, campaign_report, municipality_report
from assessments.scoring import OVERALL
from core import documents
from territory.models import Municipality


def _campaign(request: HttpRequest, pk: int, perm: str = "assessments.view_campaign") -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("previous", "coordinator"), pk=pk)
    if not request.user.has_perm(perm, campaign):
        # A draft is not shown to exist; published results hidden from others are 403.
        if campaign.state == CampaignState.DRAFT:
            raise Http404
        raise PermissionDenied
    return campaign


def index(request: HttpRequest) -> HttpResponse:
    shown = Q(state__in=[CampaignState.OPEN, CampaignState.PUBLISHED])
    if request.user.has_perm("assessments.coordinate"):
        shown = Q()
    campaigns = list(
        Campaign.objects.filter(shown)
        .prefetch_related("questionnaires")
        .order_by("-opens_on", "-pk")
    )
    return render(
        request,
        "assessments/index.html",
        {
            "open": [c for c in campaigns if c.state == CampaignState.OPEN],
            "published": [c for c in campaigns if c.state == CampaignState.PUBLISHED],
            "other": [
                c for c in campaigns if c.state in (CampaignState.DRAFT, CampaignState.CLOSED)
            ],
            "can_coordinate": request.user.has_perm("assessments.coordinate"),
            "breadcrumbs": [(_("Assessments"), "")],
        },
    )


def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk)
    kind = request.GET.get("type") or None
    if kind is not None and kind not in RespondentType.values:
        kind = None
    can_see = request.user.has_perm("assessments.view_results", found)
    # Read only when the page's cached markup is missing (the template's {% cache %}).
    report = SimpleLazyObject(lambda: cached_campaign_report(found, kind)) if can_see else None
    return render(
        request,
        "assessments/campaign.html",
        {
            "campaign": found,
            "report": report,
            "can_see": can_see,
            "kind": kind,
            "kinds": RespondentType.choices,
            "questionnaires": list(found.questionnaires.order_by("respondent_type")),
            "can_manage": request.user.has_perm("assessments.manage_campaign", found),
            "open_url": (
                reverse("assessments:open", args=[found.pk, found.open_key])
                if found.open_key and found.is_open_for_answers
                else ""
            ),
            "overall": OVERALL,
            "breadcrumbs": [
                (_("Assessments"), reverse("assessments:index")),
                (found.title, ""),
            ],
        },
    )


def municipality(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    found = _campaign(request, pk, "assessments.view_results")
    place = get_object_or_404(Municipality.objects.select_related("province"), code=code)
    named = request.user.has_perm("assessments.view_respondents", found)
    return render(
        request,
        "assessments/municipality.html",
        {
            "campaign": found,
            "place": place,
            "named": named,
            # Read only when the page's cached markup is missing (the template's {% cache %}).
            "report": SimpleLazyObject(lambda: municipality_report(found, place, named)),
            "overall": OVERALL,
            "breadcrumbs": [
                (_("Assessments"), reverse("assessments:index")),
                (found.title, found.get_absolute_url()),
                (place.name, ""),
            ],
        },
    )


def methodology(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assessments/methodology.html",
        {
            "dimensions": list(Dimension.objects.order_by("position", "slug")),
            "default_minimum": settings.ASSESSMENTS_MIN_GROUP_SIZE,
            "breadcrumbs": [
                (_("Assessments"), reverse("assessments:index")),
                (_("Methodology"), ""),
            ],
        },
    )


# --- The PDF report ----------------------------------------------------------------------------


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole campaign's report (with the annex of open answers and every municipality's
    indices), in Bulgarian; made once per state of the results and kept in the cache."""
    found = _campaign(request, pk, "assessments.view_results")
    key = f"assessments:pdf:{found.pk}:{found.results_version}"
    data = cache.get(key)
    if data is None:
        data = render_report_pdf(found)
        cache.set(key, data, 24 * 3600)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="assessment-{found.pk}.pdf"'
    return response


def municipality_pdf(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One municipality's report, in Bulgarian, kept in the cache like the campaign's."""
    found = _campaign(request, pk, "assessments.view_results")
    place = get_object_or_404(Municipality, code=code)
    key = f"assessments:pdf:{found.pk}:{found.results_version}:{place.code}"
    data = cache.get(key)
    if data is None:
        with translation.override("bg"):
            html = render_to_string(
                "assessments/print/municipality.html",
                {
                    "campaign": found,
                    "m": municipality_report(found, place),
                    "dimensions": list(Dimension.objects.order_by("position", "slug")),
                    "css": _print_css(),
                },
            )
        data, _pages = documents.render_pdf(html)
        cache.set(key, data, 24 * 3600)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="assessment-{found.pk}-{place.code}.pdf"'
    return response


def render_report_pdf(found: Campaign) -> bytes:
    with translation.override("bg"):
        html = render_to_string(
            "assessments/print/report.html",
            {
                "campaign": found,
                "report": campaign_report(found, with_answers=True),
                "dimensions": list(Dimension.objects.order_by("position", "slug")),
                "overall": OVERALL,
                "css": _print_css(),
            },
        )
    data, _pages = documents.render_pdf(html)
    return data


def _print_css() -> SafeString:
    """The reports' stylesheet with the footer's page counter; page_counter_css escapes every
    character that could end a string or the <style> element."""
    counter = mark_safe(documents.page_counter_css())  # noqa: S308
    css = render_to_string("assessments/print/report.css", {"page_counter": counter})
    return mark_safe(css.replace("</", "<\\/"))  # noqa: S308


# --- Exports -------------------------------------------------------------------------------------


def indices_csv(request: HttpRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk, "assessments.view_results")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{found.pk}-indices.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with the mark
    writer = csv.writer(response)
    for row in exports.index_rows(found):
        writer.writerow(row)
    return response


def indices_json(request: HttpRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk, "assessments.view_results")
    data: dict[str, Any] = exports.index_document(found)
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )


def answers_csv(request: HttpRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk, "assessments.view_results")
    with_names = request.user.has_perm("assessments.view_respondents", found)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{found.pk}-answers.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in exports.answer_rows(found, with_names=with_names):
        writer.writerow(row)
    return response


urlpatterns = [
    path("", index, name="index"),
    path("methodology/", methodology, name="methodology"),
    path("<int:pk>/", campaign, name="campaign"),
    path("<int:pk>/municipalities/<str:code>/", municipality, name="municipality"),
    path("<int:pk>/report.pdf", report_pdf, name="report-pdf"),
    path(
        "<int:pk>/municipalities/<str:code>/report.pdf",
        municipality_pdf,
        name="municipality-pdf",
    ),
    path("<int:pk>/indices.csv", indices_csv, name="indices-csv"),
    path("<int:pk>/indices.json", indices_json, name="indices-json"),
    path("<int:pk>/answers.csv", answers_csv, name="answers-csv"),
]
