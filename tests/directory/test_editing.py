"""Staff edit their entry and its services: permissions, validation, history rows, conflicts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.forms import CheckboxInput
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from directory.editing import STAFF_SOURCE
from directory.forms import is_bulgarian_phone, sofia_today
from directory.models import Change, HoursException, Institution, Service, WorkingHours
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import ServiceFactory, generated, staff_of

pytestmark = pytest.mark.django_db

KEY = "ma:PDV22"  # Община Пловдив


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; user ids repeat between tests."""
    cache.clear()


@pytest.fixture
def institution():
    return generated(KEY)


@pytest.fixture
def staff(institution):
    user = UserFactory(first_name="Мария", last_name="Георгиева")
    staff_of(institution, user)
    return user


@pytest.fixture
def admin():
    return RoleAssignmentFactory(role=Role.ADMINISTRATOR).user


def people(institution) -> dict[str, object]:
    """Everyone on the ladder except the anonymous visitor."""
    other = UserFactory()
    staff_of(generated("ma:PDV01"), other)
    own = UserFactory()
    staff_of(institution, own)
    return {
        "citizen": UserFactory(),
        "staff of another institution": other,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "staff": own,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }


ALLOWED = {"staff", "administrator"}


def form_data(response) -> dict[str, str]:
    """What a browser would post back from the page unchanged (every form on it)."""
    ctx = response.context
    forms = [ctx["form"], *(ctx.get("week") or [])]
    exceptions = ctx.get("exceptions")
    if exceptions is not None:
        forms += [exceptions.management_form, *exceptions.forms]
    data: dict[str, str] = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
                continue
            formatted = bound.field.widget.format_value(value)
            data[bound.html_name] = "" if formatted is None else str(formatted)
    return data


def edit_url(inst) -> str:
    return reverse("directory:edit", args=[inst.pk])


def load(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response)


def field_block(html: str, name: str) -> str:
    """The `.field` block of the input named `name` (where its error message must be)."""
    match = re.search(
        r'<div class="field[^"]*">(?:(?!<div class="field).)*?name="' + re.escape(name) + '"[^>]*>',
        html,
        re.S,
    )
    assert match, f"no field {name}"
    return match.group(0)


def set_week(data, days=range(5), opens="09:00", closes="17:30", brk=("12:00", "13:00")):
    for day in range(7):
        for part in ("opens", "closes", "break_start", "break_end"):
            data[f"day{day}-{part}"] = ""
        data.pop(f"day{day}-closed", None)
        if day in days:
            data[f"day{day}-opens"], data[f"day{day}-closes"] = opens, closes
            if brk:
                data[f"day{day}-break_start"], data[f"day{day}-break_end"] = brk
        else:
            data[f"day{day}-closed"] = "on"


# --- the permission ladder --------------------------------------------------------------------


def _urls(institution, service):
    return {
        "edit": edit_url(institution),
        "add service": reverse("directory:service-add", args=[institution.pk]),
        "edit service": reverse("directory:service-edit", args=[service.pk]),
        "delete service": reverse("directory:service-delete", args=[service.pk]),
    }


@pytest.mark.parametrize("view", ["edit", "add service", "edit service", "delete service"])
def test_permission_ladder(view, institution):
    service = ServiceFactory(institution=institution)
    url = _urls(institution, service)[view]
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client().post(url, {}).status_code == 302
    for role, user in people(institution).items():
        client = signed_in(user)
        expected = 200 if role in ALLOWED else 403
        assert client.get(url).status_code == expected, (view, role)
        if role not in ALLOWED:
            response = client.post(url, {"version": "1", "name": "x", "in_person": "on"})
            assert response.status_code == 403, (view, role)
            assert "нямате достъп" in response.content.decode().lower()
    assert Service.objects.filter(pk=service.pk).exists()
    assert not Change.objects.filter(institution=institution).exists()


def test_staff_of_the_council_cannot_edit_the_municipal_administration(institution):
    user = UserFactory()
    staff_of(generated("mc:PDV22"), user)
    assert signed_in(user).get(edit_url(institution)).status_code == 403


def test_unknown_ids_are_404(staff):
    client = signed_in(staff)
    for url in ("/directory/institutions/999999999/edit/", "/directory/services/999999999/edit/",
                "/directory/services/99999999999999999999/delete/",
                "/directory/institutions/99999999999999999999/history/"):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_official_without_second_factor_is_sent_to_set_it_up(institution, staff):
    client = Client()
    client.force_login(staff)
    response = client.get(edit_url(institution))
    assert response.status_code == 302 and "/2fa/" in response["Location"]


