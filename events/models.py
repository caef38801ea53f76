"""Events: public discussions, hearings, seminars and trainings, their programmes (series with
targets), sessions, registrations with a waiting list, attendance per day, materials,
feedback and certificates.

Registrations change state only through events/services.py, which checks
enums.REGISTRATION_TRANSITIONS, keeps the stored counters and writes a `RegistrationChange`
row for each change. An event links to a consultation (a public hearing) through
`Event.consultation`: the documented seam between the two participation apps (events may
import consultations, never the other way).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from core.legal_calendar import SOFIA
from core.models import TimeStampedModel, Topic
from directory.models import Institution
from events.enums import (
    ACTIVE_REGISTRATION_STATES,
    Audience,
    Format,
    Kind,
    MaterialVisibility,
    RegistrationState,
    State,
)
from organisations.models import Network, Organisation
from territory.models import Municipality, Province, Settlement

# Codes people type at the door or on the verification page: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def material_path(instance: Material, filename: str) -> str:
    # The name is made safe by core.uploads before it gets here.
    return f"events/{instance.event_id}/{filename}"


class Programme(TimeStampedModel):
    """A series of events under one heading, e.g. "Trainings for NGOs", with strands (topics)
    that each have a target of people trained."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    # Who runs it: exactly one of the three (as for an event).
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("institution"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organisation"),
    )  # fmt: skip
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("network"),
    )  # fmt: skip
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:programme", args=[self.pk])


class Strand(models.Model):
    """One topic of a programme with its target, e.g. "Advocacy campaigns: 20 trained"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="strands")
    title = models.CharField(_("title"), max_length=300)
    target_people = models.PositiveIntegerField(_("target: people trained"), default=0)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme", "position", "pk"]
        verbose_name = _("strand of a programme")
        verbose_name_plural = _("strands of a programme")

    def __str__(self) -> str:
        return self.title


# An event lasts at most this long (the form refuses longer ones: a longer series is a
# programme). It bounds the start of every event still going on at a moment, so the lists
# walk the starts_at index over a few weeks instead of every later or earlier event.
MAX_EVENT_DAYS = 31
MAX_DURATION = datetime.timedelta(days=MAX_EVENT_DAYS)


class EventQuerySet(models.QuerySet["Event"]):
    def public(self) -> EventQuerySet:
        """Published or cancelled (a cancelled event stays visible, marked as cancelled).
        Written as "not a draft": with `IN` SQLite (without statistics) takes the state
        index, which nearly every event passes, and sorts them all."""
        return self.exclude(state=State.DRAFT)

    def upcoming(self, now: datetime.datetime | None = None) -> EventQuerySet:
        """Going on or still to come."""
        now = now or timezone.now()
        return self.filter(starts_at__gte=now - MAX_DURATION, ends_at__gte=now)

    def past(self, now: datetime.datetime | None = None) -> EventQuerySet:
        return self.filter(starts_at__lt=now or timezone.now(), ends_at__lt=now or timezone.now())

    def overlapping(self, start: datetime.datetime, end: datetime.datetime) -> EventQuerySet:
        """Taking place, at least in part, between `start` and `end`."""
        return self.filter(
            starts_at__gte=start - MAX_DURATION, starts_at__lt=end, ends_at__gte=start
        )


class Event(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="events", verbose_name=_("topics")
    )
    # The organiser: exactly one of institution, organisation, network (a check constraint);
    # its staff, representatives or coordinators manage the event (events/rules.py).
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
        verbose_name=_("institution"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
        verbose_name=_("organisation"),
    )  # fmt: skip
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
        verbose_name=_("network"),
    )  # fmt: skip
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="events",
        verbose_name=_("programme"),
    )  # fmt: skip
    strand = models.ForeignKey(
        Strand, on_delete=models.SET_NULL, null=True, blank=True, related_name="events",
        verbose_name=_("strand of the programme"),
    )  # fmt: skip
    consultation = models.ForeignKey(
        Consultation, on_delete=models.SET_NULL, null=True, blank=True, related_name="events",
        verbose_name=_("consultation"),
    )  # fmt: skip
    related_network = models.ForeignKey(
        Network, on_delete=models.SET_NULL, null=True, blank=True, related_name="related_events",
        verbose_name=_("related network"),
    )  # fmt: skip
    # The territory it concerns (filters, feeds per municipality).
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    format = models.CharField(
        _("format"), max_length=12, choices=Format.choices, default=Format.IN_PERSON
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("settlement"),
    )  # fmt: skip
    # Shown only to confirmed participants and the organiser.
    online_url = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"), db_index=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    audience = models.CharField(
        _("who may register"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    requires_approval = models.BooleanField(
        _("the organiser approves each registration"), default=False
    )
    # Registration questions the organiser chose to ask.
    ask_organisation = models.BooleanField(_("ask for the organisation"), default=True)
    ask_position = models.BooleanField(_("ask for the position"), default=False)
    ask_accessibility = models.BooleanField(_("ask about accessibility needs"), default=True)
    free_question = models.CharField(
        _("own question"), max_length=300, blank=True,
        help_text=_("Optional: a question of your own, answered in free text."),
    )  # fmt: skip
    # Hours of training, printed on certificates (trainings).
    hours = models.DecimalField(
        _("academic hours"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    minutes = models.TextField(_("summary or minutes"), blank=True, help_text=_("Markdown."))
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    # Stored, not counted per row (DESIGN.md §7): kept by events/services.py.
    confirmed_count = models.PositiveIntegerField(_("confirmed"), default=0)
    waiting_count = models.PositiveIntegerField(_("waiting"), default=0)
    pending_count = models.PositiveIntegerField(_("awaiting approval"), default=0)
    # Raised on every save through the edit form (optimistic locking, as in the directory).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(institution__isnull=False, organisation__isnull=True, network__isnull=True)
                    | Q(institution__isnull=True, organisation__isnull=False, network__isnull=True)
                    | Q(institution__isnull=True, organisation__isnull=True, network__isnull=False)
                ),
                name="event_one_organiser",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "starts_at"], name="event_state_start"),
            # Counting a list (a range of starts_at, checking ends_at and state) in the index.
            models.Index(fields=["starts_at", "ends_at", "state"], name="event_start_end_state"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def organiser(self) -> Institution | Organisation | Network:
        return self.institution or self.organisation or self.network  # type: ignore[return-value]

    @property
    def is_public(self) -> bool:
        return self.state in (State.PUBLISHED, State.CANCELLED)

    @property
    def days(self) -> list[datetime.date]:
        """The calendar days (Sofia) the event spans: attendance is taken per day."""
        first = self.starts_at.astimezone(SOFIA).date()
        last = self.ends_at.astimezone(SOFIA).date()
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)


class Session(models.Model):
    """A line of the programme: a day, a time, a title, the speakers or trainers."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    speakers = models.CharField(_("speakers or trainers"), max_length=500, blank=True)

    class Meta:
        ordering = ["event", "day", "starts", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.title


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def active(self) -> RegistrationQuerySet:
        return self.filter(state__in=ACTIVE_REGISTRATION_STATES)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(state=RegistrationState.CONFIRMED)

    def waiting_in_order(self) -> RegistrationQuerySet:
        return self.filter(state=RegistrationState.WAITING).order_by("waiting_since", "pk")


class Registration(TimeStampedModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations",
        verbose_name=_("person"),
    )  # fmt: skip
    # Registered for one's organisation (a verified representation), or as oneself.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("organisation"),
    )  # fmt: skip
    state = models.CharField(
        _("state"), max_length=12, choices=RegistrationState.choices, db_index=True
    )
    # Shown at the door and in e-mails; also the key of the cancel link (not personal data).
    code = models.CharField(_("registration code"), max_length=12, unique=True, default=new_code)
    # A copy of the name at registration: the attendance list and certificate keep it.
    name = models.CharField(_("name"), max_length=200)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True, max_length=2000)
    answer = models.TextField(_("answer to the organiser's question"), blank=True, max_length=2000)
    # Order of the waiting list: the time one joined it.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    feedback_requested_at = models.DateTimeField(_("feedback requested"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(state__in=ACTIVE_REGISTRATION_STATES),
                name="registration_one_active_per_person",
            ),
        ]
        indexes = [models.Index(fields=["event", "state"], name="registration_event_state")]

    def __str__(self) -> str:
        return f"{self.code} {self.event_id}"


