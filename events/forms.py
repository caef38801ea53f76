"""Forms of the organiser's pages: the event with its sessions, the programme with its strands,
cancelling an event, deciding on a registration, invitations, materials, minutes.

Times are typed in Sofia time as a date and a time in separate inputs (they work in every
browser, with or without a picker) and joined here with `core.legal_calendar.SOFIA`, so a
date in summer is stored as UTC+3 and one in winter as UTC+2; a wall-clock time skipped when
the clocks go forward is refused rather than silently moved.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations.models import Consultation
from core.legal_calendar import SOFIA
from core.uploads import IMAGE_TYPES, check_size, safe_name, sniff
from core.widgets import DateInput, ListSelect
from directory.forms import WebAddressField
from directory.models import Institution
from events.enums import Format
from events.models import MAX_DURATION, MAX_EVENT_DAYS, Event, Material, Programme, Session, Strand
from organisations.models import Network, Organisation
from organisations.selectors import public_networks
from territory.models import Municipality, Province, Settlement

Organiser = Institution | Organisation | Network

MAX_INVITATIONS = 500  # addresses in one go; more is a mailing, not an invitation
MAX_MINUTES = 100_000  # characters of Markdown: a long record of a two-day discussion fits
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]
MATERIAL_TYPES = ("pdf", "docx", *IMAGE_TYPES)


# --- inputs ----------------------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class DayField(forms.DateField):
    widget = DateInput
    input_formats = DATE_FORMATS
    default_error_messages = {"invalid": _("Enter a date such as 22.11.2026.")}


class ClockField(forms.TimeField):
    widget = TimeInput
    input_formats = TIME_FORMATS
    default_error_messages = {"invalid": _("Enter a time such as 14:30.")}


class HoursField(forms.DecimalField):
    """Academic hours: "16", "7,5" and "7.5" are the same, in either language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        if value in self.empty_values:
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(
                _("Enter a number of hours such as 16 or 7,5."), code="invalid"
            ) from None


class SettlementField(forms.Field):
    """A settlement chosen from the list of one municipality's settlements. The list is drawn
    for the municipality of the form (what was typed, else what is saved), so it works without
    JavaScript: after changing the municipality, the next showing of the form lists its
    settlements. Any real EKATTE code is taken here; the form checks it lies in the
    municipality."""

    widget = ListSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def offer(self, municipality_code: str) -> None:
        rows = (
            Settlement.objects.filter(municipality_id=municipality_code)
            .only("ekatte", "type_abbr", "name_bg")
            .order_by("name_bg", "ekatte")
            if municipality_code
            else Settlement.objects.none()
        )
        choices = [("", "—")] + [(s.ekatte, f"{s.type_abbr} {s.name_bg}") for s in rows]
        cast(forms.Select, self.widget).choices = choices

    def prepare_value(self, value: Any) -> Any:
        return value.pk if isinstance(value, Settlement) else value

    def to_python(self, value: Any) -> Settlement | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Settlement):
            return value
        code = str(value).strip()
        found = (
            Settlement.objects.filter(pk=code).select_related("municipality").first()
            if re.fullmatch(r"\d{5}", code)
            else None
        )
        if found is None:
            raise ValidationError(_("Choose a settlement from the list."), code="invalid")
        return found


