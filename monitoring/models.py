"""Monitoring of the administration: information requests (ЗДОИ), proposals and signals (АПК),
commitments with their updates and ratings, monitoring reports, their documents, and the
stored responsiveness index.

Statuses change only through the services (monitoring/requests.py, monitoring/signals.py,
monitoring/commitments.py), which check the enums' transition tables, recompute the deadline
(monitoring/legal.py) and write a timeline row for each change: nothing that happened to a
public record is lost. Every request, signal and commitment carries its institution's
municipality and province, copied when it is made, so that lists filter on an index of their
own table.

What is personal stays private whatever the record's visibility: the requester's or filer's
name (shown only when they chose so), address and e-mail.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from core.models import TimeStampedModel
from directory.models import Institution
from monitoring.enums import (
    COMMITMENT_OPEN,
    REQUEST_PENDING,
    SIGNAL_PENDING,
    AccessForm,
    Channel,
    CommitmentSource,
    CommitmentStatus,
    CommitmentUpdateKind,
    DocumentKind,
    ExtensionReason,
    RefusalGround,
    RequestEventKind,
    RequestStatus,
    SignalEventKind,
    SignalKind,
    SignalOutcome,
    SignalStatus,
)
from organisations.models import Organisation
from territory.models import Municipality, Province

MAX_TEXT_LENGTH = 10_000


def _territory_from(obj: Any) -> None:
    """Copy the institution's municipality and province (for the lists' filters)."""
    institution = obj.institution
    if institution is not None:
        obj.municipality_id = institution.municipality_id
        obj.province_id = institution.province_id or (
            institution.municipality.province_id if institution.municipality_id else None
        )


class MonitoredQuerySet(models.QuerySet[Any]):
    """Filters shared by requests, signals and commitments."""

    def public(self) -> Any:
        return self.filter(is_public=True)

    def visible_to(self, user: Any) -> Any:
        """What `user` may see, as one filter (rules.py, view_item): the public ones, their
        own and their organisations', those of the institutions they work for or that were
        forwarded to them; everything for moderators and administrators."""
        from accounts.rules import is_administrator, is_moderator
        from directory.selectors import staff_institution_ids
        from organisations.selectors import represented_ids

        if is_moderator.test(user) or is_administrator.test(user):
            return self.all()
        condition = Q(is_public=True)
        if getattr(user, "is_authenticated", False):
            condition |= Q(**{self.model.OWNER_FIELD: user})
            organisations = represented_ids(user)
            if organisations and hasattr(self.model, "organisation"):
                condition |= Q(organisation_id__in=organisations)
            staff = staff_institution_ids(user)
            if staff:
                condition |= Q(institution_id__in=staff)
                if hasattr(self.model, "forwarded_to"):
                    condition |= Q(forwarded_to_id__in=staff)
        return self.filter(condition)

    def overdue(self) -> Any:
        return self.filter(is_overdue=True)

    def of_institutions(self, ids: list[int]) -> Any:
        return self.filter(institution_id__in=ids)


# --- Information requests ---------------------------------------------------------------------


class InformationRequestQuerySet(MonitoredQuerySet):
    def pending(self) -> InformationRequestQuerySet:
        return self.filter(status__in=REQUEST_PENDING)

    def due_before(self, day: Any) -> InformationRequestQuerySet:
        """Still waiting for the body after their last day: the daily check marks them."""
        return self.pending().filter(due_on__lt=day, is_overdue=False)


class InformationRequest(TimeStampedModel):
    """A request for access to public information (ЗДОИ чл. 24–25) and what became of it."""

    OWNER_FIELD = "requester"

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="information_requests",
        verbose_name=_("institution"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    # What is asked (public, unless the request is private).
    title = models.CharField(_("subject"), max_length=300)
    description = models.TextField(
        _("description of the information"), validators=[MaxLengthValidator(MAX_TEXT_LENGTH)]
    )
    access_form = models.CharField(
        _("preferred form of access"), max_length=20, choices=AccessForm.choices,
        default=AccessForm.ELECTRONIC,
    )  # fmt: skip
    # Who asks (ЗДОИ чл. 25: the name, or name and seat of a legal entity, and an address for
    # correspondence; never a personal number). Private: the name is public only if
    # `show_name`; the address and e-mail never are.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="information_requests", verbose_name=_("requester's account"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="information_requests", verbose_name=_("on behalf of"),
    )  # fmt: skip
    requester_name = models.CharField(_("name of the requester"), max_length=300)
    correspondence_address = models.TextField(
        _("address for correspondence"), max_length=500,
        help_text=_("A postal address or an e-mail address."),
    )  # fmt: skip
    requester_email = models.EmailField(_("e-mail for notices"), blank=True)
    show_name = models.BooleanField(_("show the requester's name publicly"), default=False)
    is_public = models.BooleanField(_("published"), default=True)
    # How it reached the body and under which number.
    channel = models.CharField(
        _("filed"), max_length=12, choices=Channel.choices, default=Channel.PLATFORM
    )
    external_reference = models.CharField(
        _("number elsewhere"), max_length=100, blank=True,
        help_text=_("E.g. the number on pitay.government.bg."),
    )  # fmt: skip
    filed_on = models.DateField(_("filed on"))
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED, db_index=True,
    )  # fmt: skip
    # The current statutory deadline of the body (monitoring/legal.py). Until registration it
    # runs from the filing (a request received by e-mail is registered on arrival); None
    # while the requester is asked to clarify (the 14 days start again from the clarification).
    due_on = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    clarification_asked_on = models.DateField(
        _("clarification requested on"), null=True, blank=True
    )
    clarification_due_on = models.DateField(
        _("deadline for the clarification"), null=True, blank=True
    )
    clarified_on = models.DateField(_("clarified on"), null=True, blank=True)
    extension_reason = models.CharField(
        _("reason for the extension"), max_length=20, choices=ExtensionReason.choices, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(_("days of extension"), default=0)
    forwarded_to = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("forwarded to"),
    )  # fmt: skip
    forwarded_to_name = models.CharField(
        _("forwarded to (a body not in the directory)"), max_length=300, blank=True
    )
    # The request this one was forwarded from (one on the portal, for the other institution).
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forwards",
        verbose_name=_("forwarded from"),
    )  # fmt: skip
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    refusal_ground = models.CharField(
        _("ground for refusal"), max_length=20, choices=RefusalGround.choices, blank=True
    )
    answer = models.TextField(
        _("answer"), blank=True, help_text=_("Markdown."),
        validators=[MaxLengthValidator(MAX_TEXT_LENGTH)],
    )  # fmt: skip
    # Kept when the decision is made, for the index (monitoring/index.py).
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    days_to_answer = models.PositiveIntegerField(_("days to answer"), null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )  # fmt: skip
    is_demo = models.BooleanField(_("demo content"), default=False)
    # Raised on every change (optimistic locking: two officials acting at once).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = InformationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        indexes = [
            models.Index(fields=["-filed_on", "-id"], name="request_newest"),
            models.Index(fields=["institution", "-filed_on"], name="request_institution"),
            models.Index(fields=["municipality", "-filed_on"], name="request_municipality"),
            models.Index(fields=["status", "due_on"], name="request_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:request", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.municipality_id is None and self.province_id is None:
            _territory_from(self)
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        """What the public sees of the requester: the organisation, or the name if shown."""
        if self.organisation is not None and self.show_name:
            return self.organisation.name
        return self.requester_name if self.show_name else ""

    @property
    def is_pending(self) -> bool:
        return self.status in REQUEST_PENDING


class RequestEvent(models.Model):
    """One entry of a request's timeline: who (none when automatic), when, what, why."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=24, choices=RequestEventKind.choices)
    at = models.DateTimeField(_("recorded"), default=timezone.now)
    # The legal date of the event (a registration dated by the institution), which may be
    # earlier than `at`.
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    from_status = models.CharField(
        _("from"), max_length=20, choices=RequestStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=RequestStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # E.g. {"days": 10, "reason": "large_volume"}, {"due_on": "2026-12-21"}.
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Staff-only notes are not shown to the public.
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("event of a request")
        verbose_name_plural = _("events of requests")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"


# --- Proposals and signals --------------------------------------------------------------------


class SignalQuerySet(MonitoredQuerySet):
    def pending(self) -> SignalQuerySet:
        return self.filter(status__in=SIGNAL_PENDING)

    def due_before(self, day: Any) -> SignalQuerySet:
        return self.pending().filter(due_on__lt=day, is_overdue=False)


class Signal(TimeStampedModel):
    """A proposal or a signal (АПК чл. 107–124) and what became of it."""

    OWNER_FIELD = "filer"

    kind = models.CharField(_("kind"), max_length=10, choices=SignalKind.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="signals",
        verbose_name=_("institution"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    title = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("text"), validators=[MaxLengthValidator(MAX_TEXT_LENGTH)])
    # For a signal: when the acts it reports took place (over 2 years: АПК чл. 111, ал. 4).
    event_on = models.DateField(_("when it happened"), null=True, blank=True)
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="signals", verbose_name=_("filer's account"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="signals",
        verbose_name=_("on behalf of"),
    )  # fmt: skip
    # АПК чл. 111, ал. 4: without the three names and an address no proceedings are opened.
    filer_name = models.CharField(_("name of the filer"), max_length=300, blank=True)
    filer_address = models.TextField(_("address"), max_length=500, blank=True)
    filer_email = models.EmailField(_("e-mail for notices"), blank=True)
    show_name = models.BooleanField(_("show the filer's name publicly"), default=False)
    is_public = models.BooleanField(_("published"), default=False)
    # Accepted as feedback, starting no legal deadline (no name or address).
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    # About acts more than 2 years old (АПК чл. 111, ал. 4): flagged, no deadline.
    is_stale = models.BooleanField(_("about acts over 2 years old"), default=False)
    channel = models.CharField(
        _("filed"), max_length=12, choices=Channel.choices, default=Channel.PLATFORM
    )
    external_reference = models.CharField(_("number elsewhere"), max_length=100, blank=True)
    received_on = models.DateField(_("received on"))
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SignalStatus.choices,
        default=SignalStatus.SUBMITTED, db_index=True,
    )  # fmt: skip
    # The last day for the decision (АПК чл. 118; monitoring/legal.py); None when no legal
    # deadline runs (anonymous, stale).
    due_on = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    # The whole term in months once extended (at most 6, АПК чл. 118, ал. 3).
    extended_months = models.PositiveSmallIntegerField(
        _("term extended to (months)"), null=True, blank=True
    )
    extension_note = models.TextField(_("reason for the extension"), blank=True)
    forwarded_to = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("forwarded to"),
    )  # fmt: skip
    forwarded_to_name = models.CharField(
        _("forwarded to (a body not in the directory)"), max_length=300, blank=True
    )
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forwards",
        verbose_name=_("forwarded from"),
    )  # fmt: skip
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(
        _("decision"), max_length=10, choices=SignalOutcome.choices, blank=True
    )
    answer = models.TextField(
        _("answer"), blank=True, help_text=_("Markdown."),
        validators=[MaxLengthValidator(MAX_TEXT_LENGTH)],
    )  # fmt: skip
    # The decision reached the filer (within 7 days of it: АПК чл. 118, ал. 2; чл. 123).
    communicated_on = models.DateField(_("communicated on"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    days_to_answer = models.PositiveIntegerField(_("days to answer"), null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )  # fmt: skip
    is_demo = models.BooleanField(_("demo content"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("proposal or signal")
        verbose_name_plural = _("proposals and signals")
        indexes = [
            models.Index(fields=["-received_on", "-id"], name="signal_newest"),
            models.Index(fields=["institution", "-received_on"], name="signal_institution"),
            models.Index(fields=["municipality", "-received_on"], name="signal_municipality"),
            models.Index(fields=["status", "due_on"], name="signal_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:signal", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.municipality_id is None and self.province_id is None:
            _territory_from(self)
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        if self.organisation is not None and self.show_name:
            return self.organisation.name
        return self.filer_name if self.show_name else ""

    @property
    def starts_legal_deadline(self) -> bool:
        return not (self.is_anonymous or self.is_stale)

    @property
    def is_pending(self) -> bool:
        return self.status in SIGNAL_PENDING


class SignalEvent(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=24, choices=SignalEventKind.choices)
    at = models.DateTimeField(_("recorded"), default=timezone.now)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    from_status = models.CharField(
        _("from"), max_length=20, choices=SignalStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=SignalStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("event of a proposal or signal")
        verbose_name_plural = _("events of proposals and signals")

    def __str__(self) -> str:
        return f"{self.signal_id}: {self.kind}"


# --- Commitments ------------------------------------------------------------------------------


class CommitmentQuerySet(MonitoredQuerySet):
    def open(self) -> CommitmentQuerySet:
        return self.filter(status__in=COMMITMENT_OPEN)

    def due_before(self, day: Any) -> CommitmentQuerySet:
        return self.filter(
            status__in=[CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS],
            deadline__lt=day,
        )


class Commitment(TimeStampedModel):
    """Something an institution promised, with a deadline and an indicator, followed by its
    staff and by organisations acting as monitors. Always public."""

    OWNER_FIELD = "recorded_by"

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="commitments",
        verbose_name=_("responsible institution"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    title = models.CharField(_("commitment"), max_length=300)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown."),
        validators=[MaxLengthValidator(MAX_TEXT_LENGTH)],
    )  # fmt: skip
    source_kind = models.CharField(_("source"), max_length=24, choices=CommitmentSource.choices)
    source_reference = models.CharField(
        _("reference"), max_length=300,
        help_text=_("E.g. Decision No 123 of the municipal council of 25.03.2026."),
    )  # fmt: skip
    source_date = models.DateField(_("date of the source"), null=True, blank=True)
    source_url = models.URLField(_("link to the source"), blank=True)
    # A promise made in a consultation's report (the documented seam: monitoring may read
    # consultations, never the other way).
    consultation = models.ForeignKey(
        Consultation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("consultation"),
    )  # fmt: skip
    deadline = models.DateField(_("deadline"))
    indicator = models.TextField(
        _("indicator"), help_text=_("How fulfilment is measured."), max_length=2000
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CommitmentStatus.choices,
        default=CommitmentStatus.NOT_STARTED, db_index=True,
    )  # fmt: skip
    progress = models.PositiveSmallIntegerField(
        _("progress, %"), default=0, validators=[MaxValueValidator(100)]
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_on_time = models.BooleanField(_("done on time"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    # Recorded by a representative for the organisation monitoring it (None: by the staff).
    monitor = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="monitored_commitments", verbose_name=_("monitoring organisation"),
    )  # fmt: skip
    # Stored (DESIGN.md §7): the organisations' ratings of fulfilment, 1–5.
    ratings_count = models.PositiveIntegerField(_("ratings"), default=0)
    ratings_sum = models.PositiveIntegerField(_("sum of ratings"), default=0)
    is_public = models.BooleanField(_("published"), default=True, editable=False)
    is_overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [
            models.Index(fields=["institution", "deadline"], name="commitment_institution"),
            models.Index(fields=["municipality", "deadline"], name="commitment_municipality"),
            models.Index(fields=["status", "deadline"], name="commitment_status_deadline"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:commitment", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.municipality_id is None and self.province_id is None:
            _territory_from(self)
        super().save(*args, **kwargs)

    @property
    def average_rating(self) -> float | None:
        return self.ratings_sum / self.ratings_count if self.ratings_count else None


class CommitmentUpdate(models.Model):
    """One entry of a commitment's timeline: a progress update or answer of the staff, a
    comment of a monitor, the daily check's note that the deadline passed."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("what"), max_length=12, choices=CommitmentUpdateKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("on behalf of"),
    )  # fmt: skip
    from_status = models.CharField(
        _("from"), max_length=12, choices=CommitmentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=12, choices=CommitmentStatus.choices, blank=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress, %"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    text = models.TextField(
        _("text"), blank=True, help_text=_("Markdown."),
        validators=[MaxLengthValidator(MAX_TEXT_LENGTH)],
    )  # fmt: skip
    evidence_url = models.URLField(_("link to evidence"), blank=True)
    # What the timeline shows in the reader's language: {"rating": 4}, or a changed deadline
    # {"old_deadline": "2027-06-30", "new_deadline": "2028-03-31", "deadline_reason": "..."}.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("update of a commitment")
        verbose_name_plural = _("updates of commitments")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.kind}"

    @property
    def corrected_labels(self) -> str:
        """The names of the fields a correction changed, in the reader's language."""
        names = self.details.get("corrected") or []
        fields = (Commitment._meta.get_field(name) for name in names)
        return ", ".join(str(getattr(field, "verbose_name", field.name)) for field in fields)

    @property
    def deadline_change(self) -> tuple[date, date, str] | None:
        """(old deadline, new deadline, reason) when this update moved the deadline."""
        if "new_deadline" not in self.details:
            return None
        return (
            date.fromisoformat(self.details["old_deadline"]),
            date.fromisoformat(self.details["new_deadline"]),
            self.details.get("deadline_reason", ""),
        )


class CommitmentRating(models.Model):
    """An organisation's assessment of how a commitment is being kept: one per organisation,
    changed by a new one (the counters on the commitment follow)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="ratings")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("rating of a commitment")
        verbose_name_plural = _("ratings of commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "organisation"], name="one_rating_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.rating}"


# --- Monitoring reports -----------------------------------------------------------------------


class MonitoringReportQuerySet(models.QuerySet["MonitoringReport"]):
    def published(self) -> MonitoringReportQuerySet:
        return self.filter(published_at__isnull=False)


class MonitoringReport(TimeStampedModel):
    """An organisation's assessment of a chosen set of commitments, requests and signals."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="monitoring_reports",
        verbose_name=_("organisation"),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(
        _("text"), help_text=_("Markdown."), validators=[MaxLengthValidator(100_000)]
    )
    commitments = models.ManyToManyField(
        Commitment, blank=True, related_name="reports", verbose_name=_("commitments")
    )
    requests = models.ManyToManyField(
        InformationRequest, blank=True, related_name="reports",
        verbose_name=_("information requests"),
    )  # fmt: skip
    signals = models.ManyToManyField(
        Signal, blank=True, related_name="reports", verbose_name=_("proposals and signals")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("written by"),
    )  # fmt: skip
    is_demo = models.BooleanField(_("demo content"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = MonitoringReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:report", args=[self.pk])


# --- Documents --------------------------------------------------------------------------------


def document_path(instance: Document, filename: str) -> str:
    # The name is made safe by core.uploads before it gets here.
    return f"monitoring/{instance.owner_key}/{filename}"


def original_path(instance: Document, filename: str) -> str:
    # Originals of redacted files: never linked; served only to the institution's staff.
    return f"monitoring/private/{instance.owner_key}/{filename}"


class Document(models.Model):
    """A file of a request, a signal, a commitment (evidence) or a report. When staff redact
    personal data, `file` is the redacted copy the public sees and `original` the file as
    received, kept privately."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, null=True, blank=True,
        related_name="documents",
    )  # fmt: skip
    signal = models.ForeignKey(
        Signal, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, null=True, blank=True,
        related_name="documents",
    )  # fmt: skip
    kind = models.CharField(
        _("kind"), max_length=10, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original = models.FileField(
        _("original before redaction"), upload_to=original_path, max_length=300, blank=True
    )
    # A file waiting for redaction is not public until staff publish it.
    is_public = models.BooleanField(_("public"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                name="document_has_one_owner",
                condition=(
                    Q(request__isnull=False, signal=None, commitment=None, report=None)
                    | Q(request=None, signal__isnull=False, commitment=None, report=None)
                    | Q(request=None, signal=None, commitment__isnull=False, report=None)
                    | Q(request=None, signal=None, commitment=None, report__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_key(self) -> str:
        for field in ("request", "signal", "commitment", "report"):
            pk = getattr(self, f"{field}_id")
            if pk:
                return f"{field}s/{pk}"
        return "unowned"

    @property
    def is_redacted(self) -> bool:
        return bool(self.original)


# --- Responsiveness index ---------------------------------------------------------------------


class Responsiveness(models.Model):
    """The stored figures of one institution, or of one municipality (all its institutions'
    records together), recomputed for that institution and its municipality whenever one of
    their records changes (monitoring/index.py), never on a page view."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, null=True, blank=True,
        related_name="responsiveness",
    )  # fmt: skip
    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, null=True, blank=True,
        related_name="responsiveness",
    )  # fmt: skip
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requests_total = models.PositiveIntegerField(default=0)
    # Requests whose deadline has passed or that are decided: the denominator of "on time".
    requests_due = models.PositiveIntegerField(default=0)
    requests_on_time = models.PositiveIntegerField(default=0)
    requests_overdue = models.PositiveIntegerField(default=0)
    median_days = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    signals_total = models.PositiveIntegerField(default=0)
    signals_due = models.PositiveIntegerField(default=0)
    signals_answered = models.PositiveIntegerField(default=0)
    signals_on_time = models.PositiveIntegerField(default=0)
    commitments_total = models.PositiveIntegerField(default=0)
    commitments_due = models.PositiveIntegerField(default=0)
    commitments_done_on_time = models.PositiveIntegerField(default=0)
    # Published consultations judged by the compliance audit, and those giving the legal
    # minimum period (consultations.compliance).
    consultations_due = models.PositiveIntegerField(default=0)
    consultations_meeting = models.PositiveIntegerField(default=0)
    # 0–100; None while there is too little to judge (monitoring/index.py, MIN_RECORDS).
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("responsiveness")
        verbose_name_plural = _("responsiveness")
        constraints = [
            models.CheckConstraint(
                name="responsiveness_of_one",
                condition=(
                    Q(institution__isnull=False, municipality=None)
                    | Q(institution=None, municipality__isnull=False)
                ),
            )
        ]
        indexes = [models.Index(fields=["-score"], name="responsiveness_score")]

    def __str__(self) -> str:
        return f"{self.institution_id or self.municipality_id}: {self.score}"


class ResponsivenessMonth(models.Model):
    """One month of one institution's or municipality's answers, for the trend charts."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.DateField()  # the first day of the month
    requests_decided = models.PositiveIntegerField(default=0)
    requests_on_time = models.PositiveIntegerField(default=0)
    signals_answered = models.PositiveIntegerField(default=0)
    signals_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "month"], name="month_of_institution"),
            models.UniqueConstraint(fields=["municipality", "month"], name="month_of_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id or self.municipality_id} {self.month:%Y-%m}"
