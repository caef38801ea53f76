"""Workflows of commitments and of the organisations' monitoring reports.

A commitment is recorded by the staff of its institution, or by a representative of an
organisation acting as its monitor; the institution's staff report progress (and answer the
monitors' comments); organisations comment and rate fulfilment. Every change writes a
`CommitmentUpdate`, so the public timeline keeps what happened: who (the institution or the
organisation), from which status to which, the old and the new deadline.

Status OVERDUE belongs to the daily check (`check_deadlines`): staff never choose it, and a
commitment leaves it only when it is done or dropped or gets a deadline that has not passed.

Every change runs in one `transaction.atomic()` with the row locked (optimistic locking on
`version` where a person acted on a form) and refreshes the stored responsiveness index of
the institution when a figure can move (recording, progress, the daily check).

Monitoring reports are written by an organisation's representatives, cover only public
items, and once published stay published: a correction is an edit (the version grows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.enums import STAFF_ROLES, Role
from accounts.models import User
from accounts.rules import is_administrator, is_representative_of, is_staff_of
from consultations.models import Consultation
from core.email import enqueue_many, render_email
from directory.models import Institution
from monitoring import index
from monitoring.enums import (
    CommitmentSource,
    CommitmentStatus,
    CommitmentUpdateKind,
    DocumentKind,
)
from monitoring.models import (
    MAX_TEXT_LENGTH,
    Commitment,
    CommitmentRating,
    CommitmentUpdate,
    InformationRequest,
    MonitoringReport,
    Signal,
)
from monitoring.services.common import (
    MonitoringError,
    absolute,
    check_date,
    emails_by_scope,
    lock,
    save_document,
    today,
)
from organisations.models import Organisation

S = CommitmentStatus

# What staff may choose next (OVERDUE is never chosen: the daily check sets it). Done and
# dropped are final: what happened after is told in answers, not by reopening the record.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOT_STARTED: frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.DONE, S.DROPPED}),
    S.IN_PROGRESS: frozenset({S.IN_PROGRESS, S.DONE, S.DROPPED}),
    S.OVERDUE: frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.DONE, S.DROPPED}),
    S.DONE: frozenset(),
    S.DROPPED: frozenset(),
}
OPEN_CHOSEN = frozenset({S.NOT_STARTED, S.IN_PROGRESS})
RATINGS = range(1, 6)
TEXT_LIMIT = 300  # titles, references


@dataclass(frozen=True)
class CommitmentData:
    """What a person types about a commitment (recording and editing)."""

    title: str
    source_kind: str
    source_reference: str
    indicator: str
    deadline: date | None = None
    description: str = ""
    source_date: date | None = None
    source_url: str = ""
    consultation: Consultation | None = None


# --- checks ----------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    if not url:
        return
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise MonitoringError(
            _("Enter a web address starting with http:// or https://.")
        ) from error


def _check_text(value: str, limit: int, label: str) -> None:
    if len(value) > limit:
        raise MonitoringError(
            _("%(field)s: at most %(n)s characters.") % {"field": label, "n": limit}
        )


def _check_data(
    institution: Institution, data: CommitmentData, *, new: bool, linked_id: int | None = None
) -> None:
    """`linked_id`: the consultation already linked, which stays linkable whatever its state."""
    if not data.title.strip() or not data.source_reference.strip() or not data.indicator.strip():
        raise MonitoringError(_("Give the commitment's title, its source and its indicator."))
    _check_text(data.title, TEXT_LIMIT, _("The title"))
    _check_text(data.source_reference, TEXT_LIMIT, _("The reference"))
    _check_text(data.indicator, 2000, _("The indicator"))
    _check_text(data.description, MAX_TEXT_LENGTH, _("The description"))
    if data.source_kind not in CommitmentSource.values:
        raise MonitoringError(_("Choose the kind of source."))
    if data.source_date is not None:
        check_date(data.source_date)
    _check_url(data.source_url)
    if new and data.deadline is None:
        raise MonitoringError(_("Give the deadline."))
    consultation = data.consultation
    if (
        consultation is not None
        and consultation.pk != linked_id
        and (
            consultation.institution_id != institution.pk
            or not Consultation.objects.public().filter(pk=consultation.pk).exists()
        )
    ):
        raise MonitoringError(
            _("Only a published consultation of the same institution can be linked.")
        )


def _deny(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- recording and editing -------------------------------------------------------------------


def record(
    institution: Institution,
    *,
    by: User,
    title: str,
    source_kind: str,
    source_reference: str,
    deadline: date | None,
    indicator: str,
    monitor: Organisation | None = None,
    description: str = "",
    source_date: date | None = None,
    source_url: str = "",
    consultation: Consultation | None = None,
) -> Commitment:
    """Record a commitment of `institution`: by its staff (or an administrator), or by a
    representative for `monitor`, an organisation they represent. NOT_STARTED, with a
    RECORDED row in the timeline. `consultation`: a published consultation of the same
    institution whose report made the promise."""
    data = CommitmentData(
        title=title, source_kind=source_kind, source_reference=source_reference,
        indicator=indicator, deadline=deadline, description=description,
        source_date=source_date, source_url=source_url, consultation=consultation,
    )  # fmt: skip
    if monitor is not None:
        _deny(bool(is_representative_of(by, monitor)))
    else:
        _deny(bool(is_staff_of(by, institution) or is_administrator(by)))
    _check_data(institution, data, new=True)
    deadline = cast(date, data.deadline)  # _check_data: given
    with transaction.atomic():
        commitment = Commitment.objects.create(
            institution=institution,
            title=data.title.strip(),
            description=data.description.strip(),
            source_kind=data.source_kind,
            source_reference=data.source_reference.strip(),
            source_date=data.source_date,
            source_url=data.source_url,
            consultation=data.consultation,
            deadline=deadline,
            indicator=data.indicator.strip(),
            status=S.NOT_STARTED,
            progress=0,
            recorded_by=by,
            monitor=monitor,
        )
        CommitmentUpdate.objects.create(
            commitment=commitment,
            kind=CommitmentUpdateKind.RECORDED,
            by=by,
            organisation=monitor,
            to_status=S.NOT_STARTED,
            progress=0,
        )
        index.refresh(institution.pk)
    return commitment


EDITABLE = (
    "title", "description", "source_kind", "source_reference", "source_date", "source_url",
    "consultation", "indicator",
)  # fmt: skip


def edit(
    commitment: Commitment,
    *,
    version: int | None,
    by: User,
    title: str,
    source_kind: str,
    source_reference: str,
    indicator: str,
    description: str = "",
    source_date: date | None = None,
    source_url: str = "",
    consultation: Consultation | None = None,
) -> Commitment:
    """Correct what was recorded (not the deadline: a new one is set with its reason through
    `update_progress`). The timeline says which fields changed."""
    data = CommitmentData(
        title=title, source_kind=source_kind, source_reference=source_reference,
        indicator=indicator, description=description, source_date=source_date,
        source_url=source_url, consultation=consultation,
    )  # fmt: skip
    _deny(by.has_perm("monitoring.edit_commitment", commitment))
    _check_data(commitment.institution, data, new=False, linked_id=commitment.consultation_id)
    with transaction.atomic():
        locked = lock(Commitment, commitment.pk, version)
        values = {
            "title": data.title.strip(),
            "description": data.description.strip(),
            "source_kind": data.source_kind,
            "source_reference": data.source_reference.strip(),
            "source_date": data.source_date,
            "source_url": data.source_url,
            "consultation_id": data.consultation.pk if data.consultation else None,
            "indicator": data.indicator.strip(),
        }
        changed = [
            name for name in EDITABLE if getattr(locked, _attname(name)) != values[_attname(name)]
        ]
        if not changed:
            return locked
        for attname, value in values.items():
            setattr(locked, attname, value)
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        CommitmentUpdate.objects.create(
            commitment=locked,
            kind=CommitmentUpdateKind.PROGRESS,
            by=by,
            organisation=locked.monitor if represents_monitor_only(by, locked) else None,
            from_status=locked.status,
            to_status=locked.status,
            details={"corrected": changed},
        )
    return locked


def _attname(name: str) -> str:
    return "consultation_id" if name == "consultation" else name


def represents_monitor_only(user: User, commitment: Commitment) -> bool:
    """The person acts for the monitor (not as the institution's staff or an administrator)."""
    return bool(
        commitment.monitor_id
        and not is_staff_of(user, commitment.institution)
        and not is_administrator(user)
        and is_representative_of(user, commitment.monitor)
    )


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A progress update as staff type it."""

    status: str
    progress: int
    text: str = ""
    evidence_url: str = ""
    done_on: date | None = None
    new_deadline: date | None = None
    deadline_reason: str = ""


def check_progress(current: Commitment, change: Progress) -> None:
    """Refuse, with the reason, what cannot be recorded (the form asks the same first)."""
    if change.status not in TRANSITIONS.get(current.status, frozenset()):
        raise MonitoringError(_("This step is not possible in the record's current state."))
    if not 0 <= change.progress <= 100:
        raise MonitoringError(_("Progress is a percentage from 0 to 100."))
    if change.status == S.NOT_STARTED and change.progress:
        raise MonitoringError(
            _("A commitment with progress has started: choose “In progress” or “Done”.")
        )
    _check_text(change.text, MAX_TEXT_LENGTH, _("The text"))
    _check_url(change.evidence_url)
    if change.status == S.DONE:
        if change.done_on is None:
            raise MonitoringError(_("Give the date on which the commitment was fulfilled."))
        check_date(change.done_on)
    if change.status == S.DROPPED and not change.text.strip():
        raise MonitoringError(_("Say why the commitment is dropped."))
    if change.new_deadline is not None:
        if change.status not in OPEN_CHOSEN:
            raise MonitoringError(
                _("A new deadline is set only for a commitment that is still being fulfilled.")
            )
        if change.new_deadline == current.deadline:
            raise MonitoringError(_("The new deadline is the same as the current one."))
        if change.new_deadline < today():
            raise MonitoringError(_("The new deadline cannot be in the past."))
        if not change.deadline_reason.strip():
            raise MonitoringError(_("Say why the deadline changes."))
        _check_text(change.deadline_reason, 2000, _("The reason"))


def update_progress(
    commitment: Commitment,
    *,
    status: str,
    progress: int,
    by: User,
    text: str = "",
    evidence_url: str = "",
    documents: Sequence[tuple[str, UploadedFile]] = (),
    done_on: date | None = None,
    new_deadline: date | None = None,
    deadline_reason: str = "",
    version: int | None = None,
) -> Commitment:
    """Record the institution's progress: status, percentage, what was done (for DROPPED,
    why), evidence (a link and files given as (title, file)), for DONE the day it was done,
    possibly a new deadline with its reason. One PROGRESS row in the timeline with the status
    before and after. `version`: the one the person saw (None: do not check)."""
    change = Progress(
        status=status, progress=progress, text=text, evidence_url=evidence_url,
        done_on=done_on, new_deadline=new_deadline, deadline_reason=deadline_reason,
    )  # fmt: skip
    _deny(by.has_perm("monitoring.update_commitment", commitment))
    with transaction.atomic():
        locked = lock(Commitment, commitment.pk, version)
        check_progress(locked, change)
        from_status = locked.status
        details: dict[str, Any] = {}
        if change.new_deadline is not None:
            details = {
                "old_deadline": locked.deadline.isoformat(),
                "new_deadline": change.new_deadline.isoformat(),
                "deadline_reason": change.deadline_reason.strip(),
            }
            locked.deadline = change.new_deadline
        status = change.status
        if status == S.DONE and change.done_on is not None:  # check_progress: given
            locked.done_on = change.done_on
            locked.done_on_time = change.done_on <= locked.deadline
            locked.progress = 100
            locked.is_overdue = False
        elif status == S.DROPPED:
            locked.is_overdue = False
            locked.progress = change.progress
        else:
            locked.progress = change.progress
            if locked.deadline < today():
                # Still past its deadline: it stays overdue until done, dropped or given a
                # deadline that has not passed.
                if from_status == S.OVERDUE:
                    status = S.OVERDUE
            else:
                locked.is_overdue = False
        locked.status = status
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        CommitmentUpdate.objects.create(
            commitment=locked,
            kind=CommitmentUpdateKind.PROGRESS,
            by=by,
            from_status=from_status,
            to_status=locked.status,
            progress=locked.progress,
            text=change.text.strip(),
            evidence_url=change.evidence_url,
            details=details,
        )
        for title, upload in documents:
            save_document(
                locked, upload, title=title or upload.name or "", kind=DocumentKind.OTHER, by=by
            )
        index.refresh(locked.institution_id)
    return locked


# --- comments, answers and ratings ---------------------------------------------------------


def comment(
    commitment: Commitment, *, text: str, by: User, organisation: Organisation | None = None
) -> CommitmentUpdate:
    """A monitor's comment (for `organisation`, one `by` represents) or, without one, the
    answer of the institution's staff."""
    text = text.strip()
    if organisation is not None:
        _deny(bool(is_representative_of(by, organisation)))
        kind = CommitmentUpdateKind.COMMENT
    else:
        _deny(by.has_perm("monitoring.update_commitment", commitment))
        kind = CommitmentUpdateKind.ANSWER
    if not text:
        raise MonitoringError(_("Write the text."))
    _check_text(text, MAX_TEXT_LENGTH, _("The text"))
    with transaction.atomic():
        locked = lock(Commitment, commitment.pk)
        return CommitmentUpdate.objects.create(
            commitment=locked,
            kind=kind,
            by=by,
            organisation=organisation,
            from_status=locked.status,
            to_status=locked.status,
            text=text,
        )


