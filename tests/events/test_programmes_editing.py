"""Programmes: a series of events under one heading with strands and their targets, created
for an organiser one may act for and edited with the strands as a formset."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.translation import override

from events.models import Programme, Strand
from tests.clients import signed_in
from tests.events.organiser_support import (
    ALLOWED,
    field_block,
    ladder,
    management,
    network_event,
    organisation_event,
)
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def new_url(organiser) -> str:
    return (
        reverse("events:programme-new") + f"?organiser={organiser._meta.model_name}-{organiser.pk}"
    )


def programme_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Обучения за НПО",
        "description": "Три обучения по **20 души**.",
        **management("strands", total=3),
        "strands-0-title": "Партньорства и работа в мрежа",
        "strands-0-target_people": "20",
        "strands-1-title": "Застъпнически кампании",
        "strands-1-target_people": "20",
        "strands-2-title": "",
        "strands-2-target_people": "0",
    }
    data.update(changes)
    return data


def edit_data(programme: Programme, **changes: object) -> dict[str, object]:
    strands = list(programme.strands.all())
    data: dict[str, object] = {
        "title": programme.title,
        "description": programme.description,
        **management("strands", total=len(strands) + 1, initial=len(strands)),
    }
    for n, strand in enumerate(strands):
        data.update(
            {
                f"strands-{n}-id": str(strand.pk),
                f"strands-{n}-programme": str(programme.pk),
                f"strands-{n}-title": strand.title,
                f"strands-{n}-target_people": str(strand.target_people),
            }
        )
    n = len(strands)
    data.update({f"strands-{n}-title": "", f"strands-{n}-target_people": "0"})
    data.update(changes)
    return data


def after_saving(programme: Programme) -> str:
    try:
        return reverse("events:programme", args=[programme.pk])
    except NoReverseMatch:  # the public page is another part's
        return reverse("events:programme-edit", args=[programme.pk])


def make_programme(**kwargs) -> Programme:
    kwargs.setdefault("institution", generated("ma:PDV22"))
    programme = Programme.objects.create(title="Обучения", **kwargs)
    for n, title in enumerate(("Партньорства", "Застъпничество", "Мониторинг")):
        Strand.objects.create(programme=programme, title=title, target_people=20, position=n)
    return programme


def test_permission_ladder_on_creating() -> None:
    plovdiv = generated("ma:PDV22")
    url = new_url(plovdiv)
    assert Client().get(url).status_code == 302
    for role, user in ladder(EventFactory()).items():
        expected = 200 if role in ALLOWED else 403
        assert signed_in(user).get(url).status_code == expected, role
        response = signed_in(user).post(url, programme_data())
        assert response.status_code == (302 if role in ALLOWED else 403), role
    assert Programme.objects.filter(institution=plovdiv).count() == 2


def test_creating_a_programme_with_its_strands() -> None:
    plovdiv = generated("ma:PDV22")
    staff = UserFactory()
    staff_of(plovdiv, staff)
    response = signed_in(staff).post(new_url(plovdiv), programme_data())
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == after_saving(programme)
    assert programme.institution == plovdiv and programme.organisation is None
    assert [(s.title, s.target_people, s.position) for s in programme.strands.all()] == [
        ("Партньорства и работа в мрежа", 20, 0),
        ("Застъпнически кампании", 20, 1),
    ]


def test_representatives_and_coordinators_create_programmes() -> None:
    organisation = OrganisationFactory()
    rep = UserFactory()
    representative_of(organisation, rep)
    network = NetworkFactory(coordinator=organisation)
    assert signed_in(rep).post(new_url(organisation), programme_data()).status_code == 302
    assert (
        signed_in(rep).post(new_url(network), programme_data(title="На мрежата")).status_code == 302
    )
    assert Programme.objects.get(organisation=organisation).title == "Обучения за НПО"
    assert Programme.objects.get(network=network).title == "На мрежата"
    # With several organisers and none in the address: a choice.
    response = signed_in(rep).get(reverse("events:programme-new"))
    assert response.status_code == 200 and len(response.context["rows"]) == 2


@pytest.mark.parametrize("make", [EventFactory, organisation_event, network_event])
def test_permission_ladder_on_editing(make) -> None:
    event = make()
    programme = make_programme(
        institution=event.institution, organisation=event.organisation, network=event.network
    )
    url = reverse("events:programme-edit", args=[programme.pk])
    assert Client().get(url).status_code == 302
    for role, user in ladder(event).items():
        expected = 200 if role in ALLOWED else 403
        assert signed_in(user).get(url).status_code == expected, role
        response = signed_in(user).post(url, edit_data(programme, title=f"От {role}"))
        assert response.status_code == (302 if role in ALLOWED else 403), role
    programme.refresh_from_db()
    assert programme.title == "От administrator"


def test_editing_renames_removes_adds_and_orders_strands() -> None:
    programme = make_programme()
    staff = UserFactory()
    staff_of(programme.institution, staff)
    first, second, third = programme.strands.all()
    data = edit_data(
        programme,
        **{
            "strands-0-title": "Партньорства и мрежи",
            "strands-1-DELETE": "on",
            "strands-2-target_people": "25",
            "strands-3-title": "Политики",
            "strands-3-target_people": "15",
        },
    )
    url = reverse("events:programme-edit", args=[programme.pk])
    assert signed_in(staff).post(url, data).status_code == 302
    assert [(s.pk, s.title, s.target_people, s.position) for s in programme.strands.all()] == [
        (first.pk, "Партньорства и мрежи", 20, 0),
        (third.pk, "Мониторинг", 25, 1),
        (programme.strands.get(title="Политики").pk, "Политики", 15, 2),
    ]
    assert not Strand.objects.filter(pk=second.pk).exists()


def test_an_event_of_a_removed_strand_stays() -> None:
    programme = make_programme()
    staff = UserFactory()
    staff_of(programme.institution, staff)
    strand = programme.strands.first()
    event = EventFactory(programme=programme, strand=strand)
    data = edit_data(programme, **{"strands-0-DELETE": "on"})
    signed_in(staff).post(reverse("events:programme-edit", args=[programme.pk]), data)
    event.refresh_from_db()
    assert event.strand is None and event.programme == programme


BAD = [
    ({"title": ""}, "title", "This field is required."),
    ({"strands-0-target_people": "-1"}, "strands-0-target_people", "cannot be negative"),
    ({"strands-0-target_people": "двайсет"}, "strands-0-target_people", "whole number"),
    ({"strands-1-title": "партньорства и работа в мрежа"}, "strands-1-title", "Two strands"),
    ({"strands-2-target_people": "5"}, "strands-2-title", "This field is required."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD)
def test_bad_input_is_explained_and_nothing_is_saved(changes, field, message) -> None:
    plovdiv = generated("ma:PDV22")
    staff = UserFactory()
    staff_of(plovdiv, staff)
    with override("en"):
        response = signed_in(staff).post(new_url(plovdiv), programme_data(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in field_block(html, field)
    assert not Programme.objects.exists() and not Strand.objects.exists()
    for value in changes.values():
        assert str(value) in html


def test_an_unknown_programme_is_404() -> None:
    staff = UserFactory()
    staff_of(generated("ma:PDV22"), staff)
    for pk in (99999999, 2**63):
        assert signed_in(staff).get(reverse("events:programme-edit", args=[pk])).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_the_edit_page_keeps_its_queries_flat(n, django_assert_max_num_queries) -> None:
    programme = Programme.objects.create(title="Много", institution=generated("ma:PDV22"))
    Strand.objects.bulk_create(
        Strand(programme=programme, title=f"Тема {i}", target_people=i, position=i)
        for i in range(n)
    )
    staff = UserFactory()
    staff_of(programme.institution, staff)
    client = signed_in(staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("events:programme-edit", args=[programme.pk]))
    assert response.status_code == 200


def test_a_new_programme_can_start_from_a_title_and_strands() -> None:
    """An assessment's training needs link here (assessments:training-programme); an
    organiser who must first choose for whom keeps them through the choice."""
    plovdiv = generated("ma:PDV22")
    staff = UserFactory()
    staff_of(plovdiv, staff)
    topics = ["Партньорства и работа в мрежа", "Застъпнически кампании", "Мониторинг", "ИТ"]
    query = "&".join(["title=Обучения+по+оценката", *[f"strand={t}" for t in topics]])
    page = signed_in(staff).get(f"{new_url(plovdiv)}&{query}").content.decode()
    assert 'value="Обучения по оценката"' in page
    for n, topic in enumerate(topics):  # four strands: more than the three empty rows
        assert f'name="strands-{n}-title" value="{topic}"' in page
    second = OrganisationFactory()
    representative_of(second, staff)
    chooser = signed_in(staff).get(f"{reverse('events:programme-new')}?{query}")
    assert "strand=%D0%98%D0%A2" in chooser.content.decode()  # the choice links keep them