class RegistrationChange(models.Model):
    """History of a registration: every transition, who made it and why."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("change of a registration")
        verbose_name_plural = _("changes of registrations")

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.from_state or '-'} → {self.to_state}"


class Attendance(models.Model):
    """A confirmed participant checked in on one day of the event."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances"
    )
    day = models.DateField(_("day"))
    checked_in_at = models.DateTimeField(_("checked in"), default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("checked in by"),
    )  # fmt: skip

    class Meta:
        ordering = ["day", "checked_in_at", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="attendance_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.day:%Y-%m-%d}"


class Material(TimeStampedModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=material_path, blank=True)
    url = models.URLField(_("link"), blank=True)
    visibility = models.CharField(
        _("visible to"), max_length=12, choices=MaterialVisibility.choices,
        default=MaterialVisibility.EVERYONE,
    )  # fmt: skip
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("added by"),
    )  # fmt: skip

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="material_file_or_link")
        ]

    def __str__(self) -> str:
        return self.title


class Feedback(models.Model):
    """A participant's short evaluation after the event (one per registration)."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("overall rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness for your work"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comments = models.TextField(_("comments"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            ),
            models.CheckConstraint(
                condition=Q(usefulness__gte=1, usefulness__lte=5), name="feedback_usefulness_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.rating}"


class Certificate(models.Model):
    """Issued to a participant of a training who attended every day; anyone can verify its
    code. The PDF is drawn from these fields when downloaded, so it never goes stale."""

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(_("certificate code"), max_length=16, unique=True)
    # Copies: a certificate states what was true when it was issued.
    name = models.CharField(_("name"), max_length=200)
    event_title = models.CharField(_("training"), max_length=300)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    hours = models.DecimalField(_("academic hours"), max_digits=5, decimal_places=1, null=True)
    organiser_name = models.CharField(_("organiser"), max_length=300)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("events:certificate-verify", args=[self.code])


class Invitation(TimeStampedModel):
    """For an invitation-only event: the organiser invites an e-mail address; the link in the
    e-mail (with the code) lets its holder register."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    code = models.CharField(_("invitation code"), max_length=24, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("invited by"),
    )  # fmt: skip
    used_by = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("used for"),
    )  # fmt: skip

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="invitation_once_per_address")
        ]
