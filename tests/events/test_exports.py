"""The organiser's exports: the participant list as CSV (UTF-8 with a byte-order mark, the
personal-data notice first, only this event's people) and the attendance sheet for signing as
a PDF (A4, Cyrillic names, numbered rows over several pages, "стр. 1 от 3")."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from accounts.enums import Role
from core.legal_calendar import SOFIA
from events.enums import Format, RegistrationState, State
from events.models import Attendance, Event
from events.views.attendance import csv_columns, csv_notice
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory, sofia

pytestmark = pytest.mark.django_db

EXPORTS = ["events:participants-csv", "events:attendance-sheet"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters; user ids repeat between tests


@pytest.fixture
def organiser():
    user = UserFactory()
    staff_of(generated("ma:PDV22"), user)
    return user


@pytest.fixture
def event():
    return EventFactory(title="Обучение „Застъпнически кампании“")


def people(event: Event) -> dict[str, object]:
    other = UserFactory()
    staff_of(generated("ma:PDV01"), other)
    own = UserFactory()
    staff_of(event.institution, own)
    return {
        "citizen": UserFactory(),
        "registrant": RegistrationFactory(event=event).user,
        "staff of another institution": other,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "organiser": own,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }


def content(response) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)
    return response.content


def test_permission_ladder_on_the_exports(event) -> None:
    ladder = people(event)
    for name in EXPORTS:
        url = reverse(name, args=[event.pk])
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        for role, user in ladder.items():
            response = signed_in(user).get(url)
            expected = 200 if role in {"organiser", "administrator"} else 403
            assert response.status_code == expected, (name, role)
    draft = EventFactory(state=State.DRAFT, published_at=None)
    for name in EXPORTS:
        url = reverse(name, args=[draft.pk])
        assert signed_in(ladder["citizen"]).get(url).status_code == 404, name


# --- CSV -------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    raw = content(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: spreadsheets read Cyrillic
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_the_participant_list_as_csv(organiser, event) -> None:
    ana = RegistrationFactory(
        event=event, name="Анна Димитрова", organisation_name="Сдружение „Зелен град“",
        position="председател", accessibility_needs="Достъп с инвалидна количка",
        answer="Партньорства, мрежи", organisation=None,
    )  # fmt: skip
    waiting = RegistrationFactory(event=event, name="Борис Чакащ",
                                  state=RegistrationState.WAITING)  # fmt: skip
    RegistrationFactory(event=event, name="Отказал Се", state=RegistrationState.CANCELLED)
    RegistrationFactory(event=event, name="Отхвърлен", state=RegistrationState.DECLINED)
    stranger = RegistrationFactory(name="Друго Събитие", organisation_name="Чужда организация")
    Attendance.objects.create(registration=ana, day=event.days[1])
    Attendance.objects.create(registration=ana, day=event.days[0])
    Attendance.objects.create(registration=stranger, day=stranger.event.days[0])
    type(ana).objects.filter(pk=ana.pk).update(created_at=sofia(2026, 3, 29, 12, 0))

    with translation.override("en"):
        response = signed_in(organiser).get(reverse("events:participants-csv", args=[event.pk]))
        notice, header = csv_notice(event), csv_columns()
        confirmed = gettext("confirmed")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)  # never built whole in memory
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="event-{event.pk}-participants.csv"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    rows = read_csv(response)
    assert rows[0] == [notice]
    assert "GDPR" in notice and str(event.pk) in notice
    assert rows[1] == header and len(header) == 9
    body = {r[0]: r for r in rows[2:]}
    assert set(body) == {ana.code, waiting.code}  # no one cancelled, no one else's event
    assert body[ana.code] == [
        ana.code, "Анна Димитрова", "Сдружение „Зелен град“", "председател",
        confirmed, "29.03.2026 12:00", "Достъп с инвалидна количка",
        "Партньорства, мрежи",
        f"{event.days[0]:%d.%m.%Y}, {event.days[1]:%d.%m.%Y}",
    ]  # fmt: skip
    assert body[waiting.code][-1] == ""
    everything = "\n".join(";".join(r) for r in rows)
    assert "Чужда организация" not in everything and "Друго Събитие" not in everything


def test_a_cancellation_after_checking_in_stays_in_the_list(organiser, event) -> None:
    left = RegistrationFactory(event=event, state=RegistrationState.CANCELLED)
    Attendance.objects.create(registration=left, day=event.days[0])
    rows = read_csv(signed_in(organiser).get(reverse("events:participants-csv", args=[event.pk])))
    assert [r[0] for r in rows[2:]] == [left.code]


def test_formulas_typed_by_the_public_are_neutralised(organiser, event) -> None:
    RegistrationFactory(event=event, name="=HYPERLINK(\"http://x\")", answer="+1+1",
                        organisation_name="@SUM(A1)")  # fmt: skip
    rows = read_csv(signed_in(organiser).get(reverse("events:participants-csv", args=[event.pk])))
    row = rows[2]
    assert row[1].startswith("'=") and row[2] == "'@SUM(A1)" and row[7] == "'+1+1"


def test_the_csv_query_count_is_flat(organiser, event) -> None:
    client = signed_in(organiser)
    url = reverse("events:participants-csv", args=[event.pk])
    counts = []
    for total in (3, 30):
        while event.registrations.count() < total:
            Attendance.objects.create(registration=RegistrationFactory(event=event),
                                      day=event.days[0])  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            rows = read_csv(client.get(url))
        assert len(rows) == total + 2
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- the attendance sheet (PDF) --------------------------------------------------------------


def pdf_text(response) -> tuple[list[str], int]:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(content(response)))
    return [page.extract_text() for page in reader.pages], len(reader.pages)


NAME = re.compile(r"Участник (\S+) (\d+)")


def test_the_attendance_sheet_of_sixty_participants(organiser, event) -> None:
    # Names out of order, so that the sheet's own order shows.
    for n in reversed(range(1, 61)):
        RegistrationFactory(event=event, name=f"Участник Щастливов {n:02d}",
                            organisation_name=f"Читалище „Просвета {n}“")  # fmt: skip
    RegistrationFactory(event=event, name="Участник Чакащов 99", state=RegistrationState.WAITING)
    RegistrationFactory(name="Участник Чужденец 98")
    url = reverse("events:attendance-sheet", args=[event.pk])
    client = signed_in(organiser)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(queries) < 15
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="event-{event.pk}-attendance-{event.days[0].isoformat()}.pdf"'
    )
    pages, count = pdf_text(response)
    assert count >= 2
    text = "\n".join(pages)
    assert event.title in text.replace("\n", " ")
    assert f"{event.days[0]:%d.%m.%Y}" in text  # the default day: the first
    assert "Зала „Съединение“" in text
    # Every confirmed participant once, in order of name, numbered 1 to 60, over the pages.
    names = [int(m.group(2)) for m in NAME.finditer(text)]
    assert names == list(range(1, 61))
    per_page = [len(NAME.findall(p)) for p in pages]
    assert sum(per_page) == 60 and all(per_page[:-1]), per_page
    numbers = [int(n) for n in re.findall(r"^(\d+) Участник", text, re.MULTILINE)]
    assert numbers == list(range(1, 61))  # the № column matches the order
    assert "Просвета 60" in text
    assert "Чакащов" not in text and "Чужденец" not in text
    # The footer: "стр. 1 от 3" in Bulgarian (gettext), whatever the organiser's language.
    with translation.override("bg"):
        footer = gettext("page %(page)s of %(pages)s")
    assert footer % {"page": 1, "pages": count} in pages[0]
    assert footer % {"page": count, "pages": count} in pages[-1]


def test_the_sheet_of_another_day(organiser, event) -> None:
    RegistrationFactory(event=event, name="Йордан Йорданов")
    url = reverse("events:attendance-sheet", args=[event.pk])
    response = signed_in(organiser).get(url, {"day": event.days[1].isoformat()})
    assert response.status_code == 200
    pages, _count = pdf_text(response)
    assert f"{event.days[1]:%d.%m.%Y}" in pages[0]
    assert "Йордан Йорданов" in pages[0]
    assert event.days[1].isoformat() in response["Content-Disposition"]


def test_an_online_event_without_participants(organiser) -> None:
    online = EventFactory(format=Format.ONLINE, venue="", address="",
                          starts_at=sofia(2026, 10, 25, 2, 0),
                          ends_at=sofia(2026, 10, 25, 5, 0))  # fmt: skip
    response = signed_in(organiser).get(reverse("events:attendance-sheet", args=[online.pk]))
    assert response.status_code == 200
    pages, count = pdf_text(response)
    assert count == 1
    assert "25.10.2026" in pages[0]


@pytest.mark.parametrize("day", ["outside", "2026-02-30", "first", "2026-1-5"])
def test_a_sheet_for_a_day_that_is_not_the_events(organiser, event, day) -> None:
    if day == "outside":
        day = (event.days[-1] + datetime.timedelta(days=1)).isoformat()
    with translation.override("en"):
        response = signed_in(organiser).get(
            reverse("events:attendance-sheet", args=[event.pk]), {"day": day}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("events:attendance-report", args=[event.pk])
        expected = gettext(
            "“%(day)s” is not a day of this event. Choose one of the days below."
        ) % {"day": day}
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]


def test_the_sheet_is_sorted_by_name_in_bulgarian_order(organiser, event) -> None:
    for name in ("Яна Янева", "ана Атанасова", "Ивайло Ъглев", "Юлия Юлиева", "Борис Борисов"):
        RegistrationFactory(event=event, name=name)
    from events.printing import sheet_rows

    assert [r.name for r in sheet_rows(event)] == [
        "ана Атанасова", "Борис Борисов", "Ивайло Ъглев", "Юлия Юлиева", "Яна Янева",
    ]  # fmt: skip
    assert [r.number for r in sheet_rows(event)] == [1, 2, 3, 4, 5]


def test_the_sheet_day_is_in_sofia_time(organiser) -> None:
    # Starts at 00:30 Sofia on 1 December (22:30 UTC the day before): one day, Sofia's.
    early = EventFactory(starts_at=datetime.datetime(2026, 12, 1, 0, 30, tzinfo=SOFIA),
                         ends_at=datetime.datetime(2026, 12, 1, 3, 0, tzinfo=SOFIA))  # fmt: skip
    assert early.days == [datetime.date(2026, 12, 1)]
    pages, _count = pdf_text(
        signed_in(organiser).get(reverse("events:attendance-sheet", args=[early.pk]))
    )
    assert "01.12.2026" in pages[0]


def test_the_venue_line_of_the_sheet() -> None:
    from events.printing import venue_text

    event = EventFactory(settlement_id="56784")
    with translation.override("en"):
        assert venue_text(event) == "Зала „Съединение“, пл. „Стефан Стамболов“ 1, гр. Пловдив"
        event.format = Format.HYBRID
        assert venue_text(event).endswith("гр. Пловдив, and online")
        event.format = Format.ONLINE
        assert venue_text(event) == "online"
