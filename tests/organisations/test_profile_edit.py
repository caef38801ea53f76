# ruff: noqa: F811  (the shared fixtures are imported from test_registration)
"""Editing an organisation's profile: every field, the history (ProfileChange), optimistic
locking with a diff, the EIK rule, the logo, reach places, activities and annual reports, and
who may do each of these."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.enums import Reach
from organisations.forms import find_settlements, settlement_text
from organisations.models import Activity, AnnualReport, Organisation, ProfileChange
from tests.factories.accounts import UserFactory
from tests.factories.organisations import OrganisationFactory, representative_of
from tests.organisations.test_registration import (  # noqa: F401  (fixtures)
    OTHER_EIK,
    VALID_EIK,
    _media,
    as_role,
    big_pdf,
    check_ladder,
    organisation,
    pdf,
    people,
    png,
    text_file,
)

pytestmark = pytest.mark.django_db

EDITORS: dict[str, int | str] = {
    "anonymous": "login",
    "citizen": 403,
    "pending": 403,
    "representative": 200,
    "other": 403,
    "moderator": 403,
    "admin": 200,
}


def label(name: str) -> str:
    """A field's label in the history: Bulgarian, as the record is kept."""
    from django.utils import translation
    from django.utils.text import capfirst

    from organisations.history import reach_places_label

    if name == "reach_places":
        return reach_places_label()
    with translation.override("bg"):
        return str(capfirst(Organisation._meta.get_field(name).verbose_name))


def form_data(client: Client, org: Organisation, **changes: Any) -> dict[str, Any]:
    """What the edit form posts when nothing is touched, with `changes` applied."""
    form = client.get(f"/organisations/{org.pk}/edit/").context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if name in {"logo_file", "seat_choice"}:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def rep(as_role: Any) -> Client:
    return as_role("representative")


def test_saving_records_before_after_and_reason(rep, organisation, people):
    url = f"/organisations/{organisation.pk}/edit/"
    data = form_data(rep, organisation, description="Ново описание.", reason="Актуализация")
    response = rep.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    organisation.refresh_from_db()
    assert organisation.description == "Ново описание." and organisation.version == 2
    change = ProfileChange.objects.get(organisation=organisation)
    before = "Работим за **прозрачно** местно управление."
    assert change.changes == {label("description"): [before, "Ново описание."]}
    assert change.reason == "Актуализация" and change.user == people["representative"]
    history = Client().get(f"/organisations/{organisation.pk}/history/").content.decode()
    assert "Ново описание." in history and "Актуализация" in history
    # Anonymous readers do not see who the representative is.
    assert people["representative"].public_name not in history


def test_nothing_changed_saves_nothing(rep, organisation):
    rep.post(f"/organisations/{organisation.pk}/edit/", form_data(rep, organisation))
    organisation.refresh_from_db()
    assert organisation.version == 1
    assert not ProfileChange.objects.filter(organisation=organisation).exists()


