"""Workflows of events: publishing and cancelling an event; registering, the waiting list,
approval, invitations and cancelling a registration; check-in; certificates; reminders and
feedback requests. Every registration change goes through `_move` (checked against
enums.REGISTRATION_TRANSITIONS, a `RegistrationChange` row, the event's stored counters)
inside a transaction that locks the event row, so places are never given twice.

Locking: each workflow that changes registrations starts `transaction.atomic()` and locks the
event row (`select_for_update`; on SQLite the settings open IMMEDIATE transactions, which
serialise writers the same way). Under the lock the three counters are recounted from the
rows, so a counter that went stale (rows written by hand or by a fixture) heals itself on the
next change instead of giving away a place twice.

E-mail is queued inside the same transaction: with the database task backend the queued
message is committed (or rolled back) together with the change it reports.

Cancelling an event leaves its registrations in their states on purpose: the transitions have
no "the event was cancelled" state, moving them to CANCELLED would write history rows saying
that the people cancelled, and keeping them lets the organiser see who was registered and
each person's personal calendar feed show the event as cancelled. A cancelled event takes no
new registrations, promotes nobody and checks nobody in.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from core import ical
from core.email import enqueue_many, render_email
from core.legal_calendar import SOFIA
from events import notices
from events.enums import (
    ACTIVE_REGISTRATION_STATES,
    REGISTRATION_TRANSITIONS,
    Audience,
    Kind,
    RegistrationState,
    State,
)
from events.models import (
    Attendance,
    Certificate,
    Event,
    Invitation,
    Registration,
    RegistrationChange,
    new_code,
)
from organisations.models import Organisation
from organisations.selectors import represented_ids

logger = logging.getLogger(__name__)

# A feedback request is worth sending only while the event is fresh in people's minds.
FEEDBACK_WINDOW = datetime.timedelta(days=14)
INVITATION_CODE_LENGTH = 20

_COUNTER = {
    RegistrationState.CONFIRMED: "confirmed_count",
    RegistrationState.WAITING: "waiting_count",
    RegistrationState.PENDING: "pending_count",
}


class RegistrationError(Exception):
    """Refused, with a message in the user's language to show next to the form."""


@dataclass(frozen=True)
class Answers:
    """What the person filled in when registering."""

    name: str
    organisation: Organisation | None = None  # registering for one's organisation
    organisation_name: str = ""
    position: str = ""
    accessibility_needs: str = ""
    answer: str = ""


# --- Locking, counters and the one way a registration changes state -------------------------


def _lock(event_pk: int) -> Event:
    """The event row, locked for the rest of the transaction, with its counters recounted."""
    event = Event.objects.select_for_update().get(pk=event_pk)
    counts = Registration.objects.filter(event_id=event_pk).aggregate(
        confirmed=Count("pk", filter=Q(state=RegistrationState.CONFIRMED)),
        waiting=Count("pk", filter=Q(state=RegistrationState.WAITING)),
        pending=Count("pk", filter=Q(state=RegistrationState.PENDING)),
    )
    event.confirmed_count = counts["confirmed"]
    event.waiting_count = counts["waiting"]
    event.pending_count = counts["pending"]
    return event


def _locked_registration(registration: Registration) -> tuple[Event, Registration]:
    """Lock the registration's event, then read the registration again: its state may have
    changed since the caller loaded it, and only the locked read decides."""
    event = _lock(registration.event_id)
    current = Registration.objects.select_related("user").get(pk=registration.pk)
    current.event = event
    return event, current


