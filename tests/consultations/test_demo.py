"""The demo consultations: every state, believable content, consistent counts, idempotent."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from consultations.enums import State
from consultations.models import Article, Comment, Consultation, Hearing, StateChange, Support
from consultations.rules import is_owner_staff
from organisations.demo import DEMO_SOURCE
from organisations.models import Network, Organisation
from territory.models import PortalScope
from tests.factories.monitoring import index_rows_kept

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module (it takes a few seconds), removed afterwards."""
    with django_db_blocker.unblock(), index_rows_kept():
        scope = PortalScope.current()
        provinces, municipalities = list(scope.provinces.all()), list(scope.municipalities.all())
        had_users = set(
            User.objects.filter(email__endswith="@demo.eregion.bg").values_list("pk", flat=True)
        )
        call_command("load_demo", verbosity=0)
        call_command("load_demo_organisations", verbosity=0)
        call_command("load_demo_consultations", verbosity=0)
        yield
        # Comments first: they protect the articles they are about.
        Comment.objects.filter(consultation__is_demo=True).delete()
        Consultation.objects.filter(is_demo=True).delete()
        Network.objects.filter(is_demo=True).delete()
        Organisation.objects.filter(source=DEMO_SOURCE).delete()
        User.objects.filter(email__endswith="@demo.eregion.bg").exclude(pk__in=had_users).delete()
        scope.provinces.set(provinces)
        scope.municipalities.set(municipalities)


@pytest.fixture
def loaded(demo):
    return list(Consultation.objects.filter(is_demo=True).order_by("pk"))


def by_state(loaded, state):
    return [c for c in loaded if c.state == state]


def test_loading_twice_makes_no_duplicates(loaded, capsys):
    counts = (Consultation.objects.count(), Comment.objects.count(), Support.objects.count(),
              User.objects.count(), StateChange.objects.count())  # fmt: skip
    call_command("load_demo_consultations")
    assert "0 created, 8 already there" in capsys.readouterr().out
    assert counts == (Consultation.objects.count(), Comment.objects.count(),
                      Support.objects.count(), User.objects.count(),
                      StateChange.objects.count())  # fmt: skip


def test_every_state_is_present(loaded):
    assert {c.state for c in loaded} == set(State.values)
    for c in loaded:
        assert c.is_demo and c.current_version is not None
        if c.state != State.DRAFT:
            # Each move is in the history, published ones from draft onwards.
            assert c.state_changes.last().to_state == c.state


def test_the_demo_official_manages_them(loaded):
    staff = User.objects.get(email="sluzhitel@demo.eregion.bg")
    assert all(is_owner_staff(staff, c) for c in loaded)
    assert staff.has_perm("consultations.manage_consultation", loaded[0])


def test_the_open_ordinance_has_a_lively_discussion(loaded):
    (ordinance,) = [c for c in by_state(loaded, State.OPEN) if c.kind == "ordinance"]
    comments = Comment.objects.filter(consultation=ordinance)
    assert 140 <= comments.count() <= 160
    assert comments.filter(organisation__isnull=False).count() >= 10
    assert comments.filter(network__isnull=False).count() == 1
    assert comments.filter(parent__isnull=False).count() >= 20
    assert comments.filter(hidden_at__isnull=False).count() == 1
    assert Support.objects.filter(comment__consultation=ordinance).exists()
    campaign = comments.filter(text__icontains="един стикер на домакинство")
    assert campaign.count() == 40
    assert Article.objects.filter(version__consultation=ordinance, label="Чл. 7, ал. 1").exists()


def test_the_stored_counts_agree_with_the_rows(loaded):
    for c in loaded:
        visible = Comment.objects.visible().filter(consultation=c)
        assert c.comments_count == visible.count(), c.title
        assert c.proposals_count == visible.filter(parent__isnull=True).count(), c.title
        assert c.participants_count == visible.values("author").distinct().count(), c.title
        for a in Article.objects.filter(version__consultation=c):
            assert a.comments_count == visible.filter(article=a).count(), a.label
    supports = Comment.objects.filter(consultation__in=loaded).annotate(n=Count("supports"))
    assert all(c.supports_count == c.n for c in supports)
    assert sum(c.n for c in supports) > 0


def test_the_report_is_answered_and_published(loaded):
    for c in by_state(loaded, State.REPORT_PUBLISHED) + by_state(loaded, State.ADOPTED):
        assert c.report_published_at is not None
        proposals = Comment.objects.visible().proposals().filter(consultation=c)
        assert proposals.exists()
        assert not proposals.filter(group__isnull=True).exists()
        for group in c.groups.all():
            assert group.decision
            assert group.reasons or group.decision == "accepted"
        assert c.groups.annotate(n=Count("comments")).filter(n__gt=1).exists()


def test_the_scheduled_budget_and_the_strategy_hearing(loaded):
    (budget,) = by_state(loaded, State.SCHEDULED)
    assert budget.kind == "budget"
    assert budget.opens_at.date() > loaded[0].created_at.date()
    strategy = next(c for c in loaded if c.kind == "strategy")
    assert Hearing.objects.filter(consultation=strategy).exists()
    kinds = set(
        Article.objects.filter(version__consultation=strategy).values_list("kind", flat=True)
    )
    assert kinds == {"heading"}


def test_the_api_shows_the_published_ones(client, loaded):
    body = client.get("/api/v1/consultations", {"page_size": 500}).json()
    listed = {i["id"] for i in body["items"]}
    assert {c.pk for c in loaded if c.state not in (State.DRAFT, State.SCHEDULED)} <= listed
    assert not {c.pk for c in by_state(loaded, State.DRAFT)} & listed
    report = by_state(loaded, State.REPORT_PUBLISHED)[0]
    rows = client.get(f"/api/v1/consultations/{report.pk}/report").json()["rows"]
    assert rows and all(r["decision"] for r in rows)
