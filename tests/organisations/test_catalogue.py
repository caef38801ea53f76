"""The catalogue's pages: search with facets and counts, sorting, pagination, an organisation.

The real community-centre register (3,764 entries) is in the session database; the tests add
fictional organisations with the factories.
"""

import datetime
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from accounts.enums import Role
from organisations.enums import LegalForm, Reach, RegisterStatus, Visibility
from organisations.models import Activity, AnnualReport, FieldOfActivity, Organisation
from organisations.views.catalogue import PAGE_SIZE, money, source_date_text
from territory.models import PortalScope, Settlement
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.organisations import (
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    representative_of,
)

pytestmark = pytest.mark.django_db

INDEX = "/organisations/"
ROW = re.compile(r'<li>\s*<a href="/organisations/(\d+)/">([^<]+)</a>')


def get(client, url=INDEX, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, url
    return response.content.decode()


def listed(html):
    return [int(pk) for pk, _name in ROW.findall(html)]


def total(html):
    found = re.search(r'<h2 id="results-title">([\d\s\xa0]+)', html)
    assert found, "no result count"
    return int(re.sub(r"\D", "", found.group(1)))


def option_counts(html, facet):
    """value → count of the checkboxes of one facet."""
    block = re.search(rf'<fieldset id="facet-{facet}">(.*?)</fieldset>', html, re.S)
    assert block, facet
    pairs = re.findall(
        r'name="[a-z_]+" value="([^"]+)"[^>]*>\s*<label[^>]*>[^<]*<span class="muted">\(([^)]+)\)',
        block.group(1),
    )
    return {value: int(re.sub(r"\D", "", n)) for value, n in pairs}


def query_count(client, url=INDEX, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Facet counts without words are cached (organisations.selectors.facet_counts): the test
    database is rolled back after each test, the in-memory cache is not."""
    cache.clear()


@pytest.fixture
def education():
    return FieldOfActivity.objects.get(slug="education")


@pytest.fixture
def youth():
    return FieldOfActivity.objects.get(slug="youth")


def plovdiv_ngos(n, fields=(), **kwargs):
    made = []
    for _ in range(n):
        o = OrganisationFactory(**kwargs)
        if fields:
            o.fields.set(fields)
        made.append(o)
    return made


# --- The list -------------------------------------------------------------------------------


def test_lists_public_entries_with_their_tags(client):
    public = OrganisationFactory(name="Сдружение „Зелен Пловдив“")
    OrganisationFactory(name="Сдружение „Чакащо Пловдив“", visibility=Visibility.PENDING)
    OrganisationFactory(name="Сдружение „Скрито Пловдив“", visibility=Visibility.HIDDEN)
    html = get(client, q="Пловдив сдружение", all="1")
    assert listed(html) == [public.pk]
    assert "Чакащо" not in html and "Скрито" not in html
    assert gettext("unclaimed register entry") in html
    assert gettext("demo") in html
    assert "гр. Пловдив" in html


def test_community_centres_show_their_full_name_and_are_unclaimed(client):
    html = get(client, q="chitalishte", all="1")
    assert "Народно читалище „" in html
    assert total(html) == Organisation.objects.filter(legal_form=LegalForm.COMMUNITY_CENTRE).count()


def test_latin_and_cyrillic_queries_find_the_same(client):
    latin = get(client, q="chitalishte plovdiv", all="1")
    cyrillic = get(client, q="читалище Пловдив", all="1")
    assert total(latin) == total(cyrillic) > 100
    assert listed(latin) == listed(cyrillic)


def test_bulgarian_word_forms_are_found(client):
    # "читалищата" (the plural with its article) meets "читалище".
    assert total(get(client, q="читалищата пловдив", all="1")) > 100


def test_the_city_comes_before_the_villages(client):
    html = get(client, q="читалище Пловдив", all="1")
    first = listed(html)[:PAGE_SIZE]
    seats = dict(Organisation.objects.filter(pk__in=first).values_list("pk", "settlement_id"))
    # Every row of the first page is in the city of Plovdiv (EKATTE 56784): it has more
    # community centres than a page, and its population puts them before the villages.
    assert {seats[pk] for pk in first} == {"56784"}
    assert (
        Organisation.objects.filter(
            legal_form=LegalForm.COMMUNITY_CENTRE, settlement__municipality__province="PDV"
        )
        .exclude(settlement="56784")
        .exists()
    )


def test_facet_counts_match_the_database(client, education, youth):
    ngos = plovdiv_ngos(3, fields=[education]) + plovdiv_ngos(2, fields=[education, youth])
    ngos[0].reach = Reach.NATIONAL
    ngos[0].save()
    network = NetworkFactory()
    for o in ngos[:2]:
        MembershipFactory(network=network, organisation=o)
    html = get(client, q="Пловдив", province="PDV")
    public = Organisation.objects.public().filter(settlement__municipality__province="PDV")
    matched = list(public.values_list("pk", flat=True))
    municipalities = Counter(public.values_list("settlement__municipality_id", flat=True))
    # "Пловдив" matches the province's name, so every entry of the province is found.
    assert total(html) == len(matched)
    assert option_counts(html, "municipality") == dict(municipalities)
    assert option_counts(html, "field") == {"education": 5, "youth": 2}
    legal = Counter(public.values_list("legal_form", flat=True))
    assert option_counts(html, "legal_form") == dict(legal)
    assert option_counts(html, "reach") == dict(Counter(public.values_list("reach", flat=True)))
    assert option_counts(html, "network") == {str(network.pk): 2}
    # The province facet counts the other provinces too: it is the way to move elsewhere.
    provinces = option_counts(html, "province")
    assert provinces["PDV"] == len(matched)


def test_ticking_facets_narrows_the_list(client, education, youth):
    edu = plovdiv_ngos(3, fields=[education])
    both = plovdiv_ngos(2, fields=[education, youth])
    html = get(client, field="youth", all="1")
    assert sorted(listed(html)) == sorted(o.pk for o in both)
    # Values of one facet are alternatives; the youth count stays visible beside education.
    html = get(client, field=["youth", "education"], all="1")
    assert total(html) == 5
    html = get(client, field="education", legal_form="community-centre", all="1")
    assert total(html) == 0
    assert gettext("Clear all filters") in html
    html = get(client, field="education", municipality="PDV22")
    assert sorted(listed(html)) == sorted(o.pk for o in edu + both)
    assert 'value="PDV" checked' in html  # the municipality brought its province with it


def test_network_facet(client):
    members = plovdiv_ngos(2)
    network = NetworkFactory()
    for o in members:
        MembershipFactory(network=network, organisation=o)
    MembershipFactory(network=network, status="applied")  # not a member yet
    html = get(client, network=str(network.pk), all="1")
    assert sorted(listed(html)) == sorted(o.pk for o in members)


def test_sorting(client):
    old = OrganisationFactory(name="Сдружение „Я-последно“", year_founded=1869)
    new = OrganisationFactory(name="Сдружение „А-първо“", year_founded=2020)
    html = get(client, province="PDV", legal_form="association", sort="name")
    assert listed(html)[:2] == [new.pk, old.pk]
    html = get(client, province="PDV", legal_form="association", sort="founded")
    assert listed(html)[:2] == [old.pk, new.pk]
    html = get(client, province="PDV", legal_form="association", sort="newest")
    assert listed(html)[:2] == [new.pk, old.pk]
    # Oldest community centre of the country first.
    html = get(client, legal_form="community-centre", sort="founded", all="1")
    first = Organisation.objects.get(pk=listed(html)[0])
    assert first.year_founded == min(
        Organisation.objects.exclude(year_founded=None).values_list("year_founded", flat=True)
    )
    # Relevance needs words to be relevant to; without them the list goes by name, and the
    # select keeps relevance chosen, for the words typed next.
    html = get(client, province="PDV", legal_form="association", sort="relevance")
    assert listed(html)[:2] == [new.pk, old.pk]
    assert 'value="relevance" selected' in html
    assert 'value="relevance" selected' in get(client, q="chitalishte")
    assert 'value="name" selected' in get(client, q="chitalishte", sort="name")


def test_pagination(client):
    first = listed(get(client, all="1"))
    second = listed(get(client, all="1", page="2"))
    assert len(first) == len(second) == PAGE_SIZE
    assert not set(first) & set(second)
    assert listed(get(client, all="1", page="abc")) == first
    last = get(client, all="1", page="999999999999999999999")
    assert listed(last) and set(listed(last)).isdisjoint(first)
    assert 'rel="next"' in get(client, all="1")


@pytest.mark.parametrize(
    "params",
    [
        {"field": "no-such-field"},
        {"legal_form": "llc"},
        {"reach": "galactic"},
        {"province": "XXX"},
        {"municipality": "nope"},
        {"municipality": "XXX99"},
        {"network": "abc"},
        {"network": "99999999999999999999999"},
        {"network": "999999"},
        {"province": "SML", "municipality": "PDV22"},
        {"sort": "<script>"},
        {"q": "x" * 5000},
        {"q": '"*) OR 1=1 --'},
        {"page": "-1"},
    ],
)
def test_bad_input_is_a_message_not_an_error(client, params):
    html = get(client, **params)
    if set(params) - {"sort", "q", "page"}:
        assert 'class="banner banner-warning"' in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_portal_scope_first_then_the_whole_country(client):
    scope = PortalScope.current()
    scope.name_bg = "Смолян"
    scope.save()
    scope.provinces.set(["SML"])
    html = get(client)
    assert "Смолян" in html and "all=1" in html
    provinces = set(
        Organisation.objects.filter(pk__in=listed(html)).values_list(
            "settlement__municipality__province_id", flat=True
        )
    )
    assert provinces == {"SML"}
    assert (
        total(html)
        == Organisation.objects.public().filter(settlement__municipality__province="SML").count()
    )
    assert total(get(client, all="1")) == Organisation.objects.public().count()
    # Choosing a province leaves the portal's area.
    assert total(get(client, province="PDV")) > 0


def test_empty_state_says_what_to_do(client):
    html = get(client, q="qqqqzzzzxxxx", all="1")
    assert total(html) == 0
    assert (
        gettext(
            "No organisation matches. Check the spelling, type only the beginning of a word or "
            "remove a filter."
        )
        in html
    )


def test_index_query_count_stays_flat(client, education):
    network = NetworkFactory()
    params = {"q": "Пловдив", "field": "education", "province": "PDV", "sort": "relevance"}
    for o in plovdiv_ngos(3, fields=[education]):
        MembershipFactory(network=network, organisation=o)
    for url_params in (params, {"all": "1"}, {"province": "PDV", "network": str(network.pk)}):
        before = query_count(client, **url_params)
        for o in plovdiv_ngos(30, fields=[education]):
            MembershipFactory(network=network, organisation=o)
        assert query_count(client, **url_params) == before, url_params
        assert before <= 20, url_params


# --- An organisation ------------------------------------------------------------------------


def community_centre(register_number="958"):
    return Organisation.objects.get(
        source__startswith="Регистър на народните читалища", register_number=register_number
    )


def test_a_register_entry_shows_its_source_and_not_stated(client):
    cc = community_centre()
    html = get(client, cc.get_absolute_url())
    assert cc.display_name in html
    assert gettext("Data from the Register of Community Centres") in html
    assert source_date_text(cc.source_date) == "05.2023 г."
    assert "05.2023 г." in html
    assert cc.source_url.replace("&", "&amp;") in html
    assert gettext("Not stated") in html
    assert gettext("Is this your organisation?") in html
    assert gettext("unclaimed register entry") in html


def test_a_closed_entry_says_so(client):
    cc = Organisation.objects.filter(register_status=RegisterStatus.CLOSED).first()
    assert cc is not None
    html = get(client, cc.get_absolute_url())
    assert 'class="tag tag-red"' in html
    assert str(RegisterStatus.CLOSED.label) in html


def test_a_full_profile(client, education):
    org = OrganisationFactory(
        website="https://ngo.example.org",
        social_links="https://facebook.com/ngo\nhttps://instagram.com/ngo",
        year_founded=1999,
        description=(
            "Работим за **прозрачност**.\n\n<script>alert(1)</script> [x](javascript:alert(1))"
        ),
        reach=Reach.REGIONAL,
    )
    org.fields.set([education])
    org.reach_provinces.set(["PDV", "SML"])
    partner = OrganisationFactory(name="Фондация „Партньор“", legal_form=LegalForm.FOUNDATION)
    hidden_partner = OrganisationFactory(name="Скрит партньор", visibility=Visibility.HIDDEN)
    project = Activity.objects.create(
        organisation=org,
        title="Отворен бюджет",
        is_project=True,
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2026, 2, 28),
        funding_programme="Програма „Активни граждани“",
        budget_eur=Decimal("12500.00"),
        other_partners="Община Пловдив",
    )
    project.partners.set([partner, hidden_partner])
    Activity.objects.create(organisation=org, title="Граждански приемни")
    report = AnnualReport.objects.create(
        organisation=org, year=2025, file="organisations/reports/r.pdf"
    )
    network = NetworkFactory(name="Мрежа „Прозрачност“")
    MembershipFactory(network=network, organisation=org)
    MembershipFactory(
        network=NetworkFactory(name="Кандидатстване"), organisation=org, status="applied"
    )
    html = get(client, org.get_absolute_url())
    assert "<strong>прозрачност</strong>" in html
    assert "<script>alert(1)</script>" not in html and 'href="javascript' not in html
    assert "12\xa0500,00" in html or "12 500,00" in html
    assert money(Decimal("12500")) in html
    assert "01.03.2025 г." in html and "28.02.2026 г." in html
    assert f'href="{partner.get_absolute_url()}"' in html
    assert "Скрит партньор" not in html
    assert "Община Пловдив" in html
    # Files are served through a view that checks who may see them, never from /media/.
    assert reverse("organisations:annual-report", args=[report.pk]) in html
    assert "/media/" not in html
    assert "Мрежа „Прозрачност“" in html and "Кандидатстване" not in html
    assert 'href="https://facebook.com/ngo" rel="nofollow noopener"' in html
    assert "Пловдив" in html and "Смолян" in html
    assert "1999" in html


def test_a_claimed_organisation_has_no_claim_box(client):
    org = OrganisationFactory()
    representative_of(org, UserFactory())
    html = get(client, org.get_absolute_url())
    assert gettext("Is this your organisation?") not in html
    assert gettext("unclaimed register entry") not in html


@pytest.mark.parametrize("visibility", [Visibility.PENDING, Visibility.HIDDEN])
def test_entries_not_public_are_seen_only_by_those_allowed(client, visibility):
    owner = UserFactory()
    org = OrganisationFactory(visibility=visibility, registered_by=owner)
    url = org.get_absolute_url()
    get(client, url, status=404)
    client.force_login(UserFactory())
    get(client, url, status=404)
    client.force_login(owner)
    assert org.name in get(client, url)
    client.force_login(RoleAssignmentFactory(role=Role.MODERATOR).user)
    assert org.name in get(client, url)
    # Never listed, whoever asks.
    assert org.pk not in listed(get(client, q=org.name, all="1"))


def test_unknown_ids_are_404(client):
    get(client, "/organisations/999999999/", status=404)
    get(client, "/organisations/99999999999999999999999/", status=404)


def test_detail_query_count_stays_flat(client, education):
    org = OrganisationFactory()
    url = org.get_absolute_url()

    def add_more():
        org.fields.add(education)
        network = NetworkFactory()
        MembershipFactory(network=network, organisation=org)
        a = Activity.objects.create(organisation=org, title="Проект", budget_eur=Decimal("10"))
        a.partners.set(OrganisationFactory.create_batch(3))
        year = 2000 + AnnualReport.objects.filter(organisation=org).count()
        AnnualReport.objects.create(organisation=org, year=year, file="organisations/reports/x.pdf")
        org.reach_settlements.add(Settlement.objects.get(ekatte="56784"))

    add_more()
    before = query_count(client, url)
    for _ in range(10):
        add_more()
    assert query_count(client, url) == before
    assert before <= 16
