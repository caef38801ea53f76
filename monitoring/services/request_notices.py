"""Information requests (ЗДОИ): what their steps write and send, and the daily deadline check.

The timeline row of a step, the e-mails to the requester and to the institution (one message
per address, in the caller's transaction), the overdue flag (set when a step leaves a request
waiting past its deadline, cleared by the step that ends the wait) and `check_deadlines`, run
by manage.py check_monitoring_deadlines. monitoring/services/requests.py's steps use these.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from accounts.models import User
from core.email import enqueue_many, render_email
from core.legal_calendar import LegalCalendar
from monitoring import index, legal
from monitoring.enums import REQUEST_PENDING, REQUEST_TRANSITIONS, RequestEventKind, RequestStatus
from monitoring.models import InformationRequest, RequestEvent
from monitoring.services.common import (
    absolute,
    history_row,
    institution_addresses,
    mail_each,
    move,
    today,
)

PITAY_APPEAL_HELP = "https://pitay.government.bg/help-section/help-appeal"
TEMPLATES = "monitoring/email/"


def event(
    req: InformationRequest,
    kind: str,
    *,
    by: User | None,
    on: date | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    details: dict[str, Any] | None = None,
    is_public: bool = True,
) -> RequestEvent:
    """One row of the request's timeline; `on` (the legal date of the step) defaults to
    today."""
    return history_row(
        RequestEvent,
        "request",
        req,
        kind=kind,
        on=on or today(),
        by=by,
        from_status=from_status,
        to_status=to_status,
        note=note,
        details=details or {},
        is_public=is_public,
    )


def _context(req: InformationRequest, **extra: Any) -> dict[str, Any]:
    return {
        "req": req,
        "institution": req.institution,
        "url": absolute(req.get_absolute_url()),
        "portal_name": settings.PORTAL_NAME,
        **extra,
    }


def to_requester(req: InformationRequest, template: str, **extra: Any) -> None:
    if req.requester_email:
        mail_each([req.requester_email], TEMPLATES + template, _context(req, **extra))


def to_institution(req: InformationRequest, template: str, **extra: Any) -> int:
    """To the institution's official address and its staff; the number of messages."""
    addresses = institution_addresses(req.institution)
    return mail_each(addresses, TEMPLATES + template, _context(req, **extra))


# --- overdue ---------------------------------------------------------------------------------


def _flag_overdue(
    req: InformationRequest, *, by: User | None, calendar: LegalCalendar | None = None
) -> date:
    """The deadline passed with no decision: flagged from the day after it, with a row on the
    timeline; the last day to appeal against the tacit refusal."""
    assert req.due_on is not None  # noqa: S101 - only pending requests with a deadline
    req.is_overdue = True
    req.overdue_since = req.due_on + timedelta(days=1)
    appeal_by = legal.tacit_refusal_appeal_due_on(req.due_on, calendar)
    event(
        req,
        RequestEventKind.OVERDUE,
        by=by,
        on=req.overdue_since,
        from_status=req.status,
        to_status=req.status,
        details={"due_on": req.due_on.isoformat(), "appeal_by": appeal_by.isoformat()},
    )
    return appeal_by


def settle_overdue(req: InformationRequest, *, by: User | None = None) -> None:
    """After a step that set the deadline: overdue only while waiting past it. Marked now,
    the requester (with the appeal route against a tacit refusal) and the institution are
    told, once."""
    if req.status in REQUEST_PENDING and req.due_on is not None and req.due_on < today():
        if not req.is_overdue:
            appeal_by = _flag_overdue(req, by=by)
            extra = {"appeal_by": appeal_by, "appeal_help": PITAY_APPEAL_HELP}
            to_requester(req, "request_overdue_requester", **extra)
            to_institution(req, "request_overdue_institution", **extra)
    else:
        req.is_overdue = False
        req.overdue_since = None


# --- the daily check -------------------------------------------------------------------------


def check_deadlines(today: date) -> int:
    """The daily check (manage.py check_monitoring_deadlines): mark what became overdue on
    `today`, tell the people concerned once, refresh the index; the number of records marked.

    Pending requests past their deadline are flagged overdue (an OVERDUE event, one e-mail to
    the requester with the appeal route and one to the institution); a clarification not
    given in time leaves the request without consideration (ЗДОИ чл. 29, ал. 2). A second run
    on the same day finds nothing: both sets exclude what was already done. A fixed number of
    queries per record (an update, an event) plus one per institution for its addresses."""
    calendar = LegalCalendar()
    touched: set[int] = set()
    addresses: dict[int, list[str]] = {}
    messages: list[dict[str, Any]] = []
    count = 0

    def tell(req: InformationRequest, template: str, **extra: Any) -> None:
        context = _context(req, **extra)
        if req.requester_email:
            messages.append(
                render_email(
                    req.requester_email, None, TEMPLATES + template + "_requester", context
                )
            )
        if template == "request_overdue":
            if req.institution_id not in addresses:
                addresses[req.institution_id] = institution_addresses(req.institution)
            messages.extend(
                render_email(a, None, TEMPLATES + "request_overdue_institution", context)
                for a in addresses[req.institution_id]
            )

    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        overdue = (
            InformationRequest.objects.due_before(today)
            .select_for_update(of=("self",))
            .select_related("institution")
            .order_by("pk")
        )
        for req in overdue:
            appeal_by = _flag_overdue(req, by=None, calendar=calendar)
            req.version += 1
            req.save(update_fields=["is_overdue", "overdue_since", "version", "updated_at"])
            tell(req, "request_overdue", appeal_by=appeal_by, appeal_help=PITAY_APPEAL_HELP)
            touched.add(req.institution_id)
            count += 1
        lapsed = (
            InformationRequest.objects.filter(
                status=RequestStatus.CLARIFICATION, clarification_due_on__lt=today
            )
            .select_for_update(of=("self",))
            .select_related("institution")
            .order_by("pk")
        )
        for req in lapsed:
            before = move(req, REQUEST_TRANSITIONS, RequestStatus.NO_CONSIDERATION)
            req.version += 1
            req.save(update_fields=["status", "version", "updated_at"])
            assert req.clarification_due_on is not None  # noqa: S101 - filtered on it
            event(
                req,
                RequestEventKind.LAPSED,
                by=None,
                on=req.clarification_due_on + timedelta(days=1),
                from_status=before,
                to_status=req.status,
                details={"clarification_due_on": req.clarification_due_on.isoformat()},
            )
            tell(req, "request_lapsed")
            touched.add(req.institution_id)
            count += 1
        if messages:
            enqueue_many(messages)
        for institution_id in sorted(touched):
            index.refresh(institution_id)
    return count
