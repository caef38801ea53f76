"""Running a campaign (its coordinator and administrators): the campaign's details, its states,
invitations and reminders, progress, recommendation rules and the recommendations' texts, and
the step from the training needs to a training programme in events."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments import services
from assessments.campaign_forms import (
    CampaignForm,
    InvitationForm,
    RecommendationForm,
    RuleFormSet,
)
from assessments.enums import CAMPAIGN_TRANSITIONS, CampaignState, RespondentType
from assessments.models import Campaign, Invitation, Recommendation, Response
from assessments.report import progress_counts, training_needs
from assessments.results import results_of
from core.ratelimit import ratelimit

write_limit = ratelimit("assessments-coordinator", limit=300, period=3600)


def _crumbs(campaign: Campaign | None = None, *more: tuple[str, str]) -> list[tuple[str, str]]:
    crumbs = [
        (_("Assessments"), reverse("assessments:index")),
        (_("Run assessments"), reverse("assessments:manage")),
    ]
    if campaign is not None:
        crumbs.append((campaign.title, reverse("assessments:manage-campaign", args=[campaign.pk])))
    return [*crumbs, *more]


def _managed(request: HttpRequest, pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=pk)
    if not request.user.has_perm("assessments.manage_campaign", campaign):
        raise PermissionDenied
    return campaign


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("assessments.coordinate"):
        raise PermissionDenied
    campaigns = Campaign.objects.annotate(
        submitted=Count("responses", filter=Q(responses__state="submitted"))
    ).order_by("-opens_on", "-pk")
    return render(
        request,
        "assessments/manage/index.html",
        {"campaigns": campaigns, "breadcrumbs": [*_crumbs()[:-1], (_("Run assessments"), "")]},
    )


def _save_campaign(form: CampaignForm, user: Any) -> Campaign:
    with transaction.atomic():
        campaign: Campaign = form.save(commit=False)
        if campaign.coordinator_id is None:
            campaign.coordinator = user
        wants_link = form.cleaned_data.get("open_link")
        if wants_link and not campaign.open_key:
            campaign.open_key = get_random_string(22)
        elif not wants_link:
            campaign.open_key = ""
        campaign.results_version += 1
        campaign.save()
        # A disabled field (the campaign has answers) saves back what it had.
        form.save_m2m()
    return campaign


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("assessments.coordinate"):
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = _save_campaign(form, request.user)
        messages.success(request, _("The campaign is saved. Invite the respondents, then open it."))
        return redirect("assessments:manage-campaign", campaign.pk)
    return render(
        request,
        "assessments/manage/campaign_form.html",
        {"form": form, "breadcrumbs": _crumbs(None, (_("New campaign"), ""))},
        status=400 if form.errors else 200,
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        _save_campaign(form, request.user)
        messages.success(request, _("Saved."))
        return redirect("assessments:manage-campaign", campaign.pk)
    return render(
        request,
        "assessments/manage/campaign_form.html",
        {"form": form, "campaign": campaign, "breadcrumbs": _crumbs(campaign, (_("Edit"), ""))},
        status=400 if form.errors else 200,
    )


def _progress(campaign: Campaign) -> list[dict[str, Any]]:
    """Invited, started and submitted by municipality and respondent type."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    invitations = (
        Invitation.objects.filter(campaign=campaign)
        .values("municipality__name_bg", "respondent_type")
        .annotate(
            invited=Count("pk"),
            started=Count("pk", filter=Q(started_at__isnull=False, submitted_at=None)),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        )
    )
    for row in invitations:
        key = (row["municipality__name_bg"] or "—", row["respondent_type"])
        rows[key] = {"invited": row["invited"], "started": row["started"],
                     "submitted": row["submitted"]}  # fmt: skip
    # Answers through the open link have no invitation.
    open_answers = (
        Response.objects.filter(campaign=campaign, invitation=None)
        .values("municipality__name_bg", "respondent_type")
        .annotate(
            started=Count("pk", filter=Q(state="draft")),
            submitted=Count("pk", filter=Q(state="submitted")),
        )
    )
    for extra in open_answers:
        key = (extra["municipality__name_bg"] or "—", extra["respondent_type"])
        found = rows.setdefault(key, {"invited": 0, "started": 0, "submitted": 0})
        found["started"] += extra["started"]
        found["submitted"] += extra["submitted"]
    return [
        {"municipality": m, "type": RespondentType(t).label, **figures}
        for (m, t), figures in sorted(rows.items())
    ]


@login_required
def manage_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    return render(
        request,
        "assessments/manage/campaign.html",
        {
            "campaign": campaign,
            "counts": progress_counts(campaign),
            "progress": _progress(campaign),
            "questionnaires": list(campaign.questionnaires.order_by("respondent_type")),
            "moves": [
                (state, CampaignState(state).label)
                for state in sorted(CAMPAIGN_TRANSITIONS[campaign.state])
            ],
            "changes": campaign.changes.select_related("by").order_by("-at", "-pk")[:20],
            "open_url": (
                request.build_absolute_uri(
                    reverse("assessments:open", args=[campaign.pk, campaign.open_key])
                )
                if campaign.open_key
                else ""
            ),
            "invitation_form": InvitationForm(),
            "recommendations": Recommendation.objects.filter(campaign=campaign).count(),
            "breadcrumbs": [*_crumbs(), (campaign.title, "")],
        },
    )


