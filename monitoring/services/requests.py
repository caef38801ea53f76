"""Workflows of access-to-public-information requests (ЗДОИ): filing through the portal,
logging one filed elsewhere, registration, clarification, extension, forwarding, the decision,
withdrawal, visibility, documents (with redacted copies); the daily deadline check
(`check_deadlines`) and the timeline rows and e-mails of the steps are request_notices.py's.

Every step runs in `transaction.atomic()`, locks the request row (services.common.lock, with
the version the person saw), checks enums.REQUEST_TRANSITIONS, writes one RequestEvent,
keeps `due_on` the current statutory deadline (monitoring/legal.py) and refreshes the
responsiveness index of the institution. E-mail is queued inside the same transaction (with
the database task backend it is committed or rolled back with the change it reports), one
message per recipient, so that nobody sees another person's address.

A request is "overdue" while it waits for the body past its deadline: the flag is set by the
daily check (and at once when a step sets a deadline that has already passed, e.g. a request
logged late: request_notices.settle_overdue) and cleared by the step that ends the wait.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import safe_name
from directory.models import Institution
from monitoring import index, legal
from monitoring.enums import (
    REQUEST_FINAL,
    REQUEST_OUTCOMES,
    REQUEST_TRANSITIONS,
    Channel,
    DocumentKind,
    ExtensionReason,
    RefusalGround,
    RequestEventKind,
    RequestStatus,
)
from monitoring.models import Document, InformationRequest
from monitoring.services.common import (
    MonitoringError,
    StaleVersion,
    absolute,
    check_date,
    check_represents,
    copied,
    dmy,
    handles_institution,
    lock,
    move,
    save_and_refresh,
    save_document,
    today,
)
from monitoring.services.request_notices import (
    PITAY_APPEAL_HELP,
    check_deadlines,
    event,
    settle_overdue,
    to_institution,
    to_requester,
)
from organisations.models import Organisation

__all__ = [
    "PITAY_APPEAL_HELP",
    "MonitoringError",
    "StaleVersion",
    "add_document",
    "ask_clarification",
    "check_deadlines",
    "clarify",
    "decide",
    "extend",
    "file",
    "forward",
    "log",
    "redact",
    "register",
    "set_visibility",
    "withdraw",
]

# What a request forwarded to another institution takes along: the requester's filing.
FILED_FIELDS = (
    "requester", "organisation", "title", "description", "access_form", "requester_name",
    "correspondence_address", "requester_email", "show_name", "is_public",
)  # fmt: skip


# --- small helpers ---------------------------------------------------------------------------


def _require(user: User | None, perm: str, obj: Any) -> None:
    """The views check first; this keeps a service from being called past its permission."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied


def _move(req: InformationRequest, to: str) -> str:
    return move(req, REQUEST_TRANSITIONS, to)


def _check_organisation(user: User, organisation: Organisation | None) -> None:
    check_represents(
        user, organisation, _("You can file on behalf of an organisation only if you represent it.")
    )


# --- filing ----------------------------------------------------------------------------------


def _new_request(
    institution: Institution,
    *,
    by: User | None,
    requester: User | None,
    organisation: Organisation | None,
    title: str,
    description: str,
    access_form: str,
    requester_name: str,
    correspondence_address: str,
    requester_email: str,
    show_name: bool,
    is_public: bool,
    filed_on: date,
    channel: str,
    **fields: Any,
) -> InformationRequest:
    return InformationRequest.objects.create(
        institution=institution,
        requester=requester,
        organisation=organisation,
        title=title.strip(),
        description=description.strip(),
        access_form=access_form,
        requester_name=" ".join(requester_name.split()),
        correspondence_address=correspondence_address.strip(),
        requester_email=requester_email.strip(),
        show_name=show_name,
        is_public=is_public,
        filed_on=filed_on,
        channel=channel,
        created_by=by,
        **fields,
    )


