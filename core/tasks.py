"""Background tasks of the shared kernel: delivering e-mail.

Task arguments are plain JSON (strings, lists, dicts) so that the database backend can store
them; the message is rendered before it is queued and only delivered here.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.mail import EmailMultiAlternatives, get_connection
from django_tasks import task


def _build(message: Mapping[str, object]) -> EmailMultiAlternatives:
    to = message["to"]
    headers = message.get("headers") or {}
    msg = EmailMultiAlternatives(
        subject=str(message["subject"]),
        body=str(message["body"]),
        from_email=str(message["from_email"]) if message.get("from_email") else None,
        to=list(to) if isinstance(to, list | tuple) else [str(to)],
        headers=dict(headers) if isinstance(headers, dict) else {},
    )
    html = message.get("html")
    if html:
        msg.attach_alternative(str(html), "text/html")
    # Text attachments only (e.g. an event's .ics): they travel as JSON in the task.
    for filename, content, mimetype in message.get("attachments") or []:  # type: ignore[attr-defined]
        msg.attach(str(filename), str(content), str(mimetype))
    return msg


@task()
def deliver_email(
    to: list[str],
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    attachments: list[list[str]] | None = None,
) -> int:
    """Send one rendered message with Django's mail API; `attachments` are
    [filename, text, mimetype] triples."""
    message = {
        "to": to,
        "subject": subject,
        "body": body,
        "html": html,
        "headers": headers,
        "from_email": from_email,
        "attachments": attachments,
    }
    return _build(message).send()


@task()
def deliver_emails(messages: list[dict[str, object]]) -> int:
    """Send many rendered messages over one SMTP connection (notifications to many people)."""
    connection = get_connection()
    return connection.send_messages([_build(m) for m in messages]) or 0
