"""The printable catalogue (PDF) of a filter of the catalogue: the document, the cache by
fingerprint, the limit, the task and its states, the pages and the download. The PDFs are made
by the real WeasyPrint and read back with pypdf; tasks run at once (ImmediateBackend), inside
the request that queues them, except in the last test, which runs the database worker."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.enums import Role
from accounts.models import RoleAssignment
from core import documents
from organisations import pdf, printing
from organisations.enums import LegalForm, Reach, Visibility
from organisations.models import FieldOfActivity, Organisation, PrintedCatalogue
from territory.models import Settlement
from tests.factories.accounts import UserFactory
from tests.factories.organisations import (
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    representative_of,
)

pytestmark = pytest.mark.django_db

Status = PrintedCatalogue.Status
# Foundations of the Plovdiv province: the session's data has none (the register holds
# community centres), so the list is exactly what each test makes.
QUERY = "legal_form=foundation&province=PDV"
URL = f"/organisations/print/?{QUERY}"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def seat(municipality: str) -> Settlement:
    return Settlement.objects.filter(municipality_id=municipality).order_by("ekatte").first()


def foundation(name: str, municipality: str = "PDV22", **kwargs) -> Organisation:
    return OrganisationFactory(
        name=name, legal_form=LegalForm.FOUNDATION, settlement=seat(municipality), **kwargs
    )


def in_bulgarian(text, **values):
    with translation.override("bg"):
        return gettext(text) % values if values else gettext(text)


def main(html: str) -> str:
    """The page's own content (the header has a language form with a CSRF token too)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def pdf_text(data: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split()), reader