def _send_filed(req: InformationRequest, *, by: User | None, note: str = "") -> None:
    """Send the request to the institution (all four statutory fields) and note it."""
    sent = to_institution(req, "request_filed_institution")
    event(
        req,
        RequestEventKind.SENT,
        by=by,
        note=note if sent else _("The institution has no e-mail address in the directory."),
        details={"recipients": sent},
    )


def file(
    institution: Institution,
    *,
    by: User,
    title: str,
    description: str,
    access_form: str,
    requester_name: str,
    correspondence_address: str,
    requester_email: str = "",
    show_name: bool = False,
    is_public: bool = True,
    organisation: Organisation | None = None,
) -> InformationRequest:
    """A request filed through the portal: sent by e-mail to the institution and into its
    staff's inbox; the requester gets a confirmation with the tracking link."""
    _require(by, "monitoring.file", institution)
    _check_organisation(by, organisation)
    filed_on = today()
    with transaction.atomic():
        req = _new_request(
            institution,
            by=by,
            requester=by,
            organisation=organisation,
            title=title,
            description=description,
            access_form=access_form,
            requester_name=requester_name,
            correspondence_address=correspondence_address,
            requester_email=requester_email or by.email,
            show_name=show_name,
            is_public=is_public,
            filed_on=filed_on,
            channel=Channel.PLATFORM,
            status=RequestStatus.SUBMITTED,
            # Until registered the 14 days run from the filing: a request received by e-mail
            # is registered on arrival.
            due_on=legal.request_due_on(filed_on),
        )
        event(
            req,
            RequestEventKind.FILED,
            by=by,
            on=filed_on,
            to_status=RequestStatus.SUBMITTED,
            details={"due_on": req.due_on.isoformat() if req.due_on else None},
        )
        _send_filed(req, by=by)
        to_requester(req, "request_filed_requester")
        index.refresh(institution.pk)
    return req


def log(
    institution: Institution,
    *,
    by: User,
    requester: User | None,
    title: str,
    description: str,
    access_form: str,
    requester_name: str,
    correspondence_address: str,
    requester_email: str = "",
    show_name: bool = False,
    is_public: bool = True,
    organisation: Organisation | None = None,
    channel: str,
    filed_on: date,
    external_reference: str = "",
    registration_number: str = "",
    registered_on: date | None = None,
) -> InformationRequest:
    """A request filed elsewhere (pitay.government.bg, in person, by post, by e-mail): by the
    requester (their own: `requester` is `by`) or by the institution's staff for someone
    without an account (`requester` None)."""
    if requester is None:
        if not handles_institution(by, institution):
            raise PermissionDenied
    elif requester.pk != by.pk:
        raise PermissionDenied
    if channel == Channel.PLATFORM or channel not in Channel.values:
        raise MonitoringError(_("Choose how the request was filed."))
    _check_organisation(by, organisation)
    check_date(filed_on)
    if registered_on is not None:
        check_date(registered_on, not_before=filed_on, label=_("the filing"))
    elif registration_number:
        raise MonitoringError(_("Give the date of the registration with its number."))
    status = RequestStatus.REGISTERED if registered_on else RequestStatus.SUBMITTED
    with transaction.atomic():
        req = _new_request(
            institution,
            by=by,
            requester=requester,
            organisation=organisation,
            title=title,
            description=description,
            access_form=access_form,
            requester_name=requester_name,
            correspondence_address=correspondence_address,
            requester_email=requester_email or (requester.email if requester else ""),
            show_name=show_name,
            is_public=is_public,
            filed_on=filed_on,
            channel=channel,
            external_reference=external_reference.strip(),
            registration_number=registration_number.strip(),
            registered_on=registered_on,
            status=status,
            due_on=legal.request_due_on(registered_on or filed_on),
        )
        event(
            req,
            RequestEventKind.LOGGED,
            by=by,
            on=filed_on,
            to_status=RequestStatus.SUBMITTED,
            details={"channel": channel, "external_reference": req.external_reference},
        )
        if registered_on is not None:
            event(
                req,
                RequestEventKind.REGISTERED,
                by=by,
                on=registered_on,
                from_status=RequestStatus.SUBMITTED,
                to_status=RequestStatus.REGISTERED,
                details={
                    "number": req.registration_number,
                    "due_on": req.due_on.isoformat() if req.due_on else None,
                },
            )
        settle_overdue(req, by=by)
        req.save()
        index.refresh(institution.pk)
    return req


