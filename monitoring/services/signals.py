"""The workflow of proposals and signals (АПК гл. 8, domain-rules.md §3).

Every change runs in one transaction: the signal is locked with the version the person saw
(services.common.lock), the change is checked against SIGNAL_TRANSITIONS, the deadline is
recomputed by monitoring.legal, a SignalEvent row records it, the e-mails are queued (the task
row is stored in the same transaction) and the responsiveness index of the institution is
refreshed.

The legal points:
- only a filing with the filer's name AND address counts under АПК; without them it is kept as
  feedback that starts no deadline (чл. 111, ал. 4), and so is a signal about acts more than
  two years old (the same paragraph). Neither is ever marked overdue;
- АПК counts from the receipt (чл. 118, ал. 1), so the deadline does not move with the
  registration;
- only a proposal's term can be extended, to 6 months at most, by the superior body with
  notice to the filer (чл. 118, ал. 3); a decision reaches the filer within 7 days (чл. 118,
  ал. 2; чл. 123, ал. 1);
- a filing sent to the wrong body is forwarded within 7 days (чл. 112, unconfirmed: a
  setting), and the filer is told.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.enums import STAFF_ROLES
from accounts.models import User
from core.email import enqueue_many, render_email
from directory.models import Institution
from monitoring import index, legal
from monitoring.enums import SIGNAL_TRANSITIONS, Channel, SignalEventKind, SignalKind, SignalStatus
from monitoring.models import Document, Signal, SignalEvent
from monitoring.services import common
from monitoring.services.common import MonitoringError
from organisations.models import Organisation

__all__ = [
    "MonitoringError",
    "add_document",
    "answer",
    "check_deadlines",
    "extend",
    "file",
    "forward",
    "log",
    "no_proceedings",
    "register",
    "set_visibility",
    "withdraw",
]

EMAIL_PREFIX = "monitoring/email/signal_"
# What a filing forwarded to another institution takes along: the filer's filing.
FILED_FIELDS = (
    "kind", "title", "description", "event_on", "filer", "organisation", "filer_name",
    "filer_address", "filer_email", "show_name", "is_public",
)  # fmt: skip


# --- helpers ---------------------------------------------------------------------------------


def _event(signal: Signal, kind: str, *, by: User | None, **fields: Any) -> SignalEvent:
    return common.history_row(SignalEvent, "signal", signal, kind=kind, by=by, **fields)


def _move(signal: Signal, to: str, kind: str, *, by: User | None, **fields: Any) -> SignalEvent:
    """Change the status (checked against the table) and record it."""
    from_status = common.move(signal, SIGNAL_TRANSITIONS, to)
    return _event(signal, kind, by=by, from_status=from_status, to_status=to, **fields)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _url(signal: Signal) -> str:
    return common.absolute(reverse("monitoring:signal", args=[signal.pk]))


def _due_on(signal: Signal) -> date | None:
    """The current statutory deadline: none for feedback (anonymous or stale)."""
    if not signal.starts_legal_deadline:
        return None
    return legal.signal_due_on(signal.kind, signal.received_on, signal.extended_months)


def _counts_under_apk(name: str, address: str) -> bool:
    """АПК чл. 111, ал. 4: the three names and an address make a filing that is examined."""
    return bool(name.strip()) and bool(address.strip())


def _mail(recipients: Iterable[str], template: str, context: dict[str, Any]) -> int:
    """One message per recipient (nobody sees the others' addresses), in the portal's
    language (people have no language setting yet)."""
    with translation.override(settings.LANGUAGE_CODE):
        return common.mail_each(recipients, EMAIL_PREFIX + template, context)


def _context(signal: Signal, **extra: Any) -> dict[str, Any]:
    return {"signal": signal, "institution": signal.institution, "url": _url(signal), **extra}


def _tell_filer(signal: Signal, template: str, **extra: Any) -> None:
    if signal.filer_email:
        _mail([signal.filer_email], template, _context(signal, **extra))


def _send_to_institution(signal: Signal, **extra: Any) -> int:
    """The filing itself, by e-mail to the institution's official address and its staff.
    The institution is told who files and where to answer: it needs them to examine it."""
    return _mail(
        common.institution_addresses(signal.institution), "filed", _context(signal, **extra)
    )


def _check_organisation(organisation: Organisation | None, by: User | None) -> None:
    common.check_represents(
        by, organisation, _("You can file only for an organisation you represent.")
    )


def _new_signal(
    institution: Institution,
    *,
    kind: str,
    title: str,
    description: str,
    event_on: date | None,
    received_on: date,
    filer: User | None,
    organisation: Organisation | None,
    filer_name: str,
    filer_address: str,
    filer_email: str,
    show_name: bool,
    is_public: bool,
    created_by: User | None,
    **fields: Any,
) -> Signal:
    if kind not in SignalKind.values:
        raise MonitoringError(_("Choose whether it is a proposal or a signal."))
    if kind == SignalKind.PROPOSAL:
        event_on = None  # a proposal is about the future, not about acts that happened
    if event_on is not None and event_on > received_on:
        raise MonitoringError(_("The acts cannot have happened after the filing was received."))
    filer_name, filer_address = filer_name.strip(), filer_address.strip()
    signal = Signal(
        institution=institution,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        event_on=event_on,
        received_on=received_on,
        filer=filer,
        organisation=organisation,
        filer_name=filer_name,
        filer_address=filer_address,
        filer_email=filer_email.strip(),
        show_name=show_name,
        is_public=is_public,
        is_anonymous=not _counts_under_apk(filer_name, filer_address),
        is_stale=kind == SignalKind.SIGNAL and legal.is_stale_signal(event_on, received_on),
        created_by=created_by,
        **fields,
    )
    signal.due_on = _due_on(signal)
    signal.save()
    return signal


def _flags_note(signal: Signal) -> str:
    """Why no deadline runs, said on the timeline where the filing is recorded."""
    notes = []
    if signal.is_anonymous:
        notes.append(
            _(
                "Without the filer's name and address it is accepted as feedback: no "
                "proceedings are opened and no legal deadline runs (АПК чл. 111, ал. 4)."
            )
        )
    if signal.is_stale:
        notes.append(
            _(
                "It is about acts more than 2 years old: no proceedings are opened and no legal "
                "deadline runs (АПК чл. 111, ал. 4)."
            )
        )
    return " ".join(notes)


# --- filing ----------------------------------------------------------------------------------


def file(
    institution: Institution,
    *,
    by: User,
    kind: str,
    title: str,
    description: str,
    event_on: date | None = None,
    organisation: Organisation | None = None,
    filer_name: str = "",
    filer_address: str = "",
    filer_email: str = "",
    show_name: bool = False,
    is_public: bool = False,
) -> Signal:
    """A proposal or signal filed through the portal: received today, sent by e-mail to the
    institution, confirmed to the filer with the link to follow it."""
    if by is None or not by.is_authenticated:
        raise MonitoringError(_("Sign in to file a proposal or a signal."))
    _check_organisation(organisation, by)
    received_on = common.today()
    if event_on is not None:
        common.check_date(event_on)
    with transaction.atomic():
        signal = _new_signal(
            institution,
            kind=kind,
            title=title,
            description=description,
            event_on=event_on,
            received_on=received_on,
            filer=by,
            organisation=organisation,
            filer_name=filer_name,
            filer_address=filer_address,
            filer_email=filer_email,
            show_name=show_name,
            is_public=is_public,
            created_by=by,
            channel=Channel.PLATFORM,
        )
        sent = _send_to_institution(signal)
        note = _flags_note(signal)
        if not sent:
            note = " ".join(
                [
                    note,
                    _(
                        "The institution has no e-mail address in the directory: deliver it "
                        "yourself and add the registration number here when you get one."
                    ),
                ]
            ).strip()
        _event(
            signal,
            SignalEventKind.FILED,
            by=by,
            on=received_on,
            to_status=SignalStatus.SUBMITTED,
            note=note,
            details={"due_on": _iso(signal.due_on), "sent_to": sent},
        )
        _tell_filer(signal, "confirmation", sent=sent)
        index.refresh(institution.pk)
    return signal


def log(
    institution: Institution,
    *,
    by: User,
    filer: User | None,
    kind: str,
    title: str,
    description: str,
    channel: str,
    received_on: date,
    event_on: date | None = None,
    external_reference: str = "",
    registration_number: str = "",
    registered_on: date | None = None,
    organisation: Organisation | None = None,
    filer_name: str = "",
    filer_address: str = "",
    filer_email: str = "",
    show_name: bool = False,
    is_public: bool = False,
) -> Signal:
    """One filed elsewhere (in person, by post, by e-mail), entered by its filer (`filer` is
    `by`) or by the institution's staff for someone (`filer` None). Registered at once when
    the number and date are known; the deadline runs from the receipt."""
    if channel == Channel.PLATFORM or channel not in Channel.values:
        raise MonitoringError(_("Choose how it was filed."))
    _check_organisation(organisation, filer)
    common.check_date(received_on)
    if event_on is not None:
        common.check_date(event_on)
    registration_number = registration_number.strip()
    if bool(registration_number) != (registered_on is not None):
        raise MonitoringError(_("Give both the registration number and its date, or neither."))
    if registered_on is not None:
        common.check_date(registered_on, not_before=received_on, label=_("the receipt"))
    with transaction.atomic():
        signal = _new_signal(
            institution,
            kind=kind,
            title=title,
            description=description,
            event_on=event_on,
            received_on=received_on,
            filer=filer,
            organisation=organisation,
            filer_name=filer_name,
            filer_address=filer_address,
            filer_email=filer_email,
            show_name=show_name,
            is_public=is_public,
            created_by=by,
            channel=channel,
            external_reference=external_reference.strip(),
        )
        _event(
            signal,
            SignalEventKind.LOGGED,
            by=by,
            on=received_on,
            to_status=SignalStatus.SUBMITTED,
            note=_flags_note(signal),
            details={"channel": channel, "due_on": _iso(signal.due_on)},
        )
        if registered_on is not None:
            signal.registration_number = registration_number
            signal.registered_on = registered_on
            _move(
                signal,
                SignalStatus.REGISTERED,
                SignalEventKind.REGISTERED,
                by=by,
                on=registered_on,
                note=_("Registration number: %(number)s") % {"number": registration_number},
            )
            signal.save()
        _tell_filer(signal, "confirmation", logged=True)
        index.refresh(institution.pk)
    return signal


# --- the institution's steps -----------------------------------------------------------------


def register(
    signal: Signal, *, number: str, registered_on: date, by: User | None, version: int | None
) -> Signal:
    """Staff register it under their number. The deadline stays counted from the receipt."""
    number = number.strip()
    if not number:
        raise MonitoringError(_("Give the registration number."))
    common.check_date(registered_on, not_before=signal.received_on, label=_("the receipt"))
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        _move(
            locked,
            SignalStatus.REGISTERED,
            SignalEventKind.REGISTERED,
            by=by,
            on=registered_on,
            note=_("Registration number: %(number)s") % {"number": number},
        )
        locked.registration_number = number
        locked.registered_on = registered_on
        locked.due_on = _due_on(locked)
        common.save_and_refresh(locked)
        _tell_filer(locked, "registered")
    return locked


def no_proceedings(
    signal: Signal, *, reason: str, by: User | None, version: int | None, ground: str = ""
) -> Signal:
    """No proceedings are opened (anonymous, about acts over 2 years old, or outside the
    body's competence with nobody to forward it to); the reason is public on the timeline."""
    reason = reason.strip()
    if not reason:
        raise MonitoringError(_("Say why no proceedings are opened."))
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        _move(
            locked,
            SignalStatus.NO_PROCEEDINGS,
            SignalEventKind.NO_PROCEEDINGS,
            by=by,
            note=reason,
            details={"ground": ground} if ground else {},
        )
        locked.is_overdue = False  # no longer waiting for the body
        common.save_and_refresh(locked)
        _tell_filer(locked, "no_proceedings", reason=reason)
    return locked


def extend(
    signal: Signal,
    *,
    months: int,
    note: str,
    by: User | None,
    version: int | None,
    on: date | None = None,
) -> Signal:
    """АПК чл. 118, ал. 3: the superior body extends the term of a proposal, to 6 months at
    most from its receipt, and tells the filer. `months` is the whole new term."""
    on = on or common.today()
    note = note.strip()
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        if locked.kind != SignalKind.PROPOSAL:
            raise MonitoringError(_("Only the term of a proposal can be extended (АПК чл. 118)."))
        if not locked.is_pending:
            raise MonitoringError(_("This step is not possible in the record's current state."))
        if not locked.starts_legal_deadline or locked.due_on is None:
            raise MonitoringError(_("No legal deadline runs for it, so there is none to extend."))
        current = locked.extended_months or legal.APK_PROPOSAL_MONTHS
        if not current < months <= legal.APK_MAX_EXTENDED_MONTHS:
            raise MonitoringError(
                _("The new term must be longer than %(now)s and at most %(max)s months.")
                % {"now": current, "max": legal.APK_MAX_EXTENDED_MONTHS}
            )
        if not note:
            raise MonitoringError(_("Say who extended the term and why."))
        common.check_date(on, not_before=locked.received_on, label=_("the receipt"))
        if on > locked.due_on:
            raise MonitoringError(
                _("The term can be extended only before it ends (%(day)s).")
                % {"day": common.dmy(locked.due_on)}
            )
        previous = locked.due_on
        locked.extended_months = months
        locked.extension_note = note
        locked.due_on = _due_on(locked)
        if locked.is_overdue and locked.due_on is not None and locked.due_on >= common.today():
            # Entered late, but decided in time: the body is within the new term.
            locked.is_overdue = False
            locked.overdue_since = None
        _event(
            locked,
            SignalEventKind.EXTENDED,
            by=by,
            on=on,
            note=note,
            details={
                "months": months,
                "due_on": _iso(locked.due_on),
                "previous_due_on": _iso(previous),
            },
        )
        common.save_and_refresh(locked)
        _tell_filer(locked, "extended", previous_due_on=previous)
    return locked


def forward(
    signal: Signal,
    *,
    to: Institution | None = None,
    to_name: str = "",
    on: date | None = None,
    note: str = "",
    by: User | None,
    version: int | None,
) -> Signal:
    """To the competent body, within 7 days of the receipt (АПК чл. 112), with a notice to the
    filer. A body in the directory gets it on the portal as a new filing it must examine; the
    new one is returned as `signal.forwards` (the first)."""
    on = on or common.today()
    to_name = to_name.strip()
    if to is None and not to_name:
        raise MonitoringError(_("Choose the body it is forwarded to, or write its name."))
    if to is not None and to.pk == signal.institution_id:
        raise MonitoringError(_("It cannot be forwarded to the same institution."))
    common.check_date(on, not_before=signal.received_on, label=_("the receipt"))
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        due = legal.forward_due_on(locked.received_on)
        _move(
            locked,
            SignalStatus.FORWARDED,
            SignalEventKind.FORWARDED,
            by=by,
            on=on,
            note=note.strip(),
            details={
                "to": to.pk if to else None,
                "to_name": to.name_bg if to else to_name,
                "forward_due_on": _iso(due),
                "in_time": on <= due,
            },
        )
        locked.forwarded_to = to
        locked.forwarded_to_name = "" if to else to_name
        # The body's answer to this filing: in time when forwarded within the days allowed.
        locked.decided_on = on
        locked.answered_on_time = on <= due
        locked.days_to_answer = (on - locked.received_on).days
        locked.is_overdue = False
        common.save_and_refresh(locked)
        created = None
        if to is not None:
            created = _new_signal(
                to,
                **common.copied(locked, FILED_FIELDS),
                received_on=on,
                created_by=by,
                channel=Channel.PLATFORM,
                forwarded_from=locked,
            )
            _event(
                created,
                SignalEventKind.FILED,
                by=by,
                on=on,
                to_status=SignalStatus.SUBMITTED,
                note=" ".join(
                    [
                        _("Forwarded by %(name)s.") % {"name": locked.institution.name_bg},
                        _flags_note(created),
                    ]
                ).strip(),
                details={"due_on": _iso(created.due_on), "forwarded_from": locked.pk},
            )
            _send_to_institution(created, forwarded_from=locked)
            index.refresh(to.pk)
        _tell_filer(
            locked,
            "forwarded",
            to_name=to.name_bg if to else to_name,
            new_url=_url(created) if created else "",
        )
    return locked


def answer(
    signal: Signal,
    *,
    outcome: str,
    decided_on: date,
    answer: str,
    by: User | None,
    version: int | None,
    communicated_on: date | None = None,
) -> Signal:
    """The decision (АПК чл. 118 for a proposal, чл. 123 for a signal): on time when decided
    by the deadline and communicated within 7 days of the decision."""
    from monitoring.enums import SignalOutcome

    if outcome not in SignalOutcome.values:
        raise MonitoringError(_("Choose what the decision says."))
    text = answer.strip()
    if not text:
        raise MonitoringError(_("Write the answer given to the filer."))
    communicated_on = communicated_on or decided_on
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        if locked.registered_on is not None:
            common.check_date(
                decided_on, not_before=locked.registered_on, label=_("the registration")
            )
        else:
            common.check_date(decided_on, not_before=locked.received_on, label=_("the receipt"))
        common.check_date(communicated_on, not_before=decided_on, label=_("the decision"))
        _move(
            locked,
            SignalStatus.ANSWERED,
            SignalEventKind.ANSWERED,
            by=by,
            on=decided_on,
            details={"outcome": outcome, "communicated_on": _iso(communicated_on)},
        )
        locked.outcome = outcome
        locked.decided_on = decided_on
        locked.communicated_on = communicated_on
        locked.answer = text
        locked.days_to_answer = (decided_on - locked.received_on).days
        locked.answered_on_time = (
            None
            if locked.due_on is None
            else decided_on <= locked.due_on
            and communicated_on <= legal.communication_due_on(decided_on)
        )
        locked.is_overdue = False
        common.save_and_refresh(locked)
        _tell_filer(locked, "answered")
    return locked


# --- the filer's steps -----------------------------------------------------------------------


def withdraw(signal: Signal, *, by: User | None, version: int | None, note: str = "") -> Signal:
    """The filer withdraws it; the institution is told."""
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        _move(locked, SignalStatus.WITHDRAWN, SignalEventKind.WITHDRAWN, by=by, note=note.strip())
        locked.is_overdue = False
        common.save_and_refresh(locked)
        _mail(common.institution_addresses(locked.institution), "withdrawn", _context(locked))
    return locked


def set_visibility(
    signal: Signal, *, is_public: bool, show_name: bool, by: User | None, version: int | None
) -> Signal:
    """The filer publishes or hides it, and shows or hides their name."""
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        if (locked.is_public, locked.show_name) == (is_public, show_name):
            return locked
        locked.is_public = is_public
        locked.show_name = show_name
        # Only for the staff's record: the filer sees the result on the page itself.
        _event(
            locked,
            SignalEventKind.NOTE,
            by=by,
            is_public=False,
            note=_("Visibility changed by the filer: %(public)s; %(name)s.")
            % {
                "public": _("published") if is_public else _("not published"),
                "name": _("name shown") if show_name else _("name hidden"),
            },
            details={"is_public": is_public, "show_name": show_name},
        )
        common.save_and_refresh(locked)
    return locked


def add_document(
    signal: Signal,
    upload: UploadedFile,
    *,
    title: str,
    kind: str,
    by: User | None,
    is_public: bool = True,
    redacted: UploadedFile | None = None,
    version: int | None = None,
) -> Document:
    """A file of the signal (the decision, a notice); with `redacted`, the public sees the
    redacted copy and the original is kept for the staff."""
    title = title.strip() or upload.name or _("Document")
    with transaction.atomic():
        locked = common.lock(Signal, signal.pk, version)
        document = common.save_document(
            locked, upload, title=title, kind=kind, by=by, redacted=redacted, is_public=is_public
        )
        _event(
            locked,
            SignalEventKind.NOTE,
            by=by,
            is_public=is_public,
            note=_("Document added: %(title)s") % {"title": title},
            details={"document": document.pk},
        )
        common.save_and_refresh(locked)
    return document


# --- the daily check -------------------------------------------------------------------------


def check_deadlines(today: date) -> int:
    """The daily check (manage.py check_monitoring_deadlines): mark what became overdue on
    `today`, tell the people concerned once, refresh the index; the number of records marked.

    Only filings that count under АПК are marked (anonymous and stale ones start no
    deadline). Marking happens once: a second run the same day, or the next day, finds none.
    The queries do not grow with the number of signals: one to lock them, one update, one
    insert of the timeline rows, one for the staff's addresses, then the index per institution.
    """
    with transaction.atomic():
        due = list(
            Signal.objects.due_before(today)
            .filter(is_anonymous=False, is_stale=False, due_on__isnull=False)
            .select_for_update(of=("self",))
            .select_related("institution")
            .order_by("institution_id", "due_on", "pk")
        )
        if not due:
            return 0
        for s in due:
            s.is_overdue = True
            # The first day past the deadline, whichever day the check ran.
            s.overdue_since = s.due_on + datetime.timedelta(days=1)  # type: ignore[operator]
            s.version += 1
        Signal.objects.bulk_update(due, ["is_overdue", "overdue_since", "version"])
        SignalEvent.objects.bulk_create(
            SignalEvent(
                signal=s,
                kind=SignalEventKind.OVERDUE,
                on=today,
                details={"due_on": _iso(s.due_on)},
            )
            for s in due
        )
        by_institution: dict[int, list[Signal]] = defaultdict(list)
        for s in due:
            by_institution[s.institution_id].append(s)
        staff = common.emails_by_scope(Institution, STAFF_ROLES, by_institution)
        with translation.override(settings.LANGUAGE_CODE):
            messages = [
                render_email(s.filer_email, None, EMAIL_PREFIX + "overdue", _context(s))
                for s in due
                if s.filer_email
            ]
            for institution_id, signals in by_institution.items():
                context = {
                    "institution": signals[0].institution,
                    "signals": [(s, _url(s)) for s in signals],
                    "inbox_url": common.absolute(reverse("monitoring:signals"))
                    + f"?institution={institution_id}&overdue=1",
                }
                messages += [
                    render_email(to, None, EMAIL_PREFIX + "overdue_staff", context)
                    for to in staff.get(institution_id, [])
                ]
        if messages:
            enqueue_many(messages)
        for institution_id in by_institution:
            index.refresh(institution_id)
    return len(due)