def read_download(client, row) -> bytes:
    response = client.get(reverse("organisations:print-download", args=[row.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def make(client, url: str = URL) -> PrintedCatalogue:
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == url
    return PrintedCatalogue.objects.get(status=Status.DONE)


@pytest.fixture
def listed():
    """Three foundations of the Plovdiv province in three municipalities, with contacts,
    fields, reach and a network; a representative whose data must never be printed; and
    organisations that must not be listed."""
    youth = FieldOfActivity.objects.get(slug="youth")
    plovdiv_b = foundation(
        "Фондация „Бъдеще за Пловдив“",
        email="office@budeshte.example.org",
        phone="032 123 456",
        website="https://budeshte.example.org/",
        eik="170010016",
        year_founded=2004,
        reach=Reach.MUNICIPAL,
    )
    plovdiv_b.fields.set([youth])
    plovdiv_b.reach_municipalities.add("PDV22", "PDV01")
    plovdiv_a = foundation("Фондация „Активни граждани“")
    krichim = foundation("Фондация „Кричимски хоризонти“", "PDV39")
    asenovgrad = foundation("Фондация „Асеновградско наследство“", "PDV01")
    network = NetworkFactory(name="Мрежа „Заедно за Тракия“")
    MembershipFactory(network=network, organisation=plovdiv_b)
    person = UserFactory(email="petra.private@example.org", first_name="Петра", last_name="Тайнова")
    representative_of(plovdiv_b, person)
    Organisation.objects.filter(pk=plovdiv_b.pk).update(registered_by=person)
    others = [
        OrganisationFactory(name="Сдружение „Не е фондация“"),  # another legal form
        foundation("Фондация „Пазарджишка“", "PAZ14"),  # another province
        foundation("Фондация „Скрита“", visibility=Visibility.HIDDEN),
        foundation("Фондация „Чакаща проверка“", visibility=Visibility.PENDING),
    ]
    return {
        "in_order": [asenovgrad, krichim, plovdiv_a, plovdiv_b],
        "others": others,
        "person": person,
        "rich": plovdiv_b,
    }


# --- The document --------------------------------------------------------------------------------


def test_the_pdf_lists_the_filter_in_order_and_nothing_else(client, listed):
    page = client.get(URL)
    assert page.status_code == 200
    assert 'method="post"' in main(page.content.decode())
    assert not PrintedCatalogue.objects.exists()

    row = make(client)
    assert row.query == QUERY and row.progress == 100 and row.finished_at
    assert row.file.name.startswith("organisations/pdf/katalog-")
    response = client.get(reverse("organisations:print-download", args=[row.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="katalog-organizatsii-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    text, reader = pdf_text(data)
    assert len(reader.pages) == row.pages >= 3

    # The cover describes the filter in words, with the counts.
    with translation.override("bg"):
        foundation_label = str(LegalForm.FOUNDATION.label)
        title = gettext("Catalogue of civil-society organisations")
    assert title in text and reader.metadata.title == title
    assert f"{in_bulgarian('Legal form')}: {foundation_label}" in text
    assert f"{in_bulgarian('Province')}: Пловдив" in text
    assert in_bulgarian("Source of the data") in text
    # The organisations of the filter, by municipality (alphabetical), then by name.
    body = text.split(in_bulgarian("Contents"), 1)[1]
    toc = body.index(in_bulgarian("%(name)s municipality", name="Пловдив"))
    positions = [body.index(o.name, toc) for o in listed["in_order"]]
    assert positions == sorted(positions)
    for other in listed["others"]:
        assert other.name not in text, other.name
    # The outline: the province, then its municipalities.
    outline = [i.title for i in reader.outline if not isinstance(i, list)]
    assert outline[0] == title
    assert in_bulgarian("%(name)s province", name="Пловдив") in outline
    # An entry: the contacts published on it, fields, reach, year, networks, EIK.
    for expected in (
        "office@budeshte.example.org",
        "032 123 456",
        "https://budeshte.example.org/",
        "170010016",
        "2004",
        "Мрежа „Заедно за Тракия“",
        "Асеновград",
        FieldOfActivity.objects.get(slug="youth").name_bg,
    ):
        assert expected in text, expected
    # Never the representatives' data.
    for secret in ("petra.private", "Петра", "Тайнова"):
        assert secret not in text
    pages = len(reader.pages)
    assert in_bulgarian("page %(page)s of %(pages)s", page=pages, pages=pages) in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages[:2]
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(f.endswith("+DejaVu-Sans") for f in fonts), fonts


def test_the_pdf_is_bulgarian_whatever_the_language(client, listed):
    client.post(f"/en{URL}")
    row = PrintedCatalogue.objects.get()
    text, _ = pdf_text(read_download(client, row))
    with translation.override("bg"):
        assert gettext("Catalogue of civil-society organisations") in text
        assert gettext("Contents") in text


# --- Cache by fingerprint ------------------------------------------------------------------------


def test_a_second_request_reuses_the_file(client, listed):
    row = make(client)
    name, finished = row.file.name, row.finished_at
    # The same filters in another order, with sorting and a page, are the same document.
    again = "/organisations/print/?province=PDV&sort=name&page=2&legal_form=foundation"
    assert client.post(again).status_code == 302
    assert PrintedCatalogue.objects.count() == 1
    row.refresh_from_db()
    assert (row.file.name, row.finished_at) == (name, finished)
    html = main(client.get(URL).content.decode())
    assert reverse("organisations:print-download", args=[row.pk]) in html
    assert "csrfmiddlewaretoken" not in html  # nothing to make: no button


def test_an_edit_in_scope_makes_a_new_file_and_removes_the_old(client, listed, media):
    old = make(client)
    old_path = media / old.file.name
    assert old_path.exists()

    outside = listed["others"][0]
    outside.phone = "02 999 999"
    outside.save()
    assert pdf.version(pdf.CatalogueScope.from_string(QUERY)).fingerprint == old.fingerprint

    rich = listed["rich"]
    rich.phone = "032 654 321"
    rich.save()
    html = main(client.get(URL).content.decode())
    assert "csrfmiddlewaretoken" in html  # the new version is offered
    assert reverse("organisations:print-download", args=[old.pk]) not in html
    # The old file is not handed out any more: it leads to the current state.
    response = client.get(reverse("organisations:print-download", args=[old.pk]))
    assert response.status_code == 302 and response["Location"] == URL

    client.post(URL)
    new = PrintedCatalogue.objects.get()
    assert new.pk != old.pk and new.filter_key == old.filter_key
    assert not old_path.exists()
    text, _ = pdf_text(read_download(client, new))
    assert "032 654 321" in text


@pytest.mark.parametrize("change", ["field", "membership", "network-name", "reach", "new"])
def test_fingerprint_follows_every_part_of_the_data(listed, change):
    scope = pdf.CatalogueScope.from_string(QUERY)
    before = pdf.version(scope)
    assert pdf.version(scope) == before  # stable
    rich = listed["rich"]
    if change == "field":
        rich.fields.add(FieldOfActivity.objects.get(slug="culture"))
    elif change == "membership":
        MembershipFactory(organisation=listed["in_order"][0])
    elif change == "network-name":
        network = rich.memberships.get().network
        network.name = "Мрежа с ново име"
        network.save()
    elif change == "reach":
        rich.reach_provinces.add("PDV")
    elif change == "new":
        foundation("Фондация „Нова“")
    assert pdf.version(scope).fingerprint != before.fingerprint


def test_hiding_an_organisation_takes_it_out(client, listed):
    old = make(client)
    rich = listed["rich"]
    Organisation.objects.filter(pk=rich.pk).update(visibility=Visibility.HIDDEN)
    # Its file is not served any more, and the new one leaves it out.
    response = client.get(reverse("organisations:print-download", args=[old.pk]))
    assert response.status_code == 302
    client.post(URL)
    new = PrintedCatalogue.objects.get()
    text, _ = pdf_text(read_download(client, new))
    assert rich.name not in text
    assert listed["in_order"][0].name in text


# --- The limit, bad input ------------------------------------------------------------------------


def test_more_than_the_limit_is_refused_with_the_exports_offered(client, listed, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_ORGANISATIONS", 3)
    html = main(client.get(URL).content.decode())
    expected = in_bulgarian(
        "This list holds %(shown)s organisations, more than a printable catalogue can hold "
        "(%(most)s). Narrow it in the catalogue, for example to a province, a municipality or "
        "a field of activity, or download the data as a table instead.",
        shown=4,
        most=3,
    )
    assert expected in html
    assert "csrfmiddlewaretoken" not in html
    assert 'href="/organisations/export/PDV.csv"' in html
    assert 'href="/organisations/export/PDV.json"' in html
    assert client.post(URL).status_code == 302
    assert not PrintedCatalogue.objects.exists()


def test_an_empty_list_has_nothing_to_print(client):
    html = main(client.get(URL).content.decode())
    assert in_bulgarian("No organisation matches these filters, so there is nothing to print.") in (
        html
    )
    assert "csrfmiddlewaretoken" not in html
    client.post(URL)
    assert not PrintedCatalogue.objects.exists()


def _warnings(html: str) -> list[str]:
    banner = re.search(r'<div class="banner banner-warning" role="status">(.*?)</div>', html, re.S)
    return re.findall(r"<p>(.*?)</p>", banner.group(1)) if banner else []


def test_bad_filter_values_get_the_catalogue_messages(client, listed):
    query = (
        "field=nope&legal_form=foundation&legal_form=company&province=XXX&province=PDV"
        "&municipality=PAZ14&municipality=PDV99&municipality=abc&reach=far&network=987654"
        "&network=x"
    )
    catalogue = _warnings(client.get(f"/organisations/?{query}").content.decode())
    printable = client.get(f"/organisations/print/?{query}").content.decode()
    assert len(catalogue) == 9
    assert _warnings(printable) == catalogue
    # What is left is the same list: the foundations of the province.
    assert f'action="{URL.replace("&", "&amp;")}"' in printable
    assert client.get("/organisations/print/?municipality=" + "A" * 5000).status_code == 200


def test_unknown_or_unfinished_downloads_are_404(client):
    for status in (Status.PENDING, Status.RUNNING, Status.FAILED):
        row = PrintedCatalogue.objects.create(
            query=QUERY, filter_key=status * 8, fingerprint="x", status=status
        )
        assert client.get(reverse("organisations:print-download", args=[row.pk])).status_code == 404
    for url in ("/organisations/print/0/download/", "/organisations/print/abc/download/",
                "/organisations/print/99999999999999999999999/download/"):  # fmt: skip
        assert client.get(url).status_code == 404


def test_other_methods_are_refused(client):
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


# --- The task, its states, failures --------------------------------------------------------------


def test_failure_is_recorded_and_can_be_tried_again(client, listed, monkeypatch, caplog):
    def broken(html, progress=None):
        raise RuntimeError("Pango is missing")

    monkeypatch.setattr(documents, "render_pdf", broken)
    client.post(URL)
    row = PrintedCatalogue.objects.get()
    assert row.status == Status.FAILED
    assert row.error == "RuntimeError: Pango is missing"
    assert not row.file
    assert "could not be made" in caplog.text
    html = main(client.get(URL).content.decode())
    assert 'role="alert"' in html and in_bulgarian("Try again") in html
    assert client.get(reverse("organisations:print-download", args=[row.pk])).status_code == 404

    monkeypatch.undo()
    client.post(URL)
    row.refresh_from_db()
    assert (row.status, row.error) == (Status.DONE, "")
    assert read_download(client, row).startswith(b"%PDF")


def test_two_requests_at_once_make_one_row(listed):
    scope = pdf.CatalogueScope.from_string(QUERY)
    fingerprint = pdf.version(scope).fingerprint
    theirs = PrintedCatalogue.objects.create(
        query=scope.query, filter_key=scope.key, fingerprint=fingerprint
    )
    row, queued = printing.request_pdf(scope, fingerprint)
    assert (row.pk, queued) == (theirs.pk, False)
    assert PrintedCatalogue.objects.count() == 1


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_progress_page_while_under_way(client, listed, status):
    scope = pdf.CatalogueScope.from_string(QUERY)
    PrintedCatalogue.objects.create(
        query=scope.query,
        filter_key=scope.key,
        fingerprint=pdf.version(scope).fingerprint,
        status=status,
        progress=47,
    )
    html = client.get(URL).content.decode()
    assert '<progress id="pdf-progress" max="100" value="47">47 %</progress>' in html
    assert '<meta http-equiv="refresh" content="3">' in html
    # Stopping the refresh keeps the filters.
    assert f'href="?{QUERY.replace("&", "&amp;")}&amp;refresh=off"' in html
    assert "csrfmiddlewaretoken" not in main(html)
    quiet = client.get(URL + "&refresh=off").content.decode()
    assert 'http-equiv="refresh"' not in quiet and "47 %" in quiet


# --- Permissions, rate limit ---------------------------------------------------------------------


def test_anyone_may_request_and_download_and_never_sees_hidden_entries(client, listed):
    row = make(client)  # anonymous
    public_text, _ = pdf_text(read_download(client, row))
    hidden, pending = listed["others"][2], listed["others"][3]
    citizen = UserFactory()
    representative = UserFactory()
    representative_of(hidden, representative)
    moderator = UserFactory()
    RoleAssignment.objects.create(user=moderator, role=Role.MODERATOR)
    # (Administrators are sent to set up two-factor sign-in first, site-wide.)
    for person in (citizen, representative, moderator):
        client.force_login(person)
        html = main(client.get(URL).content.decode())
        assert f"<dd>{len(listed['in_order'])}</dd>" in html
        assert read_download(client, row) and PrintedCatalogue.objects.count() == 1
    client.post(URL)  # as a moderator: the same document
    assert PrintedCatalogue.objects.get().pk == row.pk
    for other in (hidden, pending):
        assert other.name not in public_text


def test_requests_are_rate_limited(client, listed):
    statuses = [client.post(URL).status_code for _ in range(printing.RATE_LIMIT + 1)]
    assert statuses[:-1] == [302] * printing.RATE_LIMIT
    assert statuses[-1] == 429
    assert PrintedCatalogue.objects.count() == 1
    # Looking and downloading are not limited.
    assert client.get(URL).status_code == 200
    assert read_download(client, PrintedCatalogue.objects.get()).startswith(b"%PDF")


def test_the_form_needs_its_csrf_token(listed):
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post(URL).status_code == 403
    assert not PrintedCatalogue.objects.exists()


# --- Query counts --------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def _many(n: int, start: int) -> None:
    fields = list(FieldOfActivity.objects.all()[:3])
    network = NetworkFactory()
    for i in range(n):
        o = foundation(f"Фондация „Тест {start + i}“", ("PDV22", "PDV01", "PDV39")[i % 3])
        o.fields.set(fields)
        o.reach_municipalities.add("PDV22")
        MembershipFactory(network=network, organisation=o)


def test_queries_do_not_grow_with_the_organisations(client):
    _many(5, 0)
    scope = pdf.CatalogueScope.from_string(QUERY)
    with translation.override("bg"):
        small_data = _queries(lambda: pdf.collect(scope))
    small_page = _queries(lambda: client.get(URL))
    _many(45, 100)
    assert pdf.version(scope).count == 50
    with translation.override("bg"):
        large_data = _queries(lambda: pdf.collect(scope))
    large_page = _queries(lambda: client.get(URL))
    assert small_data == large_data <= 8
    assert small_page == large_page <= 25


# --- Links ---------------------------------------------------------------------------------------


def test_the_catalogue_links_to_the_printable_list_with_its_filters(client):
    html = client.get("/organisations/", {"province": "PDV", "field": "youth", "page": "2"})
    html = html.content.decode()
    assert 'href="/organisations/print/?province=PDV&amp;field=youth"' in html
    plain = client.get("/organisations/").content.decode()
    assert 'href="/organisations/print/"' in plain
    exports = client.get("/organisations/export/").content.decode()
    assert 'href="/organisations/print/"' in exports


# --- The real worker -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_made_by_the_database_worker_in_production(client, territory, settings):
    """With the production backend the request only queues; the worker makes the file."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    foundation("Фондация „Работна“")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.post(URL).status_code == 302
    row = PrintedCatalogue.objects.get()
    assert row.status == Status.PENDING
    assert DBTaskResult.objects.count() == 1
    html = client.get(URL).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html and "<progress" in html

    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", "--no-reload",
        verbosity=0,
    )  # fmt: skip
    row.refresh_from_db()
    assert row.status == Status.DONE
    text, _ = pdf_text(read_download(client, row))
    assert "Фондация „Работна“" in text
