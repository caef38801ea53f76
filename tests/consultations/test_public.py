"""The public pages of consultations: the list with its filters and search (Cyrillic and
Latin), a consultation's page in every state, its units and comments, the 404 for drafts, and
query counts that stay flat as comments and consultations grow."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.enums import Role
from accounts.models import User
from consultations import comments as workflows
from consultations.enums import Kind, State
from consultations.models import Consultation
from core.models import Topic
from directory.models import Institution
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.consultations import CommentFactory, ConsultationFactory
from tests.factories.directory import generated, staff_of
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

LADDER = [
    "anonymous",
    "citizen",
    "representative",
    "owner staff",
    "other staff",
    "moderator",
    "administrator",
]
MANAGERS = {"owner staff", "administrator"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; user ids repeat between tests."""
    cache.clear()


@dataclass
class People:
    users: dict[str, User | None]
    organisation: object

    def client(self, role: str) -> Client:
        return signed_in(self.users[role])


def make_people() -> People:
    """One person for each rung of the ladder; the owner is Plovdiv's municipal
    administration (the factory's default institution)."""
    owner_staff = UserFactory(first_name="Елена", last_name="Димова")
    staff_of(generated("ma:PDV22"), owner_staff)
    other_staff = UserFactory(first_name="Петър", last_name="Стоянов")
    staff_of(generated("ma:VAR01"), other_staff)
    representative = UserFactory(first_name="Стоян", last_name="Колев")
    organisation = OrganisationFactory(name="Сдружение „Граждани за Пловдив“")
    representative_of(organisation, representative)
    return People(
        users={
            "anonymous": None,
            "citizen": UserFactory(first_name="Иван", last_name="Петров"),
            "representative": representative,
            "owner staff": owner_staff,
            "other staff": other_staff,
            "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
            "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
        },
        organisation=organisation,
    )


@pytest.fixture
def people() -> People:
    return make_people()


def _html(response) -> str:
    return response.content.decode()


# --- the list --------------------------------------------------------------------------------


def test_list_shows_public_consultations_open_first_with_days_left():
    today = timezone.localdate()
    soon = ConsultationFactory(title="Наредба за паркирането", with_draft=False)
    Consultation.objects.filter(pk=soon.pk).update(closes_on=today + datetime.timedelta(days=12))
    last = ConsultationFactory(title="Наредба за зелените площи", with_draft=False)
    Consultation.objects.filter(pk=last.pk).update(closes_on=today)
    closed = ConsultationFactory(
        title="Стратегия за туризма", state=State.CLOSED, kind=Kind.STRATEGY, with_draft=False
    )
    ConsultationFactory(title="Чернова за бюджета", state=State.DRAFT, with_draft=False)
    ConsultationFactory(title="Насрочен проект", state=State.SCHEDULED, with_draft=False)

    response = Client().get(reverse("consultations:index"))
    assert response.status_code == 200
    html = _html(response)
    assert "Чернова за бюджета" not in html
    assert "Насрочен проект" not in html
    # Open first, the soonest to close at the top; the closed one after them.
    assert html.index("Наредба за зелените площи") < html.index("Наредба за паркирането")
    assert html.index("Наредба за паркирането") < html.index("Стратегия за туризма")
    assert _("last day today") in html
    assert ngettext("%(n)d day left", "%(n)d days left", 12) % {"n": 12} in html
    assert str(State.CLOSED.label) in html
    assert closed.get_absolute_url() in html


def test_list_filters_by_state_kind_territory_and_topic():
    plovdiv = ConsultationFactory(title="Наредба на Пловдив", with_draft=False)
    sofia = ConsultationFactory(
        title="Програма на София",
        kind=Kind.STRATEGY,
        institution=generated("ma:VAR01"),
        province_id="VAR",
        municipality_id="VAR01",
        with_draft=False,
    )
    closed = ConsultationFactory(title="Приключила наредба", state=State.CLOSED, with_draft=False)
    topic, _created = Topic.objects.get_or_create(
        slug="okolna-sreda", defaults={"name_bg": "Околна среда", "name_en": "Environment"}
    )
    sofia.topics.add(topic)
    url = reverse("consultations:index")

    def titles(**params: str) -> set[str]:
        html = _html(Client().get(url, params))
        return {c.title for c in (plovdiv, sofia, closed) if f">{c.title}</a>" in html}

    assert titles(state="closed") == {closed.title}
    assert titles(kind="strategy") == {sofia.title}
    assert titles(province="VAR") == {sofia.title}
    assert titles(municipality="PDV22") == {plovdiv.title, closed.title}
    assert titles(topic="okolna-sreda") == {sofia.title}
    assert titles() == {plovdiv.title, sofia.title, closed.title}
    # An unknown value is refused next to its field; the list is then unfiltered.
    response = Client().get(url, {"state": "draft"})
    assert response.status_code == 200
    assert "id_state_error" in _html(response)


