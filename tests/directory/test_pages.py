"""Directory pages: list with filters and portal scope, institution, who serves, vCard."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Institution, InstitutionKind, WorkingHours
from territory.models import PortalScope

pytestmark = pytest.mark.django_db

INDEX = "/directory/"


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, url
    return response.content.decode()


def query_count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def pk(key):
    return Institution.objects.get(generated_key=key).pk


def detail_url(key):
    return reverse("directory:detail", args=[pk(key)])


def listed_names(html):
    return re.findall(r'<a href="/directory/institutions/\d+/">([^<]+)</a>', html)


def test_nav_has_the_directory(client):
    assert 'href="/directory/"' in get(client, "/")


def test_index_defaults_to_the_portal_scope_with_a_way_to_see_all(client):
    scope = PortalScope.current()
    scope.name_bg = "Смолян"
    scope.save()
    scope.provinces.set(["SML"])
    html = get(client, INDEX)
    assert "Смолян" in html and "?all=1" in html
    names = listed_names(html)
    assert "Областна администрация – Смолян" in names
    assert all("Пловдив" not in n for n in names)
    everything = get(client, INDEX, all="1")
    assert "3\xa0706" in everything  # every institution of the country


def test_filters_by_kind_and_province_without_javascript(client):
    html = get(client, INDEX, kind="municipal-council", province="PDV")
    assert "18" in re.search(r"<h2>([^<]+)</h2>", html).group(1)
    assert "Общински съвет – Пловдив" in listed_names(html)
    assert 'class="stack"' in html and 'data-label="' in html
    assert '<option value="PDV" selected>' in html


def test_search_on_the_list_puts_the_best_match_first(client):
    for q in ("общински съвет пловдив", "obshtinski savet plovdiv"):
        assert listed_names(get(client, INDEX, q=q))[0] == "Общински съвет – Пловдив"


def test_empty_result_says_what_to_do(client):
    html = get(client, INDEX, q="несъществуващоимеabc")
    assert "0 институции" in html and "?all=1" in html


def test_list_queries_stay_flat_between_a_small_and_a_large_province(client):
    small = query_count(client, INDEX, province="SML")
    large = query_count(client, INDEX, province="SOF")
    assert small == large <= 8
    assert query_count(client, INDEX, q="кметство", page="3") <= 8


def test_institution_page(client):
    html = get(client, detail_url("oa:VRC"))
    assert "<h1>Областна администрация – Враца</h1>" in html
    assert "obl-vr@vratsa.government.bg" in html
    assert "Все още не е проверено" in html  # "Not yet verified"
    assert "vratsa.government.bg/bg/pages/oblasten-upravitel.html" in html
    assert "/vcard" in html
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert "Справочник" in crumbs


def test_unknown_contacts_say_so_and_free_mail_is_marked(client):
    html = get(client, detail_url("mc:BGS09"))
    assert "Все още не е известно" in html  # "Not known yet"
    html = get(client, detail_url("ma:BGS09"))
    assert "karnobat@mail.bg" in html and "безплатна поща" in html


def test_municipal_administration_lists_its_units(client):
    html = get(client, detail_url("ma:BLG52"))
    assert "Общински съвет – Хаджидимово" in html and "Кметство Абланица" in html
    assert "/territory/municipalities/BLG52/" in html


def test_detail_queries_stay_flat_between_a_small_and_a_large_unit(client):
    small = query_count(client, detail_url("km:BLG52-01"))
    large = query_count(client, detail_url("ma:SOF46"))  # council, 38 mayoralties, 24 districts
    assert small == large <= 10


def test_working_hours_table_and_open_status(client):
    i = Institution.objects.get(generated_key="oa:VRC")
    for day in range(5):
        WorkingHours.objects.create(
            institution=i, weekday=day, opens="09:00", closes="17:30",
            break_start="12:00", break_end="13:00",
        )  # fmt: skip
    html = get(client, detail_url("oa:VRC"))
    assert "09:00–17:30" in html and "12:00–13:00" in html
    assert 'aria-current="date"' in html or "Днес не работи" in html


@pytest.mark.parametrize(
    "url",
    ["/directory/institutions/999999999/", "/directory/institutions/99999999999999999999/",
     "/directory/institutions/999999999/vcard", "/directory/who-serves/?settlement=99999",
     "/directory/who-serves/?settlement=abc"],
)  # fmt: skip
def test_unknown_ids_are_a_bulgarian_404(client, url):
    html = get(client, url, status=404)
    assert 'lang="bg"' in html


def test_who_serves_a_village_with_a_mayoralty(client):
    html = get(client, reverse("directory:who-serves"), settlement="40939")  # с. Кърнаре
    assert listed_names(html) == [
        "Кметство Кърнаре",
        "Община Карлово",
        "Общински съвет – Карлово",
        "Областна администрация – Пловдив",
        "Регионална здравна инспекция – Пловдив",
        "Регионално управление на образованието – Пловдив",
        "Регионална инспекция по околната среда и водите – Пловдив",
    ]


def test_who_serves_a_village_without_a_mayoralty(client):
    html = get(client, reverse("directory:who-serves"), settlement="00028")  # с. Абланица, LOV18
    assert listed_names(html) == [
        "Община Ловеч",
        "Общински съвет – Ловеч",
        "Областна администрация – Ловеч",
        "Регионална здравна инспекция – Ловеч",
        "Регионално управление на образованието – Ловеч",
    ]


def test_who_serves_counts_area_units(client):
    kind = InstitutionKind.objects.get(slug="dbt")
    unit = Institution.objects.create(kind=kind, name_bg="Бюро по труда – Ловеч")
    unit.area_municipalities.set(["LOV18"])
    names = listed_names(get(client, reverse("directory:who-serves"), settlement="00028"))
    assert names[-1] == "Бюро по труда – Ловеч"


def test_who_serves_finds_the_settlement_by_name(client):
    html = get(client, reverse("directory:who-serves"), q="karnare")
    assert "?settlement=40939" in html


def test_who_serves_queries_are_flat(client):
    url = reverse("directory:who-serves")
    assert query_count(client, url, settlement="00028") == query_count(
        client, url, settlement="68134"
    )


def test_settlement_page_links_to_who_serves(client):
    assert "/directory/who-serves/?settlement=40939" in get(client, "/territory/settlements/40939/")


def test_vcard(client):
    response = client.get(reverse("directory:vcard", args=[pk("oa:VRC")]))
    assert response["Content-Type"].startswith("text/vcard")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and body.endswith("END:VCARD\r\n")
    unfolded = body.replace("\r\n ", "")
    assert "FN:Областна администрация – Враца\r\n" in unfolded
    assert "ADR;TYPE=work:;;гр. Враца\\, бул. „Демокрация“ № 1;Враца;;3000;България" in unfolded
    assert "EMAIL;TYPE=work:obl-vr@vratsa.government.bg" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_vcard_escapes_special_characters():
    from directory.vcard import escape

    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_english_page(client):
    html = get(client, "/en/directory/", all="1")
    assert 'lang="en"' in html and "Directory of institutions" in html
