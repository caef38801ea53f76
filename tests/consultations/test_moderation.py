"""Moderation: reporting a comment, the moderators' queue, hiding with a public reason (the text
kept for moderators), restoring, dismissing reports, the log of every act, and who may do each."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from consultations import comments as workflows
from consultations.enums import ModerationAction
from consultations.models import Comment, CommentFlag, ModerationLog
from tests.clients import signed_in
from tests.consultations.test_public import LADDER, People, make_people
from tests.factories.accounts import UserFactory
from tests.factories.consultations import ConsultationFactory

pytestmark = pytest.mark.django_db

MODERATORS = {"moderator", "administrator"}
QUEUE = reverse("consultations:moderation")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def people() -> People:
    return make_people()


@pytest.fixture
def rude(people: People):
    c = ConsultationFactory()
    comment = workflows.add_comment(c, UserFactory(), text="Грубо и обидно изказване.")
    workflows.flag(comment, people.users["citizen"], "Обиди към други участници.")
    return comment


def _hidden_note(reason: str) -> str:
    return _("The comment was hidden by a moderator: %(reason)s") % {"reason": reason}


@pytest.mark.parametrize("role", LADDER)
def test_queue_only_for_moderators(people: People, rude, role):
    response = people.client(role).get(QUEUE)
    if role in MODERATORS:
        assert response.status_code == 200
        html = response.content.decode()
        assert "Грубо и обидно изказване." in html
        assert "Обиди към други участници." in html
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", LADDER)
def test_only_moderators_hide(people: People, rude, role):
    url = reverse("consultations:comment-moderate", args=[rude.consultation_id, rude.pk])
    response = people.client(role).post(url, {"action": "hide", "reason": "Обиди."})
    rude.refresh_from_db()
    if role in MODERATORS:
        assert response.status_code == 302
        assert rude.is_hidden and rude.hidden_reason == "Обиди."
        log = ModerationLog.objects.get(comment=rude)
        assert log.action == ModerationAction.HIDE
        assert log.moderator == people.users[role]
    else:
        assert not rude.is_hidden
        assert not ModerationLog.objects.exists()
        assert response.status_code in (302, 403)
        if role == "anonymous":
            assert "/accounts/login/" in response["Location"]


def test_hidden_comment_shows_the_reason_and_keeps_the_text_for_moderators(people: People, rude):
    workflows.moderate(rude, people.users["moderator"], ModerationAction.HIDE, "Обиди.")
    page = rude.consultation.get_absolute_url()
    public = signed_in(people.users["citizen"]).get(page).content.decode()
    assert _hidden_note("Обиди.") in public
    assert "Грубо и обидно изказване." not in public
    for role in MODERATORS:
        html = people.client(role).get(page).content.decode()
        assert _hidden_note("Обиди.") in html
        assert "Грубо и обидно изказване." in html
    # The reports are handled: the queue is empty.
    assert not CommentFlag.objects.filter(handled_at__isnull=True).exists()
    assert "Грубо и обидно изказване." not in people.client("moderator").get(QUEUE).content.decode()


def test_restore_and_dismiss_are_logged_and_shown_to_moderators(people: People, rude):
    moderator = people.users["moderator"]
    workflows.moderate(rude, moderator, ModerationAction.HIDE, "Обиди.")
    url = reverse("consultations:comment-moderate", args=[rude.consultation_id, rude.pk])
    people.client("moderator").post(url, {"action": "restore"})
    rude.refresh_from_db()
    assert not rude.is_hidden
    workflows.flag(rude, people.users["representative"], "Пак е грубо.")
    people.client("moderator").post(url, {"action": "dismiss"})
    assert not CommentFlag.objects.filter(handled_at__isnull=True).exists()
    assert list(ModerationLog.objects.values_list("action", flat=True)) == [
        "hide", "restore", "dismiss",
    ]  # fmt: skip
    comment_page = reverse("consultations:comment", args=[rude.consultation_id, rude.pk])
    html = people.client("moderator").get(comment_page).content.decode()
    assert str(ModerationAction.RESTORE.label) in html
    assert "Пак е грубо." in html
    # The public sees no history and no reports.
    html = people.client("citizen").get(comment_page).content.decode()
    assert "Пак е грубо." not in html
    assert str(ModerationAction.DISMISS.label) not in html


def test_hiding_needs_a_reason(people: People, rude):
    url = reverse("consultations:comment-moderate", args=[rude.consultation_id, rude.pk])
    people.client("moderator").post(url, {"action": "hide", "reason": "  "})
    rude.refresh_from_db()
    assert not rude.is_hidden
    assert not ModerationLog.objects.exists()
    with pytest.raises(workflows.CommentError):
        workflows.moderate(rude, people.users["moderator"], ModerationAction.HIDE, "")


def test_report_needs_a_reason_shown_next_to_the_field(people: People, rude):
    url = reverse("consultations:comment-report", args=[rude.consultation_id, rude.pk])
    response = people.client("representative").post(url, {"reason": ""})
    assert response.status_code == 200
    assert "id_reason_error" in response.content.decode()
    assert CommentFlag.objects.count() == 1


def test_a_second_report_by_the_same_person_updates_the_first(people: People, rude):
    workflows.flag(rude, people.users["citizen"], "Още по-точна причина.")
    assert CommentFlag.objects.filter(comment=rude).count() == 1
    assert CommentFlag.objects.get(comment=rude).reason == "Още по-точна причина."


def test_reports_are_rate_limited(people: People):
    c = ConsultationFactory()
    author = UserFactory()
    comments = [workflows.add_comment(c, author, text=f"Текст {i}.") for i in range(3)]
    client = people.client("citizen")
    statuses = []
    for i in range(workflows.FLAGS_PER_HOUR + 1):
        target = comments[i % 3]
        url = reverse("consultations:comment-report", args=[c.pk, target.pk])
        statuses.append(client.post(url, {"reason": f"Причина {i}."}).status_code)
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {302}


def test_queue_query_count_is_flat_3_vs_30(people: People):
    c = ConsultationFactory()
    reporter = people.users["citizen"]
    client = people.client("moderator")

    def flagged(n: int) -> None:
        for i in range(n):
            made = Comment.objects.create(
                consultation=c, author=reporter, display_name="Х", text=f"Лошо {i}."
            )
            CommentFlag.objects.create(comment=made, reporter=reporter, reason="Спам.")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(QUEUE).status_code == 200
        return len(ctx.captured_queries)

    flagged(3)
    few = count()
    flagged(27)
    assert count() == few
