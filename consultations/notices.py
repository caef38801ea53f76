"""Telling followers about consultations: when one opens and three days before it closes.

Run by cron (`manage.py notify_consultations`, every few minutes after
`advance_consultations`). Each notice goes once: a `Notice` row is written in the same
transaction as the notices are queued, so a second run (or two at once) sends nothing again,
and a failure leaves the notice for the next run. Who hears of it and how (an e-mail at once,
a daily or weekly digest, nothing) is accounts.notifications' business: see
consultations/following.py for what people follow to hear of a consultation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.notifications import notify
from consultations.enums import State
from consultations.following import CLOSING, OPENED
from consultations.models import Consultation, Notice
from core.legal_calendar import SOFIA

# "Three days before it closes": sent once the last day is at most this many days away.
CLOSING_NOTICE_DAYS = 3


@dataclass
class Sent:
    opened: int = 0
    closing: int = 0


def consultation_url(consultation: Consultation) -> str:
    try:
        return consultation.get_absolute_url()
    except NoReverseMatch:  # the public pages are not wired yet: the path they will have
        return f"/consultations/{consultation.pk}/"


def _texts(consultation: Consultation, kind: str) -> tuple[str, str]:
    """(title, summary) of the notice, in the portal's language."""
    with override(settings.LANGUAGE_CODE):
        last_day = (
            formats.date_format(consultation.closes_on, "j E Y") if consultation.closes_on else ""
        )
        if kind == Notice.Kind.OPENED:
            title = _("Public consultation opened: %(title)s") % {"title": consultation.title}
        else:
            title = _("Public consultation closing on %(day)s: %(title)s") % {
                "day": last_day,
                "title": consultation.title,
            }
        summary = _("%(institution)s invites comments until %(day)s (23:59).") % {
            "institution": consultation.institution.name_bg,
            "day": last_day,
        }
    return title, summary


def send_notice(consultation: Consultation, kind: str) -> bool:
    """Tell the followers once; False when this notice had already gone."""
    news_kind = OPENED if kind == Notice.Kind.OPENED else CLOSING
    try:
        with transaction.atomic():
            # The unique (consultation, kind) row is taken first: a concurrent run fails here
            # and rolls back instead of sending the same notice twice.
            Notice.objects.create(consultation=consultation, kind=kind)
            title, summary = _texts(consultation, kind)
            notify(consultation, news_kind, title, consultation_url(consultation), summary)
    except IntegrityError:
        return False
    return True


def due_opened() -> list[Consultation]:
    sent = Notice.objects.filter(kind=Notice.Kind.OPENED).values("consultation_id")
    return list(
        Consultation.objects.filter(state=State.OPEN)
        .exclude(pk__in=sent)
        .select_related("institution")
        .prefetch_related("topics")
        .order_by("pk")
    )


def due_closing(today: datetime.date) -> list[Consultation]:
    sent = Notice.objects.filter(kind=Notice.Kind.CLOSING).values("consultation_id")
    return list(
        Consultation.objects.filter(
            state=State.OPEN,
            closes_on__gte=today,
            closes_on__lte=today + datetime.timedelta(days=CLOSING_NOTICE_DAYS),
        )
        .exclude(pk__in=sent)
        .select_related("institution")
        .prefetch_related("topics")
        .order_by("pk")
    )


def send_due_notices(now: datetime.datetime | None = None) -> Sent:
    """Every notice that is due and not yet sent."""
    today = (now or timezone.now()).astimezone(SOFIA).date()
    result = Sent()
    for consultation in due_opened():
        result.opened += send_notice(consultation, Notice.Kind.OPENED)
    for consultation in due_closing(today):
        result.closing += send_notice(consultation, Notice.Kind.CLOSING)
    return result