# --- the institution's steps -----------------------------------------------------------------


def register(
    req: InformationRequest,
    *,
    number: str,
    registered_on: date,
    by: User,
    version: int | None = None,
) -> InformationRequest:
    """Registered under `number` on `registered_on`: the 14 days run from it (ЗДОИ чл. 28)."""
    _require(by, "monitoring.handle_item", req)
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        if not number.strip():
            raise MonitoringError(_("Give the registration number."))
        check_date(registered_on, not_before=req.filed_on, label=_("the filing"))
        before = _move(req, RequestStatus.REGISTERED)
        req.registration_number = number.strip()
        req.registered_on = registered_on
        req.due_on = legal.request_due_on(registered_on)
        event(
            req,
            RequestEventKind.REGISTERED,
            by=by,
            on=registered_on,
            from_status=before,
            to_status=req.status,
            details={"number": req.registration_number, "due_on": req.due_on.isoformat()},
        )
        settle_overdue(req, by=by)
        save_and_refresh(req)
    return req


def ask_clarification(
    req: InformationRequest,
    *,
    on: date,
    note: str,
    by: User,
    version: int | None = None,
) -> InformationRequest:
    """ЗДОИ чл. 29, ал. 1: the request is unclear; the requester has 30 days to clarify and
    the body's deadline stops until then."""
    _require(by, "monitoring.handle_item", req)
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        if not note.strip():
            raise MonitoringError(_("Say what needs to be clarified."))
        check_date(on, not_before=req.registered_on or req.filed_on, label=_("the registration"))
        before = _move(req, RequestStatus.CLARIFICATION)
        req.clarification_asked_on = on
        req.clarification_due_on = legal.clarification_due_on(on)
        req.due_on = None
        req.is_overdue = False
        req.overdue_since = None
        event(
            req,
            RequestEventKind.CLARIFICATION_ASKED,
            by=by,
            on=on,
            from_status=before,
            to_status=req.status,
            note=note.strip(),
            details={"clarification_due_on": req.clarification_due_on.isoformat()},
        )
        to_requester(req, "request_clarification", note=note.strip())
        save_and_refresh(req)
    return req


def clarify(
    req: InformationRequest,
    *,
    text: str,
    by: User,
    on: date | None = None,
    version: int | None = None,
) -> InformationRequest:
    """The requester's clarification (or one staff received on paper and record with its
    date): the 14 days run again from it (ЗДОИ чл. 29, ал. 2)."""
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        staff = bool(by.has_perm("monitoring.handle_item", req))
        if not staff and not by.has_perm("monitoring.act_as_filer", req):
            raise PermissionDenied
        if on is None or not staff:
            on = today()
        if not text.strip():
            raise MonitoringError(_("Write the clarification."))
        if req.status != RequestStatus.CLARIFICATION:
            raise MonitoringError(_("No clarification is asked for this request now."))
        check_date(on, not_before=req.clarification_asked_on, label=_("the request to clarify"))
        if req.clarification_due_on and on > req.clarification_due_on:
            raise MonitoringError(
                _(
                    "The time to clarify ended on %(day)s: the request is left without "
                    "consideration."
                )
                % {"day": dmy(req.clarification_due_on)}
            )
        before = _move(req, RequestStatus.REGISTERED)
        req.clarified_on = on
        req.due_on = legal.request_due_on(on)
        event(
            req,
            RequestEventKind.CLARIFIED,
            by=by,
            on=on,
            from_status=before,
            to_status=req.status,
            note=text.strip(),
            details={"due_on": req.due_on.isoformat()},
        )
        if not staff:
            to_institution(req, "request_clarified", text=text.strip())
        settle_overdue(req, by=by)
        save_and_refresh(req)
    return req


