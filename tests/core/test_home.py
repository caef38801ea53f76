"""The home page's blocks (config/home.py): what is happening now in the portal's scope.

Each block appears with something to show and is left out without; only public records of
the scope; at most five items with links, dates and a "see all" link; the number of queries
does not grow with the data; the cache keeps the blocks per language and scope.
"""

from __future__ import annotations

import datetime
import re
import types

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, override

from config import home
from consultations.enums import State as ConsultationState
from core.legal_calendar import SOFIA
from events.enums import State as EventState
from monitoring.enums import CommitmentStatus, RequestStatus, SignalStatus
from organisations.enums import Visibility
from tests.factories.consultations import ConsultationFactory
from tests.factories.events import EventFactory
from tests.factories.monitoring import CommitmentFactory, InformationRequestFactory, SignalFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory
from tests.factories.territory import portal_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_blocks(settings) -> None:
    """Every request builds the blocks anew (the cache has its own test below)."""
    settings.HOME_BLOCKS_CACHE_SECONDS = 0
    cache.clear()


def today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def bg(msgid: str) -> str:
    with override("bg"):
        return gettext(msgid)


def page(client: Client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def block(html: str, key: str) -> str:
    """The markup of one block, or "" when the page has none."""
    found = re.search(
        rf'<section class="card home-block" id="block-{key}".*?</section>', html, re.DOTALL
    )
    return found.group(0) if found else ""


def titles(section: str) -> list[str]:
    """The items' titles (the list of the block, not its "see all" links)."""
    found = re.search(r'<ul class="plain-list home-list">(.*?)</ul>', section, re.DOTALL)
    return re.findall(r'<li>\s*<a href="[^"]+">([^<]+)</a>', found.group(1)) if found else []


# --- Without data ----------------------------------------------------------------------------


def test_without_anything_to_show_there_are_no_blocks(client: Client) -> None:
    html = page(client)
    assert 'class="cards home-blocks"' not in html
    assert bg("Nothing new in the portal's region just now.") in html
    assert 'role="search"' in html  # the search stays
    assert f'href="{reverse("consultations:index")}"' in html  # what to do next


# --- Consultations closing soon -------------------------------------------------------------


def test_closing_consultations_soonest_first_with_the_open_until_tag(client: Client) -> None:
    later = ConsultationFactory(title="Бюджет 2027", closes_on=days(20), with_draft=False)
    sooner = ConsultationFactory(title="Наредба за шума", closes_on=days(3), with_draft=False)
    ConsultationFactory(title="Чернова", state=ConsultationState.DRAFT, with_draft=False)
    ConsultationFactory(
        title="Приключила", state=ConsultationState.CLOSED, closes_on=days(-2), with_draft=False
    )
    section = block(page(client), "consultations")
    assert titles(section) == ["Наредба за шума", "Бюджет 2027"]
    assert f'href="{sooner.get_absolute_url()}"' in section
    assert f'href="{later.get_absolute_url()}"' in section
    closes = f"{days(3):%d.%m.%Y} г."
    assert '<strong class="tag tag-green">' + bg("Open until %(date)s") % {"date": closes} in (
        section
    )
    assert "Община Пловдив" in section or "Пловдив" in section
    assert f'href="{reverse("consultations:index")}?state=open"' in section


def test_a_block_shows_at_most_five(client: Client) -> None:
    for n in range(7):
        ConsultationFactory(title=f"Проект {n}", closes_on=days(n + 1), with_draft=False)
    section = block(page(client), "consultations")
    assert titles(section) == [f"Проект {n}" for n in range(5)]


def test_in_english_the_dates_and_words_are_english(client: Client) -> None:
    ConsultationFactory(title="Наредба", closes_on=days(3), with_draft=False)
    section = block(page(client, "/en/"), "consultations")
    assert "Consultations closing soon" in section
    with override("en"):
        closes = date_format(days(3), "DATE_FORMAT")
    assert f"Open until {closes}" in section


# --- Scope -----------------------------------------------------------------------------------


def test_only_records_of_the_portals_scope_are_shown(client: Client) -> None:
    portal_scope(provinces=["VAR"], municipalities=["PVN24"])
    ConsultationFactory(title="Пловдив: извън обхвата", closes_on=days(2), with_draft=False)
    ConsultationFactory(
        title="Варна: областта е в обхвата", closes_on=days(3), with_draft=False,
        province_id="VAR", municipality_id="VAR06",
    )  # fmt: skip
    ConsultationFactory(
        title="Плевен: общината е в обхвата", closes_on=days(4), with_draft=False,
        province_id="PVN", municipality_id="PVN24",
    )  # fmt: skip
    ConsultationFactory(
        title="Областна администрация Плевен", closes_on=days(5), with_draft=False,
        province_id="PVN", municipality_id=None,
    )  # fmt: skip
    ConsultationFactory(
        title="Национална", closes_on=days(6), with_draft=False,
        province_id=None, municipality_id=None,
    )  # fmt: skip
    ConsultationFactory(
        title="Друга община на област Плевен", closes_on=days(7), with_draft=False,
        province_id="PVN", municipality_id="PVN03",
    )  # fmt: skip
    EventFactory(title="Събитие в Пловдив", with_sessions=False)
    EventFactory(
        title="Събитие във Варна", province_id="VAR", municipality_id="VAR06",
        with_sessions=False,
    )  # fmt: skip
    CommitmentFactory(title="Пловдив просрочено", deadline=days(-10), is_overdue=True)
    OrganisationFactory(name="Сдружение в Пловдив")

    html = page(client)
    assert titles(block(html, "consultations")) == [
        "Варна: областта е в обхвата",
        "Плевен: общината е в обхвата",
        "Областна администрация Плевен",
        "Национална",
    ]
    assert titles(block(html, "events")) == ["Събитие във Варна"]
    assert block(html, "commitments") == ""
    assert block(html, "organisations") == ""


def test_without_a_scope_the_whole_country_is_shown(client: Client) -> None:
    ConsultationFactory(
        title="Варна", closes_on=days(3), with_draft=False, province_id="VAR",
        municipality_id="VAR06",
    )  # fmt: skip
    assert titles(block(page(client), "consultations")) == ["Варна"]


# --- Upcoming events -------------------------------------------------------------------------


def test_upcoming_public_events_soonest_first(client: Client) -> None:
    start = timezone.now() + datetime.timedelta(days=5)
    soon = EventFactory(title="Скоро", starts_at=start, with_sessions=False)
    EventFactory(
        title="По-късно", starts_at=start + datetime.timedelta(days=7), with_sessions=False
    )
    EventFactory(
        title="Отменено", starts_at=start + datetime.timedelta(days=8),
        state=EventState.CANCELLED, with_sessions=False,
    )  # fmt: skip
    EventFactory(title="Чернова", state=EventState.DRAFT, with_sessions=False)
    EventFactory(
        title="Минало", starts_at=timezone.now() - datetime.timedelta(days=9),
        with_sessions=False,
    )  # fmt: skip
    section = block(page(client), "events")
    assert titles(section) == ["Скоро", "По-късно", "Отменено"]
    assert f'href="{soon.get_absolute_url()}"' in section
    starts = f"{start.astimezone(SOFIA):%d.%m.%Y} г."
    assert bg("Starts: %(date)s") % {"date": starts} in section
    assert f'<strong class="tag tag-red">{bg("Cancelled")}</strong>' in section
    assert f'href="{reverse("events:index")}"' in section


# --- Latest reports and answers ------------------------------------------------------------


def test_latest_reports_and_answers_newest_first(client: Client) -> None:
    now = timezone.now()
    report = ConsultationFactory(
        title="Справка за наредбата", state=ConsultationState.REPORT_PUBLISHED,
        closes_on=days(-20), report_published_at=now - datetime.timedelta(days=3),
        with_draft=False,
    )  # fmt: skip
    answer = InformationRequestFactory(
        title="Договори за почистване", status=RequestStatus.GRANTED, decided_on=days(-1),
        filed_on=days(-20),
    )  # fmt: skip
    InformationRequestFactory(
        title="Частно заявление", status=RequestStatus.GRANTED, decided_on=days(0),
        is_public=False, filed_on=days(-20),
    )  # fmt: skip
    InformationRequestFactory(title="Чака отговор", status=RequestStatus.REGISTERED)
    SignalFactory(
        title="Пейки в парка", status=SignalStatus.ANSWERED, decided_on=days(-2),
        is_public=True, received_on=days(-30),
    )  # fmt: skip
    SignalFactory(
        title="Скрит сигнал", status=SignalStatus.ANSWERED, decided_on=days(0), is_public=False
    )
    section = block(page(client), "reports")
    assert titles(section) == ["Договори за почистване", "Пейки в парка", "Справка за наредбата"]
    assert f'href="{answer.get_absolute_url()}"' in section
    assert f'href="{report.get_absolute_url()}"' in section
    assert bg("Decided: %(date)s") % {"date": f"{days(-1):%d.%m.%Y} г."} in section
    assert f'href="{reverse("monitoring:requests")}"' in section


# --- New organisations and networks --------------------------------------------------------


def test_new_public_organisations_and_networks(client: Client) -> None:
    organisation = OrganisationFactory(name="Сдружение „Зелен Пловдив“")
    OrganisationFactory(name="Чака проверка", visibility=Visibility.PENDING)
    OrganisationFactory(name="От регистъра", source="Регистър на народните читалища")
    network = NetworkFactory(name="Мрежа за прозрачност")
    section = block(page(client), "organisations")
    shown = titles(section)
    assert "Мрежа за прозрачност" in shown
    assert any("Зелен Пловдив" in t for t in shown)
    assert not any("Чака проверка" in t or "От регистъра" in t for t in shown)
    assert f'href="{organisation.get_absolute_url()}"' in section
    assert f'href="{network.get_absolute_url()}"' in section
    assert f'href="{reverse("organisations:networks")}"' in section


def test_a_network_of_another_region_is_not_shown(client: Client) -> None:
    from territory.models import Province

    portal_scope(provinces=["PDV"])
    here = NetworkFactory(name="Пловдивска мрежа")
    here.provinces.set([Province.objects.get(code="PDV")])
    away = NetworkFactory(
        name="Варненска мрежа",
        coordinator=OrganisationFactory(settlement=None, name="Без седалище"),
    )
    away.provinces.set([Province.objects.get(code="VAR")])
    NetworkFactory(name="Национална мрежа", coordinator=away.coordinator)
    shown = titles(block(page(client), "organisations"))
    assert "Пловдивска мрежа" in shown and "Национална мрежа" in shown
    assert "Варненска мрежа" not in shown
    assert not any("Без седалище" in t for t in shown)


# --- Overdue commitments ---------------------------------------------------------------------


def test_overdue_commitments_by_deadline(client: Client) -> None:
    older = CommitmentFactory(
        title="Ремонт на училище", deadline=days(-30), is_overdue=True,
        status=CommitmentStatus.OVERDUE,
    )  # fmt: skip
    CommitmentFactory(title="Детска площадка", deadline=days(-5), is_overdue=True)
    CommitmentFactory(title="В срок", deadline=days(30))
    CommitmentFactory(
        title="Изпълнен", deadline=days(-40), is_overdue=True, status=CommitmentStatus.DONE
    )
    section = block(page(client), "commitments")
    assert titles(section) == ["Ремонт на училище", "Детска площадка"]
    assert f'href="{older.get_absolute_url()}"' in section
    assert bg("Deadline: %(date)s") % {"date": f"{days(-30):%d.%m.%Y} г."} in section
    assert f'<strong class="tag tag-red">{bg("Past its deadline")}</strong>' in section
    assert f'href="{reverse("monitoring:commitments")}?overdue=on"' in section


# --- News and the library, when they are there -----------------------------------------------


def test_latest_news_and_publications(client: Client) -> None:
    from tests.factories.library import PublicationFactory
    from tests.factories.news import NewsItemFactory

    html = page(client)
    assert block(html, "news") == "" and block(html, "library") == ""
    item = NewsItemFactory(title="Детската площадка е отворена")
    NewsItemFactory(title="Чернова на новина", state="draft", publish_at=None)
    publication = PublicationFactory(title="Наръчник за обществени консултации")
    html = page(client)
    news = block(html, "news")
    assert titles(news) == ["Детската площадка е отворена"]
    assert f'href="{item.get_absolute_url()}"' in news
    published = f"{item.publish_at.astimezone(SOFIA):%d.%m.%Y} г."
    assert bg("Published: %(date)s") % {"date": published} in news
    assert f'href="{reverse("news:index")}"' in news
    library = block(html, "library")
    assert titles(library) == ["Наръчник за обществени консултации"]
    assert f'href="{publication.get_absolute_url()}"' in library
    assert f'href="{reverse("library:index")}"' in library


def test_an_app_without_selectors_has_no_block() -> None:
    assert home._optional_selectors("no_such_app") is None
    assert home._optional_selectors("core") is None  # a package without `selectors`


def test_news_and_publications_come_from_the_apps_selectors(monkeypatch) -> None:
    published = timezone.now() - datetime.timedelta(days=1)
    news = types.SimpleNamespace(
        latest_for_home=lambda limit: [
            {"title": f"Новина {n}", "url": f"/news/{n}/", "publish_at": published}
            for n in range(7)
        ][:limit]
    )
    empty = types.SimpleNamespace(latest_for_home=lambda limit: [])
    monkeypatch.setattr(
        home, "_optional_selectors", lambda app: {"news": news, "library": empty}.get(app)
    )
    blocks = {
        b.key: b for b in home.build_blocks(home.Territory(frozenset(), frozenset(), frozenset()))
    }
    assert "library" not in blocks  # nothing to show: no block
    items = blocks["news"].items
    assert [i.title for i in items] == [f"Новина {n}" for n in range(5)]
    assert items[0].url == "/news/0/"
    assert f"{published.astimezone(SOFIA):%d.%m.%Y}" in items[0].when


# --- Query count and cache ------------------------------------------------------------------


def _data(n: int, tag: str) -> None:
    from tests.factories.library import PublicationFactory
    from tests.factories.news import NewsItemFactory

    start = timezone.now() + datetime.timedelta(days=5)
    for i in range(n):
        ConsultationFactory(title=f"К{tag}{i}", closes_on=days(2 + i % 20), with_draft=False)
        ConsultationFactory(
            title=f"С{tag}{i}", state=ConsultationState.REPORT_PUBLISHED, closes_on=days(-30),
            report_published_at=timezone.now(), with_draft=False,
        )  # fmt: skip
        EventFactory(
            title=f"Е{tag}{i}", starts_at=start + datetime.timedelta(hours=i),
            with_sessions=False,
        )  # fmt: skip
        InformationRequestFactory(
            status=RequestStatus.GRANTED, decided_on=days(-1), filed_on=days(-9)
        )
        SignalFactory(status=SignalStatus.ANSWERED, decided_on=days(-1), received_on=days(-9))
        CommitmentFactory(deadline=days(-3), is_overdue=True)
        NetworkFactory()  # with its coordinating organisation: one of each
        NewsItemFactory()
        PublicationFactory()


def test_query_count_does_not_grow_with_the_data(client: Client) -> None:
    portal_scope(provinces=["PDV"])
    _data(3, "a")
    page(client)  # content types, sessions and the like, once
    with CaptureQueriesContext(connection) as few:
        html = page(client)
    keys = {"consultations", "events", "reports", "organisations", "commitments", "news", "library"}
    assert all(block(html, k) for k in keys)
    _data(27, "b")
    with CaptureQueriesContext(connection) as many:
        html = page(client)
    assert all(len(titles(block(html, k))) == 5 for k in keys)
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(many) <= 20


def test_the_cache_keeps_the_blocks_per_scope(client: Client, settings) -> None:
    settings.HOME_BLOCKS_CACHE_SECONDS = 60
    ConsultationFactory(title="Първа", closes_on=days(3), with_draft=False)
    page(client)
    with CaptureQueriesContext(connection) as cold:
        cache.clear()
        assert "Първа" in page(client)
    with CaptureQueriesContext(connection) as warm:
        html = page(client)
    assert "Първа" in html
    assert len(warm) < len(cold)
    # Each language has its own: the English page is not served the Bulgarian blocks.
    assert "Consultations closing soon" in page(client, "/en/")
    # Another scope is another key: what it shows is found afresh.
    portal_scope(provinces=["VAR"])
    assert "Първа" not in page(client)