def rate(
    commitment: Commitment, *, organisation: Organisation, rating: int, by: User
) -> CommitmentRating:
    """The organisation's rating of fulfilment (1–5); a new one replaces its earlier one. The
    counters are recounted under the row's lock, so they stay exact whoever rates at once."""
    _deny(bool(is_representative_of(by, organisation)))
    if rating not in RATINGS:
        raise MonitoringError(_("A rating is a whole number from 1 to 5."))
    with transaction.atomic():
        locked = lock(Commitment, commitment.pk)
        row, _created = CommitmentRating.objects.update_or_create(
            commitment=locked,
            organisation=organisation,
            defaults={"rating": rating, "by": by, "at": timezone.now()},
        )
        totals = CommitmentRating.objects.filter(commitment=locked).aggregate(
            n=Count("pk"), total=Sum("rating")
        )
        Commitment.objects.filter(pk=locked.pk).update(
            ratings_count=totals["n"], ratings_sum=totals["total"] or 0
        )
        CommitmentUpdate.objects.create(
            commitment=locked,
            kind=CommitmentUpdateKind.RATING,
            by=by,
            organisation=organisation,
            from_status=locked.status,
            to_status=locked.status,
            details={"rating": rating},
        )
    commitment.ratings_count = totals["n"]
    commitment.ratings_sum = totals["total"] or 0
    return row


