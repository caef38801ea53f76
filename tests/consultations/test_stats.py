"""Statistics of a consultation: participants by type, comments per article and per day, as
SVG bar charts with their tables."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import stats
from consultations.enums import State
from consultations.models import Article
from tests.factories.accounts import UserFactory
from tests.factories.consultations import CommentFactory, ConsultationFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    c = ConsultationFactory(state=State.CLOSED)
    art1 = Article.objects.get(version__consultation=c, anchor="chl-1")
    art3 = Article.objects.get(version__consultation=c, anchor="chl-3")
    person = UserFactory()
    day = timezone.now() - datetime.timedelta(days=3)
    CommentFactory(consultation=c, article=art1, author=person, created_at=day)
    CommentFactory(consultation=c, article=art3, author=person, created_at=day)
    CommentFactory(consultation=c, article=art3, created_at=day + datetime.timedelta(days=2))
    org = OrganisationFactory()
    CommentFactory(consultation=c, article=art3, organisation=org)
    CommentFactory(consultation=c, article=art3, organisation=org)
    CommentFactory(consultation=c, article=None, network=NetworkFactory())
    CommentFactory(consultation=c, article=art1, hidden_at=timezone.now(), hidden_reason="спам")
    return c


def values(chart) -> list[tuple[str, int]]:
    return [(b.label, b.value) for b in chart.bars]


def test_participants_by_type(consultation):
    assert [v for _, v in values(stats.participants(consultation))] == [2, 1, 1]


def test_comments_per_article_in_the_drafts_order(consultation):
    rows = values(stats.per_article(consultation))
    assert rows[1:] == [("Чл. 1", 1), ("Чл. 3", 4)]  # the hidden one is not counted
    assert rows[0][1] == 1  # the whole draft first


def test_comments_per_day_fill_the_days_between(consultation):
    rows = values(stats.per_day(consultation))
    assert len(rows) == 4  # three days ago to today, the empty day included
    assert [v for _, v in rows] == [2, 0, 1, 3]
    assert rows[0][0].count(".") == 2  # dd.mm.yyyy


def test_bars_scale_and_the_svg_has_a_text_alternative(consultation):
    chart = stats.per_article(consultation)
    longest = max(chart.bars, key=lambda b: b.value)
    assert longest.width == max(b.width for b in chart.bars) > 0
    html = render_to_string("consultations/report/charts.html", {"charts": [chart]})
    assert 'role="img"' in html and "<desc" in html and "<table" in html
    assert "Чл. 3: 4" in html
    assert "style=" not in html  # strict CSP


def test_empty_consultation():
    c = ConsultationFactory(state=State.CLOSED)
    assert stats.per_day(c).bars == () and stats.per_article(c).bars == ()
    html = render_to_string("consultations/report/charts.html", {"charts": stats.all_charts(c)})
    assert "<svg" in html  # the participants chart shows three zero bars


def test_query_count(consultation):
    with CaptureQueriesContext(connection) as queries:
        stats.all_charts(consultation)
    assert len(queries) == 4
