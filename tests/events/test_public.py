"""The public pages of events: the list with its filters (territory, kind, topic, organiser,
upcoming or past, words), an event's page for each role (a draft is a 404 to all but its
organiser; the online link and participants' materials only for confirmed participants and the
organiser), a programme's live progress against its targets, and query counts that stay flat
as events, sessions and registrations grow."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override, pgettext

from accounts.enums import Role
from accounts.models import User
from core.legal_calendar import SOFIA
from core.models import Topic
from events.enums import Audience, Format, Kind, MaterialVisibility, RegistrationState, State
from events.models import Attendance, Certificate, Event, Material, Programme, Strand
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory, sofia
from tests.factories.organisations import NetworkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LADDER = [
    "anonymous",
    "citizen",
    "registrant",
    "organiser",
    "other staff",
    "moderator",
    "administrator",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; user ids repeat between tests."""
    cache.clear()


@dataclass
class People:
    users: dict[str, User | None]

    def client(self, role: str) -> Client:
        return signed_in(self.users[role])


def make_people(event: Event | None = None) -> People:
    """One person for each rung; the organiser is staff of Plovdiv's municipal administration
    (the factory's organiser); the registrant holds a confirmed place at `event`."""
    organiser = UserFactory(first_name="Елена", last_name="Димова")
    staff_of(generated("ma:PDV22"), organiser)
    other_staff = UserFactory(first_name="Петър", last_name="Стоянов")
    staff_of(generated("ma:VAR01"), other_staff)
    registrant = UserFactory(first_name="Мария", last_name="Колева")
    if event is not None:
        RegistrationFactory(event=event, user=registrant, name="Мария Колева")
    return People(
        users={
            "anonymous": None,
            "citizen": UserFactory(first_name="Иван", last_name="Петров"),
            "registrant": registrant,
            "organiser": organiser,
            "other staff": other_staff,
            "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
            "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
        }
    )


def html(response) -> str:
    return response.content.decode()


def days_from_now(days: int, hour: int = 10) -> datetime.datetime:
    day = (timezone.now() + datetime.timedelta(days=days)).date()
    return sofia(day.year, day.month, day.day, hour)


# --- the list --------------------------------------------------------------------------------


def test_list_shows_public_events_coming_up_soonest_first():
    later = EventFactory(title="Семинар за бюджета", kind=Kind.SEMINAR)
    Event.objects.filter(pk=later.pk).update(
        starts_at=days_from_now(20), ends_at=days_from_now(20, 16)
    )
    sooner = EventFactory(title="Обучение по застъпничество")
    EventFactory(title="Чернова на обсъждане", state=State.DRAFT)
    past = EventFactory(title="Минала дискусия", kind=Kind.PUBLIC_DISCUSSION)
    Event.objects.filter(pk=past.pk).update(
        starts_at=days_from_now(-5), ends_at=days_from_now(-5, 16)
    )
    cancelled = EventFactory(title="Отменен семинар", state=State.CANCELLED)

    response = Client().get(reverse("events:index"))
    assert response.status_code == 200
    page = html(response)
    assert "Чернова на обсъждане" not in page
    assert "Минала дискусия" not in page
    assert page.index("Обучение по застъпничество") < page.index("Семинар за бюджета")
    assert reverse("events:detail", args=[sooner.pk]) in page
    # The cancelled one stays listed, marked as such in words.
    assert reverse("events:detail", args=[cancelled.pk]) in page
    assert pgettext("event", "cancelled") in page
    # Date and time in Sofia, the kind, the organiser, the place, the places left.
    start = sooner.starts_at.astimezone(SOFIA)
    assert f"{start:%d.%m.%Y}" in page
    assert f"{start:%H:%M}" in page
    assert str(Kind.TRAINING.label) in page
    assert generated("ma:PDV22").name_bg in page
    assert "Зала „Съединение“" in page
    assert ngettext("%(n)d place left", "%(n)d places left", 20) % {"n": 20} in page