def _term_start(req: InformationRequest) -> date:
    return req.clarified_on or req.registered_on or req.filed_on


def extend(
    req: InformationRequest,
    *,
    reason: str,
    days: int,
    note: str,
    by: User,
    on: date | None = None,
    version: int | None = None,
) -> InformationRequest:
    """ЗДОИ чл. 30 (a large volume) or чл. 31 (a third party's consent): the term grows by
    `days`, at most the legal limit for the reason, once, with a notice to the requester."""
    _require(by, "monitoring.handle_item", req)
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        if reason not in ExtensionReason.values:
            raise MonitoringError(_("Choose the reason for the extension."))
        if req.status != RequestStatus.REGISTERED:
            raise MonitoringError(
                _("Only a registered request that awaits a decision can be extended.")
            )
        if req.extension_reason:
            raise MonitoringError(
                _(
                    "The term of this request has already been extended once (%(days)s days); "
                    "it cannot be extended again."
                )
                % {"days": req.extension_days}
            )
        limit = legal.extension_days(reason)
        if not 1 <= days <= limit:
            raise MonitoringError(
                _("For this reason the term can be extended by 1 to %(limit)s days.")
                % {"limit": limit}
            )
        on = on or today()
        check_date(on, not_before=_term_start(req), label=_("the registration"))
        if req.due_on is not None and on > req.due_on:
            raise MonitoringError(
                _("The term ended on %(day)s: it can be extended only before it ends.")
                % {"day": dmy(req.due_on)}
            )
        req.extension_reason = reason
        req.extension_days = days
        req.due_on = legal.request_due_on(_term_start(req), days)
        event(
            req,
            RequestEventKind.EXTENDED,
            by=by,
            on=on,
            from_status=req.status,
            to_status=req.status,
            note=note.strip(),
            details={"reason": reason, "days": days, "due_on": req.due_on.isoformat()},
        )
        to_requester(
            req, "request_extended", reason=ExtensionReason(reason).label, days=days,
            note=note.strip(),
        )  # fmt: skip
        settle_overdue(req, by=by)
        save_and_refresh(req)
    return req


def forward(
    req: InformationRequest,
    *,
    on: date,
    note: str,
    by: User,
    to_institution: Institution | None = None,
    to_name: str = "",
    version: int | None = None,
) -> InformationRequest:
    """The body does not hold the information and knows who does (ЗДОИ чл. 32): forwarded
    with a notice to the requester. To an institution of the directory a new request is made
    for it (filed on the day of the forwarding) and sent there as a filing is."""
    _require(by, "monitoring.handle_item", req)
    to_name = " ".join(to_name.split())
    if (to_institution is None) == (not to_name):
        raise MonitoringError(
            _("Choose the competent institution from the directory or write its name.")
        )
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        if to_institution is not None and to_institution.pk == req.institution_id:
            raise MonitoringError(_("A request cannot be forwarded to the same institution."))
        check_date(on, not_before=req.registered_on or req.filed_on, label=_("the registration"))
        before = _move(req, RequestStatus.FORWARDED)
        req.forwarded_to = to_institution
        req.forwarded_to_name = "" if to_institution else to_name
        # The body's answer to this request (ЗДОИ чл. 32): in time when forwarded within it.
        req.decided_on = on
        req.answered_on_time = req.due_on is not None and on <= req.due_on
        req.days_to_answer = (on - (req.registered_on or req.filed_on)).days
        req.is_overdue = False
        req.overdue_since = None
        target_name = to_institution.name if to_institution else to_name
        new: InformationRequest | None = None
        if to_institution is not None:
            new = _new_request(
                to_institution,
                by=by,
                **copied(req, FILED_FIELDS),
                filed_on=on,
                channel=Channel.PLATFORM,
                status=RequestStatus.SUBMITTED,
                due_on=legal.request_due_on(on),
                forwarded_from=req,
            )
            event(
                new,
                RequestEventKind.FILED,
                by=by,
                on=on,
                to_status=RequestStatus.SUBMITTED,
                note=_("Forwarded by %(name)s.") % {"name": req.institution.name},
                details={"forwarded_from": req.pk},
            )
            _send_filed(new, by=by, note=note.strip())
            settle_overdue(new, by=by)
            new.save()
            index.refresh(to_institution.pk)
        event(
            req,
            RequestEventKind.FORWARDED,
            by=by,
            on=on,
            from_status=before,
            to_status=req.status,
            note=note.strip(),
            details={"to": target_name, "request": new.pk if new else None},
        )
        to_requester(
            req, "request_forwarded", target=target_name, note=note.strip(),
            new_url=absolute(new.get_absolute_url()) if new else "",
        )  # fmt: skip
        save_and_refresh(req)
    return req


