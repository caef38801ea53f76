"""Answering the proposals after the period: permissions in every state, the answer form,
regrouping through the pages, publishing the report (refused while any is unanswered)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from consultations import grouping
from consultations.enums import State
from consultations.models import Article, ProposalGroup, StateChange
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.consultations import CommentFactory, ConsultationFactory
from tests.factories.directory import generated, staff_of
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

CAMPAIGN = "Настояваме забраната за шум да важи от 22:00 до 08:00 часа във всички дни."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def people(consultation) -> dict[str, Client]:
    institution = consultation.institution
    other = UserFactory()
    staff_of(generated("ma:PDV01"), other)
    own = UserFactory(first_name="Мария", last_name="Георгиева")
    staff_of(institution, own)
    representative = UserFactory()
    representative_of(OrganisationFactory(), representative)
    return {
        "anonymous": Client(),
        "citizen": signed_in(UserFactory()),
        "representative": signed_in(representative),
        "staff of another institution": signed_in(other),
        "moderator": signed_in(RoleAssignmentFactory(role=Role.MODERATOR).user),
        "staff": signed_in(own),
        "administrator": signed_in(RoleAssignmentFactory(role=Role.ADMINISTRATOR).user),
    }


def closed_with_comments(n: int = 3):
    consultation = ConsultationFactory(state=State.CLOSED)
    art = Article.objects.get(version__consultation=consultation, anchor="chl-3")
    for i in range(n):
        CommentFactory(
            consultation=consultation,
            article=art,
            text=f"Предложение номер {i}: {'х' * i} различно {i * 17}",
        )
    return consultation


@pytest.mark.parametrize(
    "state",
    [State.DRAFT, State.SCHEDULED, State.OPEN, State.CLOSED, State.REPORT_PUBLISHED, State.ADOPTED],
)
def test_permission_ladder_in_every_state(state):
    consultation = closed_with_comments(2)
    consultation.state = state
    consultation.save()
    url = reverse("consultations:answers", args=[consultation.pk])
    for who, client in people(consultation).items():
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif who in ("staff", "administrator") and state == State.CLOSED:
            assert response.status_code == 200, who
        else:
            assert response.status_code == 403, (who, state)
        # Writing is guarded the same way.
        post = client.post(reverse("consultations:answers-autogroup", args=[consultation.pk]))
        if who in ("staff", "administrator") and state == State.CLOSED:
            assert post.status_code == 302
        elif who != "anonymous":
            assert post.status_code == 403


def _staff(consultation) -> Client:
    user = UserFactory(first_name="Мария", last_name="Георгиева")
    staff_of(consultation.institution, user)
    return signed_in(user)


def test_group_answer_and_reasons_required():
    consultation = closed_with_comments(1)
    client = _staff(consultation)
    client.post(reverse("consultations:answers-autogroup", args=[consultation.pk]))
    group = ProposalGroup.objects.get(consultation=consultation)
    url = reverse("consultations:answer-group", args=[consultation.pk, group.pk])
    prefix = f"g{group.pk}"

    page = client.get(reverse("consultations:answers", args=[consultation.pk]))
    assert page.status_code == 200
    assert "Предложение номер 0" in page.content.decode()

    response = client.post(
        url, {f"{prefix}-summary": "Шумът", f"{prefix}-decision": "not_accepted",
              f"{prefix}-reasons": "  "}
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-message" in html and 'value="not_accepted" ' in html.replace("checked", "")
    assert "Шумът" in html  # what was typed stays
    group.refresh_from_db()
    assert group.decision == "" and group.summary != "Шумът"  # nothing half-saved

    response = client.post(
        url, {f"{prefix}-summary": "Шумът", f"{prefix}-decision": "not_accepted",
              f"{prefix}-reasons": "Противоречи на закона."}
    )  # fmt: skip
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.decision, group.reasons, group.summary) == (
        "not_accepted",
        "Противоречи на закона.",
        "Шумът",
    )
    assert group.answered_by is not None and group.answered_at is not None

    # Accepted needs no reasons.
    client.post(url, {f"{prefix}-summary": "Шумът", f"{prefix}-decision": "accepted"})
    group.refresh_from_db()
    assert group.decision == "accepted"


def test_regrouping_through_the_page():
    consultation = closed_with_comments(0)
    art = Article.objects.get(version__consultation=consultation, anchor="chl-3")
    a = CommentFactory(consultation=consultation, article=art, text=CAMPAIGN)
    b = CommentFactory(consultation=consultation, article=art, text=CAMPAIGN)
    c = CommentFactory(consultation=consultation, article=art, text="Съвсем друго: паркирането.")
    client = _staff(consultation)
    client.post(reverse("consultations:answers-autogroup", args=[consultation.pk]))
    campaign = ProposalGroup.objects.get(comments=a)
    other = ProposalGroup.objects.get(comments=c)
    url = reverse("consultations:answer-regroup", args=[consultation.pk, campaign.pk])

    assert client.post(url, {"action": "split", "comment": b.pk}).status_code == 302
    b.refresh_from_db()
    assert b.group_id not in (campaign.pk, other.pk)

    bad = client.post(url, {"action": "merge", "target": 99})
    assert bad.status_code == 400

    other.refresh_from_db()  # numbers change as groups come and go
    client.post(url, {"action": "move", "comment": a.pk, "target": other.order})
    a.refresh_from_db()
    assert a.group_id == other.pk
    assert not ProposalGroup.objects.filter(pk=campaign.pk).exists()


def test_publish_is_refused_while_unanswered_then_records_the_state_change():
    consultation = closed_with_comments(3)
    grouping.group_proposals(consultation)
    client = _staff(consultation)
    publish = reverse("consultations:answers-publish", args=[consultation.pk])

    response = client.post(publish, follow=True)
    assert "3" in response.content.decode()  # how many are left
    consultation.refresh_from_db()
    assert consultation.state == State.CLOSED

    groups = list(ProposalGroup.objects.filter(consultation=consultation))
    for g in groups[:-1]:
        g.decision, g.reasons = "noted", "Ще се вземе предвид."
        g.save()
    client.post(publish)
    consultation.refresh_from_db()
    assert consultation.state == State.CLOSED  # one still open

    groups[-1].decision = "accepted"
    groups[-1].save()
    response = client.post(publish)
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:report", args=[consultation.pk])
    consultation.refresh_from_db()
    assert consultation.state == State.REPORT_PUBLISHED
    assert consultation.report_published_at is not None
    change = StateChange.objects.filter(consultation=consultation).latest("pk")
    assert (change.from_state, change.to_state) == (State.CLOSED, State.REPORT_PUBLISHED)
    assert change.by is not None


def test_an_ungrouped_proposal_blocks_publishing():
    consultation = closed_with_comments(1)
    client = _staff(consultation)
    client.post(reverse("consultations:answers-publish", args=[consultation.pk]))
    consultation.refresh_from_db()
    assert consultation.state == State.CLOSED


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_is_flat(n, django_assert_max_num_queries):
    consultation = closed_with_comments(0)
    arts = list(Article.objects.filter(version__consultation=consultation, commentable=True))
    for i in range(n):
        CommentFactory(consultation=consultation, article=arts[i % len(arts)],
                       text=f"Отделно предложение {i} " + "дума " * i)  # fmt: skip
    CommentFactory.create_batch(n, consultation=consultation, article=arts[0], text=CAMPAIGN)
    grouping.group_proposals(consultation)
    client = _staff(consultation)
    url = reverse("consultations:answers", args=[consultation.pk]) + "?show=all"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    count = len(queries)
    # The same number for 3 and 30 (remembered on the function between the two runs).
    seen = test_query_count_is_flat.__dict__.setdefault("counts", {})
    seen[n] = count
    if len(seen) == 2:
        assert seen[3] == seen[30], seen
    group = ProposalGroup.objects.filter(consultation=consultation).first()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("consultations:answer-group", args=[consultation.pk, group.pk]))
    assert len(queries) < 25
