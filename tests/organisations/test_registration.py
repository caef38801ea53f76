"""Registering a new organisation: the form's checks (EIK, duplicates, similar names, seat,
contacts, uploads), nothing half-saved, and who may register.

The fixtures at the top are shared with test_claims.py and test_profile_edit.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from accounts.models import RoleAssignment
from organisations.enums import Visibility
from organisations.models import FieldOfActivity, Organisation, RepresentationClaim
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

VALID_EIK = "201355508"
OTHER_EIK = "175074752"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = ["anonymous", "citizen", "pending", "representative", "other", "moderator", "admin"]


# --- shared fixtures -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    """Uploads go to a temporary folder, and rate-limit counters start at zero."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


def pdf(name: str = "Решение на УС.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def text_file(name: str = "extract.pdf") -> SimpleUploadedFile:
    # Named .pdf and claimed to be one: the content decides.
    return SimpleUploadedFile(name, b"just some text, not a PDF", content_type="application/pdf")


def big_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")


@pytest.fixture
def organisation() -> Organisation:
    return OrganisationFactory(name="Сдружение „Граждани за прозрачност“", eik=OTHER_EIK)


@pytest.fixture
def people(organisation: Organisation) -> dict[str, Any]:
    """One person of each rung of the ladder, for `organisation`."""
    citizen = UserFactory()
    pending = UserFactory()
    RepresentationClaim.objects.create(
        organisation=organisation, user=pending, method=RepresentationClaim.Method.EVIDENCE
    )
    representative = UserFactory()
    representative_of(organisation, representative)
    other = UserFactory()
    representative_of(OrganisationFactory(), other)
    moderator = RoleAssignmentFactory(role=Role.MODERATOR).user
    admin = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    TOTP.activate(admin, TOTP_SECRET)  # administrators must have a second factor
    return {
        "anonymous": None,
        "citizen": citizen,
        "pending": pending,
        "representative": representative,
        "other": other,
        "moderator": moderator,
        "admin": admin,
    }


@pytest.fixture
def as_role(people: dict[str, Any]) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        c = Client()
        if people[role] is not None:
            c.force_login(people[role])
        return c

    return make


def outcome(response: Any) -> int | str:
    """The status, or "login" for a redirect to the sign-in page."""
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return int(response.status_code)


def check_ladder(
    as_role: Callable[[str], Client],
    url: str,
    expected: dict[str, int | str],
    method: str = "get",
    data: dict[str, Any] | None = None,
) -> None:
    got = {}
    for role in ROLES:
        c = as_role(role)
        response = getattr(c, method)(url, data or {})
        got[role] = outcome(response)
    assert got == expected


def register_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Сдружение „Зелен Пловдив“",
        "legal_form": "association",
        "eik": VALID_EIK,
        "benefit": "public",
        "seat": "Пловдив",
        "address": "ул. „Гладстон“ 1",
        "email": "office@zelen-plovdiv.example.org",
        "phone": "+359 32 123 456",
        "website": "zelen-plovdiv.example.org",
        "fields": [FieldOfActivity.objects.get(slug="environment").pk],
        "description": "Опазваме **зелените площи** на Пловдив.",
        "method": "email-code",
        "position": "председател",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def citizen_client(client: Client) -> Client:
    client.force_login(UserFactory(email="maria@example.org"))
    return client


URL = "/organisations/register/"


def _nothing_saved() -> None:
    assert not Organisation.objects.filter(eik=VALID_EIK).exists()
    assert not Organisation.objects.filter(name="Сдружение „Зелен Пловдив“").exists()
    assert not RepresentationClaim.objects.filter(
        organisation__name="Сдружение „Зелен Пловдив“"
    ).exists()


# --- the happy paths -------------------------------------------------------------------------


def test_register_with_a_code_to_the_organisations_address(citizen_client, mailbox):
    assert reverse("organisations:register") == URL
    response = citizen_client.post(URL, register_data())
    org = Organisation.objects.get(eik=VALID_EIK)
    claim = RepresentationClaim.objects.get(organisation=org)
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:claim-status", args=[claim.pk])
    assert org.visibility == Visibility.PENDING
    assert org.registered_by.email == "maria@example.org"
    assert org.settlement_id == "56784"
    assert org.website == "https://zelen-plovdiv.example.org"
    assert list(org.fields.values_list("slug", flat=True)) == ["environment"]
    assert org.representatives_count == 0
    assert claim.status == "pending" and claim.method == "email-code"
    assert claim.position == "председател"
    # The code went to the organisation's address, and only its hash is kept.
    messages = mailbox.to("office@zelen-plovdiv.example.org")
    assert len(messages) == 1
    code = re.search(r"\b(\d{6})\b", mailbox.body(messages[0])).group(1)
    assert code not in claim.code_hash and len(claim.code_hash) == 64
    assert "Зелен Пловдив" in mailbox.body(messages[0])
    # Nobody but the person (and moderators) sees it yet.
    assert not Organisation.objects.public().filter(pk=org.pk).exists()


def test_register_with_a_document(citizen_client, mailbox, settings):
    data = register_data(method="evidence", evidence=pdf("Решение на УС (2026).PDF"))
    response = citizen_client.post(URL, data)
    assert response.status_code == 302
    claim = RepresentationClaim.objects.get(organisation__eik=VALID_EIK)
    assert claim.method == "evidence"
    name = claim.evidence.name.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[0-9a-f]{12}-reshenie-na-us-2026\.pdf", name), name
    assert claim.evidence.read().startswith(b"%PDF")
    assert not mailbox.messages  # no code: a moderator decides
    page = citizen_client.get("/en" + response["Location"])
    assert "A moderator will check your document" in page.content.decode()


def test_the_seat_by_ekatte_code_and_by_type_and_name(citizen_client):
    response = citizen_client.post(URL, register_data(seat="с. Брестовица, общ. Родопи"))
    assert response.status_code == 302
    assert Organisation.objects.get(eik=VALID_EIK).settlement_id == "06505"


def test_an_ambiguous_seat_offers_a_choice_that_works_without_javascript(citizen_client):
    response = citizen_client.post(URL, register_data(seat="с. Брестовица"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="seat_choice"' in html and 'value="06505"' in html and 'value="06519"' in html
    assert "общ. Борово" in html
    _nothing_saved()
    response = citizen_client.post(URL, register_data(seat="с. Брестовица", seat_choice="06519"))
    assert response.status_code == 302
    assert Organisation.objects.get(eik=VALID_EIK).settlement_id == "06519"


def test_an_unknown_seat(citizen_client):
    response = citizen_client.post("/en" + URL, register_data(seat="Несъществуващо село"))
    assert response.status_code == 200
    assert "There is no settlement called “Несъществуващо село”" in response.content.decode()
    _nothing_saved()


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert outcome(response) == "login"
    response = client.post(URL, register_data())
    assert outcome(response) == "login"
    _nothing_saved()


def test_register_permission_ladder(as_role):
    expected: dict[str, int | str] = dict.fromkeys(ROLES, 200)
    expected["anonymous"] = "login"
    check_ladder(as_role, URL, expected)


# --- bad input: a clear message, nothing saved ------------------------------------------------


@pytest.mark.parametrize(
    ("eik", "message"),
    [
        ("123456789", "check digits"),
        ("12345", "check digits"),
        ("1234567891234", "check digits"),
        ("ABCDEFGHI", "check digits"),
    ],
)
def test_a_wrong_eik_is_refused(citizen_client, eik, message):
    response = citizen_client.post("/en" + URL, register_data(eik=eik))
    assert response.status_code == 200
    assert message in response.content.decode()
    _nothing_saved()


def test_a_personal_number_is_refused_and_not_shown_back(citizen_client):
    egn = "7501010010"
    response = citizen_client.post("/en" + URL, register_data(eik=egn))
    html = response.content.decode()
    assert response.status_code == 200
    assert "personal number" in html
    assert egn not in html
    _nothing_saved()


def test_the_eik_is_required_for_an_association(citizen_client):
    response = citizen_client.post("/en" + URL, register_data(eik=""))
    assert response.status_code == 200
    assert "Enter the EIK" in response.content.decode()
    _nothing_saved()


def test_a_duplicate_eik_shows_the_entry_and_offers_to_claim_it(citizen_client, organisation):
    response = citizen_client.post(URL, register_data(eik=OTHER_EIK))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{organisation.get_absolute_url()}"' in html
    assert f'href="{reverse("organisations:claim", args=[organisation.pk])}"' in html
    assert Organisation.objects.filter(eik=OTHER_EIK).count() == 1
    _nothing_saved()


def test_a_duplicate_of_a_pending_entry_does_not_reveal_it(citizen_client):
    hidden = OrganisationFactory(
        name="Тайно сдружение", eik=VALID_EIK, visibility=Visibility.PENDING
    )
    response = citizen_client.post("/en" + URL, register_data())
    html = response.content.decode()
    assert "already registered and awaits verification" in html
    assert "Тайно сдружение" not in html and hidden.get_absolute_url() not in html
    assert Organisation.objects.filter(eik=VALID_EIK).count() == 1


def test_a_similar_name_in_the_same_settlement_needs_a_confirmation(citizen_client):
    OrganisationFactory(name='СДРУЖЕНИЕ "ЗЕЛЕН ПЛОВДИВ"', eik=None)
    response = citizen_client.post(URL, register_data())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="different"' in html and "ЗЕЛЕН ПЛОВДИВ" in html
    _nothing_saved()
    response = citizen_client.post(URL, register_data(different="on"))
    assert response.status_code == 302
    assert Organisation.objects.filter(eik=VALID_EIK).exists()


def test_a_similar_name_elsewhere_is_no_warning(citizen_client):
    OrganisationFactory(name="Сдружение „Зелен Пловдив“", eik=None, settlement_id="68134")
    response = citizen_client.post(URL, register_data())
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"name": ""}, "name"),
        ({"legal_form": "company"}, "legal_form"),
        ({"method": "telepathy"}, "method"),
        ({"method": "evidence"}, "evidence"),
    ],
)
def test_invalid_contacts_and_choices(citizen_client, overrides, field):
    response = citizen_client.post(URL, register_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Сдружение „Зелен Пловдив“" in html or field == "name"  # what was typed is kept
    _nothing_saved()


@pytest.mark.parametrize("upload", [text_file, big_pdf])
def test_a_wrong_or_oversized_document_saves_nothing(citizen_client, upload, settings, tmp_path):
    response = citizen_client.post(URL, register_data(method="evidence", evidence=upload()))
    assert response.status_code == 200
    errors = response.context["form"].errors["evidence"]
    assert errors
    _nothing_saved()
    assert not RepresentationClaim.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_failure_after_the_upload_leaves_no_rows_and_no_file(
    citizen_client, tmp_path, monkeypatch
):
    """A crash in the middle of the workflow rolls everything back, the stored file too."""
    from organisations import claims

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(claims, "send_code", broken)
    citizen_client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        citizen_client.post(URL, register_data())
    _nothing_saved()

    monkeypatch.setattr(claims, "_reindex", broken)
    with pytest.raises(RuntimeError):
        citizen_client.post(URL, register_data(method="evidence", evidence=pdf()))
    _nothing_saved()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_registering_is_rate_limited(citizen_client):
    statuses = [citizen_client.post(URL, register_data(eik="1")).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_register_form_page(citizen_client):
    response = citizen_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert "<script" not in html and "style=" not in html
    assert 'name="seat"' in html and 'type="radio"' in html  # the method
    assert '<html lang="bg">' in html  # Bulgarian first


def test_the_role_is_not_granted_before_verification(citizen_client):
    citizen_client.post(URL, register_data())
    org = Organisation.objects.get(eik=VALID_EIK)
    assert not RoleAssignment.objects.for_scope(org).exists()


def test_a_race_on_the_same_eik_shows_the_duplicate(citizen_client, monkeypatch):
    """Someone else registers the EIK between the check and the save: a message, not a 500."""
    from organisations import claims

    original = claims.register

    def racing(user: Any, organisation: Organisation, **kwargs: Any) -> Any:
        OrganisationFactory(name="Другото сдружение", eik=VALID_EIK)
        return original(user, organisation, **kwargs)

    monkeypatch.setattr(claims, "register", racing)
    response = citizen_client.post("/en" + URL, register_data())
    assert response.status_code == 200
    assert "already in the catalogue" in response.content.decode()
    assert Organisation.objects.filter(eik=VALID_EIK).count() == 1
    assert not RepresentationClaim.objects.exists()
