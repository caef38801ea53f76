"""The library's forms: the list's filters, a publication, a file, a chapter, the good-practice
record, a change of state and a link to where a publication is used.

Every message is for a person (Bulgarian through gettext), next to its field; a form given
back keeps what was typed. Uploads are checked by their content and size (core.uploads) and
their text is read here (library/textract.py), so a file whose text cannot be read is
refused with a message instead of being attached unsearchable.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from assessments.models import Campaign
from consultations.models import Consultation
from core import translit
from core.models import Topic
from core.uploads import check_size
from core.widgets import ListSelect, PlainTextInput, VersionField
from directory.models import Institution
from events.models import Event
from library import links, textract
from library.enums import AUDIENCE_FIELDS, Audience, PublicationType
from library.models import (
    MAX_YEAR,
    MIN_YEAR,
    Chapter,
    GoodPractice,
    Publication,
)
from library.selectors import Filters, PracticeFilters
from organisations.models import Organisation
from territory.models import Municipality

MAX_QUERY_LENGTH = 200
MAX_LINKS = 20
ANCHOR = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- The list's filters ------------------------------------------------------------------------


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Words"), required=False, max_length=MAX_QUERY_LENGTH, widget=PlainTextInput,
        help_text=_("In Cyrillic or Latin letters; the text of attached files is searched too."),
    )  # fmt: skip
    type = forms.ChoiceField(label=_("Type"), required=False)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=60)
    audience = forms.ChoiceField(label=_("For whom"), required=False)
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR,
        error_messages={"invalid": _("Write the year with four digits, e.g. 2026.")},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["type"]).choices = [("", ""), *PublicationType.choices]
        cast(forms.ChoiceField, self.fields["audience"]).choices = [("", ""), *Audience.choices]

    def filters(self) -> Filters:
        """What was chosen, without the values that are wrong (shown with their message)."""
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            q=(data.get("q") or "").strip(),
            type=data.get("type") or "",
            topic=data.get("topic") or "",
            audience=data.get("audience") or "",
            year=data.get("year"),
        )


class PracticeFilterForm(forms.Form):
    country = forms.CharField(label=_("Country"), required=False, max_length=100)
    year = forms.IntegerField(
        label=_("Year it began"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR,
        error_messages={"invalid": _("Write the year with four digits, e.g. 2016.")},
    )  # fmt: skip

    def filters(self) -> PracticeFilters:
        self.is_valid()
        return PracticeFilters(
            country=(self.cleaned_data.get("country") or "").strip(),
            year=self.cleaned_data.get("year"),
        )


# --- A publication -------------------------------------------------------------------------------


class PageLinksField(forms.CharField):
    """Addresses of pages of the portal, one a line, read as objects of one kind."""

    def __init__(self, *, kind: str, model: type[Any], **kwargs: Any) -> None:
        self.kind, self.model = kind, model
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(required=False, max_length=5_000, **kwargs)

    def clean(self, value: Any) -> list[Any]:  # type: ignore[override]
        text = super().clean(value)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_LINKS:
            raise ValidationError(_("At most %(n)d addresses."), params={"n": MAX_LINKS})
        ids: list[int] = []
        for line in lines:
            found = links.read(line)
            if found is None or found[0] != self.kind:
                raise ValidationError(
                    _("“%(address)s” is not the address of such a page on this portal."),
                    params={"address": line[:80]},
                )
            ids.append(found[1])
        objects = {o.pk: o for o in self.model._default_manager.filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in objects]
        if missing:
            raise ValidationError(_("One of the pages does not exist (any more)."))
        return [objects[pk] for pk in dict.fromkeys(ids)]


def page_lines(objects: list[Any]) -> str:
    return "\n".join(o.get_absolute_url() for o in objects)


class PublicationForm(forms.ModelForm):
    audience = forms.MultipleChoiceField(
        label=_("For whom"), required=False, choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    organisation_pages = PageLinksField(
        kind="organisation", model=Organisation, label=_("Authoring organisations"),
        help_text=_("The address of each organisation's page in the catalogue, one a line."),
    )  # fmt: skip
    institution_pages = PageLinksField(
        kind="institution", model=Institution, label=_("Authoring institutions"),
        help_text=_("The address of each institution's page in the directory, one a line."),
    )  # fmt: skip
    revision = VersionField(required=False)

    field_order = [
        "type", "title", "summary", "body", "authors", "organisation_pages",
        "institution_pages", "year", "language", "audience", "topics", "province",
        "municipality", "licence",
    ]  # fmt: skip

    class Meta:
        model = Publication
        fields = [
            "type", "title", "summary", "body", "authors", "year", "language", "topics",
            "province", "municipality", "licence",
        ]  # fmt: skip
        widgets = {
            "type": forms.RadioSelect,
            "title": forms.TextInput(attrs={"maxlength": 300}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "topics": forms.CheckboxSelectMultiple,
            "year": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
            "municipality": ListSelect,
            "province": ListSelect,
        }
        help_texts = {
            "summary": _("A few sentences: what it is about and for whom."),
            "body": _(
                "Markdown: **bold**, lists with “-”, headings with “##”. For a handbook read "
                "as web pages, write its chapters instead."
            ),
            "province": _("Only if it concerns one province."),
            "municipality": _("Only if it concerns one municipality."),
        }
        error_messages = {
            "year": {
                "invalid": _("Write the year with four digits, e.g. 2026."),
                "min_value": _("The year must be %(limit_value)s or later."),
                "max_value": _("The year must be %(limit_value)s or earlier."),
            },
            "title": {"required": _("Give the publication a title.")},
            "summary": {"required": _("Write a short summary.")},
            "type": {"required": _("Choose the type of the publication.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].localize = False
        # Radio buttons without the empty "---------" choice: the type is required.
        cast(forms.ChoiceField, self.fields["type"]).choices = PublicationType.choices
        cast(forms.ModelMultipleChoiceField, self.fields["topics"]).queryset = Topic.objects.all()
        municipalities = cast(forms.ModelChoiceField, self.fields["municipality"])  # type: ignore[type-arg]
        municipalities.queryset = Municipality.objects.order_by("name_bg", "code")
        publication: Publication = self.instance
        if publication.pk:
            self.fields["revision"].required = True
            self.initial.setdefault("revision", publication.revision)
            self.initial.setdefault("audience", publication.audiences)
            self.initial.setdefault(
                "organisation_pages", page_lines(list(publication.organisations.all()))
            )
            self.initial.setdefault(
                "institution_pages", page_lines(list(publication.institutions.all()))
            )
        else:
            del self.fields["revision"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        municipality, province = data.get("municipality"), data.get("province")
        if municipality and province and municipality.province_id != province.pk:
            self.add_error("municipality", _("The municipality is not in the chosen province."))
        return data

    def apply_audience(self) -> None:
        chosen = set(self.cleaned_data.get("audience") or [])
        for value, name in AUDIENCE_FIELDS.items():
            setattr(self.instance, name, value in chosen)

    def m2m(self) -> dict[str, Any]:
        return {
            "topics": list(self.cleaned_data.get("topics") or []),
            "organisations": self.cleaned_data.get("organisation_pages") or [],
            "institutions": self.cleaned_data.get("institution_pages") or [],
        }


# --- A file ----------------------------------------------------------------------------------


class FileForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the file"), required=False, max_length=300,
        help_text=_("E.g. “Full text” or “Annex 1”. Left empty: the file's name."),
    )  # fmt: skip
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx) or OpenDocument (.odt), at most 10 MB."),
        error_messages={
            "required": _("Choose a file."),
            "empty": _("The file is empty."),
            "invalid": _("No file was sent. Choose the file again."),
        },
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        check_size(upload)
        kind = textract.file_kind(upload)
        if not kind:
            raise ValidationError(
                _("Upload a PDF, a Word (.docx) or an OpenDocument (.odt) file."),
                code="wrong_type",
            )
        try:
            text, pages = textract.extract(upload, kind)
        except textract.Unreadable:
            raise ValidationError(
                _("The file's text could not be read: it may be damaged or password-protected."),
                code="unreadable",
            ) from None
        self.kind, self.text, self.pages = kind, text, pages
        return upload


# --- A chapter -------------------------------------------------------------------------------


def anchor_of(title: str) -> str:
    latin = translit.transliterate(title)
    cleaned = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    return cleaned[:60].strip("-") or "chapter"


class ChapterForm(forms.ModelForm):
    revision = VersionField()

    class Meta:
        model = Chapter
        fields = ["title", "anchor", "body"]
        widgets = {
            "title": forms.TextInput(attrs={"maxlength": 300}),
            "anchor": forms.TextInput(attrs={"maxlength": 80}),
            "body": forms.Textarea(attrs={"rows": 20}),
        }
        help_texts = {
            "anchor": _(
                "The end of the chapter's address: Latin letters, digits and dashes. Left "
                "empty: made from the title."
            ),
            "body": _("Markdown: **bold**, lists with “-”, headings with “##”, links."),
        }
        error_messages = {
            "title": {"required": _("Give the chapter a title.")},
            "body": {"required": _("Write the chapter's text.")},
        }

    def __init__(self, *args: Any, publication: Publication, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publication = publication
        self.fields["anchor"].required = False
        self.initial.setdefault("revision", publication.revision)

    def clean_anchor(self) -> str:
        anchor = (self.cleaned_data.get("anchor") or "").strip().lower()
        if anchor and not ANCHOR.match(anchor):
            raise ValidationError(
                _("Use only Latin letters, digits and single dashes, e.g. “how-to-comment”.")
            )
        return anchor

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "anchor" in self.errors:
            return data
        anchor = data.get("anchor") or anchor_of(data.get("title") or "")
        taken = Chapter.objects.filter(publication=self.publication, anchor=anchor)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            if data.get("anchor"):
                self.add_error("anchor", _("Another chapter has this address. Choose another."))
                return data
            anchor = f"{anchor}-{Chapter.objects.filter(publication=self.publication).count() + 1}"
        data["anchor"] = anchor
        self.instance.anchor = anchor
        return data

    def validate_unique(self) -> None:
        # Checked in clean(), with a message that says what to do.
        pass


# --- The good-practice record ----------------------------------------------------------------


class GoodPracticeForm(forms.ModelForm):
    revision = VersionField()

    class Meta:
        model = GoodPractice
        fields = ["country", "place", "year", "what_was_done", "results", "contacts", "sources"]
        widgets = {
            "year": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
            "what_was_done": forms.Textarea(attrs={"rows": 8}),
            "results": forms.Textarea(attrs={"rows": 6}),
            "contacts": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "country": {"required": _("Name the country.")},
            "what_was_done": {"required": _("Describe what was done.")},
            "year": {
                "invalid": _("Write the year with four digits, e.g. 2016."),
                "min_value": _("The year must be %(limit_value)s or later."),
                "max_value": _("The year must be %(limit_value)s or earlier."),
            },
        }

    def __init__(self, *args: Any, publication: Publication, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].localize = False
        self.initial.setdefault("revision", publication.revision)


# --- State, editions, uses -------------------------------------------------------------------


class StateForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the history"), required=False, max_length=500,
        help_text=_("Why, if it is worth saying (e.g. “corrected figures in chapter 2”)."),
    )  # fmt: skip


class UseForm(forms.Form):
    address = forms.CharField(
        label=_("Address of the page"), max_length=500,
        help_text=_("Paste the address of the consultation's, event's or assessment's page."),
        error_messages={"required": _("Paste the address of the page.")},
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    MODELS: dict[str, Any] = {
        "consultation": Consultation,
        "event": Event,
        "campaign": Campaign,
    }

    def clean_address(self) -> Any:
        found = links.read(self.cleaned_data["address"])
        if found is None or found[0] not in self.MODELS:
            raise ValidationError(
                _("This is not the address of a consultation, an event or an assessment here.")
            )
        kind, pk = found
        target = self.MODELS[kind]._default_manager.filter(pk=pk).first()
        if target is None or not getattr(target, "is_public", True) or _is_draft(target):
            raise ValidationError(_("There is no public page at this address."))
        self.kind, self.target = kind, target
        return self.cleaned_data["address"]


def _is_draft(target: Any) -> bool:
    return str(getattr(target, "state", "")) == "draft"
