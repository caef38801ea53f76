"""A small published questionnaire and campaigns over it, for the tests of answering, results
and the coordinator's pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.enums import Role
from assessments import services
from assessments.enums import Anonymity, CampaignState, QuestionType, RespondentType
from assessments.models import Campaign, Invitation, Question, Questionnaire, Response
from tests.factories.accounts import RoleAssignmentFactory
from tests.factories.assessments import (
    DimensionFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SectionFactory,
)


@dataclass
class Form:
    questionnaire: Questionnaire
    publishes: Question  # single: 100 / 0 / "не знам"
    scale: Question
    follow: Question  # shown only after "Да" to `publishes`, in the same section
    matrix: Question
    comment: Question  # optional long text, second section

    def option(self, question: Question, n: int) -> int:
        return list(question.options.order_by("position", "pk"))[n].pk


def make_form(kind: str = RespondentType.ADMINISTRATION) -> Form:
    transparency = DimensionFactory(slug="transparency", name_bg="Прозрачност")
    consultation = DimensionFactory(slug="consultation", name_bg="Консултиране")
    questionnaire = QuestionnaireFactory(published=True, respondent_type=kind)
    first = SectionFactory(questionnaire=questionnaire, title="Информиране", position=1)
    second = SectionFactory(questionnaire=questionnaire, title="Консултации", position=2)
    publishes = QuestionFactory(
        section=first,
        code="A1",
        type=QuestionType.YES_NO,
        dimension=transparency,
        text="Публикува ли общината проектите на решения?",
        options=[("Да", 100), ("Не", 0)],
    )
    scale = QuestionFactory(
        section=first,
        code="A2",
        type=QuestionType.SCALE,
        dimension=transparency,
        text="Доколко гражданите знаят за обсъжданията?",
    )
    follow = QuestionFactory(
        section=first,
        code="A3",
        type=QuestionType.SINGLE,
        dimension=transparency,
        text="Къде ги публикува?",
        options=[("На сайта", 100), ("На таблото", 40)],
        show_if=publishes.options.order_by("position").first(),
    )
    matrix = QuestionFactory(
        section=second,
        code="B1",
        type=QuestionType.MATRIX,
        dimension=consultation,
        text="Оценете практиките",
        options=[("План за консултации", None), ("Справка", None)],
    )
    comment = QuestionFactory(
        section=second,
        code="B2",
        type=QuestionType.LONG_TEXT,
        required=False,
        text="Какво бихте променили?",
    )
    return Form(questionnaire, publishes, scale, follow, matrix, comment)


def coordinator():
    return RoleAssignmentFactory(role=Role.ASSESSMENT_COORDINATOR).user


def make_campaign(
    form: Form,
    state: str = CampaignState.OPEN,
    anonymity: str = Anonymity.PUBLIC_ANONYMOUS,
    minimum: int = 2,
    by=None,
    **fields,
) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="Оценка на капацитета 2027",
        opens_on=fields.pop("opens_on", today - datetime.timedelta(days=5)),
        closes_on=fields.pop("closes_on", today + datetime.timedelta(days=20)),
        anonymity=anonymity,
        min_group_size=minimum,
        state=state,
        coordinator=by,
        **fields,
    )
    campaign.questionnaires.add(form.questionnaire)
    return campaign


def invitation(campaign: Campaign, municipality: str = "PDV22", email: str = "") -> Invitation:
    n = Invitation.objects.count() + 1
    return Invitation.objects.create(
        campaign=campaign,
        respondent_type=RespondentType.ADMINISTRATION,
        municipality_id=municipality,
        email=email or f"respondent{n}@plovdiv.example.org",
    )


def submitted(campaign: Campaign, form: Form, answers: dict, municipality: str = "PDV22"):
    """A response submitted through the services (as a respondent would)."""
    response = services.response_for_invitation(invitation(campaign, municipality))
    response.answers = {str(k): v for k, v in answers.items()}
    response.save()
    return services.record_submission(Response.objects.get(pk=response.pk))