# --- the daily check -------------------------------------------------------------------------


def check_deadlines(today: date) -> int:
    """The daily check (manage.py check_monitoring_deadlines): mark what became overdue on
    `today`, tell the people concerned once, refresh the index; the number of records marked.

    Commitments not started or in progress whose deadline is before `today` become OVERDUE
    with a row in their timeline. Each person concerned (the staff of the institution, the
    representatives of the monitoring organisation) gets one e-mail listing theirs. A second
    run finds nothing left to mark, so it sends nothing. The queries do not grow with the
    number of commitments; the index is refreshed once per institution touched."""
    with transaction.atomic():
        due = list(
            Commitment.objects.select_for_update()
            .due_before(today)
            .order_by("institution_id", "deadline", "pk")
            .only("pk", "title", "deadline", "status", "institution_id", "monitor_id")
        )
        if not due:
            return 0
        ids = [c.pk for c in due]
        Commitment.objects.filter(pk__in=ids).update(
            status=S.OVERDUE, is_overdue=True, version=F("version") + 1
        )
        CommitmentUpdate.objects.bulk_create(
            CommitmentUpdate(
                commitment_id=c.pk,
                kind=CommitmentUpdateKind.OVERDUE,
                from_status=c.status,
                to_status=S.OVERDUE,
            )
            for c in due
        )
        institutions = {c.institution_id for c in due}
        staff = emails_by_scope(Institution, STAFF_ROLES, institutions)
        monitors = emails_by_scope(
            Organisation,
            [Role.ORGANISATION_REPRESENTATIVE],
            {c.monitor_id for c in due if c.monitor_id},
        )
        names = dict(Institution.objects.filter(pk__in=institutions).values_list("pk", "name_bg"))
        for_person: dict[str, list[Commitment]] = defaultdict(list)
        for c in due:
            for address in {*staff.get(c.institution_id, ()), *monitors.get(c.monitor_id or 0, ())}:
                for_person[address].append(c)
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for address, commitments in sorted(for_person.items()):
                rows = [
                    {
                        "title": c.title,
                        "institution": names.get(c.institution_id, ""),
                        "deadline": c.deadline,
                        "url": absolute(reverse("monitoring:commitment", args=[c.pk])),
                    }
                    for c in commitments
                ]
                messages.append(
                    render_email(
                        address,
                        None,
                        "monitoring/email/commitment_overdue",
                        {"commitments": rows, "count": len(rows), "today": today},
                    )
                )
        if messages:
            enqueue_many(messages)
        for institution_id in sorted(institutions):
            index.refresh(institution_id)
    return len(due)