# --- the institution page shows who may do what -----------------------------------------------


def test_page_shows_last_update_and_history_to_everyone_and_buttons_to_staff(
    institution, staff, client
):
    html = client.get(institution.get_absolute_url()).content.decode()
    assert "Последна промяна" in html
    assert reverse("directory:history", args=[institution.pk]) in html
    assert edit_url(institution) not in html
    html = signed_in(UserFactory()).get(institution.get_absolute_url()).content.decode()
    assert edit_url(institution) not in html
    html = signed_in(staff).get(institution.get_absolute_url()).content.decode()
    assert edit_url(institution) in html
    assert reverse("directory:service-add", args=[institution.pk]) in html


# --- saving the entry ---------------------------------------------------------------------------


def test_edit_form_has_every_weekday_and_a_hidden_version(institution, staff):
    institution.phones = "032 656 711"
    institution.save()
    response = signed_in(staff).get(edit_url(institution))
    html = response.content.decode()
    for day in ("Понеделник", "Вторник", "Сряда", "Четвъртък", "Петък", "Събота", "Неделя"):
        assert f"<legend>{day}</legend>" in html
    assert f'name="version" value="{institution.version}"' in html
    assert "032 656 711" in html
    assert 'name="kind"' not in html and 'name="parent"' not in html
    assert 'name="province"' not in html and 'name="name_bg"' not in html
    assert "<script" not in html and ' style="' not in html


def test_staff_saves_phones_and_hours_and_the_entry_becomes_verified(institution, staff):
    client = signed_in(staff)
    version = institution.version
    data = load(client, edit_url(institution))
    data["phones"] = "032 656 711\n  +359 32 656 712  \n\n"
    set_week(data)
    data["reason"] = "Нов телефон на деловодството"
    response = client.post(edit_url(institution), data)
    assert response.status_code == 302 and response["Location"] == institution.get_absolute_url()

    institution.refresh_from_db()
    assert institution.phones == "032 656 711\n+359 32 656 712"
    assert institution.version == version + 1
    assert institution.verified_at is not None
    assert institution.source == STAFF_SOURCE
    assert institution.source_date == sofia_today().isoformat()
    rows = list(WorkingHours.objects.filter(institution=institution))
    assert len(rows) == 5 and {r.weekday for r in rows} == set(range(5))
    assert rows[0].break_start == datetime.time(12, 0)

    change = Change.objects.get(institution=institution)
    assert change.user == staff and change.action == Change.Action.CHANGED
    assert change.reason == "Нов телефон на деловодството"
    assert change.service is None and change.subject == ""
    assert change.changes["Телефони"] == ["", "032 656 711\n+359 32 656 712"]
    before, after = change.changes["Работно време"]
    assert before == ""
    assert after.splitlines()[0] == "Понеделник 09:00–17:30, почивка 12:00–13:00"
    assert len(after.splitlines()) == 5
    assert set(change.changes) == {"Телефони", "Работно време"}

    page = client.get(response["Location"]).content.decode()
    assert "Записано" in page
    assert "032 656 711" in page and "09:00–17:30" in page


def test_administrators_save_does_not_verify(institution, admin):
    client = signed_in(admin)
    data = load(client, edit_url(institution))
    data["email"] = "obshtina@plovdiv.bg"
    assert client.post(edit_url(institution), data).status_code == 302
    institution.refresh_from_db()
    assert institution.email == "obshtina@plovdiv.bg"
    assert institution.verified_at is None and institution.source != STAFF_SOURCE
    assert Change.objects.get(institution=institution).user == admin


def test_free_mail_flag_follows_the_new_address(institution, staff):
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    data["email"] = "kmet.plovdiv@abv.bg"
    client.post(edit_url(institution), data)
    institution.refresh_from_db()
    assert institution.email_is_free_mail
    data = load(client, edit_url(institution))
    data["email"] = "info@plovdiv.bg"
    client.post(edit_url(institution), data)
    institution.refresh_from_db()
    assert not institution.email_is_free_mail


def test_saving_without_a_change_records_nothing(institution, staff):
    client = signed_in(staff)
    version = institution.version
    response = client.post(edit_url(institution), load(client, edit_url(institution)), follow=True)
    assert "Нищо не е променено" in response.content.decode()
    institution.refresh_from_db()
    assert institution.version == version and institution.verified_at is None
    assert not Change.objects.exists()