def test_search_in_cyrillic_and_latin_finds_title_institution_and_kind():
    parking = ConsultationFactory(title="Наредба за платеното паркиране", with_draft=False)
    ConsultationFactory(
        title="Програма за културата",
        kind=Kind.STRATEGY,
        institution=generated("ma:VAR01"),
        province_id="VAR",
        municipality_id="VAR01",
        with_draft=False,
    )
    hidden = ConsultationFactory(
        title="Наредба за паркиране – чернова", state=State.DRAFT, with_draft=False
    )
    url = reverse("consultations:index")
    for q in ("паркиране", "parkirane", "платеното", "naredba parkirane", "Пловдив паркиране"):
        html = _html(Client().get(url, {"q": q}))
        assert parking.title in html, q
        assert hidden.title not in html, q
        assert "Програма за културата" not in html, q
    html = _html(Client().get(url, {"q": "programa kulturata"}))
    assert "Програма за културата" in html
    assert parking.title not in html


def test_search_follows_state_changes():
    c = ConsultationFactory(title="Наредба за рекламата", state=State.DRAFT, with_draft=False)
    url = reverse("consultations:index")
    assert c.title not in _html(Client().get(url, {"q": "reklamata"}))
    from consultations.services import transition

    transition(c, State.OPEN)
    assert c.title in _html(Client().get(url, {"q": "reklamata"}))


def test_list_query_count_is_flat_3_vs_30():
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = Client().get(reverse("consultations:index"), {"q": "наредба"})
            assert response.status_code == 200
        return len(ctx.captured_queries)

    ConsultationFactory.create_batch(3, with_draft=False)
    few = count()
    ConsultationFactory.create_batch(27, with_draft=False)
    many = count()
    assert many == few


# --- a consultation --------------------------------------------------------------------------


def test_detail_shows_the_package_and_the_draft_with_anchors():
    c = ConsultationFactory(
        summary="Проектът урежда **реда**.",
        impact_assessment="Оценка: *малко въздействие*.",
        short_period_reason="Спешна необходимост заради сезона.",
        contact_name="Мария Иванова",
        contact_email="m.ivanova@plovdiv.example.bg",
    )
    response = Client().get(c.get_absolute_url())
    assert response.status_code == 200
    html = _html(response)
    assert c.title in html
    assert c.institution.get_absolute_url() in html
    assert "<strong>реда</strong>" in html
    assert "<em>малко въздействие</em>" in html
    assert "Спешна необходимост заради сезона." in html
    assert "Мария Иванова" in html
    assert c.closes_on.strftime("%d.%m.%Y") in html
    # The draft: a table of contents, the units with anchors, a link to comment on each.
    assert 'id="chl-3"' in html
    assert 'href="#chl-3"' in html
    assert reverse("consultations:unit", args=[c.pk, "chl-3"]) in html
    assert "Забранява се шумът от 23:00 до 07:00 часа." in html


@pytest.mark.parametrize("state", [State.DRAFT, State.SCHEDULED])
@pytest.mark.parametrize("role", LADDER)
def test_unpublished_consultations_are_404_but_for_managers(people: People, state, role):
    c = ConsultationFactory(state=state)
    response = people.client(role).get(c.get_absolute_url())
    unit = people.client(role).get(reverse("consultations:unit", args=[c.pk, "chl-1"]))
    if role in MANAGERS:
        assert response.status_code == 200
        assert _("Not yet published.") in _html(response)
        assert unit.status_code == 200
    else:
        assert response.status_code == 404
        assert unit.status_code == 404


@pytest.mark.parametrize(
    "state", [State.OPEN, State.CLOSED, State.REPORT_PUBLISHED, State.ADOPTED, State.WITHDRAWN]
)
@pytest.mark.parametrize("role", LADDER)
def test_published_consultations_are_public_with_why_one_cannot_comment(
    people: People, state, role
):
    c = ConsultationFactory(state=state)
    response = people.client(role).get(c.get_absolute_url())
    assert response.status_code == 200
    html = _html(response)
    assert _("Not yet published.") not in html
    form_shown = 'name="text"' in html
    if state == State.OPEN:
        assert form_shown == (role != "anonymous")
        if role == "anonymous":
            assert _("Sign in to comment, reply or support a proposal.") in html
    else:
        assert not form_shown
        assert workflows.closed_message(c) in html


def test_last_day_is_until_midnight_sofia_time():
    c = ConsultationFactory(with_draft=False)
    Consultation.objects.filter(pk=c.pk).update(closes_on=timezone.localdate())
    c.refresh_from_db()
    html = _html(Client().get(c.get_absolute_url()))
    assert _("last day today") in html
    assert "23:59" in html