# --- monitoring reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    """What the representatives write: the text and the public items it covers."""

    title: str
    body: str
    summary: str = ""
    commitments: Sequence[Commitment] = ()
    requests: Sequence[InformationRequest] = ()
    signals: Sequence[Signal] = ()


def _check_report(data: ReportData) -> None:
    if not data.title.strip() or not data.body.strip():
        raise MonitoringError(_("Give the report's title and text."))
    _check_text(data.title, TEXT_LIMIT, _("The title"))
    _check_text(data.summary, 1000, _("The summary"))
    _check_text(data.body, 100_000, _("The text"))
    items: list[Any] = [*data.commitments, *data.requests, *data.signals]
    if any(not item.is_public for item in items):
        raise MonitoringError(_("A report can cover only public items."))


def _save_report(
    report: MonitoringReport,
    data: ReportData,
    attachments: Sequence[tuple[str, UploadedFile]],
    by: User,
) -> None:
    report.commitments.set(data.commitments)
    report.requests.set(data.requests)
    report.signals.set(data.signals)
    for title, upload in attachments:
        save_document(
            report, upload, title=title or upload.name or "", kind=DocumentKind.OTHER, by=by
        )


def create_report(
    organisation: Organisation,
    *,
    by: User,
    title: str,
    body: str,
    summary: str = "",
    commitments: Sequence[Commitment] = (),
    requests: Sequence[InformationRequest] = (),
    signals: Sequence[Signal] = (),
    attachments: Sequence[tuple[str, UploadedFile]] = (),
) -> MonitoringReport:
    """A draft report of `organisation` (its representatives, or an administrator) with the
    public items it covers and its attachments, given as (title, file)."""
    data = ReportData(title, body, summary, list(commitments), list(requests), list(signals))
    _deny(by.has_perm("monitoring.add_report", organisation))
    _check_report(data)
    with transaction.atomic():
        report = MonitoringReport.objects.create(
            organisation=organisation,
            title=data.title.strip(),
            summary=data.summary.strip(),
            body=data.body,
            created_by=by,
        )
        _save_report(report, data, attachments, by)
    return report


