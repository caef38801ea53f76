"""Grouping near-identical proposals (campaign texts) by article, and regrouping by hand."""

from __future__ import annotations

import datetime
import random
import time

import pytest
from django.utils import timezone

from consultations import grouping
from consultations.enums import State
from consultations.models import Article, Comment, ProposalGroup
from tests.factories.accounts import UserFactory
from tests.factories.consultations import CommentFactory, ConsultationFactory

pytestmark = pytest.mark.django_db

CAMPAIGN = (
    "Настояваме чл. 3 да бъде променен така, че забраната за шум да важи от 22:00 до 08:00 "
    "часа, защото децата и възрастните хора имат нужда от спокоен сън."
)


@pytest.fixture
def consultation():
    return ConsultationFactory(state=State.CLOSED)


def article(consultation, anchor: str) -> Article:
    return Article.objects.get(version__consultation=consultation, anchor=anchor)


def comment(consultation, text: str, art: Article | None = None, **kwargs) -> Comment:
    return CommentFactory(consultation=consultation, article=art, text=text, **kwargs)


def test_normalise_ignores_case_punctuation_spaces_and_latin_lookalikes():
    # "Предлагам" typed with Latin "a", "e", "o" and "p" in places.
    assert grouping.normalise("ПРЕДЛАГАМ,   чл. 3 да\nотпадне!") == grouping.normalise(
        "Пpедлaгам чл 3 да отпадне"
    )
    assert grouping.normalise("„Текст“ — ОК…") == "текст ок"


def test_identical_and_near_identical_campaign_texts_are_one_group(consultation):
    art = article(consultation, "chl-3")
    first = comment(consultation, CAMPAIGN, art)
    comment(consultation, CAMPAIGN, art)
    comment(consultation, CAMPAIGN.upper().replace(",", ""), art)
    comment(consultation, CAMPAIGN.replace("спокоен", "спокоен и пълноценен"), art)
    comment(consultation, CAMPAIGN.replace("а", "a").replace("о", "o"), art)  # Latin look-alikes
    other = comment(consultation, "Да се намали таксата за паркиране в центъра на града.", art)

    result = grouping.group_proposals(consultation)

    assert result.proposals == 6 and result.groups == 2
    campaign = ProposalGroup.objects.get(comments=first)
    assert campaign.comments.count() == 5
    assert campaign.article == art
    assert campaign.summary == CAMPAIGN  # prefilled from the first comment
    assert ProposalGroup.objects.get(comments=other).comments.count() == 1


def test_the_same_text_on_different_articles_is_not_grouped(consultation):
    a1, a3 = article(consultation, "chl-1"), article(consultation, "chl-3")
    comment(consultation, CAMPAIGN, a1)
    comment(consultation, CAMPAIGN, a3)
    comment(consultation, CAMPAIGN, None)

    grouping.group_proposals(consultation)

    groups = list(ProposalGroup.objects.filter(consultation=consultation))
    assert len(groups) == 3
    # The whole draft first, then in the draft's order.
    assert [g.article_id for g in groups] == [None, a1.pk, a3.pk]
    assert [g.order for g in groups] == [1, 2, 3]


def test_different_texts_are_not_grouped(consultation):
    art = article(consultation, "chl-3")
    comment(consultation, "Предлагам забраната да важи и в неделя следобед.", art)
    comment(consultation, "Предлагам забраната да отпадне изцяло за заведенията.", art)
    comment(consultation, "Глобите трябва да са по-високи за повторно нарушение.", art)

    assert grouping.group_proposals(consultation).groups == 3


def test_hidden_comments_and_replies_are_not_proposals(consultation):
    art = article(consultation, "chl-3")
    parent = comment(consultation, CAMPAIGN, art)
    comment(consultation, CAMPAIGN, art, parent=parent)
    comment(consultation, CAMPAIGN, art, hidden_at=timezone.now(), hidden_reason="Обиден език")

    result = grouping.group_proposals(consultation)

    assert result.proposals == 1
    assert Comment.objects.filter(consultation=consultation, group__isnull=False).count() == 1


def test_new_proposals_join_an_existing_group_and_answered_groups_stay(consultation):
    art = article(consultation, "chl-3")
    comment(consultation, CAMPAIGN, art)
    grouping.group_proposals(consultation)
    group = ProposalGroup.objects.get(consultation=consultation)
    group.decision, group.reasons = "not_accepted", "Противоречи на закона."
    group.save()
    late = comment(consultation, CAMPAIGN, art)

    grouping.group_proposals(consultation, reset=True)

    late.refresh_from_db()
    assert late.group_id == group.pk
    assert ProposalGroup.objects.get(pk=group.pk).decision == "not_accepted"


def test_manual_move_split_and_merge(consultation):
    art = article(consultation, "chl-3")
    a = comment(consultation, CAMPAIGN, art)
    b = comment(consultation, CAMPAIGN, art)
    c = comment(consultation, "Друго предложение за чистотата на общите части.", art)
    grouping.group_proposals(consultation)
    campaign, single = ProposalGroup.objects.get(comments=a), ProposalGroup.objects.get(comments=c)

    own = grouping.split_out(b)
    assert own.comments.get() == b and own.article == art
    assert ProposalGroup.objects.filter(consultation=consultation).count() == 3

    grouping.move(b, single)
    assert ProposalGroup.objects.filter(pk=own.pk).count() == 0  # the empty group is gone
    assert set(single.comments.all()) == {b, c}

    grouping.merge(campaign, single)
    assert set(campaign.comments.all()) == {a, b, c}
    assert list(
        ProposalGroup.objects.filter(consultation=consultation).values_list("order", flat=True)
    ) == [1]

    with pytest.raises(grouping.RegroupError):
        grouping.merge(campaign, campaign)


def test_5000_comments_are_grouped_in_seconds(consultation, capsys):
    """Timing reported, not asserted: 5,000 comments, 60 % from three campaigns with small
    changes, the rest distinct."""
    rng = random.Random(5)
    users = UserFactory.create_batch(20)
    arts = list(
        Article.objects.filter(version__consultation=consultation, commentable=True).order_by(
            "index"
        )
    )
    campaigns = [CAMPAIGN, CAMPAIGN.replace("чл. 3", "чл. 4"), "Не на новата такса! " * 5]
    words = ["община", "наредба", "шум", "ред", "такса", "кмет", "сграда", "двор", "паркинг"]
    now = timezone.now()
    rows = []
    for n in range(5000):
        if n % 5 < 3:
            text = campaigns[n % 3] + ("" if n % 7 else " Благодаря.")
            art = arts[n % 3]
        else:
            text = " ".join(rng.choice(words) for _ in range(25)) + f" {n}"
            art = rng.choice(arts)
        rows.append(
            Comment(
                consultation=consultation,
                article=art,
                author=users[n % 20],
                display_name="И. П.",
                text=text,
                created_at=now - datetime.timedelta(minutes=n),
            )
        )
    Comment.objects.bulk_create(rows, batch_size=1000)

    started = time.perf_counter()
    result = grouping.group_proposals(consultation)
    elapsed = time.perf_counter() - started

    with capsys.disabled():
        print(f"\n[grouping] 5000 comments → {result.groups} groups in {elapsed:.2f} s")
    assert result.proposals == 5000
    assert result.groups < 2100  # three campaigns (×3 articles at most) and 2,000 distinct
    assert not Comment.objects.filter(consultation=consultation, group__isnull=True).exists()