def sofia_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The moment of a wall-clock time in Sofia. Raises ValidationError for a time skipped
    when the clocks go forward (03:00–03:59 on the last Sunday of March)."""
    moment = datetime.datetime.combine(day, time, tzinfo=SOFIA)
    back = moment.astimezone(datetime.UTC).astimezone(SOFIA)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ValidationError(
            _("This time does not exist in Sofia: the clocks go forward an hour that night."),
            code="skipped",
        )
    return moment


def local_parts(value: datetime.datetime | None) -> tuple[datetime.date | None, Any]:
    if value is None:
        return None, None
    local = value.astimezone(SOFIA)
    return local.date(), local.time().replace(second=0, microsecond=0)


def organiser_filter(organiser: Organiser) -> Q:
    """Rows (events, programmes) of this organiser."""
    if isinstance(organiser, Institution):
        return Q(institution=organiser)
    if isinstance(organiser, Organisation):
        return Q(organisation=organiser)
    return Q(network=organiser)


def set_organiser(row: Event | Programme, organiser: Organiser) -> None:
    row.institution = organiser if isinstance(organiser, Institution) else None
    row.organisation = organiser if isinstance(organiser, Organisation) else None
    row.network = organiser if isinstance(organiser, Network) else None


def organiser_territory(organiser: Organiser) -> tuple[Province | None, Municipality | None]:
    """Where the organiser works: an institution's own territory, an organisation's seat, a
    network's one municipality or province if it has just one."""
    if isinstance(organiser, Institution):
        return organiser.province, organiser.municipality
    if isinstance(organiser, Organisation):
        settlement = organiser.settlement
        if settlement is None:
            return None, None
        municipality = settlement.municipality
        return municipality.province, municipality
    municipalities = list(organiser.municipalities.select_related("province")[:2])
    if len(municipalities) == 1:
        return municipalities[0].province, municipalities[0]
    provinces = list(organiser.provinces.all()[:2])
    return (provinces[0] if len(provinces) == 1 else None), None


# --- the event -------------------------------------------------------------------------------

# The event's own fields the form sets one to one (the times, the settlement and the topics
# are handled apart).
EVENT_FIELDS = [
    "kind", "title", "description", "province", "municipality", "format", "venue", "address",
    "online_url", "capacity", "audience", "requires_approval", "ask_organisation",
    "ask_position", "ask_accessibility", "free_question", "hours", "programme", "strand",
    "consultation", "related_network",
]  # fmt: skip
# The four moments, each typed as a date and a time: (model field, date field, time field).
MOMENTS = [
    ("starts_at", "starts_on", "starts_time"),
    ("ends_at", "ends_on", "ends_time"),
    ("registration_opens_at", "registration_opens_on", "registration_opens_time"),
    ("registration_closes_at", "registration_closes_on", "registration_closes_time"),
]