def _move(registration: Registration, to_state: str, by: User | None, reason: str = "") -> None:
    """Change the state (checked against the allowed transitions), write the history row and
    the event's counters. `registration.event` must be the locked event of `_lock`."""
    from_state = registration.state or ""
    if to_state not in REGISTRATION_TRANSITIONS.get(from_state, set()):
        raise RegistrationError(_("This registration can no longer be changed."))
    now = timezone.now()
    registration.state = to_state
    if to_state == RegistrationState.WAITING:
        # The place in the queue is the moment one joined it.
        registration.waiting_since = now
    if registration.pk is None:
        registration.save()
    else:
        registration.save(update_fields=["state", "waiting_since", "updated_at"])
    RegistrationChange.objects.create(
        registration=registration,
        from_state=from_state,
        to_state=to_state,
        at=now,
        by=by if by is not None and by.pk else None,
        reason=reason,
    )
    event = registration.event
    if from_state in _COUNTER:
        field = _COUNTER[from_state]  # type: ignore[index]
        setattr(event, field, max(getattr(event, field) - 1, 0))
    if to_state in _COUNTER:
        field = _COUNTER[to_state]  # type: ignore[index]
        setattr(event, field, getattr(event, field) + 1)
    # Absolute values: the event row is locked and was recounted by `_lock`.
    Event.objects.filter(pk=event.pk).update(
        confirmed_count=event.confirmed_count,
        waiting_count=event.waiting_count,
        pending_count=event.pending_count,
    )


def _has_place(event: Event) -> bool:
    return event.capacity is None or event.confirmed_count < event.capacity


def _fill(event: Event, *, by: User | None = None) -> list[Registration]:
    """Promote the first on the waiting list while places are left (the event is locked).
    Nobody is promoted once the event has started or when it is not published."""
    promoted: list[Registration] = []
    if event.state != State.PUBLISHED or event.starts_at <= timezone.now():
        return promoted
    while _has_place(event) and event.waiting_count > 0:
        first = (
            Registration.objects.waiting_in_order()
            .filter(event_id=event.pk)
            .select_related("user")
            .first()
        )
        if first is None:
            break
        first.event = event
        _move(first, RegistrationState.CONFIRMED, by, _("A place became free."))
        notices.send(first, "registration_promoted", attach_ics=True)
        promoted.append(first)
    return promoted


def fill_places(event: Event, *, by: User | None = None) -> list[Registration]:
    """After the organiser raises the capacity: give the new places to the waiting list in
    order (each promoted person is told by e-mail)."""
    with transaction.atomic():
        locked = _lock(event.pk)
        promoted = _fill(locked, by=by)
    _copy_counts(locked, event)
    return promoted


def _copy_counts(source: Event, target: Event) -> None:
    for field in ("state", "confirmed_count", "waiting_count", "pending_count"):
        setattr(target, field, getattr(source, field))


# --- Who may register ------------------------------------------------------------------------


def _valid_invitation(event: Event, user: User, code: str) -> Invitation | None:
    """The invitation of this code for this event and this person's address, not used yet
    (or used for a registration that was cancelled since)."""
    if not code:
        return None
    invitation = (
        Invitation.objects.filter(event_id=event.pk, code=code.strip())
        .select_related("used_by")
        .first()
    )
    if invitation is None or invitation.email.casefold() != (user.email or "").casefold():
        return None
    if invitation.used_by is not None and invitation.used_by.state != RegistrationState.CANCELLED:
        return None
    return invitation


def _is_official(user: User) -> bool:
    return user.has_role(Role.INSTITUTION_STAFF) or user.has_role(Role.COUNCILLOR)


def registration_refusal(
    event: Event, user: User, *, invitation_code: str = "", now: datetime.datetime | None = None
) -> str:
    """Why this person may not register now ('' when they may): not published, window not
    open or closed, already registered, not in the audience, no valid invitation."""
    now = now or timezone.now()
    if event.state == State.CANCELLED:
        return _("This event has been cancelled.")
    if event.state != State.PUBLISHED:
        return _("This event is not published.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Registration opens on %(date)s") % {
            "date": notices.format_moment(event.registration_opens_at)
        }
    closes = event.registration_closes_at or event.starts_at
    if now >= closes or now >= event.ends_at:
        return _("Registration for this event has closed.")
    if not getattr(user, "is_authenticated", False):
        return _("Sign in to register.")
    if Registration.objects.filter(
        event_id=event.pk, user_id=user.pk, state__in=ACTIVE_REGISTRATION_STATES
    ).exists():
        return _("You are already registered for this event.")
    if event.audience == Audience.REPRESENTATIVES and not user.has_role(
        Role.ORGANISATION_REPRESENTATIVE
    ):
        return _("Only verified representatives of organisations may register for this event.")
    if event.audience == Audience.OFFICIALS and not _is_official(user):
        return _(
            "Only staff of institutions and municipal councillors may register for this event."
        )
    if event.audience == Audience.INVITATION and not _valid_invitation(
        event, user, invitation_code
    ):
        return _(
            "This event is by invitation only. Open the link in your invitation while signed "
            "in with the e-mail address it was sent to."
        )
    return ""


