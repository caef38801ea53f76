"""Administrative services: their page, the list on the institution's page, the directory's
search and filters over institutions and services, and their search entries."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import search
from core.models import SearchEntry
from directory import selectors
from directory.models import Institution, Service
from directory.search import SERVICE_KIND
from directory.views import SERVICES_COMPACT_AFTER, fee_text
from territory.models import PortalScope
from tests.factories.directory import InstitutionFactory, ServiceFactory, generated

pytestmark = pytest.mark.django_db

INDEX = "/directory/"


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def query_count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def service_url(service):
    return reverse("directory:service", args=[service.pk])


def service_names(html):
    return re.findall(r'<a href="/directory/services/\d+/">([^<]+)</a>', html)


def institution_names(html):
    return re.findall(r'<a href="/directory/institutions/\d+/">([^<]+)</a>', html)


def section(html, anchor):
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', html, re.S)
    assert match, anchor
    return match.group(1)


# --- The service page -----------------------------------------------------------------------


def test_service_page_shows_everything_a_citizen_needs(client):
    s = ServiceFactory(
        name="Издаване на удостоверение за наследници",
        register_code="2065",
        online_url="https://example.org/uslugi/2065",
    )
    html = get(client, service_url(s))
    assert "<h1>Издаване на удостоверение за наследници</h1>" in html
    institution = s.institution
    assert f'href="{institution.get_absolute_url()}"' in html and "Община Пловдив" in html
    assert "2065" in html
    assert "2,56 €" in html  # the fee, written the Bulgarian way
    assert "3 работни дни" in html
    assert "Закон за гражданската регистрация, чл. 24" in html
    assert "Наследниците или упълномощени от тях лица" in html
    assert "<li>Заявление по образец</li>" in html and "<li>Акт за смърт</li>" in html
    assert "Лично, в институцията" in html and "По пощата" in html
    assert 'href="https://example.org/uslugi/2065" rel="noopener"' in html
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert "Справочник" in crumbs and "Община Пловдив" in crumbs
    assert 'aria-current="page">Издаване на удостоверение за наследници<' in crumbs
    assert "Все още не е проверено" in html  # the institution is not verified


def test_verified_institution_has_no_unverified_mark(client):
    institution = InstitutionFactory(verified_at=timezone.now(), address="ул. „Тест“ 1")
    html = get(client, service_url(ServiceFactory(institution=institution)))
    assert "Все още не е проверено" not in html
    assert "ул. „Тест“ 1" in html


@pytest.mark.parametrize(
    ("fee", "text"),
    [(Decimal("0"), "безплатна"), (None, "не е посочена"), (Decimal("2.56"), "2,56 €"),
     (Decimal("1234.5"), "1\xa0234,50 €")],
)  # fmt: skip
def test_fee_is_written_out(client, fee, text):
    assert fee_text(fee) == text
    assert text in get(client, service_url(ServiceFactory(fee_eur=fee)))


def test_english_fee_and_page(client):
    s = ServiceFactory(fee_eur=Decimal("2.56"))
    html = get(client, "/en" + service_url(s))
    assert 'lang="en"' in html and "€2.56" in html and "Administrative service" in html


def test_user_text_is_plain_text_with_line_breaks(client):
    s = ServiceFactory(
        description="Първи ред\nвтори ред <script>alert(1)</script>\n\nНов абзац <b>x</b>",
        documents="<i>Заявление</i>\n\n  \nКопие",
    )
    html = get(client, service_url(s))
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "Първи ред<br>втори ред" in html and "<p>Нов абзац &lt;b&gt;x&lt;/b&gt;</p>" in html
    assert "<li>&lt;i&gt;Заявление&lt;/i&gt;</li>" in html and "<li>Копие</li>" in html


def test_missing_details_say_so(client):
    s = ServiceFactory(
        description="", legal_basis="", who_may_apply="", documents="", deadline="",
        fee_eur=None, in_person=False, by_post=False, online_url="",
    )  # fmt: skip
    html = get(client, service_url(s))
    assert "не е посочена" in html and "не е посочен" in html
    assert "Начините на подаване още не са посочени" in html


@pytest.mark.parametrize(
    "url", ["/directory/services/999999999/", "/directory/services/99999999999999999999/"]
)
def test_unknown_service_is_a_bulgarian_404(client, url):
    assert 'lang="bg"' in get(client, url, status=404)


def test_service_page_queries_do_not_grow(client):
    small = ServiceFactory(documents="Заявление")
    big = ServiceFactory(documents="\n".join(f"Документ {n}" for n in range(40)))
    ServiceFactory.create_batch(20, institution=big.institution)
    assert query_count(client, service_url(small)) == query_count(client, service_url(big)) <= 3


# --- On the institution's page --------------------------------------------------------------


def test_institution_page_lists_its_services(client):
    institution = generated("ma:PDV22")
    ServiceFactory(institution=institution, name="Б услуга", fee_eur=Decimal("0"))
    ServiceFactory(
        institution=institution, name="А услуга", in_person=False, by_post=False,
        online_url="https://example.org/a",
    )  # fmt: skip
    html = get(client, institution.get_absolute_url())
    assert service_names(html) == ["А услуга", "Б услуга"]  # alphabetical
    assert 'id="services"' in html and "безплатна" in html and "2,56 €" in html
    assert 'href="https://example.org/a" rel="noopener">онлайн' in html
    assert "лично, по пощата" in html


def test_an_institution_without_services_says_so(client):
    html = get(client, generated("mc:SML31").get_absolute_url())
    assert "Все още няма въведени административни услуги" in html


def test_a_long_list_of_services_is_compact(client):
    institution = generated("ma:PDV22")
    ServiceFactory.create_batch(SERVICES_COMPACT_AFTER + 5, institution=institution)
    html = get(client, institution.get_absolute_url())
    assert len(service_names(html)) == SERVICES_COMPACT_AFTER + 5
    assert "по азбучен ред" in html and "<details>" in html
    assert "3 работни дни" not in html  # the deadline is on each service's page


def test_detail_queries_do_not_grow_with_services(client):
    small, large = generated("ma:SML31"), generated("ma:PDV22")
    ServiceFactory(institution=small)
    ServiceFactory.create_batch(60, institution=large)
    assert query_count(client, small.get_absolute_url()) == query_count(
        client, large.get_absolute_url()
    )


# --- The directory's search and filters -----------------------------------------------------


@pytest.fixture
def services():
    plovdiv, karlovo = generated("ma:PDV22"), generated("ma:PDV13")
    return [
        ServiceFactory(institution=plovdiv, name="Издаване на удостоверение за наследници"),
        ServiceFactory(institution=karlovo, name="Издаване на удостоверение за наследници"),
        ServiceFactory(institution=generated("ma:SML31"), name="Удостоверение за наследници"),
        ServiceFactory(
            institution=plovdiv,
            name="Отпускане на еднократна помощ по чл. 16 от ППЗСП – социално подпомагане",
        ),
        ServiceFactory(institution=plovdiv, name="Разрешение за строеж"),
    ]


@pytest.mark.parametrize("q", ["удостоверение за наследници", "udostoverenie za naslednitsi"])
def test_index_finds_services_in_cyrillic_and_latin(client, services, q):
    html = get(client, INDEX, q=q)
    found = service_names(section(html, "services"))
    assert len(found) == 3 and "Разрешение за строеж" not in found
    # The exact name first, then by the population served: Plovdiv before Karlovo.
    links = re.findall(r'href="(/directory/services/\d+/)"', section(html, "services"))
    assert links == [s.get_absolute_url() for s in (services[2], services[0], services[1])]
    assert "3 административни услуги" in html
    assert "0 институции" in html  # institutions have their own section and count


def test_index_has_both_sections_with_counts(client, services):
    html = get(client, INDEX, q="пловдив")
    assert "Община Пловдив" in institution_names(section(html, "institutions"))
    found = service_names(section(html, "services"))
    assert "Разрешение за строеж" in found
    assert 'href="#institutions"' in html and 'href="#services"' in html


def test_services_words_meet_services(client, services):
    html = get(client, INDEX, q="услуги за социално подпомагане")
    assert service_names(section(html, "services")) == [services[3].name]


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"province": "PDV"}, 2), ({"province": "SML"}, 1), ({"municipality": "PDV13"}, 1),
     ({"province": "PDV", "municipality": "PDV22"}, 1), ({"kind": "municipal-council"}, 0),
     ({"kind": "municipal-administration", "province": "PDV"}, 2)],
)  # fmt: skip
def test_index_filters_services_too(client, services, params, expected):
    html = get(client, INDEX, q="удостоверение наследници", **params)
    assert len(service_names(section(html, "services"))) == expected


def test_municipality_select_lists_the_chosen_provinces_municipalities(client):
    html = get(client, INDEX, province="PDV")
    select = re.search(r'<select id="dir-municipality".*?</select>', html, re.S).group(0)
    assert '<option value="PDV22">Пловдив</option>' in select
    assert "SML" not in select and select.count("<option") == 18 + 1
    assert "dir-municipality" not in get(client, INDEX)  # only once a province is chosen


def test_municipality_filter_lists_its_institutions(client):
    html = get(client, INDEX, province="PDV", municipality="PDV13", kind="mayoralty")
    names = institution_names(html)
    assert names and all(n.startswith("Кметство") for n in names)
    expected = Institution.objects.filter(municipality="PDV13", kind__slug="mayoralty").count()
    assert f"<h2>{expected} " in html
    assert '<option value="PDV13" selected>' in html


def test_municipality_alone_brings_its_province(client):
    html = get(client, INDEX, municipality="PDV13")
    assert '<option value="PDV" selected>' in html and '<option value="PDV13" selected>' in html


def test_units_serving_a_municipality_are_in_its_list(client):
    unit = InstitutionFactory(name_bg="Бюро по труда – Карлово")
    unit.area_municipalities.set(["PDV13", "PDV01"])
    names = institution_names(get(client, INDEX, municipality="PDV13", kind="rzi"))
    assert names.count("Бюро по труда – Карлово") == 1


def test_municipality_of_another_province_is_left_out_with_a_message(client):
    html = get(client, INDEX, province="SML", municipality="PDV22")
    assert "не е в област" in html and 'role="status"' in html
    assert '<option value="SML" selected>' in html
    names = institution_names(html)
    assert "Областна администрация – Смолян" in names or "Община Смолян" in names


@pytest.mark.parametrize(
    "params",
    [{"kind": "no-such-kind"}, {"province": "XXX"}, {"municipality": "ZZZ99"},
     {"municipality": "'; drop table"}, {"province": "a" * 500}, {"page": "abc"},
     {"spage": "-1", "q": "пловдив"}, {"q": "!!! ???"}, {"q": "x" * 1000}],
)  # fmt: skip
def test_bad_filter_values_never_break_the_page(client, params):
    html = get(client, INDEX, **params)
    assert "<h1>" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [({"kind": "no-such-kind"}, "Няма вид институция"),
     ({"province": "XXX"}, "Няма област с код"),
     ({"municipality": "ZZZ99"}, "Няма община с код")],
)  # fmt: skip
def test_bad_filter_values_say_what_was_left_out(client, params, message):
    assert message in get(client, INDEX, **params)


def test_services_are_paginated_apart_from_institutions(client):
    ServiceFactory.create_batch(30, name="Заверка на документ")
    html = get(client, INDEX, q="заверка")
    assert len(service_names(section(html, "services"))) == 25
    assert "spage=2#services" in html
    second = get(client, INDEX, q="заверка", spage="2")
    assert len(service_names(section(second, "services"))) == 5


def test_index_queries_do_not_grow_with_services(client, services):
    few = query_count(client, INDEX, q="удостоверение", province="PDV", municipality="PDV22")
    ServiceFactory.create_batch(60, name="Издаване на удостоверение за раждане")
    many = query_count(client, INDEX, q="удостоверение", province="PDV", municipality="PDV22")
    assert few == many <= 10


# --- Search entries -------------------------------------------------------------------------


def entry(service):
    return SearchEntry.objects.get(kind=SERVICE_KIND, object_id=str(service.pk))


def test_saving_and_deleting_a_service_keeps_its_entry_current():
    s = ServiceFactory(name="Заверка на подпис")
    assert entry(s).title_bg == "Заверка на подпис"
    assert entry(s).url == f"/directory/services/{s.pk}/"
    s.name = "Заверка на препис"
    s.save()
    assert [e.title_bg for e in search.matching("препис", kind=SERVICE_KIND)] == [s.name]
    s.delete()
    assert not search.matching("препис", kind=SERVICE_KIND).exists()


def test_renaming_the_institution_reindexes_its_services():
    unit = InstitutionFactory(name_bg="Дирекция „Социално подпомагане“ – Раковски")
    s = ServiceFactory(institution=unit, name="Целева помощ за отопление")
    assert entry(s).subtitle_bg == unit.name_bg
    unit.name_bg = "Дирекция „Социално подпомагане“ – Брезово"
    unit.save()
    assert entry(s).subtitle_bg == unit.name_bg
    assert search.matching("помощ отопление брезово", kind=SERVICE_KIND).exists()


def test_saving_an_unchanged_institution_does_not_reindex_its_services():
    def saving(institution):
        with CaptureQueriesContext(connection) as ctx:
            institution.save()
        return len(ctx)

    few, many = generated("ma:SML31"), generated("ma:PDV22")
    ServiceFactory(institution=few)
    ServiceFactory.create_batch(10, institution=many)
    assert saving(few) == saving(many)


def test_reindex_builds_every_service_entry():
    ServiceFactory.create_batch(3)
    SearchEntry.objects.filter(kind=SERVICE_KIND).delete()
    assert search.reindex(SERVICE_KIND) == Service.objects.count()


def test_the_portal_scope_lists_area_units_once():
    scope = PortalScope.current()
    scope.provinces.set(["SML"])
    unit = InstitutionFactory(name_bg="Бюро по труда – Смолян", province=None)
    unit.area_municipalities.set(["SML31", "SML02"])
    listed = selectors.in_scope(Institution.objects.all(), scope)
    assert listed.filter(pk=unit.pk).count() == 1
    assert listed.filter(generated_key="ma:SML31").exists()
    assert not listed.filter(generated_key="ma:PDV22").exists()
