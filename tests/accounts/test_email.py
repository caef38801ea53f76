"""E-mail goes through the task queue and arrives at a real SMTP server."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from core.email import send_email
from tests.conftest import Mailbox


@pytest.mark.django_db
def test_signup_sends_verification_email_through_task(client, mailbox):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nova@example.org",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    messages = mailbox.to("nova@example.org")
    assert len(messages) == 1
    body = Mailbox.body(messages[0])
    assert "[Електронен регион]" in str(messages[0]["Subject"])
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", body)
    assert link, body
    # The link works: GET shows a confirmation form, POST confirms.
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert "Потвърдете" in page.content.decode()
    client.post("/" + path)
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="nova@example.org").verified


@pytest.mark.django_db
def test_password_reset_email_arrives(client, mailbox, user):
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mailbox.to(user.email)) == 1


@pytest.mark.django_db
def test_send_email_renders_text_and_escaped_html(mailbox):
    send_email(
        "someone@example.org",
        "Проба <b>",
        "accounts/email/notification",
        {
            "title": "<script>x</script>",
            "url": "http://x/",
            "summary": "",
            "kind": {"label": "k"},
            "unsubscribe_url": "http://x/u",
            "preferences_url": "http://x/p",
        },
    )
    (msg,) = mailbox.to("someone@example.org")
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>x</script>" in Mailbox.body(msg)  # plain text is not HTML


@pytest.mark.django_db(transaction=True)
def test_email_task_runs_in_database_worker(mailbox):
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        from django_tasks_db.models import DBTaskResult

        send_email(
            "worker@example.org",
            "Проба",
            "accounts/email/notification",
            {
                "title": "Проба",
                "url": "http://x/",
                "summary": "",
                "kind": {"label": "k"},
                "unsubscribe_url": "http://x/u",
                "preferences_url": "http://x/p",
            },
        )
        assert DBTaskResult.objects.count() == 1
        assert mailbox.to("worker@example.org") == []  # queued, not sent
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--queue-name",
            "*",
            "--no-reload",
            verbosity=0,
        )
    assert len(mailbox.to("worker@example.org")) == 1