def decide(
    req: InformationRequest,
    *,
    outcome: str,
    decided_on: date,
    answer: str,
    by: User,
    refusal_ground: str = "",
    documents: Sequence[tuple[UploadedFile, str, str]] = (),
    version: int | None = None,
) -> InformationRequest:
    """The decision (ЗДОИ чл. 28, ал. 2; чл. 33; чл. 37): access granted, partial, refused
    (on one of the three grounds of чл. 37, ал. 1) or the information does not exist.
    `documents` are (file, title, kind) to attach."""
    _require(by, "monitoring.handle_item", req)
    if outcome not in REQUEST_OUTCOMES:
        raise MonitoringError(_("Choose the decision."))
    if refusal_ground and refusal_ground not in RefusalGround.values:
        raise MonitoringError(_("Choose one of the grounds for refusal of the law."))
    if outcome == RequestStatus.REFUSED and not refusal_ground:
        raise MonitoringError(_("A refusal must state its ground (ЗДОИ чл. 37, ал. 1)."))
    if refusal_ground and outcome not in (RequestStatus.REFUSED, RequestStatus.PARTIAL):
        raise MonitoringError(_("A ground for refusal goes only with a refusal or partial access."))
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        if req.status == RequestStatus.SUBMITTED:
            raise MonitoringError(
                _("Register the request first: a decision cannot come before the registration.")
            )
        start = req.clarified_on or req.registered_on or req.filed_on
        check_date(
            decided_on,
            not_before=start,
            label=_("the clarification") if req.clarified_on else _("the registration"),
        )
        before = _move(req, outcome)
        req.decided_on = decided_on
        req.answer = answer.strip()
        req.refusal_ground = refusal_ground
        req.answered_on_time = req.due_on is not None and decided_on <= req.due_on
        req.days_to_answer = (decided_on - (req.registered_on or req.filed_on)).days
        req.is_overdue = False
        req.overdue_since = None
        attached = [
            save_document(req, upload, title=title, kind=kind, by=by)
            for upload, title, kind in documents
        ]
        event(
            req,
            RequestEventKind.DECIDED,
            by=by,
            on=decided_on,
            from_status=before,
            to_status=outcome,
            details={
                "refusal_ground": refusal_ground,
                "on_time": req.answered_on_time,
                "documents": [d.pk for d in attached],
            },
        )
        extra: dict[str, Any] = {"outcome": RequestStatus(outcome).label}
        if outcome in (RequestStatus.REFUSED, RequestStatus.PARTIAL):
            extra["appeal_by"] = legal.appeal_due_on(decided_on)
            extra["appeal_help"] = PITAY_APPEAL_HELP
        if refusal_ground:
            extra["ground"] = RefusalGround(refusal_ground).label
        to_requester(req, "request_decided", **extra)
        save_and_refresh(req)
    return req


# --- the requester's steps -------------------------------------------------------------------