def test_every_field_is_saved(rep, organisation):
    from organisations.models import FieldOfActivity, TargetGroup

    fields = [str(f.pk) for f in FieldOfActivity.objects.filter(slug__in=["youth", "culture"])]
    groups = [str(g.pk) for g in TargetGroup.objects.filter(slug="children")]
    data = form_data(
        rep,
        organisation,
        name="Сдружение „Нова светлина“",
        name_en="New Light Association",
        legal_form="foundation",
        eik=VALID_EIK,
        benefit="private",
        year_founded="2004",
        seat="с. Брестовица, общ. Родопи",
        address="ул. „Първа“ 2",
        postal_code="4224",
        email="info@nova.example.org",
        phone="032 600 700",
        website="https://nova.example.org",
        social_links="https://facebook.com/nova\n\nhttps://instagram.com/nova",
        fields=fields,
        target_groups=groups,
        reach=Reach.MUNICIPAL,
        reach_places="общ. Родопи\nPDV22",
        description="**Ново**",
    )
    response = rep.post(f"/organisations/{organisation.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    o = Organisation.objects.get(pk=organisation.pk)
    assert (o.name, o.name_en, o.legal_form, o.eik, o.benefit, o.year_founded) == (
        "Сдружение „Нова светлина“", "New Light Association", "foundation", VALID_EIK,
        "private", 2004,
    )  # fmt: skip
    assert o.settlement_id == "06505" and o.postal_code == "4224"
    assert o.social_links == "https://facebook.com/nova\nhttps://instagram.com/nova"
    assert set(o.fields.values_list("slug", flat=True)) == {"youth", "culture"}
    assert list(o.target_groups.values_list("slug", flat=True)) == ["children"]
    assert {m.code for m in o.reach_municipalities.all()} == {"PDV22", "PDV26"}
    change = ProfileChange.objects.get(organisation=o).changes
    assert change[label("settlement")] == ["гр. Пловдив (56784)", "с. Брестовица (06505)"]
    assert change[label("fields")][1] == "Култура\nМладежи"
    assert change[label("reach_places")] == ["", "Пловдив (PDV22)\nРодопи (PDV26)"]
    assert len(change) == 18  # every field of the profile but the logo


def test_reach_places_by_name_and_code(rep, organisation):
    url = f"/en/organisations/{organisation.pk}/edit/"
    data = form_data(rep, organisation, reach=Reach.LOCAL, reach_places="Брестовица")
    response = rep.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "several places" in html and "06505" in html and "06519" in html
    data["reach_places"] = "с. Брестовица (06505)\nПловдив\nnowhere-at-all"
    response = rep.post(url, data)
    assert "“nowhere-at-all”: not found" in response.content.decode()
    data["reach_places"] = "с. Брестовица (06505)\nПловдив"
    assert rep.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert set(organisation.reach_settlements.values_list("ekatte", flat=True)) == {
        "06505",
        "56784",
    }
    # The form shows them back in a form it reads again.
    again = form_data(rep, organisation)
    assert "06505" in again["reach_places"] and "56784" in again["reach_places"]
    rep.post(url, again)
    organisation.refresh_from_db()
    assert organisation.version == 2


def test_seat_lookup():
    assert [s.ekatte for s in find_settlements("56784")] == ["56784"]
    assert [s.ekatte for s in find_settlements("гр. Пловдив")] == ["56784"]
    assert [s.ekatte for s in find_settlements("plovdiv")] == ["56784"]
    assert {s.ekatte for s in find_settlements("Брестовица")} == {"06505", "06519"}
    assert [s.ekatte for s in find_settlements("Брестовица, общ. Борово")] == ["06519"]
    assert find_settlements("") == []
    s = find_settlements("06505")[0]
    assert [x.ekatte for x in find_settlements(settlement_text(s))] == ["06505"]


def test_someone_elses_save_in_between_shows_a_diff_and_saves_nothing(rep, organisation, people):
    second = UserFactory()
    representative_of(organisation, second)
    other = Client()
    other.force_login(second)
    url = f"/en/organisations/{organisation.pk}/edit/"
    mine = form_data(rep, organisation, description="Моята версия.")
    theirs = form_data(other, organisation, description="Тяхната версия.")
    assert other.post(url, theirs).status_code == 302
    response = rep.post(url, mine)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this entry" in html
    assert "Тяхната версия." in html and "Моята версия." in html
    organisation.refresh_from_db()
    assert organisation.description == "Тяхната версия." and organisation.version == 2
    assert ProfileChange.objects.filter(organisation=organisation).count() == 1
    # Saving again is a deliberate overwrite: the form now carries the current version.
    assert response.context["form"]["version"].value() == "2"
    again = dict(mine, version="2")
    assert rep.post(url, again).status_code == 302
    organisation.refresh_from_db()
    assert organisation.description == "Моята версия." and organisation.version == 3


def test_the_same_eik_cannot_be_given_twice(rep, organisation):
    OrganisationFactory(eik=VALID_EIK)
    url = f"/organisations/{organisation.pk}/edit/"
    response = rep.post(url, form_data(rep, organisation, eik=VALID_EIK))
    assert response.status_code == 200 and "eik" in response.context["form"].errors
    response = rep.post(url, form_data(rep, organisation, eik="7501010010"))
    assert "7501010010" not in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.eik == OTHER_EIK


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"social_links": "https://ok.example.org\nnot a link"}, "social_links"),
        ({"email": "nope"}, "email"),
        ({"website": "ftp://files.example.org"}, "website"),
        ({"phone": "abc"}, "phone"),
        ({"year_founded": "1700"}, "year_founded"),
        ({"seat": "Никъде"}, "seat"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_keeps_everything(rep, organisation, changes, field):
    response = rep.post(
        f"/organisations/{organisation.pk}/edit/",
        form_data(rep, organisation, description="Не се записва.", **changes),
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Не се записва." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.version == 1 and organisation.description != "Не се записва."


def test_a_logo_is_checked_renamed_and_served(
    rep, organisation, tmp_path, django_capture_on_commit_callbacks
):
    url = f"/organisations/{organisation.pk}/edit/"
    for bad in (text_file("logo.png"), pdf("logo.pdf")):
        response = rep.post(url, form_data(rep, organisation, logo_file=bad))
        assert "logo_file" in response.context["form"].errors
    response = rep.post(url, form_data(rep, organisation, logo_file=png("Лого на НПО.PNG")))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name.startswith("organisations/logos/")
    assert organisation.logo.name.endswith(".png")
    served = Client().get(reverse("organisations:logo", args=[organisation.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    old = organisation.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        rep.post(url, form_data(rep, organisation, remove_logo="on"))
    organisation.refresh_from_db()
    assert not organisation.logo
    assert not (tmp_path / "media" / old).exists()
    assert Client().get(reverse("organisations:logo", args=[organisation.pk])).status_code == 404


def test_an_oversized_logo_is_refused(rep, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024 + 1))
    response = rep.post(
        f"/organisations/{organisation.pk}/edit/", form_data(rep, organisation, logo_file=big)
    )
    assert "logo_file" in response.context["form"].errors
    organisation.refresh_from_db()
    assert not organisation.logo


def test_edit_ladder(as_role, organisation, people):
    check_ladder(as_role, f"/organisations/{organisation.pk}/edit/", EDITORS)


def test_edit_post_ladder(as_role, organisation, people):
    url = f"/organisations/{organisation.pk}/edit/"
    for role, status in EDITORS.items():
        response = as_role(role).post(url, {"name": "Хакнато", "version": "1"})
        if status in ("login", 403):
            assert response.status_code in (302, 403), role
    organisation.refresh_from_db()
    assert organisation.name != "Хакнато"


def test_history_ladder_and_query_count(as_role, organisation, people):
    url = f"/organisations/{organisation.pk}/history/"
    check_ladder(as_role, url, dict.fromkeys(EDITORS, 200))
    for n in range(3):
        ProfileChange.objects.create(organisation=organisation, changes={"Име": [str(n), "x"]})
    with CaptureQueriesContext(connection) as few:
        as_role("representative").get(url)
    for _ in range(20):
        ProfileChange.objects.create(
            organisation=organisation, user=people["representative"], changes={"Име": ["a", "b"]}
        )
    with CaptureQueriesContext(connection) as many:
        as_role("representative").get(url)
    assert len(many) == len(few)


# --- activities ------------------------------------------------------------------------------


def test_add_an_activity_with_budget_partners_and_dates(rep, organisation):
    partner = OrganisationFactory(name="Фондация „Партньор“", eik=VALID_EIK)
    response = rep.post(
        f"/organisations/{organisation.pk}/activities/new/",
        {
            "title": "Бюджетът е и наш",
            "is_project": "on",
            "starts_on": "2026-01-15",
            "ends_on": "2026-12-31",
            "funding_programme": "Активни граждани",
            "budget_eur": "12 500,50",
            "partner_names": f"Фондация „Партньор“\n{VALID_EIK}\nОбщина Пловдив",
            "description": "Обсъждания на бюджета.",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get(organisation=organisation)
    assert activity.budget_eur == Decimal("12500.50") and activity.is_project
    assert list(activity.partners.all()) == [partner]
    assert activity.other_partners == "Община Пловдив"
    change = ProfileChange.objects.get(organisation=organisation).changes
    assert "Дейност „Бюджетът е и наш“: Бюджет (евро)" in change or any(
        "Бюджетът е и наш" in label for label in change
    )


def test_an_activity_cannot_end_before_it_starts(rep, organisation):
    response = rep.post(
        f"/en/organisations/{organisation.pk}/activities/new/",
        {"title": "Х", "starts_on": "2026-05-01", "ends_on": "2026-04-01", "budget_eur": "abc"},
    )
    errors = response.context["form"].errors
    assert "The end cannot be before the start." in errors["ends_on"]
    assert "budget_eur" in errors
    assert not Activity.objects.filter(organisation=organisation).exists()


def test_edit_and_delete_an_activity(rep, organisation, as_role):
    activity = Activity.objects.create(organisation=organisation, title="Старо")
    url = f"/organisations/activities/{activity.pk}/edit/"
    form = rep.get(url).context["form"]
    assert form["title"].value() == "Старо"
    assert rep.post(url, {"title": "Ново", "budget_eur": "1 000"}).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Ново" and activity.budget_eur == Decimal("1000")
    assert (
        as_role("other").post(f"/organisations/activities/{activity.pk}/delete/").status_code == 403
    )
    assert rep.post(f"/organisations/activities/{activity.pk}/delete/").status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert ProfileChange.objects.filter(organisation=organisation).count() == 2


def test_activity_ladders(as_role, organisation, people):
    check_ladder(as_role, f"/organisations/{organisation.pk}/activities/new/", EDITORS)
    activity = Activity.objects.create(organisation=organisation, title="Дейност")
    check_ladder(as_role, f"/organisations/activities/{activity.pk}/edit/", EDITORS)
    check_ladder(as_role, f"/organisations/activities/{activity.pk}/delete/", EDITORS)


# --- annual reports --------------------------------------------------------------------------


def test_annual_report_upload_and_download(rep, organisation):
    url = f"/organisations/{organisation.pk}/reports/new/"
    response = rep.post(url, {"year": "2025", "file": pdf("Отчет 2025 (final).PDF")})
    assert response.status_code == 302
    report = AnnualReport.objects.get(organisation=organisation)
    assert report.file.name.endswith("-2025-otchet-2025-final.pdf")
    download = Client().get(reverse("organisations:annual-report", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    again = rep.post(url, {"year": "2025", "file": pdf()})
    assert "year" in again.context["form"].errors
    assert AnnualReport.objects.filter(organisation=organisation).count() == 1


@pytest.mark.parametrize("upload", [lambda: text_file("report.pdf"), lambda: png("r.pdf"), big_pdf])
def test_annual_report_must_be_a_pdf_under_10_mb(rep, organisation, upload, tmp_path):
    response = rep.post(
        f"/organisations/{organisation.pk}/reports/new/", {"year": "2024", "file": upload()}
    )
    assert "file" in response.context["form"].errors
    assert not AnnualReport.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_annual_report_delete(rep, organisation, as_role, tmp_path):
    rep.post(f"/organisations/{organisation.pk}/reports/new/", {"year": "2025", "file": pdf()})
    report = AnnualReport.objects.get(organisation=organisation)
    url = f"/organisations/annual-reports/{report.pk}/delete/"
    check_ladder(as_role, url, EDITORS)
    assert rep.post(url, {"reason": "Грешен файл"}).status_code == 302
    assert not AnnualReport.objects.exists()
    assert ProfileChange.objects.filter(organisation=organisation, reason="Грешен файл").exists()


def test_report_ladder(as_role, organisation, people):
    check_ladder(as_role, f"/organisations/{organisation.pk}/reports/new/", EDITORS)


def test_representative_actions_include(as_role, organisation, people):
    from django.template.loader import render_to_string

    def render(role: str) -> str:
        user = people[role]
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            user = AnonymousUser()
        return render_to_string(
            "organisations/includes/representative_actions.html",
            {"organisation": organisation, "user": user},
        )

    assert reverse("organisations:edit", args=[organisation.pk]) in render("representative")
    assert reverse("organisations:edit", args=[organisation.pk]) in render("admin")
    assert reverse("organisations:edit", args=[organisation.pk]) not in render("moderator")
    assert reverse("organisations:representatives", args=[organisation.pk]) in render("moderator")
    for role in ("anonymous", "citizen", "other", "pending"):
        assert reverse("organisations:edit", args=[organisation.pk]) not in render(role)
    pending = OrganisationFactory(visibility="pending", registered_by=people["citizen"])
    html = render_to_string(
        "organisations/includes/representative_actions.html",
        {"organisation": pending, "user": people["citizen"]},
    )
    assert reverse("organisations:claim", args=[pending.pk]) in html


def test_claim_box_include(organisation):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("en"):
        html = render_to_string(
            "organisations/includes/claim_box.html",
            {"organisation": organisation, "user": AnonymousUser()},
        )
    assert organisation.email in html and "sign in" in html
