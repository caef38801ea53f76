"""Error reports ("сигнал за неточност"): the form, the e-mails, the queue, the answer."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from directory.models import ErrorReport
from directory.reports import RATE_LIMIT, handler_emails
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of

pytestmark = pytest.mark.django_db

TEXT = "Телефонът е 032 656 700, а не 032 656 701 (виж сайта на общината)."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # Staff and administrators must set up 2FA first (accounts.middleware, tested there).
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RequireTwoFactor" not in m]


@pytest.fixture
def entry():
    return generated("ma:PDV22")  # Община Пловдив


@pytest.fixture
def other_entry():
    return generated("ma:PDV01")


@pytest.fixture
def people(entry, other_entry):
    staff = UserFactory(email="staff@plovdiv.example.org")
    staff_of(entry, staff)
    other_staff = UserFactory(email="staff@asenovgrad.example.org")
    staff_of(other_entry, other_staff)
    return {
        "citizen": UserFactory(email="citizen@example.org"),
        "staff": staff,
        "other_staff": other_staff,
        "moderator": RoleAssignmentFactory(
            role=Role.MODERATOR, user=UserFactory(email="moderator@example.org")
        ).user,
        "administrator": RoleAssignmentFactory(
            role=Role.ADMINISTRATOR, user=UserFactory(email="admin@example.org")
        ).user,
    }


def report_url(institution):
    return reverse("directory:report", args=[institution.pk])


def handle_url(report):
    return reverse("directory:report-handle", args=[report.pk])


QUEUE = reverse("directory:reports")


def make_report(institution, **kwargs):
    values = {"part": ErrorReport.Part.CONTACTS, "text": TEXT, **kwargs}
    return ErrorReport.objects.create(institution=institution, **values)


def send(client, institution, data, capture):
    with capture(execute=True):
        return client.post(report_url(institution), data)


# --- The form ------------------------------------------------------------------------------


def test_form_asks_which_part_what_it_should_say_and_an_email(client, entry):
    response = client.get(report_url(entry))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Община Пловдив" in html
    for part in ErrorReport.Part.values:
        assert f'value="{part}"' in html
    assert 'name="text"' in html and 'maxlength="2000"' in html
    assert 'name="email"' in html
    assert re.search(r'<div hidden>.*name="website"', html, re.S)  # the honeypot
    assert "<fieldset" in html and "<legend>" in html


def test_anonymous_report_goes_to_staff_and_moderators_one_message_each(
    client, entry, people, mailbox, django_capture_on_commit_callbacks
):
    second_moderator = RoleAssignmentFactory(role=Role.MODERATOR).user
    revoked = UserFactory(email="former@plovdiv.example.org")
    staff_of(entry, revoked).revoke()
    inactive = RoleAssignmentFactory(
        role=Role.MODERATOR, user=UserFactory(email="gone@example.org", is_active=False)
    ).user
    response = send(
        client,
        entry,
        {"part": "contacts", "text": TEXT, "email": "ivana@example.org"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert response["Location"] == report_url(entry) + "?sent=1&answer=1"
    report = ErrorReport.objects.get(institution=entry)
    assert (report.part, report.text, report.status) == ("contacts", TEXT, "new")
    assert report.reporter is None and report.reporter_email == "ivana@example.org"

    messages = mailbox.messages
    recipients = sorted(str(m["To"]) for m in messages)
    assert recipients == sorted(
        [people["staff"].email, people["moderator"].email, second_moderator.email]
    )
    assert revoked.email not in recipients and inactive.email not in recipients
    for message in messages:
        assert "Община Пловдив" in message["Subject"]
        body = mailbox.body(message)
        assert TEXT in body
        assert f"/directory/reports/{report.pk}/" in body
        raw = message.as_string()
        assert "ivana@example.org" not in raw  # nothing about the reporter but the text
        assert message["Cc"] is None and message["Bcc"] is None


def test_thank_you_page_says_who_handles_it(client, entry):
    html = client.get(report_url(entry) + "?sent=1&answer=1").content.decode()
    assert "Община Пловдив" in html and "модератори" in html
    assert "по имейл" in html
    html = client.get(report_url(entry) + "?sent=1&answer=0").content.decode()
    assert "няма да получите отговор" in html


def test_signed_in_person_is_not_asked_for_an_email(
    client, entry, people, django_capture_on_commit_callbacks
):
    citizen = people["citizen"]
    client.force_login(citizen)
    html = client.get(report_url(entry)).content.decode()
    assert 'name="email"' not in html and citizen.email in html
    response = send(
        client,
        entry,
        {"part": "hours", "text": TEXT, "email": "other@example.org"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302 and response["Location"].endswith("answer=1")
    report = ErrorReport.objects.get(institution=entry)
    assert report.reporter == citizen and report.reporter_email == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": TEXT}, "part", "Изберете коя част от записа е грешна."),
        ({"part": "contacts", "text": "   "}, "text", "Напишете какво трябва да пише."),
        ({"part": "contacts", "text": "я" * 2001}, "text", "най-много 2000 знака (написахте 2001)"),
        ({"part": "nonsense", "text": TEXT}, "part", "Изберете една от показаните възможности."),
        ({"part": "contacts", "text": TEXT, "email": "ivana@"}, "email", "name@example.bg"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(
    client, entry, mailbox, data, field, message, django_capture_on_commit_callbacks
):
    response = send(client, entry, data, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert 'class="error-summary"' in html
    if data.get("text", "").strip():
        assert data["text"] in html  # what was typed is kept
    if data.get("email"):
        assert f'value="{data["email"]}"' in html
    assert not ErrorReport.objects.exists()
    assert mailbox.messages == []


def test_a_bot_filling_the_honeypot_is_thanked_but_nothing_is_kept(
    client, entry, people, mailbox, django_capture_on_commit_callbacks
):
    response = send(
        client,
        entry,
        {"part": "contacts", "text": TEXT, "website": "http://spam.example"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302 and "sent=1" in response["Location"]
    assert not ErrorReport.objects.exists()
    assert mailbox.messages == []


def test_rate_limit_keeps_what_was_typed(client, entry, django_capture_on_commit_callbacks):
    data = {"part": "other", "text": TEXT}
    for _ in range(RATE_LIMIT):
        assert send(client, entry, data, django_capture_on_commit_callbacks).status_code == 302
    response = send(client, entry, data, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    html = response.content.decode()
    assert "последния час" in html and TEXT in html
    assert ErrorReport.objects.count() == RATE_LIMIT


def test_unknown_institution_is_404(client):
    assert client.get(reverse("directory:report", args=[10**9])).status_code == 404
    assert client.get(reverse("directory:report", args=[2**64])).status_code == 404


def test_handler_emails_is_one_query_whatever_the_number_of_people(entry, people):
    for _ in range(5):
        RoleAssignmentFactory(role=Role.MODERATOR)
    with CaptureQueriesContext(connection) as ctx:
        emails = handler_emails(entry)
    assert len(ctx) <= 2  # the content type may be looked up once
    assert people["staff"].email in emails and people["other_staff"].email not in emails
    assert len(emails) == len(set(emails)) == 7


# --- The queue -----------------------------------------------------------------------------


def test_queue_permission_ladder(client, entry, other_entry, people):
    mine = make_report(entry)
    theirs = make_report(other_entry)
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def seen(person):
        client.force_login(person)
        response = client.get(QUEUE)
        if response.status_code != 200:
            return response.status_code
        return {r.pk for r in response.context["page_obj"]}

    assert seen(people["citizen"]) == 403
    assert seen(people["staff"]) == {mine.pk}
    assert seen(people["other_staff"]) == {theirs.pk}
    assert seen(people["moderator"]) == {mine.pk, theirs.pk}
    assert seen(people["administrator"]) == {mine.pk, theirs.pk}
    councillor = RoleAssignmentFactory(role=Role.COUNCILLOR, scope=entry).user
    assert seen(councillor) == {mine.pk}


def test_queue_filters_by_status_new_by_default(client, entry, people):
    new = make_report(entry)
    accepted = make_report(entry, status="accepted", answer="Поправено.")
    rejected = make_report(entry, status="rejected", answer="Телефонът е верен.")
    client.force_login(people["moderator"])

    def listed(**params):
        return [r.pk for r in client.get(QUEUE, params).context["page_obj"]]

    assert listed() == [new.pk]
    assert listed(status="accepted") == [accepted.pk]
    assert listed(status="rejected") == [rejected.pk]
    assert set(listed(status="all")) == {new.pk, accepted.pk, rejected.pk}
    assert listed(status="bogus") == [new.pk]
    html = client.get(QUEUE).content.decode()
    assert "Нови (1)" in html and "Приети (1)" in html and "Отхвърлени (1)" in html
    assert TEXT[:40] in html
    assert 'aria-current="page"' in html


def test_queue_empty_state(client, people):
    client.force_login(people["staff"])
    html = client.get(QUEUE).content.decode()
    assert "Няма сигнали, които чакат отговор" in html


def test_queue_is_paginated_with_a_constant_number_of_queries(client, entry, other_entry, people):
    client.force_login(people["moderator"])

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(QUEUE, params).status_code == 200
        return len(ctx)

    make_report(entry)
    few = count()
    ErrorReport.objects.bulk_create(
        [
            ErrorReport(institution=e, part="other", text=f"Грешка {i}")
            for i in range(40)
            for e in (entry, other_entry)
        ]
    )
    assert count() == few
    assert count(page=2) == few
    response = client.get(QUEUE, {"page": 2})
    assert len(response.context["page_obj"]) == 25
    assert 'rel="prev"' in response.content.decode()


# --- Handling a report ---------------------------------------------------------------------


def test_handle_permission_ladder(client, entry, people):
    report = make_report(entry, reporter_email="ivana@example.org")
    url = handle_url(report)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    expected = {
        "citizen": 403,
        "staff": 200,
        "other_staff": 403,
        "moderator": 200,
        "administrator": 200,
    }
    for name, status in expected.items():
        client.force_login(people[name])
        assert client.get(url).status_code == status, name
        assert client.post(url, {"status": "accepted"}).status_code in (
            {302} if status == 200 else {403}
        ), name
    assert client.get(reverse("directory:report-handle", args=[10**9])).status_code == 404


def test_the_permission_itself(entry, other_entry, people):
    report = make_report(entry)
    perm = "directory.handle_errorreport"
    assert not AnonymousUser().has_perm(perm, report)
    assert not people["citizen"].has_perm(perm, report)
    assert people["staff"].has_perm(perm, report)
    assert not people["other_staff"].has_perm(perm, report)
    assert people["moderator"].has_perm(perm, report)
    assert people["administrator"].has_perm(perm, report)


def test_reporter_email_is_shown_only_on_the_handle_page(client, entry, people):
    report = make_report(entry, reporter_email="ivana@example.org")
    client.force_login(people["moderator"])
    assert "ivana@example.org" in client.get(handle_url(report)).content.decode()
    assert "ivana@example.org" not in client.get(QUEUE).content.decode()
    assert "ivana@example.org" not in client.get(entry.get_absolute_url()).content.decode()


def test_rejecting_needs_an_answer(client, entry, people):
    report = make_report(entry, reporter_email="ivana@example.org")
    client.force_login(people["staff"])
    response = client.post(handle_url(report), {"status": "rejected", "answer": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Напишете защо отхвърляте сигнала" in html
    assert 'id="id_answer_error"' in html
    report.refresh_from_db()
    assert report.status == "new" and report.answered_at is None
    response = client.post(handle_url(report), {"answer": "Без решение"})
    assert response.status_code == 400
    assert "Без решение" in response.content.decode()  # kept


def test_accepting_records_who_and_when_and_mails_the_reporter(
    client, entry, people, mailbox, django_capture_on_commit_callbacks
):
    report = make_report(entry, reporter_email="ivana@example.org")
    client.force_login(people["staff"])
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            handle_url(report), {"status": "accepted", "answer": "Поправихме телефона."}
        )
    assert response.status_code == 302 and response["Location"] == handle_url(report)
    report.refresh_from_db()
    assert report.status == "accepted" and report.answer == "Поправихме телефона."
    assert report.answered_by == people["staff"] and report.answered_at >= before
    [message] = mailbox.to("ivana@example.org")
    body = mailbox.body(message)
    assert "приет" in body and "Поправихме телефона." in body and TEXT in body
    assert "Община Пловдив" in message["Subject"]
    assert "staff@plovdiv.example.org" not in message.as_string()
    page = client.get(handle_url(report)).content.decode()
    assert "Поправихме телефона." in page and "изпратен" in page


def test_the_answer_goes_to_the_account_of_a_signed_in_reporter(
    client, entry, people, mailbox, django_capture_on_commit_callbacks
):
    report = make_report(entry, reporter=people["citizen"])
    client.force_login(people["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(handle_url(report), {"status": "rejected", "answer": "Данните са верни."})
    [message] = mailbox.to(people["citizen"].email)
    assert "отхвърлен" in mailbox.body(message) and "Данните са верни." in mailbox.body(message)


def test_no_address_no_mail_and_an_answer_can_be_changed(
    client, entry, people, mailbox, django_capture_on_commit_callbacks
):
    report = make_report(entry)
    client.force_login(people["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            handle_url(report), {"status": "accepted", "answer": ""}, follow=True
        )
    assert "не е оставил имейл" in response.content.decode()
    assert mailbox.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(handle_url(report), {"status": "rejected", "answer": "Всъщност е вярно."})
    report.refresh_from_db()
    assert report.status == "rejected" and report.answer == "Всъщност е вярно."
    html = client.get(handle_url(report)).content.decode()
    assert "Промяна на отговора" in html
    assert re.search(r'<input[^>]*value="rejected"[^>]*checked', html)


def test_an_unchanged_answer_is_not_sent_again(
    client, entry, people, mailbox, django_capture_on_commit_callbacks
):
    report = make_report(entry, reporter_email="ivana@example.org")
    client.force_login(people["moderator"])
    data = {"status": "accepted", "answer": "Поправено."}
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(handle_url(report), data)
    assert len(mailbox.to("ivana@example.org")) == 1


# --- The public outcome on the institution's page -----------------------------------------


def test_institution_page_shows_counts_with_one_query_and_no_reporter_data(client, entry, people):
    url = entry.get_absolute_url()
    html = client.get(url).content.decode()
    assert report_url(entry) in html and "Съобщете за грешка в този запис" in html
    assert "Няма съобщения за грешки в този запис." in html

    def report_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        table = ErrorReport._meta.db_table
        return response.content.decode(), [q for q in ctx if table in q["sql"]], len(ctx)

    make_report(entry, reporter_email="ivana@example.org", text="Тайният текст на сигнала")
    _, queries, few = report_queries()
    assert len(queries) == 1
    for _ in range(2):
        make_report(entry, reporter=people["citizen"])
    make_report(entry, status="accepted", answer="Поправено.")
    make_report(entry, status="rejected", answer="Вярно е.")
    make_report(generated("ma:PDV01"))  # another entry's report is not counted
    html, queries, many = report_queries()
    assert len(queries) == 1 and many == few
    assert "3 чакат отговор" in html
    assert "1 приет" in html and "1 отхвърлен" in html
    for private in ("ivana@example.org", people["citizen"].email, "Тайният текст", "Поправено."):
        assert private not in html