def test_list_row_says_online_full_and_registration_closed():
    EventFactory(title="Онлайн среща", format=Format.ONLINE, venue="")
    full = EventFactory(title="Пълно обучение", capacity=1)
    RegistrationFactory(event=full)
    Event.objects.filter(pk=full.pk).update(confirmed_count=1)
    EventFactory(
        title="Затворена регистрация",
        registration_closes_at=timezone.now() - datetime.timedelta(hours=1),
    )

    page = html(Client().get(reverse("events:index")))
    assert _("online") in page
    assert _("full — waiting list") in page
    assert _("registration closed") in page


def test_list_times_are_sofia_time_across_daylight_saving():
    # 27.03.2033 is the last Sunday of March: Sofia moves from UTC+2 to UTC+3 at 03:00.
    winter = EventFactory(
        title="Зимно", starts_at=sofia(2033, 3, 26, 9, 30), ends_at=sofia(2033, 3, 26, 17)
    )
    summer = EventFactory(
        title="Лятно", starts_at=sofia(2033, 3, 28, 9, 30), ends_at=sofia(2033, 3, 28, 17)
    )
    assert winter.starts_at.utcoffset() != summer.starts_at.utcoffset()
    page = html(Client().get(reverse("events:index")))
    with override("en"):
        page_en = html(Client().get(reverse("events:index")))
    for text in (page, page_en):
        assert "26.03.2033" in text
        assert "28.03.2033" in text
        assert text.count("09:30") >= 2


def test_list_filters_by_kind_territory_topic_and_organiser():
    plovdiv = EventFactory(title="Обучение в Пловдив")
    varna = EventFactory(
        title="Семинар във Варна",
        kind=Kind.SEMINAR,
        institution=generated("ma:VAR01"),
        province_id="VAR",
        municipality_id="VAR01",
    )
    organisation = OrganisationFactory()
    by_ngo = EventFactory(
        title="Дискусия на сдружението",
        kind=Kind.PUBLIC_DISCUSSION,
        institution=None,
        organisation=organisation,
    )
    network = NetworkFactory()
    by_network = EventFactory(title="Среща на мрежата", institution=None, network=network)
    topic, _created = Topic.objects.get_or_create(
        slug="ekologia", defaults={"name_bg": "Екология", "name_en": "Environment"}
    )
    plovdiv.topics.add(topic)

    def titles(**params) -> set[str]:
        page = html(Client().get(reverse("events:index"), params))
        return {
            t
            for t in (
                "Обучение в Пловдив",
                "Семинар във Варна",
                "Дискусия на сдружението",
                "Среща на мрежата",
            )
            if t in page
        }

    assert titles(kind=Kind.SEMINAR) == {"Семинар във Варна"}
    assert titles(province="VAR") == {"Семинар във Варна"}
    assert titles(municipality="VAR01") == {"Семинар във Варна"}
    assert titles(topic="ekologia") == {"Обучение в Пловдив"}
    assert titles(organiser=f"institution-{plovdiv.institution_id}") == {"Обучение в Пловдив"}
    assert titles(organiser=f"organisation-{organisation.pk}") == {"Дискусия на сдружението"}
    assert titles(organiser=f"network-{network.pk}") == {"Среща на мрежата"}
    assert varna and by_ngo and by_network


def test_list_past_events_latest_first():
    for days, title in ((-30, "Отдавна"), (-3, "Наскоро")):
        e = EventFactory(title=title)
        Event.objects.filter(pk=e.pk).update(
            starts_at=days_from_now(days), ends_at=days_from_now(days, 16)
        )
    EventFactory(title="Предстои")
    page = html(Client().get(reverse("events:index"), {"when": "past"}))
    assert "Предстои" not in page
    assert page.index("Наскоро") < page.index("Отдавна")


def test_list_organiser_asked_by_link_is_kept_even_without_events():
    quiet = generated("ma:VAR01")
    response = Client().get(reverse("events:index"), {"organiser": f"institution-{quiet.pk}"})
    assert response.status_code == 200
    page = html(response)
    assert f'value="institution-{quiet.pk}" selected' in page
    assert response.context["form"].errors == {}


