"""Answering: through an invitation's link (its token is the key) or through a campaign's open
link (signed in: one response per account). One section per page, saved on every step, so a
respondent continues later on any device; a last page checks the required questions and
submits.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from assessments import services
from assessments.enums import CampaignState, QuestionType, RespondentType, ResponseState
from assessments.forms import SectionForm, field_name, merge, missing_required
from assessments.models import Campaign, Invitation, Question, Response
from assessments.scoring import shown_questions
from assessments.selectors import questions_of, structure_of
from core.ratelimit import ratelimit
from territory.models import Municipality

# Each save of a section is a write: generous for a long questionnaire, tight for a robot.
write_limit = ratelimit("assessments-answer", limit=600, period=3600)
REVIEW = "review"


@require_http_methods(["GET", "POST"])
@write_limit
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("campaign", "institution", "organisation"),
        token=token,
    )
    campaign = invitation.campaign
    if invitation.submitted_at is not None:
        return _done(request, campaign)
    try:
        response = services.response_for_invitation(invitation)
    except services.AssessmentError as error:
        return _refused(request, campaign, str(error))
    return _respond(request, response, reverse("assessments:answer", args=[token]))


class StartForm(forms.Form):
    respondent_type = forms.ChoiceField(
        label=gettext_lazy("I answer as"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose who you answer as.")},
    )
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"),
        queryset=Municipality.objects.order_by("name_bg", "code"),
        help_text=gettext_lazy("Where your institution or organisation works."),
        error_messages={
            "required": gettext_lazy("Choose the municipality."),
            "invalid_choice": gettext_lazy("Choose a municipality from the list."),
        },
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["respondent_type"]
        field.choices = [(k, RespondentType(k).label) for k in kinds]  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
@write_limit
def open_link(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    if not campaign.open_key or not secrets.compare_digest(campaign.open_key, key):
        raise Http404
    url = reverse("assessments:open", args=[pk, key])
    found = services.open_link_response(campaign, request.user)
    if found is not None:
        if found.state == ResponseState.SUBMITTED:
            return _done(request, campaign)
        return _respond(request, found, url)
    if not campaign.is_open_for_answers:
        return _refused(request, campaign, _("This assessment does not accept answers now."))
    kinds = sorted(campaign.questionnaires.values_list("respondent_type", flat=True))
    form = StartForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_for_open_link(
                campaign,
                request.user,
                form.cleaned_data["respondent_type"],
                form.cleaned_data["municipality"],
            )
        except services.AssessmentError as error:
            form.add_error(None, str(error))
        else:
            return redirect(url)
    return render(
        request,
        "assessments/answer/start.html",
        {"campaign": campaign, "form": form, "breadcrumbs": _crumbs(campaign)},
    )


def _crumbs(campaign: Campaign) -> list[tuple[str, str]]:
    return [(_("Assessments"), reverse("assessments:index")), (campaign.title, "")]


def _done(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    return render(
        request,
        "assessments/answer/done.html",
        {"campaign": campaign, "breadcrumbs": _crumbs(campaign)},
    )


def _refused(request: HttpRequest, campaign: Campaign, reason: str) -> HttpResponse:
    return render(
        request,
        "assessments/answer/refused.html",
        {"campaign": campaign, "reason": reason, "breadcrumbs": _crumbs(campaign)},
        status=409 if request.method == "POST" else 200,
    )


# --- The sections ---------------------------------------------------------------------------


def _respond(request: HttpRequest, response: Response, url: str) -> HttpResponse:
    campaign, questionnaire = response.campaign, response.questionnaire
    questions = questions_of(questionnaire)
    sections = list(questionnaire.sections.order_by("position", "pk"))
    numbers = {s.pk: n for n, s in enumerate(sections, start=1)}
    structure = structure_of(questionnaire)
    step = request.GET.get("section", "1")
    if step == REVIEW:
        return _review(request, response, url, questions, sections, numbers, structure)
    if not step.isdigit() or not 1 <= int(step) <= len(sections):
        raise Http404
    number = int(step)
    section = sections[number - 1]
    shown = shown_questions(structure, response.answers)
    in_section = [
        q for q in questions if q.section_id == section.pk and _may_show(q, shown, section.pk)
    ]
    form = SectionForm(
        request.POST if request.method == "POST" else None,
        questions=in_section,
        answers=response.answers,
        revision=response.revision,
    )
    if request.method == "POST" and form.is_valid():
        answers = merge(response.answers, form.answers(), structure)
        try:
            services.save_answers(response, answers, form.cleaned_data["revision"])
        except services.StaleRevision as error:
            messages.error(request, str(error))
            return redirect(f"{url}?section={number}")
        except services.AssessmentError as error:
            return _refused(request, campaign, str(error))
        return redirect(_next_url(request, url, number, len(sections)))
    return render(
        request,
        "assessments/answer/section.html",
        {
            "campaign": campaign,
            "questionnaire": questionnaire,
            "response": response,
            "section": section,
            "number": number,
            "sections": sections,
            "form": form,
            "items": _items(form, in_section, shown, section.pk),
            "url": url,
            "breadcrumbs": _crumbs(campaign),
        },
        status=400 if form.errors else 200,
    )


def _next_url(request: HttpRequest, url: str, number: int, count: int) -> str:
    go = request.POST.get("go", "next")
    if go == "previous" and number > 1:
        return f"{url}?section={number - 1}"
    if go == "stay":
        return f"{url}?section={number}&saved=1"
    if go.isdigit() and 1 <= int(go) <= count:
        return f"{url}?section={go}"
    return f"{url}?section={number + 1}" if number < count else f"{url}?section={REVIEW}"


def _may_show(question: Question, shown: set[int], section_id: int) -> bool:
    """Shown by the stored answers, or conditional on a question of this very section (the
    page shows it with its condition; the script hides it until the answer is chosen)."""
    if question.pk in shown:
        return True
    return _conditional_here(question, section_id)


def _conditional_here(question: Question, section_id: int) -> bool:
    """Its condition is a question of the same section."""
    condition = question.show_if
    return condition is not None and condition.question.section_id == section_id


def _items(
    form: SectionForm, questions: list[Question], shown: set[int], section_id: int
) -> list[dict[str, Any]]:
    items = []
    for q in questions:
        condition = q.show_if
        same_section = _conditional_here(q, section_id)
        if q.type == QuestionType.MATRIX:
            fields = [form[field_name(q, o.pk)] for o in q.options.all()]
        else:
            fields = [form[field_name(q)]]
        items.append(
            {
                "question": q,
                "fields": fields,
                "matrix": q.type == QuestionType.MATRIX,
                "condition": (
                    _("Answer only if you chose „%(option)s“ in question %(code)s.")
                    % {"option": condition.label, "code": condition.question.code}
                    if same_section and condition is not None
                    else ""
                ),
                "show_if": (
                    f"q{condition.question_id}:{condition.pk}"
                    if same_section and condition is not None
                    else ""
                ),
            }
        )
    return items


def _review(
    request: HttpRequest,
    response: Response,
    url: str,
    questions: list[Question],
    sections: list[Any],
    numbers: dict[int, int],
    structure: Any,
) -> HttpResponse:
    campaign = response.campaign
    missing = missing_required(questions, numbers, response.answers, structure)
    if request.method == "POST":
        revision = request.POST.get("revision", "")
        if missing:
            messages.error(request, _("Answer the required questions listed below first."))
            return redirect(f"{url}?section={REVIEW}")
        try:
            services.submit(response, int(revision) if revision.isdigit() else 0)
        except services.StaleRevision as error:
            messages.error(request, str(error))
            return redirect(f"{url}?section={REVIEW}")
        except services.AssessmentError as error:
            return _refused(request, campaign, str(error))
        return _done(request, campaign)
    answered = sum(1 for q in questions if str(q.pk) in response.answers)
    return render(
        request,
        "assessments/answer/review.html",
        {
            "campaign": campaign,
            "questionnaire": response.questionnaire,
            "response": response,
            "sections": sections,
            "missing": missing,
            "answered": answered,
            "total": len(questions),
            "url": url,
            "accepting": campaign.state == CampaignState.OPEN,
            "breadcrumbs": _crumbs(campaign),
        },
    )


urlpatterns = [
    path("answer/<str:token>/", answer, name="answer"),
    path("<int:pk>/open/<str:key>/", open_link, name="open"),
]
