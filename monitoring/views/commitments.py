"""Commitments: the public list with its filters, a commitment's page (source, timeline,
evidence, ratings, comments, the reports that assess it), and the forms of those who act on
it: the institution's staff record it, report progress and answer; organisations'
representatives record it as monitors, comment and rate (monitoring/rules.py).

Commitments are always public, so a person who may not act gets a 403, never a 404. The
workflow is monitoring/services/commitments.py's; these views show its answers. The list is
never counted: a page is read with one row more to know whether another follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations.enums import PUBLIC_STATES
from core.ratelimit import ratelimit
from directory import selectors as directory_selectors
from directory.models import Institution
from directory.selectors import staff_institution_ids
from monitoring.enums import CommitmentUpdateKind
from monitoring.forms.commitments import (
    CommentForm,
    CommitmentForm,
    FilterForm,
    ProgressForm,
    RatingForm,
)
from monitoring.models import Commitment, CommitmentRating
from monitoring.services import commitments as services
from monitoring.services.common import MonitoringError, StaleVersion, handles_institution
from monitoring.views.common import crumbs, page_of, pk_or_404, represented, user_of

PAGE_SIZE = 25
MAX_PAGE = 10_000
write_limit = ratelimit("monitoring-commitments", limit=120, period=3600)

CONVERSATION = (CommitmentUpdateKind.COMMENT, CommitmentUpdateKind.ANSWER)


def _commitments_crumb() -> tuple[str, str]:
    return (_("Commitments"), reverse("monitoring:commitments"))


# --- the list --------------------------------------------------------------------------------


def _filtered(filters: dict[str, Any]) -> QuerySet[Commitment]:
    qs = Commitment.objects.select_related("institution").order_by("deadline", "pk")
    if "institution" in filters:
        qs = qs.filter(institution_id=int(filters["institution"]))
    if "municipality" in filters:
        qs = qs.filter(municipality_id=filters["municipality"])
    if "province" in filters:
        qs = qs.filter(province_id=filters["province"])
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    if "source_kind" in filters:
        qs = qs.filter(source_kind=filters["source_kind"])
    if "deadline_after" in filters:
        qs = qs.filter(deadline__gte=filters["deadline_after"])
    if "deadline_before" in filters:
        qs = qs.filter(deadline__lte=filters["deadline_before"])
    return qs


@require_http_methods(["GET", "HEAD"])
def commitment_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = page_of(_filtered(filters), request.GET.get("page"), PAGE_SIZE, MAX_PAGE)
    return render(
        request,
        "monitoring/commitments/list.html",
        {
            "form": form,
            "page_obj": page,
            "commitments": page.object_list,
            "filtered": bool(filters),
            "breadcrumbs": crumbs((_("Commitments"), "")),
        },
    )


# --- recording -------------------------------------------------------------------------------


def _institution(raw: str) -> Institution | None:
    if not raw.isdigit() or len(raw) > 18:
        return None
    return Institution.objects.filter(pk=int(raw)).first()


def _choose_institution(request: HttpRequest) -> HttpResponse:
    """No institution chosen yet: those one works for, and a search of the directory."""
    user = user_of(request)
    q = request.GET.get("q", "").strip()[:200]
    found: list[Institution] = []
    if q:
        found = list(
            directory_selectors.matching(Institution.objects.all(), q).order_by("name_bg")[:20]
        )
    own = list(Institution.objects.filter(pk__in=staff_institution_ids(user)).order_by("name_bg"))
    title = _("Record a commitment")
    return render(
        request,
        "monitoring/commitments/choose.html",
        {
            "title": title,
            "q": q,
            "found": found,
            "own": own,
            "breadcrumbs": crumbs(_commitments_crumb(), (title, "")),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def commitment_new(request: HttpRequest) -> HttpResponse:
    institution = _institution(request.GET.get("institution", ""))
    if institution is None:
        return _choose_institution(request)
    user = user_of(request)
    if not user.has_perm("monitoring.add_commitment", institution):
        raise PermissionDenied
    as_staff = handles_institution(user, institution)
    monitors = represented(user)
    if not as_staff and not monitors:
        raise PermissionDenied
    form = CommitmentForm(
        request.POST or None, institution=institution, monitors=monitors, as_staff=as_staff
    )
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.record(
                institution, by=user, monitor=form.cleaned_data["monitor"], **form.values()
            )
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The commitment is recorded."))
            return redirect(commitment.get_absolute_url())
    return _form_page(request, form, institution, None)


def _form_page(
    request: HttpRequest,
    form: CommitmentForm,
    institution: Institution,
    commitment: Commitment | None,
) -> HttpResponse:
    """Recording a commitment, or correcting `commitment`."""
    title = _("Correct the commitment") if commitment else _("Record a commitment")
    trail = [_commitments_crumb()]
    if commitment is not None:
        trail.append((commitment.title, commitment.get_absolute_url()))
    return render(
        request,
        "monitoring/commitments/form.html",
        {
            "form": form,
            "title": title,
            "institution": institution,
            "commitment": commitment,
            "breadcrumbs": crumbs(*trail, (title, "")),
        },
    )


# --- a commitment's page -------------------------------------------------------------------


def _load(pk: int) -> Commitment:
    return get_object_or_404(
        Commitment.objects.select_related(
            "institution", "municipality", "province", "monitor", "consultation"
        ),
        pk=pk_or_404(pk),
    )


def _detail(
    request: HttpRequest,
    commitment: Commitment,
    *,
    progress_form: ProgressForm | None = None,
    answer_form: CommentForm | None = None,
    comment_form: CommentForm | None = None,
    rating_form: RatingForm | None = None,
) -> HttpResponse:
    """The page, with the forms of what the person may do (bound ones keep what was typed)."""
    user = request.user
    can_update = user.has_perm("monitoring.update_commitment", commitment)
    organisations = represented(user)
    updates = list(commitment.updates.select_related("organisation").order_by("at", "pk"))
    ratings = list(
        CommitmentRating.objects.filter(commitment=commitment)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    if can_update:
        if services.TRANSITIONS.get(commitment.status):  # done and dropped are final
            progress_form = progress_form or ProgressForm(commitment=commitment)
        answer_form = answer_form or CommentForm(organisations=[], prefix="answer")
    if organisations:
        comment_form = comment_form or CommentForm(organisations=organisations, prefix="comment")
        if rating_form is None:
            # The first organisation's current rating, to change it.
            first = organisations[0].pk
            current = next((r.rating for r in ratings if r.organisation_id == first), None)
            initial = {"organisation": str(first)}
            if current is not None:
                initial["rating"] = str(current)
            rating_form = RatingForm(organisations=organisations, initial=initial, prefix="rating")
    consultation = commitment.consultation
    context = {
        "commitment": commitment,
        "timeline": [u for u in updates if u.kind not in CONVERSATION],
        "conversation": [u for u in updates if u.kind in CONVERSATION],
        "documents": list(commitment.documents.filter(is_public=True).order_by("uploaded_at")),
        "ratings": ratings,
        "reports": list(commitment.reports.published().select_related("organisation")),
        "consultation": consultation
        if consultation is not None and consultation.state in PUBLIC_STATES
        else None,
        "can_update": can_update,
        "can_edit": user.has_perm("monitoring.edit_commitment", commitment),
        "progress_form": progress_form,
        "answer_form": answer_form,
        "comment_form": comment_form,
        "rating_form": rating_form,
        "report_url": (
            reverse("monitoring:report-new") + f"?commitment={commitment.pk}"
            if organisations
            else ""
        ),
        "breadcrumbs": crumbs(_commitments_crumb(), (commitment.title, "")),
    }
    return render(request, "monitoring/commitments/detail.html", context)


@require_http_methods(["GET", "HEAD"])
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _load(pk))


def _current_version(form: Any, commitment: Commitment) -> None:
    """After a stale save: the form keeps what was typed, now based on the current record
    (so that saving again is a conscious choice over what the page now shows)."""
    data = form.data.copy()
    data["version"] = str(commitment.version)
    form.data = data


def _post(
    request: HttpRequest,
    commitment: Commitment,
    form: Any,
    slot: str,
    save: Callable[[Any], object],
    done: str,
    anchor: str = "",
    reload: Callable[[], tuple[Commitment, Any]] | None = None,
) -> HttpResponse:
    """One of the page's forms sent: back to the page when it is saved, else the page with
    the form (`slot`) keeping what was typed next to its errors. `reload`: after someone else
    changed the commitment meanwhile, the current one with the form rebuilt on it."""
    if form.is_valid():
        try:
            save(form)
        except StaleVersion as error:
            if reload is not None:
                commitment, form = reload()
            form.add_error(None, str(error))
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(commitment.get_absolute_url() + anchor)
    return _detail(request, commitment, **{slot: form})


@login_required
@write_limit
@require_POST
def commitment_progress(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _load(pk)
    user = user_of(request)
    if not user.has_perm("monitoring.update_commitment", commitment):
        raise PermissionDenied

    def reload() -> tuple[Commitment, ProgressForm]:
        current = _load(pk)
        form = ProgressForm(request.POST, request.FILES, commitment=current)
        form.is_valid()
        _current_version(form, current)
        return current, form

    return _post(
        request,
        commitment,
        ProgressForm(request.POST, request.FILES, commitment=commitment),
        "progress_form",
        lambda form: services.update_progress(commitment, by=user, **form.values()),
        _("The progress is recorded."),
        reload=reload,
    )


@login_required
@write_limit
@require_POST
def commitment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _load(pk)
    user = user_of(request)
    if not user.has_perm("monitoring.update_commitment", commitment):
        raise PermissionDenied
    return _post(
        request,
        commitment,
        CommentForm(request.POST, organisations=[], prefix="answer"),
        "answer_form",
        lambda form: services.comment(commitment, text=form.cleaned_data["text"], by=user),
        _("Your answer is published."),
        "#conversation",
    )


@login_required
@write_limit
@require_POST
def commitment_comment(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _load(pk)
    user = user_of(request)
    organisations = represented(user)
    if not organisations:
        raise PermissionDenied
    return _post(
        request,
        commitment,
        CommentForm(request.POST, organisations=organisations, prefix="comment"),
        "comment_form",
        lambda form: services.comment(
            commitment, organisation=form.chosen(), text=form.cleaned_data["text"], by=user
        ),
        _("Your comment is published."),
        "#conversation",
    )


@login_required
@write_limit
@require_POST
def commitment_rate(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _load(pk)
    user = user_of(request)
    organisations = represented(user)
    if not organisations or not user.has_perm("monitoring.rate_commitment", commitment):
        raise PermissionDenied
    return _post(
        request,
        commitment,
        RatingForm(request.POST, organisations=organisations, prefix="rating"),
        "rating_form",
        lambda form: services.rate(
            commitment, organisation=form.chosen(), rating=form.cleaned_data["rating"], by=user
        ),
        _("Your organisation's rating is saved."),
        "#ratings",
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _load(pk)
    user = user_of(request)
    if not user.has_perm("monitoring.edit_commitment", commitment):
        raise PermissionDenied
    form = CommitmentForm(
        request.POST or None, institution=commitment.institution, commitment=commitment
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit(
                commitment, version=form.cleaned_data.get("version"), by=user, **form.values()
            )
        except StaleVersion as error:
            commitment = _load(pk)
            _current_version(form, commitment)
            form.add_error(None, str(error))
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The commitment is corrected."))
            return redirect(commitment.get_absolute_url())
    return _form_page(request, form, commitment.institution, commitment)


urlpatterns: list[URLPattern] = [
    path("commitments/", commitment_list, name="commitments"),
    path("commitments/new/", commitment_new, name="commitment-new"),
    path("commitments/<int:pk>/", commitment_detail, name="commitment"),
    path("commitments/<int:pk>/edit/", commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/progress/", commitment_progress, name="commitment-progress"),
    path("commitments/<int:pk>/answer/", commitment_answer, name="commitment-answer"),
    path("commitments/<int:pk>/comment/", commitment_comment, name="commitment-comment"),
    path("commitments/<int:pk>/rate/", commitment_rate, name="commitment-rate"),
]