class EventForm(forms.ModelForm):
    """Everything about an event its organiser sets. The organiser itself is fixed by the
    page (chosen before the form), so the lists of programmes and consultations offered are
    always those of the same organiser."""

    starts_on = DayField(label=_("Start date"))
    starts_time = ClockField(label=_("Start time"), help_text=_("Sofia time, e.g. 09:30."))
    ends_on = DayField(label=_("End date"), help_text=_("The same day for a one-day event."))
    ends_time = ClockField(label=_("End time"))
    registration_opens_on = DayField(
        label=_("Registration opens on"),
        required=False,
        help_text=_("Empty: as soon as the event is published."),
    )
    registration_opens_time = ClockField(
        label=_("Registration opens at"), required=False, help_text=_("Empty: at 00:00.")
    )
    registration_closes_on = DayField(
        label=_("Registration closes on"),
        required=False,
        help_text=_("Empty: when the event starts."),
    )
    registration_closes_time = ClockField(
        label=_("Registration closes at"), required=False, help_text=_("Empty: at 23:59.")
    )
    settlement = SettlementField(
        label=_("Settlement"),
        help_text=_(
            "The settlements of the chosen municipality. After choosing another municipality, "
            "save once and its settlements are offered."
        ),
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=100_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Empty: no limit."),
        error_messages={
            "invalid": _("Enter the number of places as a whole number, such as 20."),
            "min_value": _("There must be at least one place; leave it empty for no limit."),
            "max_value": _("At most 100 000 places."),
        },
    )
    hours = HoursField(
        label=_("Academic hours"),
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("1000"),
        max_digits=5,
        decimal_places=1,
        help_text=_("For a training: printed on the certificates."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = [*EVENT_FIELDS, "topics"]
        field_classes = {"online_url": WebAddressField}
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 300}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "topics": forms.CheckboxSelectMultiple,
            "format": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "municipality": ListSelect,
            "consultation": ListSelect,
            "related_network": ListSelect,
        }
        help_texts = {
            "description": _("Markdown: **bold**, lists with “-”, links."),
            "online_url": _("Shown only to confirmed participants and the organiser."),
            "province": _("Left empty: the organiser's own."),
            "municipality": _("Left empty: the organiser's own."),
            "venue": _("E.g. the hall and the building."),
            "strand": _("The topic of the programme this event counts towards."),
            "consultation": _("A public hearing: the consultation it is held for."),
        }

    def __init__(self, *args: Any, organiser: Organiser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organiser = organiser
        event: Event = self.instance
        programmes = Programme.objects.filter(organiser_filter(organiser)).order_by("title", "pk")
        self._limit("programme", programmes)
        self._limit(
            "strand",
            Strand.objects.filter(programme__in=programmes).select_related("programme"),
            label=lambda s: f"{s.programme.title}: {s.title}",
        )
        if isinstance(organiser, Institution):
            self._limit(
                "consultation",
                Consultation.objects.filter(institution=organiser)
                .only("pk", "title")
                .order_by("-created_at", "-pk"),
            )
        else:
            del self.fields["consultation"]
        networks = public_networks() | Network.objects.filter(pk=event.related_network_id or 0)
        self._limit("related_network", networks.order_by("name", "pk"))
        self._limit("municipality", Municipality.objects.order_by("name_bg", "code"))
        if event.pk:
            self.fields["version"].initial = event.version
            for model_name, day_name, time_name in MOMENTS:
                day, time = local_parts(getattr(event, model_name))
                self.initial.setdefault(day_name, day)
                self.initial.setdefault(time_name, time)
            self.initial.setdefault("settlement", event.settlement_id)
        else:
            # A new event's instance has no territory: the organiser's is offered.
            province, municipality = organiser_territory(organiser)
            if not self.initial.get("province") and not self.initial.get("municipality"):
                self.initial["province"] = province.pk if province else None
                self.initial["municipality"] = municipality.pk if municipality else None
        settlement_field = cast(SettlementField, self.fields["settlement"])
        settlement_field.offer(self._municipality_code())

    def _limit(self, name: str, queryset: QuerySet[Any], label: Any = None) -> None:
        field = cast(forms.ModelChoiceField, self.fields[name])  # type: ignore[type-arg]
        field.queryset = queryset
        if label is not None:
            field.label_from_instance = label  # type: ignore[method-assign]

    def _municipality_code(self) -> str:
        if self.is_bound:
            code = str(self.data.get(self.add_prefix("municipality")) or "")
        else:
            code = str(self.initial.get("municipality") or self.instance.municipality_id or "")
        return code if re.fullmatch(r"[A-Z]{3}\d{2}", code) else ""  # e.g. PDV22

    # --- checks ---

    def _moment(self, model_name: str, day_name: str, time_name: str) -> datetime.datetime | None:
        """Join a date and a time; a registration moment may be left out (both empty)."""
        data = self.cleaned_data
        if day_name in self.errors or time_name in self.errors:
            return None
        day, time = data.get(day_name), data.get(time_name)
        if day is None:
            if time is not None:
                self.add_error(day_name, _("Give the date as well as the time."))
            return None
        if time is None:
            if model_name == "registration_opens_at":
                time = datetime.time(0, 0)
            elif model_name == "registration_closes_at":
                time = datetime.time(23, 59)
            else:
                return None
        try:
            return sofia_datetime(day, time)
        except ValidationError as error:
            self.add_error(time_name, error)
            return None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        moments = {model_name: self._moment(model_name, d, t) for model_name, d, t in MOMENTS}
        data.update(moments)
        self._check_times(moments)
        self._check_format(data)
        self._check_territory(data)
        self._check_programme(data)
        capacity = data.get("capacity")
        if capacity is not None and self.instance.pk and capacity < self.instance.confirmed_count:
            self.add_error("capacity", capacity_message(self.instance.confirmed_count))
        return data

    def _check_times(self, moments: dict[str, datetime.datetime | None]) -> None:
        starts, ends = moments["starts_at"], moments["ends_at"]
        if starts and ends and ends <= starts:
            same_day = self.cleaned_data.get("ends_on") == self.cleaned_data.get("starts_on")
            self.add_error(
                "ends_time" if same_day else "ends_on",
                _("The end must come after the start."),
            )
        elif starts and ends and ends - starts > MAX_DURATION:
            self.add_error(
                "ends_on",
                _(
                    "An event lasts at most %(n)d days. For a longer series, make a programme "
                    "and add its events to it."
                )
                % {"n": MAX_EVENT_DAYS},
            )
        opens, closes = moments["registration_opens_at"], moments["registration_closes_at"]
        if closes and starts and closes > starts:
            self.add_error(
                "registration_closes_on",
                _("Registration must close by the start of the event."),
            )
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_on", _("Registration must close after it opens."))
        if opens and starts and opens >= starts:
            self.add_error(
                "registration_opens_on", _("Registration must open before the event starts.")
            )

    def _check_format(self, data: dict[str, Any]) -> None:
        kind = data.get("format")
        online = kind in (Format.ONLINE, Format.HYBRID)
        if online and not data.get("online_url") and "online_url" not in self.errors:
            self.add_error("online_url", _("Give the link of an online event."))
        if kind in (Format.IN_PERSON, Format.HYBRID) and not (data.get("venue") or "").strip():
            self.add_error("venue", _("Give the venue of an event held in person."))

    def _check_territory(self, data: dict[str, Any]) -> None:
        settlement: Settlement | None = data.get("settlement")
        municipality: Municipality | None = data.get("municipality")
        province: Province | None = data.get("province")
        if settlement is not None:
            if municipality is None:
                municipality = data["municipality"] = settlement.municipality
            elif settlement.municipality_id != municipality.pk:
                self.add_error(
                    "settlement",
                    _("%(settlement)s is not in the municipality of %(municipality)s: choose "
                      "again from the list, which now shows its settlements.")
                    % {"settlement": settlement, "municipality": municipality.name_bg},
                )  # fmt: skip
        if municipality is not None:
            if province is None:
                data["province"] = municipality.province
            elif municipality.province_id != province.pk:
                self.add_error(
                    "municipality",
                    _("The municipality of %(municipality)s is not in the province of "
                      "%(province)s.")
                    % {"municipality": municipality.name_bg, "province": province.name_bg},
                )  # fmt: skip
        if municipality is None and province is None and "municipality" not in self.errors:
            default_province, default_municipality = organiser_territory(self.organiser)
            data["province"], data["municipality"] = default_province, default_municipality

    def _check_programme(self, data: dict[str, Any]) -> None:
        strand: Strand | None = data.get("strand")
        if strand is None:
            return
        programme: Programme | None = data.get("programme")
        if programme is None:
            data["programme"] = strand.programme
        elif strand.programme_id != programme.pk:
            self.add_error("strand", _("Choose a strand of the chosen programme."))

    # --- results ---

    def values(self) -> dict[str, Any]:
        """What the form would store, keyed as `event_values` keys them (valid forms only)."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in EVENT_FIELDS}
        if "consultation" not in self.fields:  # not an institution's: the saved one stays
            values["consultation"] = self.instance.consultation
        for model_name, _day, _time in MOMENTS:
            values[model_name] = data.get(model_name)
        values["settlement"] = data.get("settlement")
        values["topics"] = list(data.get("topics") or [])
        return values

    def apply(self, event: Event) -> None:
        """Set the event's fields from the form (not the topics: they need a saved row)."""
        for name, value in self.values().items():
            if name != "topics":
                setattr(event, name, value)


def capacity_message(confirmed: int) -> str:
    return ngettext(
        "%(n)d person is already confirmed: the places cannot be fewer. Cancel "
        "registrations first if you must.",
        "%(n)d people are already confirmed: the places cannot be fewer. Cancel "
        "registrations first if you must.",
        confirmed,
    ) % {"n": confirmed}


def event_values(event: Event, sessions: list[Session]) -> dict[str, Any]:
    """The saved event in the shape of `EventForm.values` plus its sessions."""
    values = {name: getattr(event, name) for name in EVENT_FIELDS}
    for model_name, _day, _time in MOMENTS:
        values[model_name] = getattr(event, model_name)
    values["settlement"] = event.settlement
    values["topics"] = list(event.topics.all())
    values["sessions"] = session_lines(
        (s.day, s.starts, s.ends, s.title, s.speakers) for s in sessions
    )
    return values


def session_lines(rows: Any) -> str:
    """The programme as text, one line a session, in order: for comparing two versions."""
    lines = []
    for day, starts, ends, title, speakers in sorted(rows, key=lambda r: (r[0], r[1], r[3])):
        when = f"{date_format(day, 'd.m.Y')} {starts:%H:%M}" + (f"–{ends:%H:%M}" if ends else "")
        lines.append(f"{when} {title}" + (f" ({speakers})" if speakers else ""))
    return "\n".join(lines)


# --- sessions --------------------------------------------------------------------------------


class SessionForm(forms.ModelForm):
    day = DayField(label=_("Day"))
    starts = ClockField(label=_("From"))
    ends = ClockField(label=_("Until"), required=False)

    class Meta:
        model = Session
        fields = ["day", "starts", "ends", "title", "speakers"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("A session must end after it starts."))
        return data


class BaseSessionFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """The event's programme. `days` (the event's days, set by the view from the event form
    before validating) limits the day of each session."""

    days: list[datetime.date] | None = None

    def clean(self) -> None:
        super().clean()
        if not self.days:
            return
        first, last = self.days[0], self.days[-1]
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or "day" in form.errors:
                continue
            day = data.get("day")
            if day is not None and day not in self.days:
                if first == last:
                    message = _("The event is held on %(day)s only.") % {
                        "day": date_format(first, "d.m.Y")
                    }
                else:
                    message = _("Choose a day of the event, from %(first)s to %(last)s.") % {
                        "first": date_format(first, "d.m.Y"),
                        "last": date_format(last, "d.m.Y"),
                    }
                form.add_error("day", message)

    def lines(self) -> str:
        """The sessions as they would be saved (valid formsets only)."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):  # an empty row, or one to delete
                continue
            rows.append(
                (data["day"], data["starts"], data.get("ends"), data["title"], data["speakers"])
            )
        return session_lines(rows)


SessionFormSet = forms.inlineformset_factory(
    Event,
    Session,
    form=SessionForm,
    formset=BaseSessionFormSet,
    extra=3,
    max_num=200,
    can_delete=True,
    can_delete_extra=False,
)


def session_formset(event: Event, data: Any = None) -> BaseSessionFormSet:
    formset = SessionFormSet(
        data,
        instance=event,
        prefix="sessions",
        queryset=Session.objects.filter(event=event) if event.pk else Session.objects.none(),
    )
    return cast(BaseSessionFormSet, formset)


# --- the programme ---------------------------------------------------------------------------


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["title", "description"]
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 300}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {"description": _("Markdown: what the series is for and whom it serves.")}


class StrandForm(forms.ModelForm):
    target_people = forms.IntegerField(
        label=_("Target: people trained"),
        min_value=0,
        max_value=1_000_000,
        initial=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("E.g. 20; 0 for no target."),
        error_messages={
            "invalid": _("Enter the target as a whole number, such as 20."),
            "min_value": _("The target cannot be negative."),
        },
    )

    class Meta:
        model = Strand
        fields = ["title", "target_people"]


class BaseStrandFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or "title" in form.errors:
                continue
            title = (data.get("title") or "").strip().casefold()
            if title in seen:
                form.add_error("title", _("Two strands have this title."))
            seen.add(title)


StrandFormSet = forms.inlineformset_factory(
    Programme,
    Strand,
    form=StrandForm,
    formset=BaseStrandFormSet,
    extra=3,
    max_num=50,
    can_delete=True,
    can_delete_extra=False,
)


def strand_formset(
    programme: Programme, data: Any = None, titles: list[str] | None = None
) -> BaseStrandFormSet:
    """The programme's strands; a new programme's may start from `titles` (e.g. the training
    topics an assessment found needed)."""
    formset = StrandFormSet(
        data,
        instance=programme,
        prefix="strands",
        initial=[{"title": t[:300]} for t in titles or []],
        queryset=Strand.objects.filter(programme=programme)
        if programme.pk
        else Strand.objects.none(),
    )
    if titles:
        formset.extra = max(formset.extra, len(titles))
    return cast(BaseStrandFormSet, formset)


# --- decisions and notices -------------------------------------------------------------------


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to everyone registered and shown on the event's page."),
        error_messages={"required": _("Give the reason: the registered people are told it.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason: the registered people are told it."))
        return str(reason)


class DecideForm(forms.Form):
    DECISIONS = [("approve", _("Approve")), ("decline", _("Decline"))]

    decision = forms.ChoiceField(choices=DECISIONS)
    reason = forms.CharField(
        label=_("Reason (sent to the person)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InvitationsForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "One address a line. Each receives a link to register; addresses already "
            "invited are skipped."
        ),
        error_messages={"required": _("Type at least one e-mail address.")},
    )

    def clean_emails(self) -> list[str]:
        lines = str(self.cleaned_data["emails"]).splitlines()
        valid = EmailValidator()
        errors: list[ValidationError] = []
        emails: list[str] = []
        seen: set[str] = set()
        for number, line in enumerate(lines, start=1):
            address = line.strip().strip(",;").strip()
            if not address:
                continue
            try:
                valid(address)
            except ValidationError:
                errors.append(
                    ValidationError(
                        _("Line %(number)d: “%(line)s” is not an e-mail address."),
                        params={"number": number, "line": address[:80]},
                        code="invalid",
                    )
                )
                continue
            if address.casefold() not in seen:
                seen.add(address.casefold())
                emails.append(address)
        if errors:
            raise ValidationError(errors)
        if not emails:
            raise ValidationError(_("Type at least one e-mail address."), code="required")
        if len(emails) > MAX_INVITATIONS:
            raise ValidationError(
                _("At most %(n)d addresses at a time."), params={"n": MAX_INVITATIONS}
            )
        return emails


def validate_material(upload: UploadedFile) -> None:
    check_size(upload)
    if sniff(upload) not in MATERIAL_TYPES:
        raise ValidationError(
            _("Upload a PDF, a Word (.docx) file or an image (PNG, JPEG, GIF, WebP)."),
            code="wrong_type",
        )


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["title", "file", "url", "visibility"]
        field_classes = {"url": WebAddressField}
        widgets = {"visibility": forms.RadioSelect}
        help_texts = {
            "file": _("PDF, Word (.docx) or an image, at most 10 MB."),
            "url": _("Or a link to the material elsewhere (a presentation, a recording)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(validate_material)

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload:
            # Stored under a name safe on any disk and in any URL (core.uploads.safe_name).
            upload.name = safe_name(upload.name or "file")
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "file" in self.errors or "url" in self.errors:
            return data
        if data.get("file") and data.get("url"):
            self.add_error("url", _("Add either a file or a link, not both."))
        elif not data.get("file") and not data.get("url"):
            self.add_error("file", _("Choose a file or give a link."))
        return data


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Summary or minutes"),
        max_length=MAX_MINUTES,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Markdown: headings with “##”, lists with “-”, **bold**."),
        error_messages={"required": _("Write the summary or the minutes.")},
    )