def test_list_bad_filter_is_shown_next_to_its_field_and_the_rest_still_applies():
    EventFactory(title="Семинар във Варна", kind=Kind.SEMINAR)
    EventFactory(title="Обучение в Пловдив")
    response = Client().get(
        reverse("events:index"), {"kind": "concert", "organiser": "nonsense", "q": "семинар"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "kind" in form.errors
    assert "organiser" in form.errors
    page = html(response)
    assert 'class="field field-error"' in page
    # What was typed stays in the form; the words still filter.
    assert 'value="семинар"' in page
    assert "Семинар във Варна" in page
    assert "Обучение в Пловдив" not in page


def test_list_empty_state_says_what_to_do():
    with override("en"):
        page = html(Client().get(reverse("events:index")))
        assert "No events are planned yet." in page
        assert "?when=past" in page
        assert reverse("events:feed") in page
        filtered = html(Client().get(reverse("events:index"), {"kind": Kind.SEMINAR}))
        assert "No event matches these filters." in filtered
        assert "clear the filters" in filtered


def test_list_pages_by_twenty():
    for n in range(23):
        EventFactory(title=f"Събитие номер {n:02d}", with_sessions=False)
    first = Client().get(reverse("events:index"))
    assert len(first.context["events"]) == 20
    second = Client().get(reverse("events:index"), {"page": 2})
    assert len(second.context["events"]) == 3
    assert Client().get(reverse("events:index"), {"page": "x"}).status_code == 200


def _events(n: int) -> None:
    organisation = OrganisationFactory()
    network = NetworkFactory()
    for i in range(n):
        extra = {}
        if i % 3 == 1:
            extra = {"institution": None, "organisation": organisation}
        elif i % 3 == 2:
            extra = {"institution": None, "network": network}
        EventFactory(with_sessions=False, **extra)


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_flat(rows, django_assert_max_num_queries):
    _events(rows)
    client = Client()
    with django_assert_max_num_queries(9):
        response = client.get(
            reverse("events:index"), {"q": "обучение", "province": "PDV", "when": "upcoming"}
        )
    assert response.status_code == 200
    assert len(response.context["events"]) == min(rows, 20)


# --- an event's page -------------------------------------------------------------------------


def test_detail_shows_everything_about_the_event():
    topic, _created = Topic.objects.get_or_create(
        slug="obrazovanie", defaults={"name_bg": "Образование", "name_en": "Education"}
    )
    programme = Programme.objects.create(title="Обучения за НПО", institution=generated())
    event = EventFactory(
        title="Обучение по застъпничество",
        settlement_id="56784",
        programme=programme,
        free_question="Какво очаквате?",
    )
    event.topics.add(topic)
    Material.objects.create(event=event, title="Презентация за всички", url="https://ex.org/a")
    Event.objects.filter(pk=event.pk).update(
        minutes="## Обобщение\n\nОбсъдихме **бюджета**.", minutes_published_at=timezone.now()
    )

    response = Client().get(event.get_absolute_url())
    assert response.status_code == 200
    page = html(response)
    assert "Обучение по застъпничество" in page
    assert str(Kind.TRAINING.label) in page
    assert generated().get_absolute_url() in page
    assert "Зала „Съединение“" in page
    assert "пл. „Стефан Стамболов“ 1" in page
    assert "Пловдив" in page
    assert "Ден 1: упражнения" in page and "Ден 2: упражнения" in page
    assert "Мария Иванова" in page
    assert "?topic=obrazovanie" in page
    assert reverse("events:programme", args=[programme.pk]) in page
    assert "Презентация за всички" in page
    assert "<strong>бюджета</strong>" in page
    assert "<h3>Обобщение</h3>" in page  # headings start under the page's own
    assert "<strong>представители на НПО</strong>" in page
    assert reverse("events:event-ics", args=[event.pk]) in page
    assert str(Audience.EVERYONE.label) in page
    # Anonymous: the one action is to sign in to register, and come back to the form.
    login = reverse("account_login")
    next_page = urlencode({"next": reverse("events:register", args=[event.pk])})
    assert f"{login}?{next_page}" in page


def test_detail_unpublished_minutes_stay_hidden():
    event = EventFactory(minutes="Тайна чернова на протокола")
    assert "Тайна чернова" not in html(Client().get(event.get_absolute_url()))


@pytest.mark.parametrize("role", LADDER)
def test_detail_draft_is_404_to_all_but_the_organiser(role):
    event = EventFactory(state=State.DRAFT, published_at=None)
    people = make_people()
    response = people.client(role).get(event.get_absolute_url())
    expected = 200 if role in {"organiser", "administrator"} else 404
    assert response.status_code == expected
    if expected == 200:
        with override("en"):
            page = html(people.client(role).get(event.get_absolute_url()))
        assert "Draft: not published." in page


@pytest.mark.parametrize("role", LADDER)
def test_detail_online_link_and_participant_materials_by_role(role):
    event = EventFactory(format=Format.HYBRID, online_url="https://meet.example.org/abc-secret")
    Material.objects.create(
        event=event,
        title="Материал за участниците",
        url="https://files.example.org/only-participants",
        visibility=MaterialVisibility.PARTICIPANTS,
    )
    Material.objects.create(event=event, title="Публична програма", url="https://ex.org/p")
    people = make_people(event)
    page = html(people.client(role).get(event.get_absolute_url()))
    sees = role in {"registrant", "organiser", "administrator"}
    assert ("https://meet.example.org/abc-secret" in page) is sees
    assert ("Материал за участниците" in page) is sees
    assert "Публична програма" in page


def test_detail_waiting_and_cancelled_registrants_do_not_see_the_online_link():
    event = EventFactory(format=Format.ONLINE, online_url="https://meet.example.org/xyz")
    waiting = RegistrationFactory(
        event=event, state=RegistrationState.WAITING, waiting_since=timezone.now()
    )
    page = html(signed_in(waiting.user).get(event.get_absolute_url()))
    assert "https://meet.example.org/xyz" not in page
    assert reverse("events:registration", args=[waiting.code]) in page


def test_detail_offers_register_to_a_citizen_and_says_why_not_otherwise():
    event = EventFactory()
    citizen = UserFactory()
    page = html(signed_in(citizen).get(event.get_absolute_url()))
    assert f'href="{reverse("events:register", args=[event.pk])}"' in page

    closed = EventFactory(registration_closes_at=timezone.now() - datetime.timedelta(minutes=1))
    page = html(signed_in(citizen).get(closed.get_absolute_url()))
    assert f'href="{reverse("events:register", args=[closed.pk])}"' not in page
    assert _("Registration for this event has closed.") in page

    officials = EventFactory(audience=Audience.OFFICIALS)
    page = html(signed_in(citizen).get(officials.get_absolute_url()))
    assert f'href="{reverse("events:register", args=[officials.pk])}"' not in page
    assert (
        _("Only staff of institutions and municipal councillors may register for this event.")
        in page
    )


def test_detail_shows_the_persons_own_registration():
    event = EventFactory()
    mine = RegistrationFactory(event=event)
    page = html(signed_in(mine.user).get(event.get_absolute_url()))
    assert mine.code in page
    assert reverse("events:registration", args=[mine.code]) in page
    assert f'href="{reverse("events:register", args=[event.pk])}"' not in page


def test_detail_of_an_unknown_event_is_404():
    assert Client().get(reverse("events:detail", args=[999999])).status_code == 404
    assert Client().get("/events/99999999999999999999/").status_code == 404


def test_detail_cancelled_event_says_so_with_the_reason():
    event = EventFactory(state=State.CANCELLED, cancelled_reason="Болест на лектора.")
    with override("en"):
        page = html(Client().get(event.get_absolute_url()))
    assert "This event has been cancelled." in page
    assert "Болест на лектора." in page


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_query_count_is_flat(rows, django_assert_max_num_queries):
    event = EventFactory(
        starts_at=days_from_now(10), ends_at=days_from_now(10) + datetime.timedelta(days=2)
    )
    for n in range(rows):
        RegistrationFactory(event=event)
        Material.objects.create(event=event, title=f"Материал {n}", url=f"https://ex.org/{n}")
    viewer = UserFactory()
    client = signed_in(viewer)
    with django_assert_max_num_queries(12):  # 11, and the library's publications used in it
        response = client.get(event.get_absolute_url())
    assert response.status_code == 200


# --- a programme -----------------------------------------------------------------------------


def _attend_all(registration) -> None:
    for day in registration.event.days:
        Attendance.objects.create(registration=registration, day=day)


def test_programme_shows_targets_and_live_progress():
    programme = Programme.objects.create(title="Обучения за НПО", institution=generated())
    advocacy = Strand.objects.create(
        programme=programme, title="Застъпнически кампании", target_people=20
    )
    policy = Strand.objects.create(programme=programme, title="Политики", target_people=10)
    first = EventFactory(title="Застъпничество, група 1", programme=programme, strand=advocacy)
    second = EventFactory(title="Застъпничество, група 2", programme=programme, strand=advocacy)
    EventFactory(title="Чернова: политики", programme=programme, strand=policy, state=State.DRAFT)
    ngo = OrganisationFactory()  # seat: Plovdiv
    trained = []
    for _n in range(3):  # attended every day, registered for their organisation
        r = RegistrationFactory(event=first, organisation=ngo)
        _attend_all(r)
        trained.append(r.user)
    half = RegistrationFactory(event=first)  # attended one of two days: not trained
    Attendance.objects.create(registration=half, day=first.days[0])
    # A certificate counts even without attendance rows; the same person twice counts once.
    certified = RegistrationFactory(event=second, user=trained[0])
    Certificate.objects.create(
        registration=certified,
        code="CERT0001",
        name="x",
        event_title=second.title,
        first_day=second.days[0],
        last_day=second.days[-1],
        organiser_name="x",
    )
    other = RegistrationFactory(event=second)
    Certificate.objects.create(
        registration=other,
        code="CERT0002",
        name="y",
        event_title=second.title,
        first_day=second.days[0],
        last_day=second.days[-1],
        organiser_name="y",
        revoked_at=timezone.now(),  # revoked: does not count
    )

    response = Client().get(reverse("events:programme", args=[programme.pk]))
    assert response.status_code == 200
    progress = response.context["progress"]
    strand = progress.strands[0]
    assert (strand.title, strand.target, strand.people, strand.organisations) == (
        "Застъпнически кампании",
        20,
        3,
        1,
    )
    assert strand.by_municipality == [("Пловдив", 3)]
    assert progress.strands[1].people == 0
    assert progress.total.target == 30
    assert progress.total.people == 3
    page = html(response)
    assert 'max="20" value="3"' in page
    assert "Застъпничество, група 1" in page
    assert "Чернова: политики" not in page
    with override("en"):
        page_en = html(Client().get(reverse("events:programme", args=[programme.pk])))
    assert "3 of 20 people trained" in page_en
    assert "(15 %)" in page_en


def test_programme_unknown_is_404():
    assert Client().get(reverse("events:programme", args=[424242])).status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_programme_query_count_is_flat(rows, django_assert_max_num_queries):
    programme = Programme.objects.create(title="Обучения", institution=generated())
    strand = Strand.objects.create(programme=programme, title="Тема", target_people=20)
    event = EventFactory(programme=programme, strand=strand, with_sessions=False)
    ngo = OrganisationFactory()
    for _n in range(rows):
        _attend_all(RegistrationFactory(event=event, organisation=ngo))
    with django_assert_max_num_queries(7):
        response = Client().get(reverse("events:programme", args=[programme.pk]))
    assert response.context["progress"].strands[0].people == rows