@login_required
@write_limit
@require_POST
def campaign_state(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    to = request.POST.get("to", "")
    try:
        services.transition(campaign, to, request.user, request.POST.get("note", ""))
    except services.AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The campaign is now: %(state)s.") % {"state": CampaignState(to).label},
        )
    return redirect("assessments:manage-campaign", campaign.pk)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["respondent_type"]
        try:
            added, known = 0, 0
            if form.cleaned_data["emails"]:
                a, k = services.invite(
                    campaign, kind, form.cleaned_data["emails"], form.cleaned_data["municipality"]
                )
                added, known = added + a, known + k
            if form.cleaned_data["from_directory"]:
                a, k, without = services.invite_from_directory(
                    campaign, kind, list(form.cleaned_data["from_directory"])
                )
                added, known = added + a, known + k
                if without:
                    messages.warning(
                        request,
                        _("Without a published e-mail address, not invited: %(names)s.")
                        % {"names": "; ".join(without[:20])},
                    )
        except services.AssessmentError as error:
            form.add_error("from_directory", str(error))
        else:
            messages.success(
                request,
                _("Invitations added: %(added)s; already invited: %(known)s.")
                % {"added": added, "known": known},
            )
            return redirect("assessments:manage-campaign", campaign.pk)
    return render(
        request,
        "assessments/manage/invite.html",
        {
            "campaign": campaign,
            "form": form,
            "breadcrumbs": _crumbs(campaign, (_("Invite"), "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@write_limit
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    try:
        if request.POST.get("what") == "reminders":
            count = services.send_reminders(campaign)
            messages.success(request, _("Reminders sent: %(n)s.") % {"n": count})
        else:
            count = services.send_invitations(campaign)
            messages.success(request, _("Invitations sent: %(n)s.") % {"n": count})
    except services.AssessmentError as error:
        messages.error(request, str(error))
    return redirect("assessments:manage-campaign", campaign.pk)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    formset = RuleFormSet(request.POST or None, instance=campaign, prefix="rules")
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
            made = services.generate_recommendations(campaign)
        messages.success(
            request, _("Rules saved; recommendations made from them: %(n)s.") % {"n": made}
        )
        return redirect("assessments:recommendations", campaign.pk)
    return render(
        request,
        "assessments/manage/rules.html",
        {
            "campaign": campaign,
            "formset": formset,
            "breadcrumbs": _crumbs(campaign, (_("Recommendation rules"), "")),
        },
        status=400 if formset.errors and request.method == "POST" else 200,
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def recommendations(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = RecommendationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found: Recommendation = form.save(commit=False)
        found.campaign = campaign
        found.edited = True
        found.save()
        services.bump_results(campaign)
        messages.success(request, _("The recommendation is added."))
        return redirect("assessments:recommendations", campaign.pk)
    return render(
        request,
        "assessments/manage/recommendations.html",
        {
            "campaign": campaign,
            "form": form,
            "recommendations": Recommendation.objects.filter(campaign=campaign)
            .select_related("municipality")
            .order_by("municipality__name_bg", "pk"),
            "breadcrumbs": _crumbs(campaign, (_("Recommendations"), "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    campaign = _managed(request, pk)
    found = get_object_or_404(Recommendation, pk=rid, campaign=campaign)
    if request.method == "POST" and request.POST.get("delete"):
        found.delete()
        services.bump_results(campaign)
        messages.success(request, _("The recommendation is removed."))
        return redirect("assessments:recommendations", campaign.pk)
    form = RecommendationForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        edited.edited = True
        edited.save()
        services.bump_results(campaign)
        messages.success(request, _("Saved."))
        return redirect("assessments:recommendations", campaign.pk)
    return render(
        request,
        "assessments/manage/recommendation_form.html",
        {
            "campaign": campaign,
            "form": form,
            "recommendation": found,
            "breadcrumbs": _crumbs(campaign, (_("Recommendations"), "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def training_programme(request: HttpRequest, pk: int) -> HttpResponse:
    """To the new-programme page of events, filled in from the campaign's training needs: a
    strand per topic named by enough respondents (events reads these as initial values)."""
    campaign = _managed(request, pk)
    needs, _count = training_needs(campaign, results_of(campaign).minimum, {})
    query = urlencode(
        [("title", _("Trainings after „%(title)s“") % {"title": campaign.title})]
        + [("strand", need.topic) for need in needs[:10]]
    )
    return redirect(f"{reverse('events:programme-new')}?{query}")


urlpatterns = [
    path("manage/", manage, name="manage"),
    path("manage/new/", campaign_new, name="campaign-new"),
    path("manage/<int:pk>/", manage_campaign, name="manage-campaign"),
    path("manage/<int:pk>/edit/", campaign_edit, name="campaign-edit"),
    path("manage/<int:pk>/state/", campaign_state, name="campaign-state"),
    path("manage/<int:pk>/invite/", invite, name="invite"),
    path("manage/<int:pk>/send/", send, name="send"),
    path("manage/<int:pk>/rules/", rules, name="rules"),
    path("manage/<int:pk>/recommendations/", recommendations, name="recommendations"),
    path(
        "manage/<int:pk>/recommendations/<int:rid>/",
        recommendation_edit,
        name="recommendation-edit",
    ),
    path("<int:pk>/training-programme/", training_programme, name="training-programme"),
]
