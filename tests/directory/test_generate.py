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
from directory.services import RIOSV_SEATS, generate
from territory.models import Municipality, Settlement

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
            "rzi",
            "ruo",
            "riosv",
        ]
    }
    assert counts == {
        enums.REGIONAL_ADMINISTRATION: 28,
        enums.MUNICIPAL_ADMINISTRATION: 265,
        enums.MUNICIPAL_COUNCIL: 265,
        enums.MAYORALTY: 3041,
        enums.DISTRICT_ADMINISTRATION: 35,
        "rzi": 28,
        "ruo": 28,
        "riosv": 16,
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
    assert report.created == 3706
    assert InstitutionKind.objects.count() == 12


# --- Territorial units of state bodies (domain-rules §6.4) --------------------------------


def area_codes(key):
    return set(by_key(key).area_municipalities.values_list("code", flat=True))


def province_codes(*provinces):
    return set(Municipality.objects.filter(province__in=provinces).values_list("code", flat=True))


def test_one_health_inspectorate_and_education_department_per_province():
    rzi, ruo = by_key("rzi:PDV"), by_key("ruo:PDV")
    assert rzi.name_bg == "Регионална здравна инспекция – Пловдив"
    assert rzi.name_en == "Regional Health Inspectorate – Plovdiv"
    assert ruo.name_bg == "Регионално управление на образованието – Пловдив"
    assert (rzi.kind.slug, ruo.kind.slug) == ("rzi", "ruo")
    assert rzi.province_id == ruo.province_id == "PDV"
    assert rzi.municipality_id is None and rzi.settlement_id == "56784"  # seat: Пловдив
    assert area_codes("rzi:PDV") == area_codes("ruo:PDV") == province_codes("PDV")
    assert len(province_codes("PDV")) == 18
    # Every province, and all 265 municipalities served by exactly one of each.
    for kind in ("rzi", "ruo"):
        through = Institution.area_municipalities.through.objects.filter(
            institution__kind__slug=kind
        )
        assert through.count() == 265
        assert through.values("municipality").distinct().count() == 265


def test_the_sixteen_environment_inspectorates_at_their_seats():
    assert len(RIOSV_SEATS) == 16
    keys = set(
        Institution.objects.filter(kind__slug="riosv").values_list("generated_key", flat=True)
    )
    assert keys == {f"riosv:{code}" for code in RIOSV_SEATS}
    burgas = by_key("riosv:BGS")
    assert burgas.name_bg == "Регионална инспекция по околната среда и водите – Бургас"
    assert burgas.name_en == "Regional Inspectorate of Environment and Water – Burgas"
    assert burgas.province_id == "BGS"
    assert area_codes("riosv:BGS") == province_codes("BGS")
    assert "not verified" in burgas.data_note
    # The one coverage the sources state: Stara Zagora also covers Sliven and Yambol.
    stara_zagora = by_key("riosv:SZR")
    assert area_codes("riosv:SZR") == province_codes("SZR", "SLV", "JAM")
    assert "not verified" not in stara_zagora.data_note
    assert "Sliven" in stara_zagora.data_note and "Yambol" in stara_zagora.data_note


def test_state_units_have_a_basis_but_no_invented_contacts():
    units = Institution.objects.filter(kind__slug__in=["rzi", "ruo", "riosv"])
    assert units.count() == 72
    for unit in units:
        assert (unit.address, unit.postal_code, unit.phones, unit.email, unit.website) == (
            ("",) * 5
        ), unit.generated_key
        assert unit.head_name == "" and unit.verified_at is None
        assert "https://" in unit.source or "http://" in unit.source
        assert unit.data_note
    assert "moew.government.bg" in by_key("riosv:PDV").source
    assert "riobg.com" in by_key("ruo:VAR").source
    assert "rzi-vt.bg" in by_key("rzi:VAR").source


def _serving_names(client, ekatte):
    response = client.get("/directory/who-serves/", {"settlement": ekatte})
    assert response.status_code == 200
    return [i.name_bg for i in response.context["institutions"]]


def test_who_serves_a_settlement_lists_the_units_of_its_province(client):
    village = (
        Settlement.objects.filter(municipality__province="PDV")
        .exclude(municipality="PDV22")
        .order_by("ekatte")
        .first()
    )
    names = _serving_names(client, village.ekatte)
    for expected in [
        "Регионална здравна инспекция – Пловдив",
        "Регионално управление на образованието – Пловдив",
        "Регионална инспекция по околната среда и водите – Пловдив",
    ]:
        assert expected in names
    assert not [n for n in names if "Стара Загора" in n]
    # After the municipal and regional administrations, in the kinds' order.
    assert names.index("Регионална здравна инспекция – Пловдив") > names.index(
        "Областна администрация – Пловдив"
    )

    sliven = _serving_names(client, "67338")  # гр. Сливен
    assert "Регионална инспекция по околната среда и водите – Стара Загора" in sliven
    assert "Регионална здравна инспекция – Сливен" in sliven
    assert "Регионална здравна инспекция – Стара Загора" not in sliven


def test_area_writes_are_bulk_and_repair_changes():
    through = Institution.area_municipalities.through
    rzi = by_key("rzi:PDV")
    rzi.area_municipalities.remove("PDV01")
    rzi.area_municipalities.add("SLV01")
    through.objects.filter(institution__kind__slug="riosv").delete()
    with CaptureQueriesContext(connection) as ctx:
        report = generate(force=True)
    assert report.created == 0
    assert report.updated == 17  # РЗИ – Пловдив and the 16 РИОСВ
    assert area_codes("rzi:PDV") == province_codes("PDV")
    assert area_codes("riosv:SZR") == province_codes("SZR", "SLV", "JAM")
    table = through._meta.db_table
    area_queries = [q["sql"] for q in ctx.captured_queries if table in q["sql"]]
    # One read, one delete, a couple of batched inserts; never one per municipality.
    assert len(area_queries) <= 5, area_queries
    # And a run with nothing to change writes nothing.
    report = generate(force=True)
    assert (report.created, report.updated) == (0, 0)


def test_a_verified_state_unit_keeps_its_contacts_but_not_a_wrong_area():
    now = timezone.now()
    Institution.objects.filter(generated_key="ruo:SZR").update(
        verified_at=now, phones="042 000 000", source="Потвърдено от РУО"
    )
    by_key("ruo:SZR").area_municipalities.clear()
    generate(force=True)
    ruo = by_key("ruo:SZR")
    assert ruo.phones == "042 000 000" and ruo.source == "Потвърдено от РУО"
    assert area_codes("ruo:SZR") == province_codes("SZR")
