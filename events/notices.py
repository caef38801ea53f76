"""What participants of events are told: the e-mails about their registrations (in
Bulgarian, with absolute links) and the .ics of an event, attached to them or downloaded.
events/services.py decides and calls these; nothing here changes a registration.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import ical
from core.email import send_email
from core.legal_calendar import SOFIA
from events.enums import Format, RegistrationState, State
from events.models import Certificate, Event, Registration
from events.selectors import organiser_name, waiting_position

ICS_MIME = "text/calendar; method=PUBLISH; charset=UTF-8"


# --- Calendar ------------------------------------------------------------------------------


def location(event: Event) -> str:
    if event.format == Format.ONLINE:
        return _("online")
    place = [event.venue, event.address]
    if event.settlement_id:
        settlement = event.settlement
        place.append(f"{settlement.type_abbr} {settlement.name}".strip())  # type: ignore[union-attr]
    where = ", ".join(p for p in place if p)
    if event.format == Format.HYBRID:
        return _("%(place)s and online") % {"place": where} if where else _("online")
    return where


def day_event(event: Event, *, online_url: str = "") -> ical.DayEvent:
    """One event for a calendar (a feed, an e-mail's .ics); `online_url` only for a
    confirmed participant."""
    lines = [
        str(event.get_kind_display()),  # type: ignore[attr-defined]
        _("Organiser: %(name)s") % {"name": organiser_name(event)},
    ]
    if event.state == State.CANCELLED:
        lines.insert(0, _("CANCELLED"))
        if event.cancelled_reason:
            lines.insert(1, event.cancelled_reason)
    if online_url:
        lines.append(_("Online link: %(url)s") % {"url": online_url})
    return ical.DayEvent(
        uid=f"event-{event.pk}",
        day=event.starts_at.astimezone(SOFIA).date(),
        summary=event.title,
        description="\n".join(lines),
        url=ical.absolute(event.get_absolute_url()),
        last_modified=event.updated_at or timezone.now(),
        # Calendar clients replace an event only when the sequence grows: edits raise the
        # version, and cancelling is one more change on top of it.
        sequence=event.version + (1 if event.state == State.CANCELLED else 0),
        cancelled=event.state == State.CANCELLED,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=location(event),
    )


def calendar_of(event: Event, *, online_url: str = "") -> str:
    """The .ics of one event, attached to e-mails (with the online link for a confirmed
    participant) and offered for download."""
    return ical.calendar(event.title, "events", [day_event(event, online_url=online_url)])


def event_ics(event: Event) -> str:
    """Public: without the online link, which only confirmed participants see."""
    return calendar_of(event)


# --- E-mail ----------------------------------------------------------------------------------


def format_moment(moment: datetime.datetime) -> str:
    local = moment.astimezone(SOFIA)
    return f"{local:%d.%m.%Y} г., {local:%H:%M} ч."


def format_when(event: Event) -> str:
    """ "12.03.2027 г., 09:30–17:00 ч." or, over several days, from … to … (Sofia time)."""
    start = event.starts_at.astimezone(SOFIA)
    end = event.ends_at.astimezone(SOFIA)
    if start.date() == end.date():
        return f"{start:%d.%m.%Y} г., {start:%H:%M}–{end:%H:%M} ч."
    return f"{format_moment(start)} – {format_moment(end)}"


def event_context(event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "when": format_when(event),
        "where": location(event),
        "organiser": str(event.organiser),
        "event_url": ical.absolute(event.get_absolute_url()),
        "ics_url": ical.absolute(reverse("events:event-ics", args=[event.pk])),
    }


def reachable(user: User) -> bool:
    return bool(user.email) and user.is_active and user.deleted_at is None


def online_url_for(event: Event, registration: Registration) -> str:
    if event.format == Format.IN_PERSON or registration.state != RegistrationState.CONFIRMED:
        return ""
    return event.online_url


def send(
    registration: Registration,
    template: str,
    *,
    extra: dict[str, Any] | None = None,
    attach_ics: bool = False,
) -> bool:
    """One e-mail about a registration to its person, in Bulgarian (people have no language
    setting yet). False when the account can no longer receive mail."""
    user = registration.user
    if not reachable(user):
        return False
    event = registration.event
    with translation.override(settings.LANGUAGE_CODE):
        online_url = online_url_for(event, registration)
        code = registration.code
        context = {
            **event_context(event),
            "registration": registration,
            "state": registration.get_state_display(),
            "position": waiting_position(registration),
            "online_url": online_url,
            "registration_url": ical.absolute(reverse("events:registration", args=[code])),
            "cancel_url": ical.absolute(reverse("events:cancel-registration", args=[code])),
            "feedback_url": ical.absolute(reverse("events:feedback", args=[code])),
            "certificate_url": ical.absolute(reverse("events:certificate-pdf", args=[code])),
            **(extra or {}),
        }
        certificate = context.get("certificate")
        if isinstance(certificate, Certificate):
            context["verify_url"] = ical.absolute(certificate.get_absolute_url())
        attachments = (
            [("event.ics", calendar_of(event, online_url=online_url), ICS_MIME)]
            if attach_ics
            else None
        )
        send_email(user.email, None, f"events/email/{template}", context, attachments=attachments)
    return True