def edit_report(
    report: MonitoringReport,
    *,
    version: int | None,
    by: User,
    title: str,
    body: str,
    summary: str = "",
    commitments: Sequence[Commitment] = (),
    requests: Sequence[InformationRequest] = (),
    signals: Sequence[Signal] = (),
    attachments: Sequence[tuple[str, UploadedFile]] = (),
    remove: Iterable[int] = (),
) -> MonitoringReport:
    """Edit a draft, or correct a published report (it stays published; the version grows).
    Attachments may be removed only from a draft: what readers of a published report could
    download stays."""
    data = ReportData(title, body, summary, list(commitments), list(requests), list(signals))
    _deny(by.has_perm("monitoring.change_report", report))
    _check_report(data)
    remove = list(remove)
    with transaction.atomic():
        locked = lock(MonitoringReport, report.pk, version)
        if remove and locked.published_at is not None:
            raise MonitoringError(
                _("Attachments of a published report stay; add a corrected file instead.")
            )
        locked.title = data.title.strip()
        locked.summary = data.summary.strip()
        locked.body = data.body
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        if remove:
            for document in locked.documents.filter(pk__in=remove):
                document.file.delete(save=False)
                document.delete()
        _save_report(locked, data, attachments, by)
    return locked


def publish_report(
    report: MonitoringReport, *, by: User, version: int | None = None
) -> MonitoringReport:
    """Publish a draft. There is no way back: a published report is corrected by edits."""
    _deny(by.has_perm("monitoring.change_report", report))
    with transaction.atomic():
        locked = lock(MonitoringReport, report.pk, version)
        if locked.published_at is None:
            locked.published_at = timezone.now()
            locked.version = F("version") + 1
            locked.save(update_fields=["published_at", "version", "updated_at"])
            locked.refresh_from_db()
    return locked
