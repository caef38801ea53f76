"""The month calendar of events: an accessible table of weeks from Monday to Sunday with the
day names, each event listed on its days (an event of several days on each), Sofia's days
across daylight saving, previous and next months that keep the filters, a plain list of the
month below, bad months refused with a message, and a flat query count at 100 events."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import override

from events.enums import Kind, State
from tests.factories.directory import generated
from tests.factories.events import EventFactory, sofia

pytestmark = pytest.mark.django_db

URL = "events:calendar"


def html(response) -> str:
    return response.content.decode()


def cell_of(page: str, day: int) -> str:
    """The table cell of a day of the month (days of other months are written d.mm)."""
    match = re.search(
        r'<td[^>]*>\s*<span class="day-number">' + str(day) + r"(?:\s|<).*?</td>",
        page,
        re.S,
    )
    assert match, f"no cell for day {day}"
    return match.group(0)


def test_month_is_a_table_of_weeks_monday_to_sunday():
    response = Client().get(reverse(URL), {"month": "2031-12"})
    assert response.status_code == 200
    page = html(response)
    assert "<caption>" in page
    assert page.count('<th scope="col">') == 7
    # Django's own Bulgarian names of the days, abbreviated, with the full name for readers.
    heads = re.findall(r'<th scope="col"><abbr title="([^"]+)">([^<]+)</abbr></th>', page)
    assert [abbr for _name, abbr in heads] == [str(WEEKDAYS_ABBR[n]) for n in range(7)]
    assert heads[0][0] == "понеделник"
    assert heads[6][0] == "неделя"
    weeks = response.context["month"].weeks
    # December 2031 begins on a Monday and has five weeks.
    assert len(weeks) == 5
    assert weeks[0][0].date.isoformat() == "2031-12-01"
    assert all(len(w) == 7 and w[0].date.weekday() == 0 for w in weeks)


def test_events_are_listed_on_their_days_and_a_multi_day_event_on_each():
    EventFactory(
        title="Еднодневна дискусия",
        starts_at=sofia(2031, 12, 3, 10),
        ends_at=sofia(2031, 12, 3, 13),
    )
    EventFactory(
        title="Тридневно обучение",
        starts_at=sofia(2031, 12, 10, 9),
        ends_at=sofia(2031, 12, 12, 17),
    )
    EventFactory(
        title="Скрита чернова",
        state=State.DRAFT,
        starts_at=sofia(2031, 12, 5, 9),
        ends_at=sofia(2031, 12, 5, 12),
    )
    EventFactory(
        title="Отменено",
        state=State.CANCELLED,
        starts_at=sofia(2031, 12, 20, 9),
        ends_at=sofia(2031, 12, 20, 12),
    )
    page = html(Client().get(reverse(URL), {"month": "2031-12"}))
    assert "Еднодневна дискусия" in cell_of(page, 3)
    assert "10:00 Еднодневна дискусия" in cell_of(page, 3)
    for day in (10, 11, 12):
        assert "Тридневно обучение" in cell_of(page, day)
    assert "Тридневно обучение" not in cell_of(page, 13)
    assert "Скрита чернова" not in page
    assert 'class="tag tag-red"' in cell_of(page, 20)
    # The plain list below has each event once.
    listed = page.split('id="month-list"', 1)[1]
    assert listed.count("Тридневно обучение") == 1
    assert "Еднодневна дискусия" in listed


def test_an_event_spanning_two_months_shows_in_both():
    EventFactory(
        title="Новогодишен семинар", starts_at=sofia(2031, 12, 30, 9), ends_at=sofia(2032, 1, 2, 12)
    )
    december = html(Client().get(reverse(URL), {"month": "2031-12"}))
    january = html(Client().get(reverse(URL), {"month": "2032-01"}))
    assert "Новогодишен семинар" in cell_of(december, 31)
    assert "Новогодишен семинар" in cell_of(january, 2)
    assert "Новогодишен семинар" in january.split('id="month-list"', 1)[1]


def test_days_are_sofia_days_across_daylight_saving():
    # 30.03.2031: clocks go from UTC+2 to UTC+3. 23:30 in Sofia is 20:30 UTC, still that day;
    # 00:30 on the 31st is 21:30 UTC on the 30th, yet the 31st in Sofia.
    EventFactory(
        title="Късна среща",
        starts_at=sofia(2031, 3, 30, 23, 30),
        ends_at=sofia(2031, 3, 30, 23, 50),
    )
    EventFactory(
        title="Полунощна среща",
        starts_at=sofia(2031, 3, 31, 0, 30),
        ends_at=sofia(2031, 3, 31, 1, 30),
    )
    page = html(Client().get(reverse(URL), {"month": "2031-03"}))
    assert "23:30 Късна среща" in cell_of(page, 30)
    assert "Полунощна среща" not in cell_of(page, 30)
    assert "00:30 Полунощна среща" in cell_of(page, 31)


def test_previous_and_next_month_keep_the_filters():
    page = html(
        Client().get(
            reverse(URL), {"month": "2032-01", "kind": Kind.SEMINAR, "municipality": "PDV22"}
        )
    )
    prev = re.search(r'rel="prev" href="\?([^"]+)"', page).group(1)
    nxt = re.search(r'rel="next" href="\?([^"]+)"', page).group(1)
    assert "month=2031-12" in prev and "kind=seminar" in prev and "municipality=PDV22" in prev
    assert "month=2032-02" in nxt and "kind=seminar" in nxt


def test_filters_apply_to_the_calendar():
    EventFactory(
        title="Семинар в Пловдив",
        kind=Kind.SEMINAR,
        starts_at=sofia(2031, 12, 3, 10),
        ends_at=sofia(2031, 12, 3, 12),
    )
    EventFactory(
        title="Обучение във Варна",
        institution=generated("ma:VAR01"),
        province_id="VAR",
        municipality_id="VAR01",
        starts_at=sofia(2031, 12, 4, 10),
        ends_at=sofia(2031, 12, 4, 12),
    )
    page = html(Client().get(reverse(URL), {"month": "2031-12", "kind": Kind.SEMINAR}))
    assert "Семинар в Пловдив" in page and "Обучение във Варна" not in page
    page = html(Client().get(reverse(URL), {"month": "2031-12", "province": "VAR"}))
    assert "Семинар в Пловдив" not in page and "Обучение във Варна" in page


@pytest.mark.parametrize("month", ["2031-13", "12-2031", "abc", "0001-01", "9999-01"])
def test_a_bad_month_is_refused_next_to_the_field_and_this_month_is_shown(month):
    response = Client().get(reverse(URL), {"month": month})
    assert response.status_code == 200
    assert "month" in response.context["form"].errors
    page = html(response)
    assert 'class="field field-error"' in page
    assert f'value="{month}"' in page
    today = response.context["month"]
    assert today.weeks  # the current month instead


def test_without_a_month_the_current_one_is_shown_and_today_is_named():
    response = Client().get(reverse(URL))
    assert response.status_code == 200
    with override("en"):
        page = html(Client().get(reverse(URL)))
    assert '<span class="today-label">today</span>' in page


def test_empty_month_says_what_to_do():
    with override("en"):
        page = html(Client().get(reverse(URL), {"month": "2031-06"}))
    assert "No events this month." in page
    assert reverse("events:index") in page


def _month_of(n: int) -> None:
    for i in range(n):
        day = 1 + i % 28
        EventFactory(
            starts_at=sofia(2031, 11, day, 9),
            ends_at=sofia(2031, 11, min(day + 1, 30), 17),
            with_sessions=False,
        )


@pytest.mark.parametrize("rows", [3, 100])
def test_calendar_query_count_is_flat(rows, django_assert_max_num_queries):
    _month_of(rows)
    # The grid, a page of the month's list, the filters' choices, the province's organisers
    # (cached: their version and list): the same for 3 events as for 100.
    with django_assert_max_num_queries(10):
        response = Client().get(reverse(URL), {"month": "2031-11", "province": "PDV"})
    assert response.context["month"].count == rows
