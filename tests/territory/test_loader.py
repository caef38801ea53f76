"""load_territory: counts, versioned region memberships, idempotence, malformed files."""

from __future__ import annotations

import datetime
import shutil
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import DataLoad, SearchEntry
from territory import loader
from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    Nuts1Region,
    PlanningRegion,
    Province,
    RegionMembership,
    Settlement,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Nuts1Region,
    PlanningRegion,
    Province,
    Municipality,
    Mayoralty,
    Settlement,
    CityDistrict,
    RegionMembership,
    SearchEntry,
]


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "territory"
    shutil.copytree(loader.default_data_dir(), target)
    return target


def edit_line(path: Path, line: int, change) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = change(lines[line - 1])
    path.write_text("\n".join(lines), encoding="utf-8")


def test_counts_of_the_real_territory() -> None:
    assert Nuts1Region.objects.count() == 2
    assert PlanningRegion.objects.filter(is_current=True).count() == 6
    assert Province.objects.count() == 28
    assert Municipality.objects.count() == 265
    assert Settlement.objects.count() == 5256
    assert Mayoralty.objects.count() == 3041
    assert CityDistrict.objects.count() == 35
    assert Settlement.objects.filter(kind="town").count() == 257


def test_counters_and_centres_are_filled() -> None:
    pdv = Province.objects.select_related("admin_centre").get(code="PDV")
    assert pdv.admin_centre.name_bg == "Пловдив"
    assert pdv.municipalities_count == 18
    assert pdv.settlements_count == Settlement.objects.filter(municipality__province=pdv).count()
    sof = Municipality.objects.get(code="SOF46")
    assert sof.settlements_count == 38
    assert sof.districts.count() == 24
    # A -00 kmetstvo code means no mayoralty of its own.
    assert Settlement.objects.filter(mayoralty__isnull=True).count() == 2215
    assert Municipality.objects.get(code="PDV22").mayoralties_count == 0
    assert pdv.svg_path.startswith("M") and len(pdv.bbox) == 4


def test_region_memberships_are_versioned() -> None:
    south_central = PlanningRegion.objects.get(code="BG42")
    before = set(
        south_central.provinces_on(datetime.date(2007, 12, 31)).values_list("code", flat=True)
    )
    assert before == {"PDV", "SZR", "HKV", "PAZ", "SML", "KRZ"}
    assert south_central.provinces_on().count() == 5
    assert "SZR" not in set(south_central.provinces_on().values_list("code", flat=True))
    stara_zagora = Province.objects.get(code="SZR")
    assert stara_zagora.region_on().code == "BG34"
    assert stara_zagora.region_on(datetime.date(2007, 6, 1)).code == "BG42"
    old = RegionMembership.objects.get(province=stara_zagora, valid_to=datetime.date(2007, 12, 31))
    assert old.nuts2_code == "BG22"


def test_second_run_is_skipped_quickly_and_changes_nothing() -> None:
    before = counts()
    stamp = DataLoad.objects.get(name=loader.DATA_LOAD_NAME).loaded_at
    out = StringIO()
    started = time.monotonic()
    call_command("load_territory", stdout=out)
    assert time.monotonic() - started < 1.0  # "well under a second", with room for a busy CI
    assert loader.load().skipped
    assert counts() == before
    assert DataLoad.objects.get(name=loader.DATA_LOAD_NAME).loaded_at == stamp
    assert out.getvalue().strip()  # it says that it skipped


def test_force_reloads_without_changing_anything() -> None:
    before = counts()
    lines: list[str] = []
    report = loader.load(force=True, progress=lines.append)
    assert not report.skipped
    assert counts() == before
    assert all(step.created == 0 and step.updated == 0 for step in report.steps)
    # One progress line per step and one for the index, with Bulgarian thousands.
    assert len(lines) == len(report.steps) + 1
    assert any("5\xa0256" in line for line in lines)


def test_changed_rows_are_updated_and_new_checksum_triggers_a_load(data_copy: Path) -> None:
    path = data_copy / "settlements.csv"
    assert path.read_text(encoding="utf-8").split("\n")[1].startswith("00014,")
    edit_line(path, 2, lambda line: line.replace("Абланица", "Абланица-Нова", 1))
    province_entry = SearchEntry.objects.get(kind="territory.province", object_id="PDV").pk
    report = loader.load(data_copy)
    assert not report.skipped
    settlements = next(s for s in report.steps if s.total == 5256)
    assert (settlements.created, settlements.updated) == (0, 1)
    assert Settlement.objects.get(ekatte="00014").name_bg == "Абланица-Нова"
    assert SearchEntry.objects.filter(object_id="00014", title_bg="с. Абланица-Нова").exists()
    # Only the kinds built from settlements are reindexed; provinces keep their entries.
    assert report.indexed == 5256 + 3041 + 35
    assert SearchEntry.objects.get(kind="territory.province", object_id="PDV").pk == province_entry


@pytest.mark.parametrize(
    ("file", "line", "change", "message"),
    [
        ("settlements.csv", 101, lambda s: s.replace(",village,", ",hamlet,", 1), "bad kind"),
        ("settlements.csv", 7, lambda s: s + ",extra", "expected 12 fields, found 13"),
        ("municipalities.csv", 12, lambda s: "PDV77,ZZZ" + s[9:], "unknown province 'ZZZ'"),
        ("provinces.csv", 5, lambda s: s.rsplit(",", 1)[0] + ",12x", "bad number"),
        ("mayoralties.csv", 30, lambda s: "BAD" + s, "bad code"),
        ("provinces.csv", 1, lambda s: s.replace("iso_code", "iso"), "missing column"),
        (
            "planning_region_memberships.csv",
            3,
            lambda s: s.replace("2003-01-01", "2003-13-01", 1),
            "bad date",
        ),
    ],
)
def test_malformed_file_names_file_and_line_and_leaves_db_unchanged(
    data_copy: Path, file: str, line: int, change, message: str
) -> None:
    before = counts()
    edit_line(data_copy / file, line, change)
    # A valid change in another file must not be written either: the load is all or nothing.
    edit_line(data_copy / "provinces.csv", 2, lambda s: s.replace("Благоевград", "Промяна", 1))
    with pytest.raises(CommandError) as exc:
        call_command("load_territory", data_dir=str(data_copy), force=True, verbosity=0)
    text = str(exc.value)
    assert file in text
    assert f"line {line}" in text
    assert message in text
    assert counts() == before
    assert Province.objects.get(code="BLG").name_bg == "Благоевград"


def test_failure_during_writing_rolls_back_everything(data_copy: Path, monkeypatch) -> None:
    """The writes and the reindex share one transaction: a late failure undoes the writes."""
    before = counts()
    edit_line(data_copy / "provinces.csv", 2, lambda s: s.replace("Благоевград", "Промяна", 1))

    def broken_reindex(kind: str) -> int:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(loader.search, "reindex", broken_reindex)
    with pytest.raises(RuntimeError):
        call_command("load_territory", data_dir=str(data_copy), verbosity=0)
    assert Province.objects.get(code="BLG").name_bg == "Благоевград"
    assert counts() == before


def test_wrong_row_count_is_refused(data_copy: Path) -> None:
    path = data_copy / "city_districts.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"city_districts\.csv: expected 35 rows, found 34"):
        call_command("load_territory", data_dir=str(data_copy), verbosity=0)
