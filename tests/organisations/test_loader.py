"""The real community-centre register loads into the catalogue: counts, EIK rules, privacy,
idempotency, and damaged files that change nothing."""

import csv
import shutil

import pytest
from django.core.management import CommandError, call_command

from core import search
from core.eik import is_valid_eik
from organisations.enums import LegalForm, Visibility
from organisations.loader import CC_FILE, CC_SOURCE, default_data_dir, load
from organisations.models import FieldOfActivity, Organisation, TargetGroup
from tests.factories.accounts import UserFactory
from tests.factories.organisations import representative_of

pytestmark = pytest.mark.django_db

ROWS = 3764  # data/README.md: rows of community_centres.csv


def register():
    return Organisation.objects.filter(source=CC_SOURCE)


def test_every_row_of_the_register_is_an_unclaimed_public_entry():
    assert register().count() == ROWS
    assert not register().exclude(legal_form=LegalForm.COMMUNITY_CENTRE).exists()
    assert not register().exclude(visibility=Visibility.PUBLIC).exists()
    assert not register().filter(representatives_count__gt=0).exists()
    # The eight places EKATTE 2026 does not know stay without a seat, never a wrong one.
    assert register().filter(settlement__isnull=True).count() == 8


def test_eiks_are_valid_and_unique():
    eiks = list(register().exclude(eik=None).values_list("eik", flat=True))
    assert len(eiks) == len(set(eiks))
    assert all(is_valid_eik(e) for e in eiks)
    # 3,580 published, 7 with wrong check digits, 17 more rows repeat an EIK kept elsewhere.
    assert len(eiks) == 3580 - 7 - 17
    # Register number 780 has a wrong check digit (data/README.md): no EIK rather than a bad one.
    assert register().get(register_number="780").eik is None


def test_a_repeated_eik_stays_on_the_active_entry():
    rows = list(csv.DictReader((default_data_dir() / CC_FILE).open(encoding="utf-8")))
    group = [r for r in rows if r["eik"] == "000762171"]
    assert len(group) >= 2
    holders = register().filter(eik="000762171")
    assert holders.count() == 1
    active = [r["reg_no"] for r in group if r["status"] == "active"]
    assert holders.get().register_number in active


def test_addresses_naming_an_apartment_are_not_published():
    assert not register().filter(address__contains="ап.").exists()


def test_the_entry_without_a_register_number_is_kept_and_keyed():
    entry = register().get(name="Пробуждение 2024")
    assert entry.register_number == "" and entry.source_key.startswith("no-number:")
    assert entry.display_name == "Народно читалище „Пробуждение 2024“"


def test_taxonomies_are_seeded():
    assert FieldOfActivity.objects.filter(slug="good-governance").exists()
    assert TargetGroup.objects.filter(slug="youth").exists()


def test_latin_and_cyrillic_search_find_a_community_centre():
    for q in ("читалище Брестовица", "chitalishte brestovitsa"):
        titles = [e.title_bg for e in search.matching(q, kind="organisations.organisation")]
        assert "Народно читалище „Съзнание 1873г.“" in titles, q


def test_a_second_load_is_skipped_and_a_forced_one_changes_nothing():
    assert load().skipped
    before = list(register().order_by("pk").values())
    report = load(force=True)
    assert not report.skipped and report.created == 0 and report.updated == 0
    assert list(register().order_by("pk").values()) == before


def test_a_represented_entry_keeps_its_own_contacts(tmp_path):
    entry = register().get(register_number="1")
    representative_of(entry, UserFactory())
    Organisation.objects.filter(pk=entry.pk).update(address="ул. „Нова“ 5")
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    load(data, force=True)
    assert register().get(register_number="1").address == "ул. „Нова“ 5"


def _damaged(tmp_path, edit):
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    path = data / CC_FILE
    path.write_bytes(edit(path.read_bytes()))
    return data


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda b: b.replace(b"settlement_ekatte", b"ekatte", 1),
            "missing columns: settlement_ekatte",
        ),
        (lambda b: b.decode().encode("cp1251"), "not UTF-8"),
        (lambda b: b.replace(b",06505,", b",99999,", 1), "unknown EKATTE 99999"),
    ],
)
def test_a_damaged_file_names_the_problem_and_changes_nothing(tmp_path, edit, message):
    data = _damaged(tmp_path, edit)
    Organisation.objects.filter(register_number="1").update(address="пазено")
    with pytest.raises(CommandError, match=message):
        call_command("load_organisations", data_dir=str(data), force=True, verbosity=0)
    assert register().count() == ROWS
    assert register().get(register_number="1").address == "пазено"
