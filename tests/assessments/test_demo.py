"""The demo content of the assessments: the promised numbers, the anonymity threshold visible,
believable patterns, coherent timelines, only fictional respondents, a published first round
with recommendations and an open second one, idempotent, never in production."""

import datetime
import statistics
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from assessments.demo import (
    COORDINATOR_EMAIL,
    COUNCILS_SHOWN,
    FOCUS,
    ROUND_1,
    ROUND_2,
    ROUND_2_PLAN,
    RULES,
    UNANSWERED_1,
)
from assessments.enums import CampaignState, RespondentType, ResponseState
from assessments.models import (
    Campaign,
    CampaignChange,
    Dimension,
    Invitation,
    Question,
    Questionnaire,
    Recommendation,
    RecommendationRule,
    Response,
)
from assessments.results import compute
from assessments.scoring import OVERALL, shown_questions
from assessments.seed import DATA_LOAD_NAME
from assessments.selectors import structure_of
from assessments.services import today
from core.models import DataLoad
from territory.models import Municipality, PortalScope

pytestmark = pytest.mark.django_db

DEMO_DOMAIN = "@demo.eregion.bg"
ADMIN, COUNCIL, ORG = (
    RespondentType.ADMINISTRATION,
    RespondentType.COUNCIL,
    RespondentType.ORGANISATION,
)
MODELS = (Campaign, CampaignChange, Invitation, Response, RecommendationRule, Recommendation)


