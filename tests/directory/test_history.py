"""The public history of an entry: who changed what, when and why; and how changes are described."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from directory import history
from directory.models import Change, HoursException, Institution, WorkingHours
from tests.clients import signed_in
from tests.directory.test_editing import edit_url, load
from tests.factories.accounts import UserFactory
from tests.factories.directory import ServiceFactory, generated, staff_of

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def institution():
    return generated("ma:PDV22")


def history_url(inst: Institution) -> str:
    return reverse("directory:history", args=[inst.pk])


def make_changes(inst: Institution, n: int, user=None) -> None:
    user = user or UserFactory(first_name="Мария", last_name="Георгиева")
    start = timezone.now() - datetime.timedelta(days=1)
    Change.objects.bulk_create(
        Change(
            institution=inst, user=user, action=Change.Action.CHANGED,
            at=start + datetime.timedelta(minutes=i),
            changes={"Телефони": [f"032 600 {i:03d}", f"032 600 {i + 1:03d}"]},
            reason=f"причина {i}",
        )
        for i in range(n)
    )  # fmt: skip


# --- the page -------------------------------------------------------------------------------------


def test_history_is_public_and_tells_who_when_what_and_why(client, institution):
    user = UserFactory(first_name="Мария", last_name="Георгиева")
    service = ServiceFactory(institution=institution, name="Удостоверение за наследници")
    Change.objects.create(
        institution=institution, user=user, action=Change.Action.CHANGED,
        at=datetime.datetime(2026, 11, 20, 10, 5, tzinfo=UTC),
        changes={"Телефони": ["", "032 656 711"], "Работно време": [
            "Понеделник 09:00–17:00", "Понеделник 09:00–17:30, почивка 12:00–13:00"]},
        reason="Нов телефон на деловодството",
    )  # fmt: skip
    Change.objects.create(
        institution=institution, user=None, service=service, subject=service.name,
        action=Change.Action.CREATED, at=datetime.datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
        changes={"Такса (евро)": ["", "2,50 €"]},
    )  # fmt: skip
    Change.objects.create(
        institution=institution, user=user, subject="Стара услуга",
        action=Change.Action.DELETED, at=datetime.datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        changes={"Наименование": ["Стара услуга", ""]},
    )  # fmt: skip
    response = client.get(history_url(institution))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>История на промените</h1>" in html and "Община Пловдив" in html
    assert "20.11.2026 12:05" in html  # Sofia time (UTC+2 in November)
    assert "Записът е променен" in html
    assert "Мария Георгиева" in html
    assert "Телефони" in html and "032 656 711" in html and "(празно)" in html
    assert "Понеделник 09:00–17:30, почивка 12:00–13:00" in html
    assert "Причина: Нов телефон на деловодството" in html
    assert "Добавена е услугата „Удостоверение за наследници“" in html
    assert "Изтрит потребител" in html  # the account behind the second change is gone
    assert "Премахната е услугата „Стара услуга“" in html
    assert "3 промени" in html
    # Newest first.
    assert html.index("Стара услуга") < html.index("Удостоверение за наследници")
    assert html.index("Удостоверение за наследници") < html.index("20.11.2026 12:05")
    assert 'class="stack"' in html and 'data-label="Преди"' in html
    assert "<script" not in html and ' style="' not in html


def test_deleted_account_shows_as_deleted_user(client, institution):
    user = UserFactory(first_name="Мария", last_name="Георгиева")
    make_changes(institution, 1, user=user)
    user.deleted_at = timezone.now()
    user.save()
    html = client.get(history_url(institution)).content.decode()
    assert "Изтрит потребител" in html and "Георгиева" not in html


def test_history_shows_only_this_entry(client, institution):
    make_changes(generated("ma:PDV01"), 3)
    html = client.get(history_url(institution)).content.decode()
    assert "Все още няма промени" in html and "причина" not in html


def test_history_is_paginated_fifty_a_page(client, institution):
    make_changes(institution, 120)
    html = client.get(history_url(institution)).content.decode()
    assert html.count('<h2 id="change-') == 50
    assert "120 промени" in html and "Страница 1 от 3" in html
    assert "причина 119" in html and "причина 69" not in html
    last = client.get(history_url(institution), {"page": 3}).content.decode()
    assert last.count('<h2 id="change-') == 20 and "причина 0<" in last
    assert client.get(history_url(institution), {"page": "x"}).status_code == 200


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("signed", [False, True])
def test_history_queries_do_not_grow_with_the_changes(
    client, institution, django_assert_max_num_queries, signed
):
    if signed:
        client = signed_in(UserFactory())
    make_changes(institution, 2)
    few = _queries(client, history_url(institution))
    # Many changes by many different people: still one query for the page of rows.
    for _ in range(10):
        make_changes(institution, 12, user=UserFactory())
    with django_assert_max_num_queries(few):
        client.get(history_url(institution))
    assert few <= (8 if signed else 4)


def test_history_of_an_unknown_entry_is_404(client):
    assert client.get("/directory/institutions/999999999/history/").status_code == 404


def test_history_in_english_keeps_the_record_in_bulgarian(client, institution):
    make_changes(institution, 1)
    html = client.get("/en" + history_url(institution)).content.decode()
    assert "History of changes" in html and "Телефони" in html


def test_an_edit_appears_in_the_history(institution):
    staff = UserFactory(first_name="Петър", last_name="Стоянов")
    staff_of(institution, staff)
    client = signed_in(staff)
    data = load(client, edit_url(institution))
    data["phones"] = "032 656 711"
    data["reason"] = "Сверено с деловодството"
    client.post(edit_url(institution), data)
    html = client.get(history_url(institution)).content.decode()
    assert "Петър Стоянов" in html and "032 656 711" in html
    assert "Сверено с деловодството" in html
    assert f"{timezone.localtime():%d.%m.%Y}" in html


# --- describing changes --------------------------------------------------------------------


def test_diff_keeps_only_what_differs_in_order():
    before = {"А": "1", "Б": "2", "В": ""}
    after = {"А": "1", "Б": "3", "В": "ново"}
    assert history.diff(before, after) == {"Б": ["2", "3"], "В": ["", "ново"]}
    assert history.diff(before, before) == {}
    assert history.created({"А": "1", "Б": ""}) == {"А": ["", "1"]}
    assert history.deleted({"А": "1"}) == {"А": ["1", ""]}


def test_hours_and_exceptions_as_text(institution):
    rows = [
        WorkingHours(weekday=4, opens=datetime.time(9), closes=datetime.time(16)),
        WorkingHours(
            weekday=0, opens=datetime.time(9), closes=datetime.time(17, 30),
            break_start=datetime.time(12), break_end=datetime.time(13),
        ),
    ]  # fmt: skip
    assert history.hours_text(rows) == (
        "Понеделник 09:00–17:30, почивка 12:00–13:00\nПетък 09:00–16:00"
    )
    exceptions = [
        HoursException(date=datetime.date(2026, 12, 31), closed=False,
                       opens=datetime.time(9), closes=datetime.time(12)),
        HoursException(date=datetime.date(2026, 12, 24), closed=True, note="Бъдни вечер"),
    ]  # fmt: skip
    assert history.exceptions_text(exceptions) == (
        "24.12.2026 затворено (Бъдни вечер)\n31.12.2026 09:00–12:00"
    )


def test_snapshot_is_written_in_bulgarian_whatever_the_language(institution):
    with translation.override("en"):
        snapshot = history.institution_snapshot(history.institution_values(institution), [], [])
        service = history.service_snapshot(history.service_values(ServiceFactory()))
    assert "Телефони" in snapshot and "Работно време" in snapshot
    assert "Дни с друго работно време" in snapshot
    assert service["Лично"] == "да" and service["Такса (евро)"] == "2,56 €"