def test_unit_page_shows_the_article_its_paragraphs_and_comments(people: People):
    c = ConsultationFactory()
    art = c.current_version.articles.get(anchor="chl-4")
    CommentFactory(consultation=c, article=art, text="Да се уточни кой контролира.")
    response = Client().get(reverse("consultations:unit", args=[c.pk, "chl-4"]))
    assert response.status_code == 200
    html = _html(response)
    assert "Собствениците поддържат чистотата на общите части." in html
    assert "Контролът се осъществява от кметовете на кметства." in html
    assert "Да се уточни кой контролира." in html
    assert reverse("consultations:unit", args=[c.pk, "chl-4-al-2"]) in html
    assert Client().get(reverse("consultations:unit", args=[c.pk, "chl-99"])).status_code == 404
    # A chapter heading is not a unit one comments on.
    assert Client().get(reverse("consultations:unit", args=[c.pk, "glava-1"])).status_code == 404


def test_unknown_or_huge_ids_are_404():
    assert Client().get("/consultations/999999999/").status_code == 404
    assert Client().get(f"/consultations/{2**63}/").status_code == 404


def _comments(c: Consultation, n: int, article=None) -> None:
    author = UserFactory()
    for i in range(n):
        CommentFactory(
            consultation=c,
            author=author,
            article=article,
            is_proposal=i % 2 == 0,
            proposed_wording="Нов текст." if i % 2 == 0 else "",
            supports_count=i,
        )
        if i % 3 == 0:
            parent = c.comments.filter(parent=None).order_by("-pk").first()
            CommentFactory(consultation=c, author=author, article=article, parent=parent)
    Consultation.objects.filter(pk=c.pk).update(comments_count=c.comments.count())


@pytest.mark.parametrize("role", ["anonymous", "citizen", "moderator"])
def test_detail_and_unit_query_counts_are_flat_3_vs_30_comments(people: People, role):
    c = ConsultationFactory()
    art = c.current_version.articles.get(anchor="chl-3")
    client = people.client(role)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            assert response.status_code == 200
        return len(ctx.captured_queries)

    detail = c.get_absolute_url()
    unit = reverse("consultations:unit", args=[c.pk, "chl-3"])
    _comments(c, 3)
    _comments(c, 3, article=art)
    few = (count(detail), count(unit))
    _comments(c, 27)
    _comments(c, 27, article=art)
    many = (count(detail), count(unit))
    assert many == few
    # Only one page of comments (20 threads) is shown.
    html = _html(client.get(detail))
    assert html.count('<article class="comment"') == 20


def test_whole_draft_comments_are_paginated():
    c = ConsultationFactory(with_draft=False)
    author = UserFactory()
    for i in range(25):
        CommentFactory(consultation=c, author=author, text=f"Коментар номер {i:02d}.")
    first = _html(Client().get(c.get_absolute_url()))
    second = _html(Client().get(c.get_absolute_url(), {"page": 2}))
    assert "Коментар номер 00." in first and "Коментар номер 19." in first
    assert "Коментар номер 20." not in first
    assert "Коментар номер 24." in second


def test_institution_list_link_goes_to_the_directory():
    c = ConsultationFactory(with_draft=False)
    institution = Institution.objects.get(pk=c.institution_id)
    html = _html(Client().get(reverse("consultations:index")))
    assert institution.name_bg in html


def test_withdrawn_consultation_shows_why():
    c = ConsultationFactory(
        state=State.WITHDRAWN, withdrawn_reason="Проектът ще бъде преработен.", with_draft=False
    )
    html = _html(Client().get(c.get_absolute_url()))
    assert "Проектът ще бъде преработен." in html
    assert str(State.WITHDRAWN.label) in html


def test_the_list_runs_open_first_then_latest_closed_across_pages(monkeypatch):
    from consultations.views import public

    monkeypatch.setattr(public, "LIST_PAGE_SIZE", 2)
    today = timezone.localdate()
    made = {}
    for name, state, days in [
        ("открита-късно", State.OPEN, 20),
        ("открита-скоро", State.OPEN, 3),
        ("открита-средно", State.OPEN, 10),
        ("закрита-вчера", State.CLOSED, -1),
        ("закрита-отдавна", State.CLOSED, -300),
        ("закрита-миналия-месец", State.CLOSED, -30),
    ]:
        made[name] = ConsultationFactory(
            title=f"Консултация {name}",
            state=state,
            closes_on=today + datetime.timedelta(days=days),
        )
    seen = []
    for page in (1, 2, 3):
        response = Client().get(reverse("consultations:index"), {"page": page})
        seen += [c.title.removeprefix("Консултация ") for c in response.context["consultations"]]
    expected = [
        "открита-скоро",
        "открита-средно",
        "открита-късно",
        "закрита-вчера",
        "закрита-миналия-месец",
        "закрита-отдавна",
    ]
    assert [s for s in seen if s in made] == expected
    assert Client().get(reverse("consultations:index")).context["page_obj"].paginator.count >= 6