def _remove(had_users, had_questionnaires):
    Campaign.objects.filter(is_demo=True).delete()
    if not had_questionnaires:
        Questionnaire.objects.all().delete()
        Dimension.objects.all().delete()
        DataLoad.objects.filter(name=DATA_LOAD_NAME).delete()
    User.objects.filter(email__endswith=DEMO_DOMAIN).exclude(pk__in=had_users).delete()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module, removed afterwards."""
    with django_db_blocker.unblock():
        scope = PortalScope.current()
        provinces, municipalities = list(scope.provinces.all()), list(scope.municipalities.all())
        had_users = set(
            User.objects.filter(email__endswith=DEMO_DOMAIN).values_list("pk", flat=True)
        )
        had_questionnaires = Questionnaire.objects.exists()
        try:
            call_command("load_demo", verbosity=0)
            call_command("load_assessment_questionnaires", verbosity=0)
            call_command("load_demo_assessments", verbosity=0)
            yield (
                Campaign.objects.get(title=ROUND_1, is_demo=True),
                Campaign.objects.get(title=ROUND_2, is_demo=True),
            )
        finally:
            _remove(had_users, had_questionnaires)
            scope.provinces.set(provinces)
            scope.municipalities.set(municipalities)


def snapshot():
    return tuple(model.objects.count() for model in MODELS)


def test_the_promised_numbers(demo):
    first, second = demo
    responses = Response.objects.filter(campaign=first)
    assert 220 <= responses.count() <= 280
    assert not responses.exclude(state=ResponseState.SUBMITTED).exists()
    invited = responses.exclude(invitation=None).count()
    assert 0.8 <= invited / responses.count() <= 0.97  # about nine in ten by invitation
    unanswered = Invitation.objects.filter(campaign=first, response=None)
    assert unanswered.count() == UNANSWERED_1
    assert not unanswered.exclude(started_at=None).exists()
    assert not unanswered.exclude(submitted_at=None).exists()

    assert Invitation.objects.filter(campaign=second).count() == sum(ROUND_2_PLAN.values())
    answers = Response.objects.filter(campaign=second)
    assert answers.filter(state=ResponseState.SUBMITTED).count() == ROUND_2_PLAN["submitted"]
    assert answers.filter(state=ResponseState.DRAFT).count() == ROUND_2_PLAN["started"]
    assert not answers.filter(invitation=None).exists()
    only_invited = Invitation.objects.filter(campaign=second, response=None)
    assert only_invited.count() == ROUND_2_PLAN["invited"]
    assert only_invited.filter(reminders__gt=0).exists()


def test_the_anonymity_threshold_shows(demo):
    first, _second = demo
    results = compute(first)
    assert results.minimum == 5
    shown = {
        kind: {code for code, g in results.municipalities(kind).items() if not g.hidden}
        for kind in (ADMIN, COUNCIL, ORG)
    }
    # Most of the chosen municipalities show their administration and organisations ...
    assert len(shown[ADMIN]) >= FOCUS - 3 and len(shown[ORG]) >= FOCUS - 3
    # ... some their council, others not: too few answers.
    assert len(shown[COUNCIL]) == COUNCILS_SHOWN
    assert any(g.hidden for g in results.municipalities(COUNCIL).values())
    # And a few municipalities with only one to three answers in all.
    per_place = Counter(
        Response.objects.filter(campaign=first).values_list("municipality_id", flat=True)
    )
    assert sum(1 for n in per_place.values() if n <= 3) >= 5
    scope = PortalScope.current().municipality_codes()
    assert set(per_place) <= scope


def test_the_answers_follow_believable_patterns(demo):
    first, second = demo
    results = compute(first)
    types = results.types()
    admin, council, org = types[ADMIN].values, types[COUNCIL].values, types[ORG].values
    assert admin[OVERALL] > council[OVERALL] and admin[OVERALL] > org[OVERALL]
    # Councils are weakest in consultation practice; organisations in networking, then in
    # partnership and funding (the coordinator's conclusions say so).
    assert min(council, key=council.get) == "consultation-practice"
    lowest = sorted((k for k in org if k != OVERALL), key=org.get)
    assert lowest[:2] == ["networking", "partnership-funding"]
    # Bigger municipalities answer better.
    groups = [
        (Municipality.objects.get(code=code).population_2017 or 0, g.overall)
        for code, g in results.municipalities(None).items()
        if not g.hidden
    ]
    assert len(groups) >= FOCUS - 1
    groups.sort()
    half = len(groups) // 2
    small = statistics.fmean(v for _, v in groups[:half])
    big = statistics.fmean(v for _, v in groups[half:])
    assert big > small + 5
    # The organisations name the three training topics of source document 004 most often.
    need = Question.objects.get(questionnaire__campaigns=first, training_need=True)
    labels = {o.pk: o.label for o in need.options.all()}
    named = Counter(
        labels[o]
        for answers in Response.objects.filter(campaign=first).values_list("answers", flat=True)
        for o in answers.get(str(need.pk), [])
    )
    assert {label for label, _n in named.most_common(3)} == set(list(labels.values())[:3])
    # Round 2 is a little better.
    assert compute(second).total.overall > results.total.overall
    summary = first.summary
    assert summary.count("\n\n") >= 2
    assert f"{results.total.n} отговора" in summary


def test_every_response_is_scored_and_answers_only_what_it_was_shown(demo):
    first, second = demo
    structures = {q.pk: structure_of(q) for q in first.questionnaires.all()}
    ids = {pk: {str(spec.id) for spec in s.questions} for pk, s in structures.items()}
    for response in Response.objects.filter(campaign__in=demo):
        structure = structures[response.questionnaire_id]
        assert response.answers and set(response.answers) <= ids[response.questionnaire_id]
        shown = {str(pk) for pk in shown_questions(structure, response.answers)}
        assert set(response.answers) <= shown, response.pk  # hidden questions left alone
        assert response.is_demo and response.municipality_id
        if response.state == ResponseState.SUBMITTED:
            assert response.scores and OVERALL in response.scores
            campaign = first if response.campaign_id == first.pk else second
            assert campaign.opens_on <= response.submitted_on <= campaign.closes_on
            assert response.submitted_on <= today()
        else:
            assert response.scores == {} and response.submitted_on is None
    # Optional questions are sometimes skipped, conditional ones sometimes hidden.
    sizes = Counter(len(r.answers) for r in Response.objects.filter(campaign=first))
    assert len(sizes) > 5


def test_timelines_are_coherent(demo):
    for invitation in Invitation.objects.filter(campaign__in=demo).select_related("response"):
        response = getattr(invitation, "response", None)
        assert invitation.sent_at is not None
        assert invitation.email.endswith(DEMO_DOMAIN)
        if response is None:
            assert invitation.started_at is None and invitation.submitted_at is None
            continue
        assert invitation.sent_at <= invitation.started_at
        if response.state == ResponseState.SUBMITTED:
            assert invitation.started_at <= invitation.submitted_at
            assert invitation.submitted_at.date() <= response.submitted_on + datetime.timedelta(1)
            assert response.created_at == invitation.started_at
        else:
            assert invitation.submitted_at is None


def test_only_fictional_respondents(demo):
    for model in (Response, Invitation):
        rows = model.objects.filter(campaign__in=demo)
        assert rows.exists()
        assert not rows.exclude(institution=None).exists()
        assert not rows.exclude(organisation=None).exists()
    assert not Response.objects.filter(campaign__in=demo).exclude(user=None).exists()
    # Nothing demo anywhere else either.
    assert not Response.objects.filter(is_demo=True).exclude(campaign__in=demo).exists()


def test_round_1_is_published_with_recommendations(demo):
    first, _second = demo
    assert first.state == CampaignState.PUBLISHED and first.published_at is not None
    assert first.coordinator.email == COORDINATOR_EMAIL
    assert first.min_group_size == 5 and first.anonymity == "public_anonymous"
    assert (first.opens_on, first.closes_on) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 4, 30),
    )
    assert set(first.questionnaires.values_list("family", flat=True)) == {
        "administration-capacity",
        "council-practices",
        "organisation-capacity",
    }
    steps = list(
        CampaignChange.objects.filter(campaign=first).values_list("from_state", "to_state", "at")
    )
    assert [(a, b) for a, b, _at in steps] == [
        ("draft", "open"),
        ("open", "closed"),
        ("closed", "published"),
    ]
    assert [at.date() for *_x, at in steps] == sorted(at.date() for *_x, at in steps)
    assert steps[0][2].date() == first.opens_on and steps[-1][2] == first.published_at
    assert first.rules.count() == len(RULES)
    recommendations = Recommendation.objects.filter(campaign=first)
    assert 10 <= recommendations.count() <= 120
    assert recommendations.filter(edited=True).count() == 1
    made_by = Counter(recommendations.values_list("rule__respondent_type", flat=True))
    assert made_by[ORG] and made_by[ADMIN] and made_by[COUNCIL] and made_by[""]
    assert all(r.reason for r in recommendations)


def test_round_2_is_open(demo):
    first, second = demo
    assert second.state == CampaignState.OPEN and second.published_at is None
    assert second.previous == first and second.open_key
    assert (second.opens_on, second.closes_on) == (
        datetime.date(2026, 11, 16),
        datetime.date(2027, 1, 31),
    )
    assert list(
        CampaignChange.objects.filter(campaign=second).values_list("from_state", "to_state")
    ) == [("draft", "open")]
    if second.opens_on <= today() <= second.closes_on:
        assert second.is_open_for_answers
    assert not second.recommendations.exists()


def test_loading_twice_creates_nothing(demo, capsys):
    before = snapshot()
    call_command("load_demo_assessments")
    out = capsys.readouterr().out
    assert "nothing new" in out and "Done in" in out
    assert snapshot() == before


def test_refuses_production(demo, settings):
    settings.PRODUCTION = True
    before = snapshot()
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_assessments")
    assert snapshot() == before
