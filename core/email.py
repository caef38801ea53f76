"""Rendering e-mail from templates and handing it to the task queue.

Nothing sends mail in the request: `send_email` renders the message (so a template error shows
where it was made) and enqueues `core.tasks.deliver_email`. In development the console backend
prints it; in tests the task runs at once against a real SMTP server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string

from core.tasks import deliver_email, deliver_emails

# Tasks are stored as JSON; a batch is split so that one stored task stays small.
BATCH_SIZE = 200


def subject_prefix() -> str:
    return str(getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "") or "")


def render_email(
    to: str | Iterable[str],
    subject: str | None,
    template_prefix: str,
    context: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    attachments: list[tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    """The message as JSON-ready data: to, subject, body, html (or None), headers, from and
    text attachments as [filename, text, mimetype] (e.g. an event's .ics)."""
    ctx = dict(context)
    if not subject:
        subject = render_to_string(f"{template_prefix}_subject.txt", ctx)
    # A subject is one line: a header with a line break would be refused (or worse, injected).
    subject = " ".join(str(subject).split())
    body = render_to_string(f"{template_prefix}.txt", ctx).strip() + "\n"
    try:
        # Rendered by Django's templates, so every value from people is HTML-escaped.
        html: str | None = render_to_string(f"{template_prefix}.html", ctx)
    except TemplateDoesNotExist:
        html = None
    return {
        "to": [to] if isinstance(to, str) else list(to),
        "subject": subject_prefix() + subject,
        "body": body,
        "html": html,
        "headers": dict(headers or {}),
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "attachments": [list(a) for a in attachments or []],
    }


def enqueue(message: Mapping[str, Any]) -> None:
    deliver_email.enqueue(
        to=list(message["to"]),
        subject=str(message["subject"]),
        body=str(message["body"]),
        html=message.get("html"),
        headers=dict(message.get("headers") or {}),
        from_email=message.get("from_email"),
        attachments=list(message.get("attachments") or []),
    )


def enqueue_many(messages: list[dict[str, Any]]) -> None:
    """Queue many messages as few tasks (one per BATCH_SIZE messages)."""
    for start in range(0, len(messages), BATCH_SIZE):
        deliver_emails.enqueue(messages=messages[start : start + BATCH_SIZE])


def send_email(
    to: str | Iterable[str],
    subject: str | None,
    template_prefix: str,
    context: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    attachments: list[tuple[str, str, str]] | None = None,
) -> None:
    """Render `<prefix>_subject.txt` (unless `subject` is given), `<prefix>.txt` and an
    optional `<prefix>.html`, and queue the message for delivery."""
    enqueue(render_email(to, subject, template_prefix, context, headers, attachments))
