"""Forms of the staff pages: the consultation's package, its draft text, attachments, the
moves between states that need an answer (withdrawal, adoption), hearings.

Times are typed in Sofia time (settings.TIME_ZONE); the period is checked with
consultations.periods, whose messages carry the legal reference and go next to the field
they concern (the last day, or the reason for a shorter period).
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import drafts, periods
from consultations.enums import AttachmentKind
from consultations.models import Attachment, Consultation, Hearing
from core.legal_calendar import SOFIA
from core.uploads import check_size, safe_name, sniff, validate_pdf_or_docx
from core.widgets import DateInput
from directory.forms import WebAddressField
from directory.models import Institution

MAX_DRAFT_TEXT = 500_000  # characters typed or pasted; a whole code fits in a tenth of it
TEXT_UPLOAD_SUFFIXES = (".md", ".markdown", ".txt")
_ZIP = b"PK\x03\x04"


def sofia_today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the browser's picker (or as 22.11.2026 14:30), Sofia time."""

    widget = LocalDateTimeInput
    input_formats = DATETIME_FORMATS


class LocalDateField(forms.DateField):
    widget = DateInput
    input_formats = DATE_FORMATS


class ConsultationForm(forms.ModelForm):
    """The package of a consultation, created or edited before it opens."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Consultation
        fields = [
            "institution",
            "kind",
            "title",
            "summary",
            "opens_at",
            "closes_on",
            "short_period_reason",
            "motives",
            "impact_assessment",
            "contact_name",
            "contact_email",
            "contact_phone",
            "topics",
            "province",
            "municipality",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 500}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "short_period_reason": forms.Textarea(attrs={"rows": 3}),
            "motives": forms.Textarea(attrs={"rows": 8}),
            "impact_assessment": forms.Textarea(attrs={"rows": 6}),
            "topics": forms.CheckboxSelectMultiple,
        }
        field_classes = {"opens_at": LocalDateTimeField, "closes_on": LocalDateField}
        help_texts = {
            "opens_at": _(
                "Date and time of publication, Sofia time. The period starts the day after it."
            ),
            "closes_on": _(
                "Comments are accepted until 23:59 Sofia time of this day. Left empty, the "
                "law's standard period is offered."
            ),
            "motives": _(
                "Markdown. For an ordinance or rules the motives are required before "
                "publication (ЗНА чл. 28); you may also attach them as a file."
            ),
        }

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["institution"])  # type: ignore[type-arg]
        field.queryset = institutions
        field.empty_label = None
        for name in ("province", "municipality"):
            self.fields[name].help_text = _("Left empty: the institution's own.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        institution = data.get("institution")
        # The territory defaults to the institution's (its municipality, else its province).
        if institution is not None and not data.get("province") and not data.get("municipality"):
            data["province"] = institution.province
            data["municipality"] = institution.municipality
        municipality = data.get("municipality")
        if municipality is not None and not data.get("province"):
            data["province"] = municipality.province
        opens_at = data.get("opens_at")
        kind = data.get("kind")
        if opens_at and kind:
            opens_on = opens_at.astimezone(SOFIA).date()
            if not data.get("closes_on") and "closes_on" not in self.errors:
                data["closes_on"] = periods.default_last_day(kind, opens_on)
            closes_on = data.get("closes_on")
            if closes_on:
                reason = data.get("short_period_reason") or ""
                for name, message in periods.problems(kind, opens_on, closes_on, reason).items():
                    self.add_error(name, message)
        elif data.get("closes_on") and not opens_at and "opens_at" not in self.errors:
            self.add_error("opens_at", _("Give the date of publication with the last day."))
        return data


def _read_text_upload(upload: UploadedFile) -> str:
    raw = upload.read()
    upload.seek(0)
    if b"\x00" in raw:
        raise ValidationError(_("The file is not a text file."), code="wrong_type")
    try:
        return str(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        try:
            return str(raw.decode("cp1251"))  # plain-text files saved by older Windows editors
        except UnicodeDecodeError:
            raise ValidationError(
                _("The text file could not be read; save it as UTF-8."), code="encoding"
            ) from None


class DraftTextForm(forms.Form):
    """The draft's text: typed or pasted Markdown, or a .docx, .md or .txt file."""

    text = forms.CharField(
        label=_("Text of the draft"),
        required=False,
        max_length=MAX_DRAFT_TEXT,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Type or paste the text. Articles start with “Чл. 1.”, paragraphs with “(1)”, "
            "chapters with “Глава първа”; Markdown headings (#) mark the sections of a strategy."
        ),
    )
    file = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_("Word (.docx), Markdown (.md) or text (.txt), at most 10 MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft: drafts.Draft | None = None
        self.source_text = ""
        self.source_name = ""

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        check_size(upload)
        name = (upload.name or "").lower()
        if sniff(upload) == "docx":
            return upload
        # A text file: no known binary type, and not some other zip (.odt, .zip).
        if name.endswith(TEXT_UPLOAD_SUFFIXES) and sniff(upload) == "" and upload.read(4) != _ZIP:
            upload.seek(0)
            return upload
        raise ValidationError(
            _("Upload a Word (.docx), Markdown (.md) or text (.txt) file."), code="wrong_type"
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        upload = data.get("file")
        text = data.get("text") or ""
        try:
            if upload is not None:
                self.source_name = (upload.name or "")[:255]
                if sniff(upload) == "docx":
                    self.draft = drafts.parse_docx(upload)
                    self.source_text = self.draft.full_text()
                else:
                    self.source_text = _read_text_upload(upload)
                    self.draft = drafts.parse_text(self.source_text)
            elif text.strip():
                self.source_text = text
                self.draft = drafts.parse_text(text)
            else:
                self.add_error("text", _("Type the text of the draft or upload a file."))
        except drafts.DraftError as exc:
            self.add_error("file" if upload is not None else "text", str(exc))
        except ValidationError as exc:
            self.add_error("file", exc)
        return data


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["kind", "title", "file"]
        help_texts = {"file": _("PDF or Word (.docx), at most 10 MB.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(validate_pdf_or_docx)
        self.fields["kind"].initial = AttachmentKind.DRAFT

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # Stored under a name safe on any disk and in any URL (core.uploads.safe_name).
        upload.name = safe_name(upload.name or "file")
        return upload


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published on the consultation's page."),
    )


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(
        label=_("Date of adoption"), widget=DateInput(), input_formats=DATE_FORMATS
    )
    adoption_reference = forms.CharField(
        label=_("Adoption decision"),
        max_length=300,
        help_text=_("E.g. Decision No 123 of the municipal council of 25.03.2026."),
    )

    def clean_adopted_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["adopted_on"]
        if day > sofia_today():
            raise ValidationError(_("The date of adoption cannot be in the future."))
        return day


class HearingForm(forms.ModelForm):
    class Meta:
        model = Hearing
        fields = ["starts_at", "place", "online_url", "minutes"]
        # Web links: http(s) only, https assumed.
        field_classes = {"online_url": WebAddressField, "starts_at": LocalDateTimeField}
        widgets = {"minutes": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "starts_at": _("Sofia time."),
            "minutes": _("Markdown. Add them after the hearing."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("place") and not data.get("online_url") and "online_url" not in self.errors:
            self.add_error("place", _("Give the place of the hearing or its online link."))
        return data
