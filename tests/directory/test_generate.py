"""generate_directory: one entry per official structure, real contacts only, idempotent."""

import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory import enums
from directory.models import Institution
from directory.services import generate

pytestmark = pytest.mark.django_db

DATA = settings.BASE_DIR / "data" / "directory"


def by_key(key):
    return Institution.objects.select_related("parent", "kind").get(generated_key=key)


def test_counts_per_kind():
    counts = {
        slug: Institution.objects.filter(kind__slug=slug).count()
        for slug in [
            enums.REGIONAL_ADMINISTRATION,
            enums.MUNICIPAL_ADMINISTRATION,
            enums.MUNICIPAL_COUNCIL,
            enums.MAYORALTY,
            enums.DISTRICT_ADMINISTRATION,
        ]
    }
    assert counts == {
        enums.REGIONAL_ADMINISTRATION: 28,
        enums.MUNICIPAL_ADMINISTRATION: 265,
        enums.MUNICIPAL_COUNCIL: 265,
        enums.MAYORALTY: 3041,
        enums.DISTRICT_ADMINISTRATION: 35,
    }


def test_names_and_parents():
    council = by_key("mc:PDV22")
    assert council.name_bg == "Общински съвет – Пловдив"
    assert council.parent.name_bg == "Община Пловдив"
    assert by_key("oa:PDV").name_bg == "Областна администрация – Пловдив"
    mayoralty = by_key("km:BLG52-01")
    assert mayoralty.name_bg == "Кметство Абланица"
    assert mayoralty.parent.generated_key == "ma:BLG52"
    district = by_key("rd:68134-24")
    assert district.name_bg.startswith("Район „") and district.name_bg.endswith("“")
    assert district.parent.generated_key == "ma:SOF46"


def test_contacts_come_only_from_the_sources():
    vratsa = by_key("oa:VRC")
    assert vratsa.email == "obl-vr@vratsa.government.bg"
    assert vratsa.postal_code == "3000" and "Демокрация" in vratsa.address
    assert vratsa.source.startswith("https://vratsa.government.bg")
    ruse = by_key("oa:RSE")
    assert ruse.website == "http://www.ruse.bg"  # the source had no scheme
    assert ruse.phones.splitlines() == ["+359 82 812 223", "+359 82 812 235"]
    assert ruse.source_date == "2020"
    razgrad = by_key("oa:RAZ")  # no data at all: empty, and says where the entry comes from
    assert (razgrad.email, razgrad.phones, razgrad.website, razgrad.address) == ("", "", "", "")
    assert "ЕКАТТЕ" in razgrad.source
    assert all(i.verified_at is None for i in Institution.objects.all()[:50])


def test_known_errors_of_the_mayors_file_are_left_out_and_free_mail_marked():
    assert by_key("ma:BGS01").email == ""  # ras@government.bg is the register's own address
    assert by_key("ma:VAR05").email == ""  # probably the other Бяла's address
    assert by_key("ma:DOB28").email == ""  # no entry in the source
    burgas = by_key("ma:BGS04")
    assert burgas.email == "obshtina@burgas.bg" and not burgas.email_is_free_mail
    assert "iisda.government.bg" in burgas.source and burgas.source_date == "2026-05-28"
    karnobat = by_key("ma:BGS09")
    assert karnobat.email == "karnobat@mail.bg" and karnobat.email_is_free_mail
    # Councils have no source of their own: the mayor's address is not copied to them.
    assert by_key("mc:BGS04").email == ""


def test_a_second_run_changes_nothing_and_an_unchanged_run_is_skipped_quickly():
    before = Institution.objects.count()
    report = generate(force=True)
    assert (report.created, report.updated) == (0, 0)
    assert Institution.objects.count() == before
    with CaptureQueriesContext(connection) as ctx:
        assert generate().skipped
    assert len(ctx) <= 10


def test_changed_sources_update_unverified_entries_but_not_verified_ones(tmp_path):
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "regional_administrations.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("obl-vr@vratsa.government.bg", "new@vratsa.government.bg")
        .replace("oblast-stz@sz.government.bg", "new@sz.government.bg"),
        encoding="utf-8",
    )
    Institution.objects.filter(generated_key="oa:SZR").update(verified_at=timezone.now())
    report = generate(data_dir=tmp_path)
    assert report.updated == 1 and report.created == 0
    assert by_key("oa:VRC").email == "new@vratsa.government.bg"
    assert by_key("oa:SZR").email == "oblast-stz@sz.government.bg"


def test_command_shows_progress():
    out = StringIO()
    call_command("generate_directory", "--force", stdout=out)
    text = out.getvalue()
    assert "Кметства: 3\xa0041" in text  # Bulgarian labels and thousands
    assert "28" in text


def test_seeded_kinds_are_the_listed_ones():
    from directory.enums import SEED_KINDS
    from directory.models import InstitutionKind

    seeded = set(InstitutionKind.objects.values_list("slug", "name_bg", "level"))
    assert {(slug, bg, str(level)) for slug, bg, _en, _o, level in SEED_KINDS} <= seeded


def test_a_flushed_database_is_regenerated_with_its_kinds():
    from directory.models import InstitutionKind

    Institution.objects.all().delete()
    InstitutionKind.objects.all().delete()
    report = generate()
    assert report.created == 3634
    assert InstitutionKind.objects.count() == 12
