"""Printable directories (PDF): the document, the cache by fingerprint, the task and its
states, the pages and the download. The PDFs are made by the real WeasyPrint and read back
with pypdf; tasks run at once (ImmediateBackend), inside the request that queues them."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.core.cache import cache
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core import documents
from directory import pdf, printing, tasks
from directory.models import (
    HoursException,
    Institution,
    InstitutionKind,
    PrintedDirectory,
    WorkingHours,
)
from territory.models import Municipality
from tests.factories.directory import InstitutionFactory, ServiceFactory, generated

pytestmark = pytest.mark.django_db

Status = PrintedDirectory.Status
# Кричим: a municipality with two entries, quick to print.
SMALL = "PDV39"
SMALL_URL = f"/directory/print/municipality/{SMALL}/"
PDV_URL = "/directory/print/province/PDV/"


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


def in_bulgarian(text, **values):
    """What the document says for an English msgid (it is always made in Bulgarian)."""
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
    response = client.get(reverse("directory:print-download", args=[row.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def make_small(client) -> PrintedDirectory:
    response = client.post(SMALL_URL)
    assert response.status_code == 302
    assert response["Location"] == SMALL_URL
    return PrintedDirectory.objects.get(municipality_id=SMALL)


# --- The Plovdiv province directory, end to end -------------------------------------------------


def test_plovdiv_province_pdf_opens_with_its_18_municipalities(client):
    page = client.get(PDV_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in main(html) and "csrfmiddlewaretoken" in main(html)
    assert not PrintedDirectory.objects.exists()

    response = client.post(PDV_URL)
    assert response.status_code == 302 and response["Location"] == PDV_URL
    row = PrintedDirectory.objects.get(province_id="PDV")
    assert row.status == Status.DONE and row.progress == 100
    assert row.file.name.startswith("directory/pdf/spravochnik-PDV-")
    assert row.finished_at is not None

    html = client.get(PDV_URL).content.decode()
    download = reverse("directory:print-download", args=[row.pk])
    assert f'href="{download}"' in html
    assert f"<dd>{row.pages}</dd>" in html

    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="spravochnik-PDV-{today:%Y-%m-%d}.pdf"'
    )
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    text, reader = pdf_text(data)
    assert len(reader.pages) == row.pages > 20

    names = list(
        Municipality.objects.filter(province_id="PDV")
        .order_by("name_bg")
        .values_list("name_bg", flat=True)
    )
    assert len(names) == 18
    with translation.override("bg"):
        titles = [gettext("%(name)s municipality") % {"name": n} for n in names]
        title = pdf.Unit.for_province("PDV").title()
    for t in titles:
        assert t in text, t
    assert title in text
    # The sections come in alphabetical order after the table of contents (which ends with
    # the province-wide bodies), and the outline (bookmarks) lists them.
    toc_end = text.index(
        in_bulgarian("Regional administration and territorial units of state bodies")
    )
    positions = [text.index(t, toc_end) for t in titles]
    assert positions == sorted(positions)
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[0] == title
    assert all(t in outline for t in titles)
    # Page numbers in the footer ("стр. 3 от 36").
    pages = len(reader.pages)
    assert in_bulgarian("page %(page)s of %(pages)s", page=3, pages=pages) in text
    assert in_bulgarian("page %(page)s of %(pages)s", page=pages, pages=pages) in text
    # The regional administration closes the document; entries say they are not verified.
    assert "Областна администрация – Пловдив" in text
    assert in_bulgarian("not yet verified") in text
    # Cyrillic in DejaVu Sans, embedded.
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages[:3]
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(f.endswith("+DejaVu-Sans") for f in fonts), fonts
    assert reader.metadata.title == title


# --- Cache by fingerprint -----------------------------------------------------------------------


def test_second_request_reuses_the_file(client):
    row = make_small(client)
    name, finished = row.file.name, row.finished_at
    assert client.post(SMALL_URL).status_code == 302
    assert PrintedDirectory.objects.count() == 1
    row.refresh_from_db()
    assert (row.file.name, row.finished_at) == (name, finished)
    html = client.get(SMALL_URL).content.decode()
    assert reverse("directory:print-download", args=[row.pk]) in html
    assert "csrfmiddlewaretoken" not in main(html)  # nothing to make: no button


def test_changed_data_makes_a_new_file_and_removes_the_old(client, media):
    old = make_small(client)
    old_path = media / old.file.name
    assert old_path.exists()

    council = generated(f"mc:{SMALL}")
    council.phones = "0331 12 345"
    council.save()  # a new updated_at: another fingerprint

    html = client.get(SMALL_URL).content.decode()
    assert "csrfmiddlewaretoken" in main(html)  # the new version is offered
    # ... and the earlier one can still be had meanwhile.
    assert reverse("directory:print-download", args=[old.pk]) in html

    make = client.post(SMALL_URL)
    assert make.status_code == 302
    new = PrintedDirectory.objects.get(municipality_id=SMALL)
    assert new.pk != old.pk and new.fingerprint != old.fingerprint
    assert new.status == Status.DONE
    assert not old_path.exists()
    text, _ = pdf_text(read_download(client, new))
    assert "0331 12 345" in text


@pytest.mark.parametrize(
    "change",
    ["service", "hours", "exception", "area", "updated", "version", "kind-name", "new-unit"],
)
def test_fingerprint_follows_every_part_of_the_data(change):
    unit = pdf.Unit.for_municipality(SMALL)
    before = pdf.fingerprint(unit)
    assert pdf.fingerprint(unit) == before  # stable
    council = generated(f"mc:{SMALL}")
    if change == "service":
        ServiceFactory(institution=council)
    elif change == "hours":
        WorkingHours.objects.create(
            institution=council,
            weekday=0,
            opens=datetime.time(9),
            closes=datetime.time(17),
        )
    elif change == "exception":
        HoursException.objects.create(
            institution=council, date=timezone.localdate() + datetime.timedelta(days=3)
        )
    elif change == "area":
        body = InstitutionFactory(province_id="PAZ")
        before = pdf.fingerprint(unit)
        body.area_municipalities.add(SMALL)
    elif change == "updated":
        later = timezone.now() + datetime.timedelta(seconds=1)
        Institution.objects.filter(pk=council.pk).update(updated_at=later)
    elif change == "version":
        Institution.objects.filter(pk=council.pk).update(version=council.version + 1)
    elif change == "kind-name":
        InstitutionKind.objects.filter(slug="municipal-council").update(name_bg="Съвет")
    elif change == "new-unit":
        InstitutionFactory(municipality_id=SMALL)
    assert pdf.fingerprint(unit) != before


def test_fingerprint_ignores_other_units():
    unit = pdf.Unit.for_municipality(SMALL)
    before = pdf.fingerprint(unit)
    other = generated("mc:PDV22")
    other.phones = "032 000 000"
    other.save()
    ServiceFactory(institution=other)
    assert pdf.fingerprint(unit) == before


# --- Two requests at once, the task, failures ---------------------------------------------------


def test_two_requests_for_one_fingerprint_make_one_row():
    unit = pdf.Unit.for_municipality(SMALL)
    fingerprint = pdf.fingerprint(unit)
    # Another request stored the row between our look-up and our insert.
    theirs = PrintedDirectory.objects.create(municipality_id=SMALL, fingerprint=fingerprint)
    row, queued = printing.request_pdf(unit, fingerprint)
    assert (row.pk, queued) == (theirs.pk, False)
    assert row.status == Status.PENDING  # left to the worker that has it
    assert PrintedDirectory.objects.count() == 1


def test_a_request_left_waiting_too_long_is_queued_again():
    unit = pdf.Unit.for_municipality(SMALL)
    fingerprint = pdf.fingerprint(unit)
    long_ago = timezone.now() - printing.STALE_AFTER - datetime.timedelta(minutes=1)
    PrintedDirectory.objects.create(
        municipality_id=SMALL, fingerprint=fingerprint, status=Status.RUNNING, requested_at=long_ago
    )
    row, queued = printing.request_pdf(unit, fingerprint)
    assert queued and row.status == Status.DONE


def test_build_runs_once_per_row():
    unit = pdf.Unit.for_municipality(SMALL)
    row, _ = printing.request_pdf(unit, pdf.fingerprint(unit))
    assert row.status == Status.DONE
    assert tasks.build(row.pk) is False  # not pending any more: nothing done twice


def test_progress_is_reported_as_the_file_is_made(monkeypatch):
    seen: list[int] = []
    original = tasks._set_progress

    def spy(pk, value, last):
        original(pk, value, last)
        seen.append(PrintedDirectory.objects.get(pk=pk).progress)

    monkeypatch.setattr(tasks, "_set_progress", spy)
    unit = pdf.Unit.for_province("GAB")  # four municipalities
    row, _ = printing.request_pdf(unit, pdf.fingerprint(unit))
    assert row.status == Status.DONE
    # Per section while the HTML is made, then the layout: rising, under 100 until done.
    assert len(set(seen)) >= 4 + 1
    assert seen == sorted(seen) and seen[-1] <= 99


def test_a_failure_is_recorded_and_can_be_tried_again(client, monkeypatch, caplog):
    def broken(html, progress=None):
        raise RuntimeError("Pango is missing")

    monkeypatch.setattr(documents, "render_pdf", broken)
    client.post(SMALL_URL)
    row = PrintedDirectory.objects.get(municipality_id=SMALL)
    assert row.status == Status.FAILED
    assert row.error == "RuntimeError: Pango is missing"
    assert not row.file
    assert "could not be made" in caplog.text

    html = client.get(SMALL_URL).content.decode()
    assert 'role="alert"' in html
    assert in_bulgarian("Try again") in html
    assert reverse("directory:print-download", args=[row.pk]) not in html
    assert client.get(reverse("directory:print-download", args=[row.pk])).status_code == 404

    monkeypatch.undo()
    client.post(SMALL_URL)
    row.refresh_from_db()
    assert (row.status, row.error) == (Status.DONE, "")
    assert read_download(client, row).startswith(b"%PDF")


# --- The status page in each state --------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_progress_page_while_under_way(client, status):
    unit = pdf.Unit.for_municipality(SMALL)
    PrintedDirectory.objects.create(
        municipality_id=SMALL, fingerprint=pdf.fingerprint(unit), status=status, progress=47
    )
    html = client.get(SMALL_URL).content.decode()
    assert re.search(r'<progress id="pdf-progress" max="100" value="47">47 %</progress>', html)
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'href="?refresh=off"' in html
    assert "csrfmiddlewaretoken" not in main(html)  # no button while it runs
    quiet = client.get(SMALL_URL, {"refresh": "off"}).content.decode()
    assert 'http-equiv="refresh"' not in quiet
    assert "47 %" in quiet


def test_done_page_shows_size_pages_and_date(client):
    row = make_small(client)
    html = client.get(SMALL_URL).content.decode()
    assert f"<dd>{row.pages}</dd>" in html
    assert timezone.localtime(row.finished_at).strftime("%d.%m.%Y %H:%M") in html
    with translation.override("bg"):
        size = filesizeformat(row.file.size)
    assert f"<dd>{size}</dd>" in html
    assert 'http-equiv="refresh"' not in html


def test_done_row_whose_file_is_gone_is_made_anew(client, media):
    row = make_small(client)
    (media / row.file.name).unlink()
    html = client.get(SMALL_URL).content.decode()
    assert "csrfmiddlewaretoken" in main(html)
    assert not PrintedDirectory.objects.exists()


# --- Bad input, permissions, rate limit ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/directory/print/province/XXX/",
        "/directory/print/province/PDV22/",
        "/directory/print/province/pdv/",
        "/directory/print/municipality/PDV/",
        "/directory/print/municipality/PDV99/",
        "/directory/print/province/P%20V/",
        "/directory/print/province/PDV%00/",
        "/directory/print/province/" + "A" * 40 + "/",
        "/directory/print/0.pdf",
        "/directory/print/99999999999999999999999.pdf",
        "/directory/print/abc.pdf",
    ],
)
def test_unknown_or_malformed_is_404(client, url):
    assert client.get(url).status_code == 404


def test_only_done_files_are_served(client):
    for status in (Status.PENDING, Status.RUNNING, Status.FAILED):
        row = PrintedDirectory.objects.create(
            province_id="PDV", fingerprint=status * 8, status=status
        )
        assert client.get(reverse("directory:print-download", args=[row.pk])).status_code == 404
    done_without_file = PrintedDirectory.objects.create(
        province_id="PDV", fingerprint="x" * 64, status=Status.DONE
    )
    url = reverse("directory:print-download", args=[done_without_file.pk])
    assert client.get(url).status_code == 404


def test_anyone_may_look_make_and_download(client, django_user_model):
    row = make_small(client)  # anonymous
    assert read_download(client, row).startswith(b"%PDF")
    user = django_user_model.objects.create_user(email="reader@example.org", password="x" * 12)
    client.force_login(user)
    assert client.get(SMALL_URL).status_code == 200
    assert read_download(client, row).startswith(b"%PDF")


def test_making_is_rate_limited(client):
    statuses = [client.post(SMALL_URL).status_code for _ in range(printing.RATE_LIMIT + 1)]
    assert statuses[:-1] == [302] * printing.RATE_LIMIT
    assert statuses[-1] == 429
    assert PrintedDirectory.objects.count() == 1
    # Looking and downloading are not limited.
    assert client.get(SMALL_URL).status_code == 200
    row = PrintedDirectory.objects.get()
    assert read_download(client, row).startswith(b"%PDF")


def test_the_form_needs_its_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SMALL_URL).status_code == 403
    assert not PrintedDirectory.objects.exists()


def test_other_methods_are_refused(client):
    assert client.put(SMALL_URL).status_code == 405
    assert client.delete(PDV_URL).status_code == 405


# --- Query counts -------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def test_status_page_costs_the_same_queries_for_any_unit(client):
    small = _queries(lambda: client.get(SMALL_URL))
    province = _queries(lambda: client.get(PDV_URL))
    assert small == province
    assert province <= 15


def test_document_data_costs_the_same_queries_for_any_unit():
    council = generated("mc:PDV22")
    ServiceFactory(institution=council)
    ServiceFactory(institution=generated("ma:PDV01"))
    WorkingHours.objects.create(
        institution=council, weekday=0, opens=datetime.time(9), closes=datetime.time(17)
    )
    InstitutionFactory().area_municipalities.add("PDV22", "PDV01")
    small = pdf.Unit.for_municipality(SMALL)
    province = pdf.Unit.for_province("PDV")
    with translation.override("bg"):
        counts = {_queries(lambda u=u: pdf.collect(u)) for u in (small, province)}
    assert counts == {6}


# --- What the document lists --------------------------------------------------------------------


def _listed(document: pdf.Document) -> dict[str, list[str]]:
    return {s.title: [e.institution.name_bg for e in s.entries] for s in document.sections}


def test_province_document_sections_and_order():
    outside = InstitutionFactory(province_id="PAZ", name_bg="ДБТ Пазарджик – тест")
    outside.area_municipalities.add("PDV40")  # a unit elsewhere that serves Perushtitsa
    elsewhere = InstitutionFactory(province_id="PAZ", name_bg="РЗИ Пазарджик – тест")
    with translation.override("bg"):
        document = pdf.collect(pdf.Unit.for_province("PDV"))
    titles = [s.title for s in document.sections]
    assert len(titles) == 19
    municipal = titles[:18]
    assert municipal == sorted(municipal)
    listed = _listed(document)
    asenovgrad = listed[titles[0]]
    kinds = [
        e.institution.kind.slug for e in document.sections[0].entries
    ]  # administration, council, then mayoralties
    assert kinds[:2] == ["municipal-administration", "municipal-council"]
    assert set(kinds[2:]) == {"mayoralty"}
    assert asenovgrad[2:] == sorted(asenovgrad[2:])
    wide = listed[titles[-1]]
    assert wide[0] == "Областна администрация – Пловдив"
    assert outside.name_bg in wide
    assert elsewhere.name_bg not in wide
    plovdiv = next(s for s in document.sections if s.anchor == "m-PDV22")
    assert [e.institution.kind.slug for e in plovdiv.entries].count("district-administration") == 6
    assert document.entries == Institution.objects.filter(province_id="PDV").count() + 1


def test_municipality_document_lists_who_serves_it():
    serves_it = InstitutionFactory(name_bg="ДСП Кричим – тест")
    serves_it.area_municipalities.add(SMALL)
    serves_other = InstitutionFactory(name_bg="ДСП Карлово – тест")
    serves_other.area_municipalities.add("PDV13")
    whole_province = InstitutionFactory(name_bg="РИОСВ Пловдив – тест")
    with translation.override("bg"):
        document = pdf.collect(pdf.Unit.for_municipality(SMALL))
        expected_title = gettext("Directory of the administrations – %(name)s municipality") % {
            "name": "Кричим"
        }
    assert document.title == expected_title
    names = [n for s in document.sections for n in _listed(document)[s.title]]
    assert "Община Кричим" in names
    assert serves_it.name_bg in names
    assert whole_province.name_bg in names
    assert "Областна администрация – Пловдив" in names
    assert serves_other.name_bg not in names
    assert document.sections[-1].anchor == "province-wide"


def test_entry_shows_contacts_hours_services_and_eik(client):
    council = generated(f"mc:{SMALL}")
    Institution.objects.filter(pk=council.pk).update(
        address="ул. „Тест“ 1",
        postal_code="4220",
        phones="0331 11 111\n0331 22 222",
        email="obs@example.org",
        website="https://krichim.example.org/",
        head_position="Председател",
        head_name="Иван Тестов",
        cs_contact_name="Мария Тестова",
        cs_contact_email="cs@example.org",
        eik="000000000",
        verified_at=timezone.now(),
    )
    administration = generated(f"ma:{SMALL}")
    Institution.objects.filter(pk=administration.pk).update(eik="123456789")  # wrong digits
    for day in range(5):
        WorkingHours.objects.create(
            institution=council,
            weekday=day,
            opens=datetime.time(8, 30),
            closes=datetime.time(17),
            break_start=datetime.time(12) if day < 4 else None,
            break_end=datetime.time(13) if day < 4 else None,
        )
    HoursException.objects.create(
        institution=council,
        date=timezone.localdate() + datetime.timedelta(days=2),
        note="дезинфекция",
    )
    ServiceFactory(institution=council, name="Заверка на документ", fee_eur=Decimal("12.50"))
    ServiceFactory(institution=council, name="Справка", fee_eur=Decimal("0"), deadline="")
    unit = pdf.Unit.for_municipality(SMALL)
    row, _ = printing.request_pdf(unit, pdf.fingerprint(unit))
    text, _ = pdf_text(read_download(client, row))
    for expected in (
        "4220 ул. „Тест“ 1",
        "0331 11 111, 0331 22 222",
        "obs@example.org",
        "https://krichim.example.org/",
        "Иван Тестов",
        "Мария Тестова",
        "000000000",
        "08:30–17:00",
        "12:00–13:00",
        "дезинфекция",
        "Заверка на документ",
        "12,50 €",
        in_bulgarian("free of charge"),
        in_bulgarian("Closed on Bulgarian public holidays unless a day is listed above."),
    ):
        assert expected in text, expected
    assert "123456789" not in text  # an EIK with wrong check digits is left out


def test_week_rows_group_equal_days():
    def h(day, opens=8, closes=17):
        return WorkingHours(weekday=day, opens=datetime.time(opens), closes=datetime.time(closes))

    with translation.override("en"):
        rows = pdf.week_rows([h(0), h(1), h(2), h(3), h(4, closes=14)])
        assert [(r.days, r.closed) for r in rows] == [
            ("Monday – Thursday", False),
            ("Friday", False),
            ("Saturday – Sunday", True),
        ]
        assert rows[1].closes == datetime.time(14)
        assert pdf.week_rows([]) == []
        assert [r.days for r in pdf.week_rows([h(2)])] == [
            "Monday – Tuesday",
            "Wednesday",
            "Thursday – Sunday",
        ]


def test_fee_text():
    with translation.override("bg"):
        assert pdf.fee_text(Decimal("12.5")) == "12,50 €"
        assert pdf.fee_text(Decimal("1234.5")).replace("\xa0", " ") == "1 234,50 €"
        assert pdf.fee_text(Decimal("0")) == gettext("free of charge")
        assert pdf.fee_text(None) == gettext("not stated")


# --- Links to the printable directories -----------------------------------------------------------


def test_directory_index_links_to_the_chosen_province(client):
    html = client.get("/directory/", {"province": "PDV"}).content.decode()
    assert 'href="/directory/print/province/PDV/"' in html
    assert 'href="/directory/export/PDV.csv"' in html
    assert 'href="/directory/export/PDV.json"' in html
    plain = client.get("/directory/").content.decode()
    assert 'href="/directory/export/"' in plain
    assert "/directory/print/province/" not in plain
    unknown = client.get("/directory/", {"province": "XXX"}).content.decode()
    assert "/directory/print/province/XXX/" not in unknown


def test_directory_index_links_to_the_chosen_municipality(client):
    html = client.get("/directory/", {"province": "PDV", "municipality": SMALL}).content.decode()
    assert 'name="municipality"' in html
    assert f'href="{SMALL_URL}"' in html
    assert f'href="{PDV_URL}"' in html
    assert 'href="/directory/export/PDV.csv"' in html


def test_territory_pages_link_to_their_printable_directory(client):
    assert (
        'href="/directory/print/province/PDV/"'
        in client.get("/territory/provinces/PDV/").content.decode()
    )
    assert (
        'href="/directory/print/municipality/PDV22/"'
        in client.get("/territory/municipalities/PDV22/").content.decode()
    )


def test_remove_outdated_keeps_what_is_newer():
    now = timezone.now()
    older = PrintedDirectory.objects.create(
        province_id="PDV", fingerprint="a" * 64, status=Status.DONE, requested_at=now
    )
    newer = PrintedDirectory.objects.create(
        province_id="PDV",
        fingerprint="b" * 64,
        status=Status.DONE,
        requested_at=now + datetime.timedelta(minutes=1),
    )
    running = PrintedDirectory.objects.create(
        province_id="PDV",
        fingerprint="c" * 64,
        status=Status.RUNNING,
        requested_at=now - datetime.timedelta(minutes=1),
    )
    other_unit = PrintedDirectory.objects.create(
        municipality_id="PDV22", fingerprint="a" * 64, status=Status.DONE, requested_at=now
    )
    # The older one finished last: a newer document is already done, so it goes itself.
    tasks.remove_outdated(older)
    assert set(PrintedDirectory.objects.values_list("pk", flat=True)) == {
        newer.pk,
        running.pk,
        other_unit.pk,
    }
    tasks.remove_outdated(newer)  # keeps the one still being made
    assert set(PrintedDirectory.objects.values_list("pk", flat=True)) == {
        newer.pk,
        running.pk,
        other_unit.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_made_by_the_database_worker_in_production(client, territory, settings):
    """With the production backend the request only queues; the worker makes the file."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.post(SMALL_URL).status_code == 302
    row = PrintedDirectory.objects.get(municipality_id=SMALL)
    assert row.status == Status.PENDING
    assert DBTaskResult.objects.count() == 1
    html = client.get(SMALL_URL).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "<progress" in html

    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--queue-name",
        "*",
        "--no-reload",
        verbosity=0,
    )
    row.refresh_from_db()
    assert row.status == Status.DONE
    assert read_download(client, row).startswith(b"%PDF")
