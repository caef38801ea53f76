"""Forms of the news app: the item, its time of publication, withdrawing it, its images, and
the stream's filters. Messages are gettext strings (Bulgarian in the catalogue) shown next
to their field; a bound form keeps everything typed."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core import uploads
from core.models import Topic
from core.widgets import ListSelect, PlainTextInput
from news.enums import Kind, PublisherKind
from news.models import NewsImage, NewsItem
from territory.models import Municipality, Province

# Larger pictures are refused before Pillow decodes them (a "decompression bomb" of a few
# kilobytes can claim gigapixels); a news photo needs far less.
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class NewsItemForm(forms.ModelForm):
    class Meta:
        model = NewsItem
        fields = ["kind", "title", "lead", "body", "topics", "province", "municipality"]
        widgets = {
            "kind": forms.RadioSelect,
            "lead": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "topics": forms.CheckboxSelectMultiple,
            "province": ListSelect,
            "municipality": ListSelect,
        }
        error_messages = {
            "title": {"required": _("Give the item a title.")},
            "lead": {"required": _("Write the lead: one or two sentences on what happened.")},
        }
        help_texts = {
            "province": _("Optional: the province the item concerns."),
            "municipality": _("Optional: the municipality the item concerns."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = list(Kind.choices)
        self.fields["topics"].queryset = Topic.objects.order_by("name_bg")  # type: ignore[attr-defined]
        self.fields["topics"].required = False
        province = cast(forms.ModelChoiceField, self.fields["province"])
        province.queryset = Province.objects.order_by("name_bg")
        municipality = cast(forms.ModelChoiceField, self.fields["municipality"])
        municipality.queryset = Municipality.objects.order_by("name_bg")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        province, municipality = data.get("province"), data.get("municipality")
        if municipality is not None:
            if province is not None and municipality.province_id != province.pk:
                self.add_error(
                    "municipality", _("This municipality is not in the province chosen above.")
                )
            else:
                data["province"] = municipality.province
        return data


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish on"),
        help_text=_("Date and time, Sofia time, e.g. 22.11.2026 09:00."),
        widget=LocalDateTimeInput,
        input_formats=DATETIME_FORMATS,
        error_messages={
            "required": _("Enter the date and time of publication."),
            "invalid": _("Enter a date and time such as 22.11.2026 09:00."),
        },
    )

    def clean_publish_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError(
                _(
                    "The time of publication must be in the future; to publish now, use "
                    "“Publish now”."
                ),
                code="past",
            )
        if value > timezone.now() + datetime.timedelta(days=366):
            raise ValidationError(_("Schedule at most a year ahead."), code="far")
        return value


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        help_text=_("Shown on the item's page in place of its text."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Say why the item is withdrawn: readers will see it.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the item is withdrawn: readers will see it."))
        return str(reason)


def validate_picture(upload: UploadedFile) -> None:
    """A real picture Pillow can read, of a sensible size (after core.uploads' type and size
    checks, which read the first bytes only)."""
    upload.seek(0)
    try:
        with Image.open(upload) as picture:
            width, height = picture.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("The image is too large (%(w)s × %(h)s pixels); at most 40 megapixels.")
                    % {"w": width, "h": height},
                    code="too_many_pixels",
                )
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("The file could not be read as an image: upload a PNG, JPEG, GIF or WebP picture."),
            code="broken_image",
        ) from None
    finally:
        upload.seek(0)


class NewsImageForm(forms.ModelForm):
    file = forms.FileField(
        label=_("Image"),
        help_text=_("PNG, JPEG, GIF or WebP, at most 10 MB."),
        validators=[uploads.validate_image, validate_picture],
        error_messages={"required": _("Choose the image to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    class Meta:
        model = NewsImage
        fields = ["file", "alt", "caption"]
        error_messages = {
            "alt": {
                "required": _(
                    "Describe what the image shows (alternative text): people who cannot see it "
                    "rely on it."
                )
            },
        }

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # The stored name ends with the type read from the content, whatever it was called.
        kind = uploads.sniff(upload)
        stem = (upload.name or "image").rsplit(".", 1)[0]
        upload.name = f"{stem}.{'jpg' if kind == 'jpeg' else kind}"
        return upload

    def clean_alt(self) -> str:
        alt = str(self.cleaned_data.get("alt") or "").strip()
        if not alt:
            raise ValidationError(self.fields["alt"].error_messages["required"], code="required")
        return alt


class StreamFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search the news"), required=False, max_length=200, widget=PlainTextInput
    )
    publisher = forms.ChoiceField(label=_("Published by"), required=False, widget=ListSelect)
    topic = forms.ChoiceField(label=_("Topic"), required=False, widget=ListSelect)

    def __init__(self, *args: Any, with_publisher: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        publisher = cast(forms.ChoiceField, self.fields["publisher"])
        publisher.choices = [
            *everything,
            (PublisherKind.PORTAL.value, _("the portal")),
            (PublisherKind.INSTITUTION.value, _("institutions")),
            (PublisherKind.ORGANISATION.value, _("organisations")),
            (PublisherKind.NETWORK.value, _("networks")),
        ]
        if not with_publisher:
            del self.fields["publisher"]
        topic = cast(forms.ChoiceField, self.fields["topic"])
        topic.choices = everything + [(t.slug, t.name) for t in Topic.objects.order_by("name_bg")]

    def filters(self) -> dict[str, str]:
        self.is_valid()  # a filter that fails is left out (its message shows next to it)
        return {k: v for k, v in self.cleaned_data.items() if v}