# --- Registering, cancelling, deciding ---------------------------------------------------------


_MAX_LENGTH = {"name": 200, "organisation_name": 300, "position": 200}


def _clip(value: str, field: str) -> str:
    """Trimmed to the column's width (the form says so first; this keeps the row valid)."""
    return (value or "").strip()[: _MAX_LENGTH[field]]


def register(
    event: Event, user: User, answers: Answers, *, invitation_code: str = ""
) -> Registration:
    """Register: confirmed while places are left (or pending when the organiser approves),
    else on the waiting list. Raises RegistrationError. Sends the confirmation e-mail with the
    .ics attachment and the registration code (or the waiting-list / pending notice)."""
    organisation = answers.organisation
    if organisation is not None and organisation.pk not in represented_ids(user):
        raise RegistrationError(
            _("You may register for an organisation only as its verified representative.")
        )
    name = _clip(answers.name, "name") or _clip(user.get_full_name(), "name")
    if not name:
        raise RegistrationError(_("Give your name."))
    organisation_name = _clip(answers.organisation_name, "organisation_name")
    if organisation is not None and not organisation_name:
        organisation_name = _clip(organisation.display_name, "organisation_name")

    with transaction.atomic():
        locked = _lock(event.pk)
        refusal = registration_refusal(locked, user, invitation_code=invitation_code)
        if refusal:
            raise RegistrationError(refusal)
        invitation = _valid_invitation(locked, user, invitation_code) if invitation_code else None
        # Places freed by a raised capacity belong to those already waiting.
        _fill(locked)
        if locked.requires_approval:
            state = RegistrationState.PENDING
        elif _has_place(locked):
            state = RegistrationState.CONFIRMED
        else:
            state = RegistrationState.WAITING
        registration = Registration(
            event=locked,
            user=user,
            organisation=organisation,
            state="",
            name=name,
            organisation_name=organisation_name,
            position=_clip(answers.position, "position"),
            accessibility_needs=(answers.accessibility_needs or "").strip()[:2000],
            answer=(answers.answer or "").strip()[:2000],
        )
        try:
            # A savepoint: the partial unique index may still refuse a duplicate written
            # outside this lock, and PostgreSQL needs the transaction usable to answer.
            with transaction.atomic():
                _move(registration, state, user, "")
        except IntegrityError:
            if Registration.objects.filter(
                event_id=locked.pk, user_id=user.pk, state__in=ACTIVE_REGISTRATION_STATES
            ).exists():
                raise RegistrationError(_("You are already registered for this event.")) from None
            raise
        if invitation is not None:
            Invitation.objects.filter(pk=invitation.pk).update(used_by=registration)
        if state == RegistrationState.CONFIRMED:
            notices.send(registration, "registration_confirmed", attach_ics=True)
        elif state == RegistrationState.WAITING:
            notices.send(registration, "registration_waiting")
        else:
            notices.send(registration, "registration_pending")
    _copy_counts(locked, event)
    return registration


def cancel_registration(registration: Registration, *, by: User | None = None) -> Registration:
    """Cancel (by its owner, by the link in the e-mail, or by the organiser); when a confirmed
    place frees up, the first on the waiting list is promoted and told by e-mail."""
    with transaction.atomic():
        event, current = _locked_registration(registration)
        if current.state == RegistrationState.CANCELLED:
            # A second click on the link in the e-mail: nothing more to do.
            return current
        if current.state == RegistrationState.DECLINED:
            raise RegistrationError(
                _("This registration was declined; there is nothing to cancel.")
            )
        was_confirmed = current.state == RegistrationState.CONFIRMED
        by_organiser = by is not None and by.pk != current.user_id
        reason = _("Cancelled by the organiser.") if by_organiser else _("Cancelled by the person.")
        _move(current, RegistrationState.CANCELLED, by, reason)
        notices.send(current, "registration_cancelled", extra={"by_organiser": by_organiser})
        if was_confirmed:
            _fill(event)
    return current