def withdraw(
    req: InformationRequest, *, by: User, note: str = "", version: int | None = None
) -> InformationRequest:
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        _require(by, "monitoring.act_as_filer", req)
        if req.status in REQUEST_FINAL:
            raise MonitoringError(_("This request has already ended and cannot be withdrawn."))
        before = _move(req, RequestStatus.WITHDRAWN)
        req.is_overdue = False
        req.overdue_since = None
        event(
            req,
            RequestEventKind.WITHDRAWN,
            by=by,
            from_status=before,
            to_status=req.status,
            note=note.strip(),
        )
        to_institution(req, "request_withdrawn")
        save_and_refresh(req)
    return req


def set_visibility(
    req: InformationRequest,
    *,
    is_public: bool,
    show_name: bool,
    by: User,
    version: int | None = None,
) -> InformationRequest:
    """The requester publishes or hides the request and chooses whether their name shows."""
    with transaction.atomic():
        req = lock(InformationRequest, req.pk, version)
        _require(by, "monitoring.act_as_filer", req)
        if (req.is_public, req.show_name) == (is_public, show_name):
            return req
        event(
            req,
            RequestEventKind.NOTE,
            by=by,
            from_status=req.status,
            to_status=req.status,
            details={
                "is_public": [req.is_public, is_public],
                "show_name": [req.show_name, show_name],
            },
            # Whether the name was shown is itself about the person: staff and the owner only.
            is_public=False,
        )
        req.is_public = is_public
        req.show_name = show_name
        save_and_refresh(req)
    return req


# --- documents -------------------------------------------------------------------------------


def add_document(
    req: InformationRequest,
    *,
    upload: UploadedFile,
    title: str,
    kind: str,
    by: User,
    redacted_upload: UploadedFile | None = None,
    is_public: bool = True,
) -> Document:
    """A file of the request. Staff may give a redacted copy: it is what the public sees,
    and `upload` is kept privately as the original (Document.original). The requester may
    attach what they received (for a request logged from elsewhere)."""
    with transaction.atomic():
        req = lock(InformationRequest, req.pk)
        staff = by.has_perm("monitoring.handle_item", req)
        if not staff and not by.has_perm("monitoring.act_as_filer", req):
            raise PermissionDenied
        if kind not in DocumentKind.values:
            raise MonitoringError(_("Choose what the document is."))
        if not title.strip():
            raise MonitoringError(_("Give the document a title."))
        document = save_document(
            req, upload, title=title.strip(), kind=kind, by=by, redacted=redacted_upload,
            is_public=is_public,
        )  # fmt: skip
        event(
            req,
            RequestEventKind.DOCUMENT,
            by=by,
            from_status=req.status,
            to_status=req.status,
            note=document.title,
            details={"document": document.pk, "redacted": document.is_redacted},
            is_public=document.is_public and req.is_public,
        )
        save_and_refresh(req)
    return document


def redact(
    document: Document,
    *,
    redacted_upload: UploadedFile,
    by: User,
    is_public: bool = True,
) -> Document:
    """Staff replace a file by a redacted copy: the file as it was becomes the private
    original (unless one is kept already), the copy is what the public sees."""
    if document.request_id is None:
        raise MonitoringError(_("This document is not a request's."))
    with transaction.atomic():
        req = lock(InformationRequest, document.request_id)
        _require(by, "monitoring.handle_item", req)
        document = Document.objects.select_for_update().get(pk=document.pk)
        old_name = document.file.name or ""
        if not document.original:
            with document.file.open("rb") as handle:
                content = ContentFile(handle.read())
            document.original.save(safe_name(old_name.rsplit("/", 1)[-1]), content, save=False)
        document.file.save(safe_name(redacted_upload.name or "file"), redacted_upload, save=False)
        document.is_public = is_public
        document.save()
        storage = document.file.storage
        if old_name and old_name != document.file.name:
            # The unredacted public copy goes once the change is committed.
            transaction.on_commit(lambda: storage.delete(old_name))
        event(
            req,
            RequestEventKind.NOTE,
            by=by,
            from_status=req.status,
            to_status=req.status,
            note=_("A redacted copy replaced the file “%(title)s”.") % {"title": document.title},
            details={"document": document.pk, "redacted": True},
            is_public=False,
        )
        save_and_refresh(req)
    return document
