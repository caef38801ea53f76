"""The administrators' pages of strategy.bg's history: the upload (its ladder, a wrong file
refused next to its field with nothing imported), a run's progress and report, choosing the
municipality a name means."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from consultations import history
from consultations.enums import ImportState, Source
from consultations.models import Consultation, HeldRow, ImportRun, SourceCategory
from territory.models import Municipality
from tests.clients import signed_in
from tests.consultations.test_history_import import TODAY
from tests.consultations.test_strategy_bg import (
    COMMENTS,
    CONSULTATION_COLUMNS,
    CONSULTATIONS,
    consultation_row,
    export,
)
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of

pytestmark = pytest.mark.django_db

URL = "/consultations/history/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def admin():
    return RoleAssignmentFactory(role=Role.ADMINISTRATOR).user


def upload(name: str, path=CONSULTATIONS) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def ladder() -> dict[str, Client]:
    staff = UserFactory()
    staff_of(generated("ma:PDV22"), staff)
    return {
        "citizen": signed_in(UserFactory()),
        "staff": signed_in(staff),
        "moderator": signed_in(RoleAssignmentFactory(role=Role.MODERATOR).user),
    }


def test_only_administrators_import(admin):
    assert reverse("consultations:history-imports") == URL
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]
    run = ImportRun.objects.create(consultations_name="x.csv")
    category = SourceCategory.objects.create(category_id=1, scope="municipal", name="Бяла")
    for who, client in ladder().items():
        assert client.get(URL).status_code == 403, who
        assert client.post(URL, {"consultations": upload("c.csv")}).status_code == 403, who
        assert client.get(reverse("consultations:history-import", args=[run.pk])).status_code == 403
        assert client.get(reverse("consultations:history-categories")).status_code == 403
        assert (
            client.post(reverse("consultations:history-resolve", args=[category.pk])).status_code
            == 403
        )
    assert not Consultation.objects.filter(source=Source.STRATEGY_BG).exists()
    assert signed_in(admin).get(URL).status_code == 200


def test_an_administrator_uploads_both_files_and_reads_the_report(admin):
    client = signed_in(admin)
    response = client.post(
        URL,
        {
            "consultations": upload("ConsultationssCSVExport.csv"),
            "comments": upload("CommentsCSVExport.csv", COMMENTS),
        },
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:history-import", args=[run.pk])
    # The test settings run tasks at once.
    assert run.state == ImportState.DONE and run.progress == 100 and run.started_by == admin
    assert run.report["created"] == 80 and run.report["comments_created"] == 66
    page = client.get(response["Location"]).content.decode()
    assert _("Report") in page and "ConsultationssCSVExport.csv" in page
    assert 'http-equiv="refresh"' not in page
    assert Consultation.objects.filter(source=Source.STRATEGY_BG).count() == 80
    # The list of imports shows it.
    assert "ConsultationssCSVExport.csv" in client.get(URL).content.decode()


def test_a_run_under_way_shows_its_progress_and_refreshes(admin):
    run = ImportRun.objects.create(
        consultations_name="big.csv", state=ImportState.RUNNING, progress=42
    )
    page = (
        signed_in(admin)
        .get(reverse("consultations:history-import", args=[run.pk]))
        .content.decode()
    )
    assert '<progress id="import-progress" max="100" value="42">' in page
    assert 'http-equiv="refresh"' in page
    calm = signed_in(admin).get(
        reverse("consultations:history-import", args=[run.pk]), {"refresh": "off"}
    )
    assert 'http-equiv="refresh"' not in calm.content.decode()


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        (b"no tabs, only commas\r\n", "consultations", "not tab-separated"),
        ("\t".join(CONSULTATION_COLUMNS).encode("utf-16"), "consultations", "UTF-8"),
        (b"", "consultations", ""),
    ],
    ids=["commas", "utf-16", "empty"],
)
def test_a_wrong_file_is_refused_next_to_its_field_and_nothing_imported(
    admin, content, field, message
):
    response = signed_in(admin).post(URL, {field: SimpleUploadedFile("bad.csv", content)})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert not ImportRun.objects.exists()
    assert not Consultation.objects.filter(source=Source.STRATEGY_BG).exists()


def test_the_files_swapped_are_refused_with_a_hint(admin):
    response = signed_in(admin).post(
        URL,
        {"consultations": upload("c.csv", COMMENTS), "comments": upload("m.csv", CONSULTATIONS)},
    )
    errors = response.context["form"].errors
    assert (
        _("This looks like the comments export: give it as the second file.")
        in errors["consultations"][0]
    )
    assert (
        _("This looks like the consultations export: give it as the first file.")
        in errors["comments"][0]
    )
    assert not ImportRun.objects.exists()


def test_a_file_broken_after_its_header_fails_the_run_and_imports_nothing(admin):
    # Past the part the upload's check reads: a damage there is refused at once.
    good = export(
        CONSULTATION_COLUMNS, [consultation_row(Id=str(n)) for n in range(1, 300)]
    ).getvalue()
    broken = good.rstrip(b"\x00") + "\t".join(consultation_row(Id="2")).encode("cp1251") + b"\r\n"
    signed_in(admin).post(URL, {"consultations": SimpleUploadedFile("c.csv", broken)})
    run = ImportRun.objects.get()
    assert run.state == ImportState.FAILED and "UTF-8" in run.error
    assert not Consultation.objects.filter(source=Source.STRATEGY_BG).exists()
    page = (
        signed_in(admin)
        .get(reverse("consultations:history-import", args=[run.pk]))
        .content.decode()
    )
    assert _("Nothing was imported") in page


def test_the_administrator_chooses_the_municipality_a_name_means(admin):
    rows = [consultation_row(Id="1", CategoryId="77", CategoryName="Бяла")]
    history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    category = SourceCategory.objects.get(category_id=77)
    client = signed_in(admin)
    page = client.get(reverse("consultations:history-categories")).content.decode()
    assert "<h2>„Бяла“</h2>" in page and "Русе" in page and "Варна" in page
    # No choice: a message, nothing imported.
    response = client.post(
        reverse("consultations:history-resolve", args=[category.pk]), {"municipality": ""}
    )
    assert response.status_code == 302
    assert HeldRow.objects.count() == 1
    # A municipality that is not one of the candidates is refused too.
    client.post(
        reverse("consultations:history-resolve", args=[category.pk]), {"municipality": "PDV22"}
    )
    assert HeldRow.objects.count() == 1
    ruse = category.candidates.get(province_id="RSE")
    client.post(
        reverse("consultations:history-resolve", args=[category.pk]), {"municipality": ruse.code}
    )
    assert Consultation.objects.get(source_id=1).municipality_id == ruse.code
    assert not HeldRow.objects.exists()
    # Resolved: gone from the page, and a second POST is a 404.
    assert (
        "<h2>„Бяла“</h2>"
        not in client.get(reverse("consultations:history-categories")).content.decode()
    )
    assert (
        client.post(
            reverse("consultations:history-resolve", args=[category.pk]),
            {"municipality": ruse.code},
        ).status_code
        == 404
    )


def test_the_pages_queries_stay_flat(admin):
    client = signed_in(admin)

    def queries(n: int) -> tuple[int, int]:
        for i in range(n):
            ImportRun.objects.create(consultations_name=f"{i}.csv", started_by=admin)
            category = SourceCategory.objects.create(
                category_id=1000 + ImportRun.objects.count(), scope="municipal", name="Бяла"
            )
            if i % 2:  # an ambiguous name; the others are unknown (every municipality offered)
                category.candidates.set(Municipality.objects.filter(name_bg="Бяла"))
        with CaptureQueriesContext(connection) as list_ctx:
            client.get(URL)
        with CaptureQueriesContext(connection) as cat_ctx:
            client.get(reverse("consultations:history-categories"))
        return len(list_ctx.captured_queries), len(cat_ctx.captured_queries)

    assert queries(2) == queries(20)