def approve(registration: Registration, *, by: User) -> Registration:
    """Organiser approves a pending (or waiting) registration: confirmed if a place is left,
    else waiting. E-mail to the person."""
    with transaction.atomic():
        event, current = _locked_registration(registration)
        if event.state != State.PUBLISHED:
            raise RegistrationError(
                _("Registrations of an event that is not published cannot be approved.")
            )
        if current.state not in (RegistrationState.PENDING, RegistrationState.WAITING):
            raise RegistrationError(
                _("Only registrations awaiting approval or on the waiting list can be approved.")
            )
        _fill(event)
        if current.state == RegistrationState.WAITING:
            current.refresh_from_db(fields=["state", "waiting_since"])
            if current.state == RegistrationState.CONFIRMED:
                return current  # `_fill` gave this person the place and told them
            if not _has_place(event):
                raise RegistrationError(
                    _("No place is left: the registration stays on the waiting list.")
                )
        target = RegistrationState.CONFIRMED if _has_place(event) else RegistrationState.WAITING
        _move(current, target, by, _("Approved by the organiser."))
        notices.send(
            current, "registration_approved", attach_ics=target == RegistrationState.CONFIRMED
        )
    return current


def decline(registration: Registration, *, by: User, reason: str = "") -> Registration:
    """Organiser declines a pending or waiting registration (final); e-mail with the reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        _event, current = _locked_registration(registration)
        if current.state not in (RegistrationState.PENDING, RegistrationState.WAITING):
            raise RegistrationError(
                _("Only registrations awaiting approval or on the waiting list can be declined.")
            )
        _move(current, RegistrationState.DECLINED, by, reason)
        notices.send(current, "registration_declined", extra={"reason": reason})
    return current


# --- Invitations --------------------------------------------------------------------------


def invite(event: Event, emails: list[str], *, by: User) -> list[Invitation]:
    """Invitations for an invitation-only event, each e-mailed with its registration link;
    addresses already invited are skipped."""
    if event.state == State.CANCELLED:
        raise RegistrationError(_("This event has been cancelled."))
    if event.state == State.DRAFT:
        # The link leads to the registration form, which a draft does not have yet.
        raise RegistrationError(
            _("Publish the event first: the invitation's link leads to its registration.")
        )
    if event.ends_at < timezone.now():
        raise RegistrationError(_("This event has ended."))
    wanted: list[str] = []
    invalid: list[str] = []
    for raw in emails:
        address = (raw or "").strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
            continue
        if address.casefold() not in {a.casefold() for a in wanted}:
            wanted.append(address)
    if invalid:
        raise RegistrationError(
            _("These are not e-mail addresses: %(list)s") % {"list": ", ".join(invalid)}
        )
    created: list[Invitation] = []
    with transaction.atomic():
        locked = _lock(event.pk)
        taken = {
            e.casefold()
            for e in Invitation.objects.filter(event=locked).values_list("email", flat=True)
        }
        for address in wanted:
            if address.casefold() in taken:
                continue
            created.append(
                Invitation.objects.create(
                    event=locked,
                    email=address.lower(),
                    code=new_code(INVITATION_CODE_LENGTH),
                    invited_by=by,
                )
            )
        if created:
            with translation.override(settings.LANGUAGE_CODE):
                base = notices.event_context(locked)
                register_url = ical.absolute(reverse("events:register", args=[locked.pk]))
                messages = [
                    render_email(
                        invitation.email,
                        None,
                        "events/email/invitation",
                        {**base, "url": f"{register_url}?invitation={invitation.code}"},
                    )
                    for invitation in created
                ]
            enqueue_many(messages)
    return created


# --- The event itself ----------------------------------------------------------------------


def publish(event: Event, *, by: User) -> Event:
    """Publish a draft (publishing a published event changes nothing)."""
    with transaction.atomic():
        locked = _lock(event.pk)
        if locked.state == State.CANCELLED:
            raise RegistrationError(_("A cancelled event cannot be published again."))
        if locked.state == State.DRAFT:
            locked.state = State.PUBLISHED
            locked.published_at = locked.published_at or timezone.now()
            # save(), not update(): its post_save hook makes the event findable (events.search).
            locked.save(update_fields=["state", "published_at", "updated_at"])
    event.state = locked.state
    event.published_at = locked.published_at
    return event


def cancel_event(event: Event, *, by: User, reason: str) -> Event:
    """Cancel the event; every active registrant is told by e-mail (with a cancelled .ics).
    Their registrations keep their states (see the module's docstring)."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Say why the event is cancelled."))
    with transaction.atomic():
        locked = _lock(event.pk)
        if locked.state == State.CANCELLED:
            _copy_counts(locked, event)
            return event
        if locked.ends_at < timezone.now():
            raise RegistrationError(_("An event that has ended cannot be cancelled."))
        locked.state = State.CANCELLED
        locked.cancelled_reason = reason
        # save(), not update(): the search entry says "cancelled" too (events.search).
        locked.save(update_fields=["state", "cancelled_reason", "updated_at"])
        registrations = list(
            Registration.objects.active().filter(event_id=locked.pk).select_related("user")
        )
        messages: list[dict[str, Any]] = []
        if registrations:
            with translation.override(settings.LANGUAGE_CODE):
                ics = notices.calendar_of(locked)
                base = notices.event_context(locked)
                for registration in registrations:
                    if not notices.reachable(registration.user):
                        continue
                    messages.append(
                        render_email(
                            registration.user.email,
                            None,
                            "events/email/event_cancelled",
                            {**base, "registration": registration, "reason": reason},
                            attachments=[("event.ics", ics, notices.ICS_MIME)],
                        )
                    )
        if messages:
            enqueue_many(messages)
    event.state = locked.state
    event.cancelled_reason = reason
    _copy_counts(locked, event)
    return event


# What an organiser may change that the people registered must hear about.
NOTICE_FIELDS = (
    "starts_at", "ends_at", "format", "venue", "address", "settlement_id", "online_url",
)  # fmt: skip


def when_and_where(event: Event) -> tuple[Any, ...]:
    """The values of NOTICE_FIELDS, to compare an event before and after an edit."""
    return tuple(getattr(event, name) for name in NOTICE_FIELDS)


def tell_about_change(event: Event) -> int:
    """After the organiser changed when or where a published event takes place: everyone
    registered (confirmed, waiting or awaiting approval) is told, the confirmed with the
    updated .ics (its sequence grew with the edit, so calendars replace the event). Returns
    how many were told."""
    if event.state != State.PUBLISHED:
        return 0
    registrations = list(
        Registration.objects.active().filter(event_id=event.pk).select_related("user", "event")
    )
    told = 0
    for registration in registrations:
        confirmed = registration.state == RegistrationState.CONFIRMED
        told += notices.send(registration, "event_changed", attach_ics=confirmed)
    return told


# --- Attendance ----------------------------------------------------------------------------


def check_in(registration: Registration, day: datetime.date, *, by: User) -> Attendance:
    """Mark a confirmed participant present on one day of the event (idempotent)."""
    event = registration.event
    if event.state != State.PUBLISHED:
        raise RegistrationError(_("Nobody can be checked in to an event that is not published."))
    if registration.state != RegistrationState.CONFIRMED:
        raise RegistrationError(_("Only confirmed participants can be checked in."))
    if day not in event.days:
        raise RegistrationError(_("The event does not take place on this day."))
    attendance, _created = Attendance.objects.get_or_create(
        registration=registration,
        day=day,
        defaults={"checked_in_by": by if by is not None and by.pk else None},
    )
    return attendance


def undo_check_in(registration: Registration, day: datetime.date) -> None:
    """Remove the mark of one day (a mistake at the door); nothing happens if there is none."""
    Attendance.objects.filter(registration=registration, day=day).delete()


# --- Certificates ----------------------------------------------------------------------------


def _certificate_code() -> str:
    while True:
        code = new_code(12)
        if not Certificate.objects.filter(code=code).exists():
            return code


def issue_certificates(event: Event, *, by: User | None = None) -> list[Certificate]:
    """For a training that has ended: a certificate for every confirmed participant who was
    present on every day; idempotent (issued ones are kept). Returns the new ones."""
    if event.kind != Kind.TRAINING:
        raise RegistrationError(_("Certificates are issued only for trainings."))
    if event.state != State.PUBLISHED:
        raise RegistrationError(_("Certificates are issued only for events that took place."))
    if event.ends_at >= timezone.now():
        raise RegistrationError(_("Certificates are issued once the training has ended."))
    days = event.days
    issued: list[Certificate] = []
    with transaction.atomic():
        locked = _lock(event.pk)  # two clicks at once must not issue twice
        eligible = (
            Registration.objects.filter(
                event_id=locked.pk, state=RegistrationState.CONFIRMED, certificate__isnull=True
            )
            .annotate(
                present=Count(
                    "attendances__day", filter=Q(attendances__day__in=days), distinct=True
                )
            )
            .filter(present=len(days))
            .select_related("user")
            .order_by("name", "pk")
        )
        organiser_name = str(locked.organiser)[:300]
        for registration in eligible:
            certificate = Certificate.objects.create(
                registration=registration,
                code=_certificate_code(),
                name=registration.name,
                event_title=locked.title,
                first_day=days[0],
                last_day=days[-1],
                hours=locked.hours,
                organiser_name=organiser_name,
            )
            registration.event = locked
            issued.append(certificate)
            notices.send(registration, "certificate_issued", extra={"certificate": certificate})
    return issued


# --- Reminders and feedback requests (run daily by `manage.py remind_events`) -------------------


def _sofia_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=SOFIA)


