"""The form of an organisation's monitoring report: its text (Markdown, shown sanitised), the
public commitments, requests and signals it covers (typed as their numbers on the portal),
an attachment, and, for a draft, the attachments to remove."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from core import uploads
from monitoring.forms.common import NoPersonalNumbersMixin
from monitoring.models import Commitment, InformationRequest, MonitoringReport, Signal

# More than this in one report is a list, not an assessment.
MAX_ITEMS = 200
NUMBERS = re.compile(r"[\s,;]+")


class NumbersField(forms.CharField):
    """Numbers of records separated by commas or spaces ("12, 45 78"), e.g. from their
    addresses; a "#" or "№" before a number is allowed."""

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = str(value or "").replace("#", " ").replace("№", " ")
        parts = [p for p in NUMBERS.split(text) if p]
        if any(not p.isdigit() or len(p) > 12 for p in parts):
            raise ValidationError(
                _("Write only numbers separated by commas, e.g. 12, 45."), code="invalid"
            )
        numbers = list(dict.fromkeys(int(p) for p in parts))
        if len(numbers) > MAX_ITEMS:
            raise ValidationError(
                _("At most %(n)s items in one report.") % {"n": MAX_ITEMS}, code="too_many"
            )
        return numbers

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


def _public(model: type[Model], numbers: list[int], missing: str) -> list[Any]:
    """The public records with these numbers, in the order typed; a private one is as unknown
    as a number that does not exist (its existence is not told)."""
    if not numbers:
        return []
    found = {
        obj.pk: obj
        for obj in model._default_manager.filter(pk__in=numbers, is_public=True).only(
            "pk", "is_public"
        )
    }
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise ValidationError(missing % {"numbers": ", ".join(str(n) for n in unknown)})
    return [found[n] for n in numbers]


class ReportForm(NoPersonalNumbersMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences shown in the list of reports."),
    )
    body = forms.CharField(
        label=_("Text of the report"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "You may use Markdown: ## for a heading, * for a list item, **bold**, "
            "[text](https://address) for a link."
        ),
    )
    commitments = NumbersField(
        label=_("Commitments it assesses"),
        required=False,
        help_text=_(
            "Their numbers, separated by commas: the number is at the end of a commitment's "
            "address, e.g. 12 in …/monitoring/commitments/12/."
        ),
    )
    requests = NumbersField(
        label=_("Information requests it assesses"),
        required=False,
        help_text=_("Numbers of public requests, separated by commas."),
    )
    signals = NumbersField(
        label=_("Proposals and signals it assesses"),
        required=False,
        help_text=_("Numbers of public proposals and signals, separated by commas."),
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        validators=[uploads.validate_pdf_or_docx],
        help_text=_(
            "A PDF or a Word (.docx) file, at most 10 MB. To add more, save and edit again."
        ),
    )
    attachment_title = forms.CharField(
        label=_("Title of the attachment"), required=False, max_length=300
    )
    remove = forms.MultipleChoiceField(
        label=_("Remove attachments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, report: MonitoringReport | None = None, **kwargs: Any) -> None:
        if report is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": report.title,
                "summary": report.summary,
                "body": report.body,
                "commitments": [c.pk for c in report.commitments.all()],
                "requests": [r.pk for r in report.requests.all()],
                "signals": [s.pk for s in report.signals.all()],
                "version": report.version,
            }
        super().__init__(*args, **kwargs)
        self.report = report
        documents = list(report.documents.all()) if report is not None else []
        if report is None or report.published_at is not None or not documents:
            del self.fields["remove"]
        else:
            remove = cast(forms.MultipleChoiceField, self.fields["remove"])
            remove.choices = [(str(d.pk), d.title) for d in documents]
        if report is None:
            del self.fields["version"]

    def clean_commitments(self) -> list[Commitment]:
        return _public(
            Commitment,
            self.cleaned_data.get("commitments") or [],
            str(_("Not found among the public commitments: %(numbers)s.")),
        )

    def clean_requests(self) -> list[InformationRequest]:
        return _public(
            InformationRequest,
            self.cleaned_data.get("requests") or [],
            str(_("Not found among the public information requests: %(numbers)s.")),
        )

    def clean_signals(self) -> list[Signal]:
        return _public(
            Signal,
            self.cleaned_data.get("signals") or [],
            str(_("Not found among the public proposals and signals: %(numbers)s.")),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("attachment_title") and not data.get("attachment"):
            self.add_error("attachment", _("Choose the file to go with this title."))
        return data

    def values(self) -> dict[str, Any]:
        """The keyword arguments of services.commitments.create_report / edit_report."""
        data = self.cleaned_data
        upload = data.get("attachment")
        values = {
            "title": data["title"],
            "summary": data.get("summary") or "",
            "body": data["body"],
            "commitments": data.get("commitments") or [],
            "requests": data.get("requests") or [],
            "signals": data.get("signals") or [],
            "attachments": [(data.get("attachment_title") or "", upload)] if upload else [],
        }
        if self.report is not None:
            values["version"] = data.get("version")
            values["remove"] = [int(pk) for pk in data.get("remove") or []]
        return values
