"""Monitoring reports of organisations: the published ones, newest first; a report's page
(the text, the organisation, the public items it covers with links, the attachments); and,
for the organisation's representatives, writing, correcting and publishing one.

A draft is a 404 for everyone but its writers, moderators and administrators (rules.py:
view_report). Once published a report stays published: corrections are edits.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.ratelimit import ratelimit
from monitoring.forms.reports import ReportForm
from monitoring.models import MonitoringReport
from monitoring.services import commitments as services
from monitoring.services.common import MonitoringError, StaleVersion
from monitoring.views.common import crumbs, page_of, pk_or_404, represented, user_of
from organisations.models import Organisation

PAGE_SIZE = 20
MAX_PAGE = 10_000
write_limit = ratelimit("monitoring-reports", limit=60, period=3600)
# Items may be proposed by a link from their page: ?commitment=12&request=7.
PREFILL = {"commitment": "commitments", "request": "requests", "signal": "signals"}


def _reports_crumb() -> tuple[str, str]:
    return (_("Monitoring reports"), reverse("monitoring:reports"))


@require_http_methods(["GET", "HEAD"])
def report_list(request: HttpRequest) -> HttpResponse:
    reports = (
        MonitoringReport.objects.published()
        .select_related("organisation")
        .order_by("-published_at", "-pk")
    )
    page = page_of(reports, request.GET.get("page"), PAGE_SIZE, MAX_PAGE)
    return render(
        request,
        "monitoring/reports/list.html",
        {
            "page_obj": page,
            "reports": page.object_list,
            "mine": represented(request.user),
            "breadcrumbs": crumbs((_("Monitoring reports"), "")),
        },
    )


def _load(pk: int) -> MonitoringReport:
    return get_object_or_404(
        MonitoringReport.objects.select_related("organisation"), pk=pk_or_404(pk)
    )


def _visible(request: HttpRequest, report: MonitoringReport) -> MonitoringReport:
    if not request.user.has_perm("monitoring.view_report", report):
        raise Http404
    return report


@require_http_methods(["GET", "HEAD"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible(request, _load(pk))
    # Only what is public now: a request covered when public may since have been hidden.
    context = {
        "report": report,
        "commitments": list(
            report.commitments.select_related("institution").order_by("deadline", "pk")
        ),
        "requests": list(
            report.requests.filter(is_public=True)
            .select_related("institution")
            .only("pk", "title", "status", "institution__name_bg", "institution__name_en")
            .order_by("-filed_on", "-pk")
        ),
        "signals": list(
            report.signals.filter(is_public=True)
            .select_related("institution")
            .only("pk", "title", "kind", "status", "institution__name_bg", "institution__name_en")
            .order_by("-received_on", "-pk")
        ),
        "documents": list(report.documents.filter(is_public=True).order_by("uploaded_at", "pk")),
        "can_change": request.user.has_perm("monitoring.change_report", report),
        "breadcrumbs": crumbs(_reports_crumb(), (report.title, "")),
    }
    return render(request, "monitoring/reports/detail.html", context)


def _organisation(request: HttpRequest) -> Organisation | None:
    raw = request.GET.get("organisation", "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    return Organisation.objects.filter(pk=int(raw)).first()


def _prefill(request: HttpRequest) -> dict[str, str]:
    """Numbers proposed by the link that led here (checked again when the form is sent)."""
    initial: dict[str, str] = {}
    for param, field in PREFILL.items():
        numbers = [n for n in request.GET.getlist(param) if n.isdigit() and len(n) <= 12]
        if numbers:
            initial[field] = ", ".join(numbers[:50])
    return initial


def _render_form(
    request: HttpRequest,
    form: ReportForm,
    organisation: Organisation,
    report: MonitoringReport | None,
) -> HttpResponse:
    title = _("Correct the report") if report else _("New monitoring report")
    trail = [_reports_crumb()]
    if report is not None:
        trail.append((report.title, report.get_absolute_url()))
    trail.append((title, ""))
    return render(
        request,
        "monitoring/reports/form.html",
        {
            "form": form,
            "title": title,
            "organisation": organisation,
            "report": report,
            "documents": list(report.documents.all()) if report is not None else [],
            "breadcrumbs": crumbs(*trail),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    organisation = _organisation(request)
    if organisation is None:
        options = represented(user)
        if len(options) == 1:
            query = request.GET.copy()
            query["organisation"] = str(options[0].pk)
            return redirect(f"{reverse('monitoring:report-new')}?{query.urlencode()}")
        title = _("New monitoring report")
        return render(
            request,
            "monitoring/reports/choose.html",
            {
                "title": title,
                "options": options,
                "query": request.GET.urlencode(),
                "breadcrumbs": crumbs(_reports_crumb(), (title, "")),
            },
        )
    if not user.has_perm("monitoring.add_report", organisation):
        raise PermissionDenied
    if request.method != "POST":
        return _render_form(request, ReportForm(initial=_prefill(request)), organisation, None)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = services.create_report(organisation, by=user, **form.values())
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The report is saved as a draft. Check it, then publish it."),
            )
            return redirect(report.get_absolute_url())
    return _render_form(request, form, organisation, None)


def _changeable(request: HttpRequest, pk: int) -> MonitoringReport:
    report = _visible(request, _load(pk))
    if not request.user.has_perm("monitoring.change_report", report):
        raise PermissionDenied
    return report


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _changeable(request, pk)
    if request.method != "POST":
        return _render_form(request, ReportForm(report=report), report.organisation, report)
    form = ReportForm(request.POST, request.FILES, report=report)
    if form.is_valid():
        try:
            services.edit_report(report, by=user_of(request), **form.values())
        except StaleVersion as error:
            report = _load(pk)
            data = request.POST.copy()
            data["version"] = str(report.version)
            form.data = data
            form.add_error(None, str(error))
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The report is saved."))
            return redirect(report.get_absolute_url())
    return _render_form(request, form, report.organisation, report)


@login_required
@write_limit
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = _changeable(request, pk)
    raw = request.POST.get("version", "")
    try:
        services.publish_report(
            report, by=user_of(request), version=int(raw) if raw.isdigit() else None
        )
    except MonitoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The report is published."))
    return redirect(report.get_absolute_url())


urlpatterns: list[URLPattern] = [
    path("reports/", report_list, name="reports"),
    path("reports/new/", report_new, name="report-new"),
    path("reports/<int:pk>/", report_detail, name="report"),
    path("reports/<int:pk>/edit/", report_edit, name="report-edit"),
    path("reports/<int:pk>/publish/", report_publish, name="report-publish"),
]