def test_every_field_is_recorded_with_its_label(institution, staff):
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    data.update(
        name_en="Municipality of Plovdiv", short_name="Община Пловдив",
        address="пл. „Стефан Стамболов“ № 1", postal_code="4000",
        website="www.plovdiv.bg", head_position="Кмет на Община Пловдив", head_name="Иван Иванов",
        cs_contact_name="Петя Петрова", cs_contact_position="главен експерт",
        cs_contact_email="ngo@plovdiv.bg", cs_contact_phone="(032) 656 700",
        departments="Дирекция „Култура“\nДирекция „Образование“", eik="000471504",
    )  # fmt: skip
    assert client.post(edit_url(institution), data).status_code == 302
    institution.refresh_from_db()
    assert institution.website == "https://www.plovdiv.bg"
    assert institution.eik == "000471504"
    changes = Change.objects.get().changes
    assert changes["Уебсайт"] == ["", "https://www.plovdiv.bg"]
    assert changes["Пощенски код"] == ["", "4000"]
    assert changes["ЕИК/БУЛСТАТ"] == ["", "000471504"]
    assert changes["Име на английски"] == ["Plovdiv Municipality", "Municipality of Plovdiv"]
    assert len(changes) == 13  # all but the phones and the e-mail, left as they were


BAD_INPUT = [
    ("postal_code", "40000", "4 цифри"),
    ("postal_code", "4ооо", "4 цифри"),
    ("phones", "032 656 711\n12-34", "Ред 2"),
    ("phones", "+44 20 7946 0958", "Ред 1"),
    ("phones", "032 65", "Ред 1"),
    ("email", "obshtina(at)plovdiv.bg", "имейл"),
    ("website", "ftp://plovdiv.bg/files", "http:// или https://"),
    ("website", "not a web address", "http:// или https://"),
    ("cs_contact_email", "petya@", "имейл"),
    ("cs_contact_phone", "вътр. 12", "български телефонен номер"),
    ("eik", "000471505", "ЕИК"),  # wrong check digit
    ("eik", "7501010010", "ЕИК"),  # a personal number (ЕГН) is never an EIK
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_INPUT)
def test_bad_input_is_refused_next_to_the_field_and_kept(institution, staff, name, value, message):
    client = signed_in(staff)
    version = institution.version
    data = load(client, edit_url(institution))
    data[name] = value
    data["address"] = "typed and kept"
    response = client.post(edit_url(institution), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html and "Има проблем" in html
    block = field_block(html, name)
    assert 'class="error-message"' in block and message in block, block
    assert 'aria-invalid="true"' in block
    assert value.split("\n")[-1] in html and 'value="typed and kept"' in html
    institution.refresh_from_db()
    assert institution.version == version and institution.address != "typed and kept"
    assert not Change.objects.exists()


def test_a_bad_phone_line_is_named_in_the_message(institution, staff):
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    data["phones"] = "032 656 711\nабв 123"
    html = client.post(edit_url(institution), data).content.decode()
    assert "Ред 2" in html and "„абв 123“" in html


@pytest.mark.parametrize(
    ("value", "ok"),
    [("032 656 711", True), ("(032) 65-67-11", True), ("+359 32 656 711", True),
     ("0361/60150", True), ("+35934442448", True), ("0888 123 456", True),
     ("12345678", False), ("+44 20 7946 0958", False), ("0 12", False),
     ("0123456789012345", False), ("032 656 711 вътр. 5", False), ("", False)],
)  # fmt: skip
def test_what_counts_as_a_bulgarian_phone(value, ok):
    assert is_bulgarian_phone(value) is ok


BAD_HOURS = [
    ({"day0-opens": "17:00", "day0-closes": "09:00"}, "day0-closes", "след часа на отваряне"),
    ({"day0-opens": "09:00", "day0-closes": ""}, "day0-closes", "Посочете"),
    ({"day0-break_start": "08:00", "day0-break_end": "08:30"}, "day0-break_start", "Почивката"),
    ({"day0-break_start": "12:00", "day0-break_end": ""}, "day0-break_end", "почивката"),
    ({"day0-opens": "9 часа"}, "day0-opens", "час"),
]


@pytest.mark.parametrize(("changes", "name", "message"), BAD_HOURS)
def test_bad_hours_are_refused_next_to_the_field(institution, staff, changes, name, message):
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    set_week(data, days=[0])
    data.update(changes)
    response = client.post(edit_url(institution), data)
    html = response.content.decode()
    assert response.status_code == 200
    block = field_block(html, name)
    assert message in block, block
    assert '<a href="#id_' + name + '">Понеделник — ' in html  # linked from the summary
    assert not WorkingHours.objects.filter(institution=institution).exists()
    assert not Change.objects.exists()


def test_closed_wins_over_times_left_in_the_boxes(institution, staff):
    WorkingHours.objects.create(institution=institution, weekday=5, opens="09:00", closes="13:00")
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    assert data["day5-opens"] == "09:00" and "day5-closed" not in data
    data["day5-closed"] = "on"
    assert client.post(edit_url(institution), data).status_code == 302
    assert not WorkingHours.objects.filter(institution=institution).exists()
    assert Change.objects.get().changes["Работно време"] == ["Събота 09:00–13:00", ""]


def test_days_with_other_hours_are_added_and_deleted(institution, staff):
    today = sofia_today()
    soon, later = today + datetime.timedelta(days=10), today + datetime.timedelta(days=20)
    past = HoursException.objects.create(
        institution=institution, date=today - datetime.timedelta(days=5), note="минал"
    )
    HoursException.objects.create(institution=institution, date=soon, note="ремонт")
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    assert data["exc-INITIAL_FORMS"] == "1" and data["exc-TOTAL_FORMS"] == "4"
    data["exc-0-DELETE"] = "on"
    data.update({"exc-1-date": later.isoformat(), "exc-1-opens": "10:00",
                 "exc-1-closes": "14:00", "exc-1-note": "Съкратен ден"})  # fmt: skip
    data.update({"exc-2-date": f"{later + datetime.timedelta(days=1):%d.%m.%Y}",
                 "exc-2-closed": "on"})  # fmt: skip
    assert client.post(edit_url(institution), data).status_code == 302
    rows = list(HoursException.objects.filter(institution=institution).order_by("date"))
    assert [r.date for r in rows] == [past.date, later, later + datetime.timedelta(days=1)]
    assert rows[1].opens == datetime.time(10) and not rows[1].closed
    assert rows[2].closed and rows[2].opens is None
    before, after = Change.objects.get().changes["Дни с друго работно време"]
    assert before == f"{soon:%d.%m.%Y} затворено (ремонт)"
    assert after.splitlines()[0] == f"{later:%d.%m.%Y} 10:00–14:00 (Съкратен ден)"


BAD_EXCEPTIONS = [
    ({"exc-0-note": "без дата"}, "exc-0-date", "задължително"),
    ({"exc-0-date": "2020-01-01", "exc-0-closed": "on"}, "exc-0-date", "отминала"),
    ({"exc-0-date": "+10", "exc-0-opens": "10:00"}, "exc-0-closes", "Посочете"),
    ({"exc-0-date": "+10", "exc-0-opens": "14:00", "exc-0-closes": "10:00"}, "exc-0-closes",
     "след часа на отваряне"),
    ({"exc-0-date": "+10", "exc-0-closed": "on", "exc-1-date": "+10", "exc-1-closed": "on"},
     "exc-1-date", "два пъти"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "name", "message"), BAD_EXCEPTIONS)
def test_bad_days_with_other_hours(institution, staff, changes, name, message):
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    in_ten_days = (sofia_today() + datetime.timedelta(days=10)).isoformat()
    data.update({k: in_ten_days if v == "+10" else v for k, v in changes.items()})
    response = client.post(edit_url(institution), data)
    assert response.status_code == 200
    assert message in field_block(response.content.decode(), name)
    assert not HoursException.objects.filter(institution=institution).exists()
    assert not Change.objects.exists()


# --- two people at once -------------------------------------------------------------------------


def test_second_editor_sees_the_difference_and_nothing_is_overwritten(institution, staff):
    second = UserFactory(first_name="Петър", last_name="Стоянов")
    staff_of(institution, second)
    email = institution.email
    first_client, second_client = signed_in(staff), signed_in(second)
    first = load(first_client, edit_url(institution))
    mine = load(second_client, edit_url(institution))

    first["phones"] = "032 656 711"
    assert first_client.post(edit_url(institution), first).status_code == 302
    institution.refresh_from_db()
    saved_version = institution.version

    mine["phones"] = "032 111 222"
    mine["email"] = "delovodstvo@plovdiv.bg"
    response = second_client.post(edit_url(institution), mine)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Мария Георгиева" in html  # who saved in between
    assert "Докато редактирахте" in html
    table = re.search(r"<table class=\"stack\">.*?</table>", html, re.S).group(0)
    assert "Телефони" in table and "032 656 711" in table and "032 111 222" in table
    assert "Имейл" in table and "delovodstvo@plovdiv.bg" in table
    assert "Пощенски код" not in table  # only what differs
    # Nothing of the second version was saved; the first one stays.
    institution.refresh_from_db()
    assert institution.phones == "032 656 711" and institution.email == email
    assert institution.version == saved_version
    assert Change.objects.count() == 1
    # The form keeps what they typed and now carries the current version...
    assert 'value="delovodstvo@plovdiv.bg"' in html
    assert f'name="version" value="{saved_version}"' in html
    # ...so saving again is a deliberate overwrite.
    again = form_data(response)
    assert second_client.post(edit_url(institution), again).status_code == 302
    institution.refresh_from_db()
    assert institution.phones == "032 111 222"
    assert Change.objects.count() == 2
    assert Change.objects.first().changes["Телефони"] == ["032 656 711", "032 111 222"]


def test_a_stale_form_with_the_same_content_is_no_conflict(institution, staff):
    client = signed_in(staff)
    stale = load(client, edit_url(institution))
    fresh = dict(stale, phones="032 656 711")
    client.post(edit_url(institution), fresh)
    stale["phones"] = "032 656 711"
    response = client.post(edit_url(institution), stale, follow=True)
    assert "Нищо не е променено" in response.content.decode()
    assert Change.objects.count() == 1


# --- services -------------------------------------------------------------------------------------

SERVICE = {
    "version": "0",
    "name": "Издаване на удостоверение за наследници",
    "register_code": "2065",
    "description": "Удостоверение за наследниците на починало лице.",
    "legal_basis": "Закон за гражданската регистрация, чл. 24",
    "who_may_apply": "Наследниците",
    "documents": "Заявление по образец\n\nАкт за смърт",
    "fee_eur": "2,50",
    "deadline": "3 работни дни",
    "in_person": "on",
    "online_url": "",
    "reason": "",
}


def add_url(inst) -> str:
    return reverse("directory:service-add", args=[inst.pk])


@pytest.mark.parametrize("fee", ["2,50", "2.50", " 2,50 € "])
def test_staff_adds_a_service(institution, staff, fee):
    version = institution.version
    client = signed_in(staff)
    assert client.get(add_url(institution)).status_code == 200
    response = client.post(add_url(institution), dict(SERVICE, fee_eur=fee))
    assert response.status_code == 302 and response["Location"] == institution.get_absolute_url()
    service = Service.objects.get(institution=institution)
    assert service.fee_eur == Decimal("2.50") and service.documents == (
        "Заявление по образец\nАкт за смърт"
    )
    assert service.in_person and not service.by_post
    change = Change.objects.get()
    assert change.action == Change.Action.CREATED and change.service == service
    assert change.subject == service.name
    assert change.changes["Такса (евро)"] == ["", "2,50 €"]
    assert change.changes["Лично"] == ["", "да"]
    assert "Номер в регистъра на услугите" in change.changes
    institution.refresh_from_db()
    assert institution.version == version  # a service does not make the entry's form stale


def test_empty_fee_is_not_stated_and_zero_is_free(institution, staff):
    client = signed_in(staff)
    client.post(add_url(institution), dict(SERVICE, fee_eur=""))
    client.post(add_url(institution), dict(SERVICE, name="Друга", fee_eur="0"))
    fees = dict(Service.objects.values_list("name", "fee_eur"))
    assert fees[SERVICE["name"]] is None and fees["Друга"] == Decimal("0")


BAD_SERVICE = [
    ({"name": ""}, "name", "задължително"),
    ({"fee_eur": "-1"}, "fee_eur", "0"),
    ({"fee_eur": "две"}, "fee_eur", "2,50"),
    ({"fee_eur": "2,555"}, "fee_eur", "2"),
    ({"online_url": "ftp://e-uslugi.plovdiv.bg"}, "online_url", "https://"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
]


@pytest.mark.parametrize(("changes", "name", "message"), BAD_SERVICE)
def test_bad_service_input(institution, staff, changes, name, message):
    client = signed_in(staff)
    response = client.post(add_url(institution), dict(SERVICE, **changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in field_block(html, name)
    assert SERVICE["description"] in html  # typed text kept
    assert not Service.objects.filter(institution=institution).exists()
    assert not Change.objects.exists()


def test_a_service_needs_a_way_to_apply(institution, staff):
    client = signed_in(staff)
    data = dict(SERVICE)
    del data["in_person"]
    html = client.post(add_url(institution), data).content.decode()
    fieldset = re.search(r'<fieldset id="how-to-apply".*?</fieldset>', html, re.S).group(0)
    assert "поне един начин" in fieldset and 'class="error-message"' in fieldset
    assert '<a href="#how-to-apply">' in html
    assert not Service.objects.exists()
    data["online_url"] = "https://e-uslugi.plovdiv.bg/2065"
    assert client.post(add_url(institution), data).status_code == 302


def test_staff_edits_a_service(institution, staff):
    service = ServiceFactory(institution=institution, fee_eur=Decimal("2.56"))
    client = signed_in(staff)
    url = reverse("directory:service-edit", args=[service.pk])
    data = load(client, url)
    assert data["fee_eur"] == "2,56" and data["version"] == "1"
    data.update(fee_eur="3", by_post="", reason="Нова тарифа от 01.01.2027")
    del data["by_post"]
    assert client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.fee_eur == Decimal("3") and not service.by_post and service.version == 2
    change = Change.objects.get()
    assert change.changes == {"Такса (евро)": ["2,56 €", "3,00 €"], "По пощата": ["да", "не"]}
    assert change.subject == service.name and change.reason == "Нова тарифа от 01.01.2027"


def test_service_conflict(institution, staff, admin):
    service = ServiceFactory(institution=institution)
    url = reverse("directory:service-edit", args=[service.pk])
    a, b = signed_in(staff), signed_in(admin)
    first, second = load(a, url), load(b, url)
    first["deadline"] = "7 дни"
    a.post(url, first)
    second["deadline"] = "14 дни"
    response = b.post(url, second)
    html = response.content.decode()
    assert response.status_code == 200 and "Мария Георгиева" in html
    assert "7 дни" in html and "14 дни" in html
    service.refresh_from_db()
    assert service.deadline == "7 дни" and Change.objects.count() == 1
    assert b.post(url, form_data(response)).status_code == 302
    service.refresh_from_db()
    assert service.deadline == "14 дни"


def test_delete_asks_first_then_deletes_and_keeps_the_history(institution, staff):
    service = ServiceFactory(institution=institution)
    name = service.name
    client = signed_in(staff)
    url = reverse("directory:service-delete", args=[service.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and name in html and "Акт за смърт" in html
    assert Service.objects.filter(pk=service.pk).exists()
    response = client.post(url, {"version": "1", "reason": "Услугата вече не се предоставя"})
    assert response.status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()
    change = Change.objects.get()
    assert change.action == Change.Action.DELETED and change.service is None
    assert change.subject == name and change.changes["Наименование"] == [name, ""]
    assert change.reason == "Услугата вече не се предоставя"


def test_delete_of_a_service_changed_meanwhile_asks_again(institution, staff):
    service = ServiceFactory(institution=institution)
    Service.objects.filter(pk=service.pk).update(version=2, deadline="1 ден")
    client = signed_in(staff)
    url = reverse("directory:service-delete", args=[service.pk])
    response = client.post(url, {"version": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "1 ден" in html
    assert 'name="version" value="2"' in html
    assert Service.objects.filter(pk=service.pk).exists() and not Change.objects.exists()
    assert client.post(url, {"version": "2"}).status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()


def test_service_changes_move_the_entrys_last_update(institution, staff):
    Institution.objects.filter(pk=institution.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=400)
    )
    signed_in(staff).post(add_url(institution), SERVICE)
    institution.refresh_from_db()
    assert institution.updated_at > timezone.now() - datetime.timedelta(minutes=1)


# --- rate limit ---------------------------------------------------------------------------------


def test_posts_are_rate_limited(institution, staff):
    client = signed_in(staff)
    cache.set(f"ratelimit:directory-edit:user:{staff.pk}", 60, timeout=3600)
    assert client.get(edit_url(institution)).status_code == 200  # reading is not limited
    response = client.post(edit_url(institution), {"version": "1"})
    assert response.status_code == 429
    assert not Change.objects.exists()
