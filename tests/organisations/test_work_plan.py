"""The work plan of a network: tasks and who may change them, bad input, every change kept,
concurrent edits, the table and the SVG timeline, the iCal feed, overdue e-mails."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from organisations import networks as services
from organisations import timeline
from organisations.models import Task, TaskChange
from tests.conftest import Mailbox
from tests.factories.accounts import UserFactory
from tests.factories.organisations import (
    MembershipFactory,
    OrganisationFactory,
    TaskFactory,
    representative_of,
)
from tests.organisations.test_networks import LADDER, Family, _fresh_cache, _refused, make_family

pytestmark = pytest.mark.django_db
__all__ = ["_fresh_cache"]

TODAY = services.today()
HOST = urlsplit(settings.SITE_URL).hostname
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def family() -> Family:
    return make_family()


def overdue_word() -> str:
    return gettext("Overdue")


def task_data(family: Family, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Анализ на проектобюджета на община Пазарджик",
        "area": family.network.areas.get().pk,
        "responsible": family.member_org.pk,
        "starts_on": (TODAY - datetime.timedelta(days=10)).isoformat(),
        "due_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "status": "in-progress",
        "progress": "40",
        "notes": "Съвместно с читалищата",
    }
    data.update(changes)
    return data


def create_url(family: Family) -> str:
    return reverse("organisations:task-create", args=[family.network.pk])


# --- adding and changing tasks ---------------------------------------------------------------


@pytest.mark.parametrize("role", LADDER)
def test_add_task_ladder(family: Family, role: str):
    response = family.client(role).post(create_url(family), task_data(family))
    if role in ("coordinator", "administrator"):
        assert response.status_code == 302
        assert family.network.tasks.count() == 1
    else:
        assert _refused(response)
        assert not Task.objects.exists()


@pytest.mark.parametrize("role", LADDER)
def test_edit_task_ladder(family: Family, role: str):
    task = TaskFactory(network=family.network, title="Старо заглавие")
    url = reverse("organisations:task-edit", args=[task.pk])
    response = family.client(role).post(url, task_data(family, title="Ново", version="1"))
    task.refresh_from_db()
    if role in ("coordinator", "administrator"):
        assert response.status_code == 302
        assert task.title == "Ново"
    else:
        assert _refused(response)
        assert task.title == "Старо заглавие"


def test_adding_a_task_records_it_in_the_history(family: Family):
    client = family.client("coordinator")
    response = client.post(create_url(family), task_data(family))
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:network-plan", args=[family.network.pk])
    task = Task.objects.get()
    assert task.progress == 40 and task.responsible == family.member_org
    change = TaskChange.objects.get()
    assert change.action == "created"
    assert change.user == family.people["coordinator"]
    assert change.changes["title"] == ["", task.title]


def test_marking_done_is_kept_in_the_public_history(family: Family):
    client = family.client("coordinator")
    client.post(create_url(family), task_data(family))
    task = Task.objects.get()
    url = reverse("organisations:task-edit", args=[task.pk])
    page = client.get(url)
    assert page.context["form"].initial["version"] == 1
    client.post(url, task_data(family, status="done", progress="60", version="1"))
    task.refresh_from_db()
    assert task.status == "done"
    assert task.progress == 100  # done means done
    assert task.version == 2
    change = TaskChange.objects.filter(action="changed").get()
    assert change.changes["status"] == ["in-progress", "done"]
    assert change.changes["progress"] == ["40", "100"]

    history = Client().get(reverse("organisations:network-history", args=[family.network.pk]))
    assert history.status_code == 200
    html = history.content.decode()
    assert task.title in html
    assert str(Task.Status.DONE.label) in html
    assert "Мария Примерова" in html


def test_saving_unchanged_saves_nothing(family: Family):
    task = TaskFactory(network=family.network, title="Задача", due_on=TODAY)
    data = task_data(family, title="Задача", version="1")
    client = family.client("coordinator")
    client.post(reverse("organisations:task-edit", args=[task.pk]), data)
    count = TaskChange.objects.count()
    client.post(reverse("organisations:task-edit", args=[task.pk]), data | {"version": "2"})
    assert TaskChange.objects.count() == count
    task.refresh_from_db()
    assert task.version == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"due_on": (TODAY - datetime.timedelta(days=20)).isoformat()}, "due_on"),
        ({"progress": "101"}, "progress"),
        ({"progress": "-5"}, "progress"),
        ({"progress": "много"}, "progress"),
        ({"due_on": "31.02.2027"}, "due_on"),
        ({"due_on": ""}, "due_on"),
        ({"status": "lost"}, "status"),
    ],
)
def test_bad_input_is_marked_at_the_field_and_nothing_saved(family: Family, changes, field):
    response = family.client("coordinator").post(create_url(family), task_data(family, **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field], form.errors
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'id="id_{field}_error"' in html  # the message is next to the field
    assert "Съвместно с читалищата" in html  # what was typed is kept
    assert not Task.objects.exists()
    assert not TaskChange.objects.exists()


def test_responsible_must_be_a_member(family: Family):
    response = family.client("coordinator").post(
        create_url(family), task_data(family, responsible=family.outsider_org.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["responsible"]
    assert not Task.objects.exists()


def test_area_must_be_the_networks(family: Family):
    other = make_family()
    response = family.client("coordinator").post(
        create_url(family), task_data(family, area=other.network.areas.get().pk)
    )
    assert response.context["form"].errors["area"]


def test_model_constraints_hold_even_without_the_form(family: Family):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(
            network=family.network, starts_on=TODAY, due_on=TODAY - datetime.timedelta(days=1)
        )


def test_concurrent_edits_show_the_difference_and_save_nothing(family: Family):
    task = TaskFactory(network=family.network, title="Общо заглавие", due_on=TODAY)
    url = reverse("organisations:task-edit", args=[task.pk])
    first = family.client("coordinator")
    second = family.client("administrator")
    # Both open the form at version 1.
    first.get(url)
    second.get(url)
    first.post(url, task_data(family, title="Заглавието на първия", version="1"))
    response = second.post(url, task_data(family, title="Заглавието на втория", version="1"))
    assert response.status_code == 200
    conflict = response.context["conflict"]
    assert conflict is not None
    assert conflict.who == "Мария Примерова"
    assert ("Заглавие", "Заглавието на първия", "Заглавието на втория") in conflict.rows or any(
        row[1] == "Заглавието на първия" and row[2] == "Заглавието на втория"
        for row in conflict.rows
    )
    html = response.content.decode()
    assert "Заглавието на втория" in html  # the second person's text is kept
    task.refresh_from_db()
    assert task.title == "Заглавието на първия"
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert response.context["form"].data["version"] == "2"
    second.post(url, task_data(family, title="Заглавието на втория", version="2"))
    task.refresh_from_db()
    assert task.title == "Заглавието на втория"
    assert task.version == 3


# --- the plan: table and timeline ------------------------------------------------------------


def _plan(family: Family):
    overdue = TaskFactory(
        network=family.network,
        title="Просрочена проверка на отчетите",
        starts_on=TODAY - datetime.timedelta(days=60),
        due_on=TODAY - datetime.timedelta(days=5),
        status="in-progress",
        progress=30,
    )
    done_late = TaskFactory(
        network=family.network,
        title="Завършена кампания",
        due_on=TODAY - datetime.timedelta(days=40),
        status="done",
        progress=100,
    )
    future = TaskFactory(
        network=family.network,
        title="Обучение „Партньорства и работа в мрежа“",
        starts_on=TODAY,
        due_on=TODAY + datetime.timedelta(days=90),
        responsible=family.member_org,
    )
    return overdue, done_late, future


def test_plan_is_public_with_table_and_timeline(family: Family):
    overdue, done_late, future = _plan(family)
    response = Client().get(reverse("organisations:network-plan", args=[family.network.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<table" in html
    # Overdue in the table: in words, only for the overdue task.
    row = re.search(rf'<tr id="task-{overdue.pk}" class="overdue">(.*?)</tr>', html, re.S)
    assert row and overdue_word() in row.group(1)
    done_row = re.search(rf'<tr id="task-{done_late.pk}">(.*?)</tr>', html, re.S)
    assert done_row and overdue_word() not in done_row.group(1)

    svg_text = re.search(
        r"(<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"plan\".*?</svg>)", html, re.S
    )
    assert svg_text
    svg = ET.fromstring(svg_text.group(1))  # noqa: S314 - our own page
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    groups = svg.findall(f"{SVG}g")
    assert len(groups) == 3
    titles = [g.find(f"{SVG}title").text for g in groups]
    assert any(future.title in t for t in titles)
    marked = [g for g in groups if "overdue" in g.get("class", "")]
    assert len(marked) == 1
    bar = marked[0]
    # Not colour alone: hatched AND labelled in words.
    assert bar.find(f"{SVG}rect").get("fill") == "url(#plan-hatch)"
    assert overdue_word() in bar.find(f"{SVG}text").text
    assert svg.find(f".//{SVG}pattern").get("id") == "plan-hatch"
    # No style attributes (strict CSP).
    assert "style=" not in svg_text.group(1)


def test_timeline_bars_span_start_to_due():
    tasks = [
        Task(
            pk=1, title="А", starts_on=datetime.date(2027, 1, 1), due_on=datetime.date(2027, 1, 31)
        ),
        Task(pk=2, title="Б", starts_on=None, due_on=datetime.date(2027, 3, 15)),
    ]
    drawn = timeline.build(tasks, datetime.date(2027, 2, 1))
    assert drawn.first == datetime.date(2027, 1, 1)
    assert drawn.last == datetime.date(2027, 4, 1)
    first, second = drawn.bars
    assert first.x == pytest.approx(drawn.x_of(datetime.date(2027, 1, 1)), abs=0.1)
    assert first.x + first.width == pytest.approx(drawn.x_of(datetime.date(2027, 2, 1)), abs=0.2)
    assert second.width >= 4  # a milestone without a start is still visible
    assert first.overdue is True and second.overdue is False  # due 31.01, seen on 01.02
    assert timeline.build(tasks, datetime.date(2027, 3, 20)).bars[1].overdue


def test_titles_are_escaped_in_the_timeline(family: Family):
    TaskFactory(network=family.network, title='<script>alert("x")</script> & „кавички“')
    html = Client().get(reverse("organisations:network-plan", args=[family.network.pk])).content
    assert b"<script>alert" not in html
    assert b"&lt;script&gt;" in html


def test_table_view_has_no_drawing(family: Family):
    _plan(family)
    url = reverse("organisations:network-plan", args=[family.network.pk])
    html = Client().get(url, {"view": "table"}).content.decode()
    assert 'id="plan"' not in html and "<table" in html
    assert Client().get(url, {"view": "nonsense"}).status_code == 200


def test_empty_plan_says_what_to_do(family: Family):
    response = family.client("coordinator").get(
        reverse("organisations:network-plan", args=[family.network.pk])
    )
    assert response.status_code == 200
    assert (
        reverse("organisations:task-create", args=[family.network.pk]) in response.content.decode()
    )


def test_plan_and_history_queries_do_not_grow():
    counts = []
    for size in (2, 25):
        fam = make_family(members=3)
        area = fam.network.areas.get()
        client = fam.client("coordinator")
        for n in range(size):
            services.save_task(
                user=fam.people["coordinator"],
                network=fam.network,
                task=None,
                data={
                    "title": f"Задача {n}",
                    "area": area,
                    "responsible": fam.member_org,
                    "due_on": TODAY + datetime.timedelta(days=n - 5),
                    "status": "planned",
                    "progress": 0,
                    "notes": "",
                },
            )
        row = []
        for name in ("organisations:network-plan", "organisations:network-history"):
            url = reverse(name, args=[fam.network.pk])
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            row.append(len(ctx))
        with CaptureQueriesContext(connection) as ctx:
            Client().get(reverse("organisations:network-plan-ics", args=[fam.network.pk]))
        row.append(len(ctx))
        counts.append(row)
    assert counts[0] == counts[1], counts


# --- the iCal feed ---------------------------------------------------------------------------


def _unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    lines: list[str] = []
    for raw in text.split("\r\n"):
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _events(text: str) -> list[dict[str, str]]:
    events, current = [], None
    for line in _unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def test_ical_feed_of_the_deadlines(family: Family):
    long_title = "Обществено обсъждане; бюджет, 2027 – " + "много дълго заглавие " * 6
    task = TaskFactory(
        network=family.network,
        title=long_title.strip(),
        due_on=datetime.date(2027, 3, 31),
        notes="Ред 1\nРед 2, със запетая",
        responsible=family.member_org,
    )
    cancelled = TaskFactory(
        network=family.network, status="cancelled", due_on=datetime.date(2027, 4, 1)
    )
    response = Client().get(reverse("organisations:network-plan-ics", args=[family.network.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    for raw in text.split("\r\n"):
        assert len(raw.encode("utf-8")) <= 75
    lines = _unfold(text)
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events = _events(text)
    assert len(events) == 2
    event = next(e for e in events if e["UID"] == f"network-task-{task.pk}@{HOST}")
    assert event["DTSTART;VALUE=DATE"] == "20270331"
    assert event["DTEND;VALUE=DATE"] == "20270401"
    assert _unescape(event["SUMMARY"]) == task.title
    description = _unescape(event["DESCRIPTION"])
    assert "Ред 2, със запетая" in description and family.member_org.name in description
    assert event["STATUS"] == "CONFIRMED"
    assert (
        next(e for e in events if e["UID"].startswith(f"network-task-{cancelled.pk}@"))["STATUS"]
        == "CANCELLED"
    )
    # The UID stays the same when the task changes.
    services.save_task(
        user=family.people["coordinator"],
        network=family.network,
        task=task,
        data={"due_on": datetime.date(2027, 4, 15)},
    )
    again = _events(
        Client()
        .get(reverse("organisations:network-plan-ics", args=[family.network.pk]))
        .content.decode()
    )
    moved = next(e for e in again if e["UID"] == f"network-task-{task.pk}@{HOST}")
    assert moved["DTSTART;VALUE=DATE"] == "20270415"
    assert moved["SEQUENCE"] == "2"


# --- overdue e-mails -------------------------------------------------------------------------


def test_coordinators_hear_once_about_tasks_that_became_overdue(family: Family, mailbox: Mailbox):
    second = UserFactory(email="second-coordinator@ngo.example.org")
    representative_of(family.coordinator_org, second)
    overdue, done_late, future = _plan(family)
    other = make_family()
    TaskFactory(network=other.network, due_on=TODAY + datetime.timedelta(days=3))

    call_command("check_overdue_tasks", verbosity=0)
    coordinator = family.people["coordinator"]
    assert len(mailbox.to(coordinator.email)) == 1
    assert len(mailbox.to(second.email)) == 1
    body = Mailbox.body(mailbox.to(coordinator.email)[0])
    assert overdue.title in body
    assert done_late.title not in body and future.title not in body
    assert not mailbox.to(family.people["member representative"].email)
    assert not mailbox.to(other.people["coordinator"].email)
    overdue.refresh_from_db()
    assert overdue.overdue_notified_at is not None

    mailbox.clear()
    call_command("check_overdue_tasks", verbosity=0)
    assert not mailbox.messages  # once per task

    # A new deadline that passes again is reported again.
    services.save_task(
        user=coordinator,
        network=family.network,
        task=overdue,
        data={"due_on": TODAY - datetime.timedelta(days=1)},
    )
    call_command("check_overdue_tasks", verbosity=0)
    assert len(mailbox.to(coordinator.email)) == 1


def test_overdue_counts_in_sofia_time(family: Family):
    # Today read now, not at import: a run may cross Sofia's midnight (22:00 UTC in winter).
    today = services.today()
    task = TaskFactory(network=family.network, due_on=today)
    assert not task.is_overdue(services.today())
    assert task.is_overdue(today + datetime.timedelta(days=1))


def test_demo_guard_for_members_of_tasks(family: Family):
    member = OrganisationFactory()
    MembershipFactory(network=family.network, organisation=member, status="left")
    response = family.client("coordinator").post(
        create_url(family), task_data(family, responsible=member.pk)
    )
    assert response.context["form"].errors["responsible"]
