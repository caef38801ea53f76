"""Consultations after the period: grouping and answering the proposals, publishing the report,
the public report page and its files (PDF, .docx).

Answering (perm `consultations.answer_proposals`: the owner's staff or an administrator, only
while the consultation is closed):
- /consultations/<pk>/answers/ — the groups of proposals, unanswered first, filterable by
  article and state, paginated, with the progress and the statistics; "group the proposals".
- /consultations/<pk>/answers/<group>/ — one group: all its proposals (paginated), the answer
  form (decision, reasons) and regrouping by hand (move, split out, merge).
- /consultations/<pk>/answers/publish/ — publish the report (refused while any is unanswered).

The report (anyone who may see the consultation, once the report is published):
- /consultations/<pk>/report/ — the table, printable, with the statistics.
- /consultations/<pk>/report/<pdf|docx>/ — the file's status page (made in the background,
  core/documents.py), and /consultations/<pk>/report/file/<id>/ to download it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations import grouping, report, stats
from consultations.answer_forms import AnswerForm, RegroupForm
from consultations.enums import ReportFormat, State
from consultations.models import Article, Comment, Consultation, ProposalGroup, ReportFile
from consultations.tasks import make_report_file
from core import documents
from core.ratelimit import ratelimit

GROUPS_PER_PAGE = 20
COMMENTS_PER_PAGE = 50
PREVIEW = 3  # proposals shown with each group on the list
RATE_SCOPE, RATE_LIMIT, RATE_PERIOD = "consultation-answers", 300, 600
REPORT_STATES = frozenset({State.REPORT_PUBLISHED, State.ADOPTED})


# --- Permissions --------------------------------------------------------------------------------


def _consultation_for_answers(request: HttpRequest, pk: int) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.select_related("institution"), pk=pk)
    if not request.user.has_perm("consultations.answer_proposals", consultation):
        raise PermissionDenied
    return consultation


def _login_first(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _published(consultation: Consultation) -> bool:
    return consultation.state in REPORT_STATES or (
        consultation.state == State.WITHDRAWN and consultation.report_published_at is not None
    )


def _consultation_with_report(request: HttpRequest, pk: int) -> Consultation:
    """The consultation whose report is published and which the visitor may see, else 404."""
    consultation = get_object_or_404(Consultation.objects.select_related("institution"), pk=pk)
    if not _published(consultation) or not request.user.has_perm(
        "consultations.view_consultation", consultation
    ):
        raise Http404
    return consultation


def _crumbs(consultation: Consultation, *last: tuple[str, str]) -> list[tuple[str, str]]:
    return [(consultation.title, consultation.get_absolute_url()), *last]


# --- The groups ---------------------------------------------------------------------------------


def _groups(consultation: Consultation):  # type: ignore[no-untyped-def]
    preview = Comment.objects.order_by("created_at", "pk").only(
        "pk", "group_id", "text", "proposed_wording", "display_name", "created_at"
    )
    return (
        ProposalGroup.objects.filter(consultation=consultation)
        .select_related("article", "answered_by")
        .annotate(
            n=Count("comments", distinct=True),
            people=Count("comments__author", distinct=True),
        )
        .prefetch_related(Prefetch("comments", queryset=preview[:PREVIEW], to_attr="preview"))
    )


def _progress(consultation: Consultation) -> dict[str, int]:
    groups = ProposalGroup.objects.filter(consultation=consultation).aggregate(
        total=Count("pk"), answered=Count("pk", filter=~Q(decision=""))
    )
    proposals = grouping.proposals(consultation).aggregate(
        total=Count("pk"),
        ungrouped=Count("pk", filter=Q(group__isnull=True)),
        unanswered=Count("pk", filter=Q(group__isnull=True) | Q(group__decision="")),
    )
    return {
        "groups": groups["total"],
        "answered": groups["answered"],
        "proposals": proposals["total"],
        "ungrouped": proposals["ungrouped"],
        "unanswered": proposals["unanswered"],
    }


@require_http_methods(["GET", "HEAD"])
def answers(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    consultation = _consultation_for_answers(request, pk)
    show = request.GET.get("show", "unanswered")
    if show not in ("unanswered", "answered", "all"):
        show = "unanswered"
    groups = _groups(consultation)
    if show == "unanswered":
        groups = groups.filter(decision="")
    elif show == "answered":
        groups = groups.exclude(decision="")
    articles = list(
        Article.objects.filter(
            pk__in=ProposalGroup.objects.filter(consultation=consultation).values("article_id")
        )
        .order_by("index")
        .only("pk", "label")
    )
    article = request.GET.get("article", "")
    if article.isdigit() and any(a.pk == int(article) for a in articles):
        groups = groups.filter(article_id=int(article))
    else:
        article = ""
    page = Paginator(groups.order_by("order", "pk"), GROUPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    forms = [
        (
            group,
            AnswerForm(
                initial={"summary": group.summary, "decision": group.decision,
                         "reasons": group.reasons},
                prefix=f"g{group.pk}",
            ),
        )
        for group in page.object_list
    ]  # fmt: skip
    return render(
        request,
        "consultations/answers/index.html",
        {
            "consultation": consultation,
            "page_obj": page,
            "forms": forms,
            "progress": _progress(consultation),
            "show": show,
            "articles": articles,
            "article": article,
            "charts": stats.all_charts(consultation),
            "title": _("Answers to the proposals"),
            "breadcrumbs": _crumbs(consultation, (_("Answers to the proposals"), "")),
        },
    )


@require_POST
@ratelimit(RATE_SCOPE, limit=RATE_LIMIT, period=RATE_PERIOD)
def autogroup(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    consultation = _consultation_for_answers(request, pk)
    result = grouping.group_proposals(consultation, reset=request.POST.get("reset") == "on")
    messages.success(
        request,
        _("%(proposals)s proposals grouped: %(groups)s groups in all.")
        % {"proposals": result.proposals, "groups": result.groups},
    )
    return redirect("consultations:answers", pk=consultation.pk)


def _group_page(
    request: HttpRequest,
    consultation: Consultation,
    group: ProposalGroup,
    form: AnswerForm,
    regroup: RegroupForm | None = None,
    status: int = 200,
) -> HttpResponse:
    comments = (
        group.comments.select_related("article", "organisation", "network")
        .only(
            "pk", "group_id", "text", "proposed_wording", "display_name", "created_at",
            "article__label", "organisation__name", "network__name", "organisation_id",
            "network_id",
        )
        .order_by("created_at", "pk")
    )  # fmt: skip
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    for c in page.object_list:
        c.participant = report.participant_name(c)  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/answers/group.html",
        {
            "consultation": consultation,
            "group": group,
            "form": form,
            "regroup": regroup or RegroupForm(),
            "page_obj": page,
            "title": _("Group %(n)s") % {"n": group.order},
            "breadcrumbs": _crumbs(
                consultation,
                (_("Answers to the proposals"), reverse("consultations:answers", args=[
                    consultation.pk])),
                (_("Group %(n)s") % {"n": group.order}, ""),
            ),
        },
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(RATE_SCOPE, limit=RATE_LIMIT, period=RATE_PERIOD)
def group_detail(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    consultation = _consultation_for_answers(request, pk)
    group = get_object_or_404(
        ProposalGroup.objects.select_related("article", "answered_by").annotate(
            n=Count("comments", distinct=True), people=Count("comments__author", distinct=True)
        ),
        pk=group_pk,
        consultation=consultation,
    )
    prefix = f"g{group.pk}"
    if request.method != "POST":
        form = AnswerForm(
            initial={"summary": group.summary, "decision": group.decision,
                     "reasons": group.reasons},
            prefix=prefix,
        )  # fmt: skip
        return _group_page(request, consultation, group, form)
    form = AnswerForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _group_page(request, consultation, group, form)
    with transaction.atomic():
        ProposalGroup.objects.filter(pk=group.pk).update(
            summary=form.cleaned_data["summary"].strip(),
            decision=form.cleaned_data["decision"],
            reasons=form.cleaned_data["reasons"].strip(),
            answered_by=request.user,
            answered_at=timezone.now(),
        )
    messages.success(request, _("The answer to group %(n)s is saved.") % {"n": group.order})
    back = request.POST.get("back", "")
    if back.startswith("?") and "\n" not in back:
        return redirect(reverse("consultations:answers", args=[consultation.pk]) + back)
    return redirect("consultations:answers", pk=consultation.pk)


@require_POST
@ratelimit(RATE_SCOPE, limit=RATE_LIMIT, period=RATE_PERIOD)
def regroup(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    consultation = _consultation_for_answers(request, pk)
    group = get_object_or_404(ProposalGroup, pk=group_pk, consultation=consultation)
    numbers = dict(
        ProposalGroup.objects.filter(consultation=consultation).values_list("order", "pk")
    )
    form = RegroupForm(request.POST, numbers=set(numbers))
    if not form.is_valid():
        answer = AnswerForm(
            initial={"summary": group.summary, "decision": group.decision,
                     "reasons": group.reasons},
            prefix=f"g{group.pk}",
        )  # fmt: skip
        group = (
            ProposalGroup.objects.select_related("article", "answered_by")
            .annotate(n=Count("comments", distinct=True),
                      people=Count("comments__author", distinct=True))
            .get(pk=group.pk)
        )  # fmt: skip
        return _group_page(request, consultation, group, answer, form, status=400)
    data = form.cleaned_data
    try:
        if data["action"] == RegroupForm.MERGE:
            target = ProposalGroup.objects.get(pk=numbers[data["target"]])
            if target.pk == group.pk:
                raise grouping.RegroupError
            grouping.merge(target, group)
            messages.success(request, _("The groups are merged."))
            return redirect("consultations:answer-group", pk=consultation.pk, group_pk=target.pk)
        comment = get_object_or_404(
            grouping.proposals(consultation), pk=data["comment"], group=group
        )
        if data["action"] == RegroupForm.SPLIT:
            new = grouping.split_out(comment)
            messages.success(request, _("The proposal has a group of its own now."))
            return redirect("consultations:answer-group", pk=consultation.pk, group_pk=new.pk)
        target = ProposalGroup.objects.get(pk=numbers[data["target"]])
        grouping.move(comment, target)
        messages.success(request, _("The proposal is moved."))
    except grouping.RegroupError:
        messages.error(request, _("That regrouping is not possible."))
    if ProposalGroup.objects.filter(pk=group.pk).exists():
        return redirect("consultations:answer-group", pk=consultation.pk, group_pk=group.pk)
    return redirect("consultations:answers", pk=consultation.pk)


@require_POST
@ratelimit(RATE_SCOPE, limit=RATE_LIMIT, period=RATE_PERIOD)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    consultation = _consultation_for_answers(request, pk)
    try:
        report.publish(consultation, request.user)
    except report.ReportError as error:
        messages.error(request, str(error))
        return redirect("consultations:answers", pk=consultation.pk)
    messages.success(
        request, _("The report is published and everyone who commented has been told.")
    )
    return redirect("consultations:report", pk=consultation.pk)


# --- The report ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation_with_report(request, pk)
    rows = report.rows(consultation)
    return render(
        request,
        "consultations/report/page.html",
        {
            "consultation": consultation,
            "rows": rows,
            "proposals": sum(r.count for r in rows),
            "annex": report.annex(consultation),
            "charts": stats.all_charts(consultation),
            "title": _("Report on the proposals received"),
            "breadcrumbs": _crumbs(consultation, (_("Report"), "")),
        },
    )


def _file_texts(fmt: str) -> documents.StatusTexts:
    name = fmt.upper()
    return documents.StatusTexts(
        ready=_("The report as %(format)s is ready.") % {"format": name},
        waiting=_("The file is waiting for its turn to be made."),
        running=_("The file is being made."),
        failed=_(
            "The file could not be made. The error is on our side: please try again in a "
            "few minutes."
        ),
        not_made=_("The file has not been made yet. It takes up to a minute for a long report."),
    )


def _download_url(row: ReportFile) -> str:
    return reverse("consultations:report-download", args=[row.consultation_id, row.pk])


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(documents.RATE_SCOPE, limit=documents.RATE_LIMIT, period=documents.RATE_PERIOD)
def report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ReportFormat.values:
        raise Http404
    consultation = _consultation_with_report(request, pk)
    fingerprint = report.fingerprint(consultation)
    scope = ReportFile.objects.filter(consultation=consultation, format=fmt)
    status_url = reverse("consultations:report-file", args=[consultation.pk, fmt])
    if request.method == "POST":
        documents.request(
            scope,
            ReportFile(consultation=consultation, format=fmt, fingerprint=fingerprint),
            lambda row_pk: make_report_file.enqueue(pk=row_pk),
        )
        return redirect(status_url)
    context: dict[str, Any] = documents.status_context(
        request,
        scope,
        fingerprint,
        download_url=_download_url,
        status_url=status_url,
        # An older file could show a comment hidden since.
        offer_previous=False,
    )
    context.update(
        {
            "consultation": consultation,
            "format": fmt,
            "format_name": fmt.upper(),
            "texts": _file_texts(fmt),
            "title": _("The report as %(format)s") % {"format": fmt.upper()},
            "breadcrumbs": _crumbs(
                consultation,
                (_("Report"), reverse("consultations:report", args=[consultation.pk])),
                (fmt.upper(), ""),
            ),
        }
    )
    return render(request, "consultations/report/file.html", context)


CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    consultation = _consultation_with_report(request, pk)
    row = documents.finished_or_404(ReportFile, file_pk)
    if row.consultation_id != consultation.pk:
        raise Http404
    if row.fingerprint != report.fingerprint(consultation):
        return redirect("consultations:report-file", pk=consultation.pk, fmt=row.format)
    response = documents.serve(row, f"spravka-{consultation.pk}.{row.format}")
    response["Content-Type"] = CONTENT_TYPES[ReportFormat(row.format)]
    return response


urlpatterns = [
    path("<int:pk>/answers/", answers, name="answers"),
    path("<int:pk>/answers/group/", autogroup, name="answers-autogroup"),
    path("<int:pk>/answers/publish/", publish, name="answers-publish"),
    path("<int:pk>/answers/<int:group_pk>/", group_detail, name="answer-group"),
    path("<int:pk>/answers/<int:group_pk>/regroup/", regroup, name="answer-regroup"),
    path("<int:pk>/report/", report_page, name="report"),
    path("<int:pk>/report/<str:fmt>/", report_file, name="report-file"),
    path("<int:pk>/report/file/<int:file_pk>/", report_download, name="report-download"),
]