def send_reminders(now: datetime.datetime | None = None) -> int:
    """The day before: a reminder to every confirmed participant not yet reminded. "The day
    before" is in Sofia: events whose first day is tomorrow's date there. Returns the number
    of reminders sent; a second run the same day sends none."""
    now = now or timezone.now()
    tomorrow = now.astimezone(SOFIA).date() + datetime.timedelta(days=1)
    start = _sofia_midnight(tomorrow)
    end = _sofia_midnight(tomorrow + datetime.timedelta(days=1))
    registrations = (
        Registration.objects.filter(
            state=RegistrationState.CONFIRMED,
            reminded_at__isnull=True,
            event__state=State.PUBLISHED,
            event__starts_at__gte=start,
            event__starts_at__lt=end,
        )
        .select_related("event", "user")
        .order_by("event_id", "pk")
    )
    sent = 0
    for registration in registrations:
        # Claimed row by row: two runs at once still remind each person once.
        claimed = Registration.objects.filter(
            pk=registration.pk, reminded_at__isnull=True, state=RegistrationState.CONFIRMED
        ).update(reminded_at=now)
        if claimed and notices.send(registration, "reminder", attach_ics=True):
            sent += 1
    logger.info("events: %d reminders sent", sent)
    return sent


def request_feedback(now: datetime.datetime | None = None) -> int:
    """After the event has ended: the feedback form's link to every participant who attended
    and was not asked yet (events that ended within the last two weeks)."""
    now = now or timezone.now()
    registrations = (
        Registration.objects.filter(
            feedback_requested_at__isnull=True,
            feedback__isnull=True,
            attendances__isnull=False,
            event__state=State.PUBLISHED,
            event__ends_at__lt=now,
            event__ends_at__gte=now - FEEDBACK_WINDOW,
        )
        .distinct()
        .select_related("event", "user")
        .order_by("event_id", "pk")
    )
    sent = 0
    for registration in registrations:
        claimed = Registration.objects.filter(
            pk=registration.pk, feedback_requested_at__isnull=True
        ).update(feedback_requested_at=now)
        if claimed and notices.send(registration, "feedback_request"):
            sent += 1
    logger.info("events: %d feedback requests sent", sent)
    return sent
