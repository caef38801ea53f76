from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from accounts.notifications import send_digests


@task()
def send_digests_task(frequency: str) -> list[int]:
    """Scheduled daily and weekly (by cron or a scheduler calling `manage.py send_digests`)."""
    people, items = send_digests(frequency)
    return [people, items]


@task()
def purge_sessions(user_id: int) -> int:
    """Delete the stored sessions of a deleted account (they are opaque to SQL: decode each)."""
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id)
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)
