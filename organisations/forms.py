"""Forms of registering, claiming and verifying organisations, and of editing their profiles.

Everything is checked on the server and every error is put next to its field in words; the
forms keep what was typed (except a personal number typed as an EIK, which is never echoed).
Places are typed, not picked from a 5,256-item select: "Пловдив", "с. Брестовица", an EKATTE
code; when a name is ambiguous the form comes back with the candidates to choose from, which
works without JavaScript.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import translit
from core.eik import is_valid_eik
from core.uploads import validate_document, validate_image, validate_pdf
from core.widgets import DateInput
from directory.forms import EuroField, WebAddressField, validate_phone
from organisations import claims
from organisations.enums import LegalForm, Reach, Visibility
from organisations.models import (
    Activity,
    AnnualReport,
    Organisation,
    RepresentationClaim,
)
from territory.models import Municipality, Province, Settlement

Method = RepresentationClaim.Method

# --- places ----------------------------------------------------------------------------------

_KIND_PREFIXES = {
    "гр": "town", "град": "town", "gr": "town", "grad": "town",
    "с": "village", "село": "village", "s": "village", "selo": "village",
    "ман": "monastery",
}  # fmt: skip
_UNIT_PREFIX = re.compile(r"^\s*(общ|община|обл|област|obsht|obl)\.?\s+", re.IGNORECASE)
_CODE_IN_BRACKETS = re.compile(r"\(\s*([0-9]{5}|[A-Za-z]{3}[0-9]{2}|[A-Za-z]{3})\s*\)\s*$")
MAX_PLACES = 300


@lru_cache(maxsize=1)
def _settlement_keys() -> dict[str, tuple[str, ...]]:
    """Latin name key → EKATTE codes; territory changes only with a reload (a restart)."""
    index: dict[str, list[str]] = {}
    for code, name_bg in Settlement.objects.values_list("ekatte", "name_bg"):
        index.setdefault(translit.sort_key(name_bg), []).append(code)
    return {key: tuple(codes) for key, codes in index.items()}


def _keys() -> dict[str, tuple[str, ...]]:
    keys = _settlement_keys()
    if not keys:  # an empty territory is not cached (tests load it later)
        _settlement_keys.cache_clear()
    return keys


def _split(text: str) -> tuple[str, str, list[str]]:
    """(code in brackets or the whole text if it is a code, name, qualifiers after a comma)."""
    text = " ".join((text or "").split())
    match = _CODE_IN_BRACKETS.search(text)
    code = ""
    if match:
        code = match.group(1).upper()
        text = text[: match.start()].strip()
    elif re.fullmatch(r"[0-9]{5}|[A-Za-z]{3}[0-9]{2}|[A-Za-z]{3}", text):
        code, text = text.upper(), ""
    parts = [p.strip(" )") for p in re.split(r"[,(]", text)]
    return code, parts[0] if parts else "", [p for p in parts[1:] if p]


def find_settlements(text: str) -> list[Settlement]:
    """Settlements a person may mean by "Пловдив", "с. Брестовица, общ. Родопи" or "06834"."""
    code, name, qualifiers = _split(text)
    base = Settlement.objects.select_related("municipality__province")
    if code:
        return list(base.filter(ekatte=code))
    kind = ""
    words = name.split(maxsplit=1)
    if len(words) == 2 and words[0].rstrip(".").lower() in _KIND_PREFIXES:
        kind, name = _KIND_PREFIXES[words[0].rstrip(".").lower()], words[1]
    key = translit.sort_key(name)
    if not key:
        return []
    codes = _keys().get(key, ())
    found = list(base.filter(Q(ekatte__in=codes) | Q(name_en__iexact=name)))
    if kind:
        found = [s for s in found if s.kind == kind]
    for qualifier in qualifiers:
        wanted = translit.sort_key(_UNIT_PREFIX.sub("", qualifier))
        narrowed = [
            s
            for s in found
            if wanted
            in (
                translit.sort_key(s.municipality.name_bg),
                translit.sort_key(s.municipality.province.name_bg),
            )
        ]
        found = narrowed or found
    return sorted(found, key=lambda s: (-(s.population_2017 or 0), s.ekatte))


def settlement_label(s: Settlement) -> str:
    return (
        f"{s.type_abbr} {s.name_bg}, общ. {s.municipality.name_bg}, "
        f"обл. {s.municipality.province.name_bg} ({s.ekatte})"
    )


def settlement_text(s: Settlement | None) -> str:
    """What the seat field shows for a saved seat: read back by `find_settlements`."""
    if s is None:
        return ""
    return f"{s.type_abbr} {s.name_bg}, общ. {s.municipality.name_bg} ({s.ekatte})"


def _find_units(model: type[Municipality] | type[Province], text: str) -> list[Any]:
    code, name, _qualifiers = _split(text)
    if code:
        return list(model.objects.filter(code=code))
    key = translit.sort_key(_UNIT_PREFIX.sub("", name))
    return [
        unit
        for unit in model.objects.all()
        if key and key in (translit.sort_key(unit.name_bg), translit.sort_key(unit.name_en))
    ]


def place_line(place: Any) -> str:
    if isinstance(place, Settlement):
        return settlement_text(place)
    if isinstance(place, Municipality):
        return f"общ. {place.name_bg} ({place.code})"
    return f"обл. {place.name_bg} ({place.code})"


# --- shared fields ---------------------------------------------------------------------------


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class HidesPersonalNumber:
    """A personal number typed into the EIK field is not shown back on the page."""

    data: Any
    errors: Any

    if TYPE_CHECKING:

        def add_prefix(self, name: str) -> str: ...

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if any(e.code == "personal_number" for e in self.errors.as_data().get("eik", [])):
            self.data = self.data.copy()
            self.data[self.add_prefix("eik")] = ""


class EIKField(forms.CharField):
    """ЕИК/БУЛСТАТ: 9 or 13 digits with check digits; a 10-digit personal number is refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("EIK/BULSTAT"))
        kwargs.setdefault(
            "help_text",
            _("The 9-digit unified identification code from the register (13 for a branch)."),
        )
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("empty_value", None)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return re.sub(r"[\s\-]", "", value) if isinstance(value, str) else value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if not value:
            return
        if len(value) == 10 and value.isdigit():
            raise ValidationError(
                _(
                    "A 10-digit number is a person's personal number (ЕГН or ЛНЧ), not an "
                    "organisation's EIK. Do not enter personal numbers: enter the 9-digit EIK "
                    "of the organisation (13 digits for a branch)."
                ),
                code="personal_number",
            )
        if not is_valid_eik(value):
            raise ValidationError(
                _("Enter a valid EIK/BULSTAT code: 9 or 13 digits with correct check digits."),
                code="invalid_eik",
            )


def _checkboxes(queryset: Any, label: Any, required: bool = False) -> Any:
    return forms.ModelMultipleChoiceField(
        queryset=queryset, label=label, required=required, widget=forms.CheckboxSelectMultiple
    )


class PlaceFormMixin:
    """The seat typed as text, resolved to a settlement; candidates offered when ambiguous."""

    seat_required = True
    fields: dict[str, forms.Field]
    data: Any
    cleaned_data: dict[str, Any]
    seat_options: list[Settlement]

    if TYPE_CHECKING:  # provided by forms.BaseForm

        def add_prefix(self, name: str) -> str: ...

        def add_error(self, field: str | None, error: Any) -> None: ...

    def _seat_fields(self) -> None:
        self.seat_options = []
        self.fields["seat"] = forms.CharField(
            label=_("Seat (settlement)"),
            help_text=_(
                "The town or village as in the register, e.g. “Пловдив”, “с. Брестовица” or "
                "its EKATTE code."
            ),
            max_length=200,
            required=self.seat_required,
            error_messages={"required": _("Enter the settlement where the seat is.")},
        )
        self.fields["seat_choice"] = forms.CharField(
            label=_("Which settlement?"), required=False, widget=forms.RadioSelect
        )

    def _clean_seat(self) -> Settlement | None:
        text = self.cleaned_data.get("seat") or ""
        if not text:
            return None
        found = find_settlements(text)
        chosen = (self.data.get(self.add_prefix("seat_choice")) or "").strip()
        for s in found:
            if s.ekatte == chosen:
                return s
        if len(found) == 1:
            return found[0]
        if not found:
            self.add_error(
                "seat",
                _(
                    "There is no settlement called “%(name)s”. Check the spelling, or enter its "
                    "EKATTE code."
                )
                % {"name": text},
            )
            return None
        self.seat_options = found
        widget = self.fields["seat_choice"].widget
        widget.choices = [(s.ekatte, settlement_label(s)) for s in found]  # type: ignore[attr-defined]
        self.add_error(
            "seat_choice",
            _("Several settlements are called “%(name)s”: choose yours.") % {"name": text},
        )
        return None


def duplicate_eik_message(existing: Organisation, user: Any) -> Any:
    """The same EIK is registered: show the entry and offer to claim it (when it is public)."""
    if existing.visibility == Visibility.PUBLIC:
        return format_html(
            gettext(
                "An organisation with this EIK is already in the catalogue: "
                '<a href="{}">{}</a>. If you represent it, <a href="{}">claim that entry</a> '
                "instead of registering it again."
            ),
            existing.get_absolute_url(),
            existing.display_name,
            reverse("organisations:claim", args=[existing.pk]),
        )
    if getattr(user, "is_authenticated", False) and existing.registered_by_id == user.pk:
        return format_html(
            gettext('You have already registered this organisation: <a href="{}">{}</a>.'),
            reverse("organisations:claim", args=[existing.pk]),
            existing.display_name,
        )
    return _(
        "An organisation with this EIK is already registered and awaits verification. If you "
        "represent it, write to the moderators of the portal."
    )


# --- registration and claims -----------------------------------------------------------------


def method_field(choices: list[tuple[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("How will you prove that you represent the organisation?"),
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you will prove it.")},
    )


def evidence_field() -> forms.FileField:
    return forms.FileField(
        label=_("Document"),
        help_text=_(
            "An extract from the register, a court decision or a decision of the board naming "
            "you; PDF or an image (PNG, JPEG, GIF, WebP), at most 10 MB. Only the moderators "
            "see it."
        ),
        required=False,
        validators=[validate_document],
    )


def position_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your position in the organisation"),
        help_text=_("E.g. chair of the board, secretary, member."),
        max_length=200,
        required=False,
    )


METHOD_CHOICES: list[tuple[str, Any]] = [
    (Method.EMAIL_CODE, _("A code sent to the organisation's e-mail address")),
    (Method.EVIDENCE, _("A document that a moderator checks")),
]


class ClaimMethodMixin:
    cleaned_data: dict[str, Any]

    if TYPE_CHECKING:

        def add_error(self, field: str | None, error: Any) -> None: ...

    def _clean_method(self) -> None:
        wants_document = self.cleaned_data.get("method") == Method.EVIDENCE
        missing = not self.cleaned_data.get("evidence")
        if wants_document and missing and "evidence" not in getattr(self, "errors", {}):
            self.add_error("evidence", _("Attach the document for the moderator."))


class RegisterForm(HidesPersonalNumber, PlaceFormMixin, ClaimMethodMixin, forms.ModelForm):  # type: ignore[type-arg]
    eik = EIKField(required=False)
    email = forms.EmailField(
        label=_("The organisation's e-mail address"),
        help_text=_(
            "Published on the organisation's page. The verification code is sent here, so use "
            "the organisation's own address."
        ),
        error_messages={
            "required": _("Enter the organisation's e-mail address."),
            "invalid": _("Enter an e-mail address like office@example.bg."),
        },
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=100, required=False, validators=[validate_phone]
    )
    website = WebAddressField(label=_("Website"), max_length=200, required=False)
    different = forms.BooleanField(
        label=_("This is a different organisation from the ones listed above"), required=False
    )
    method = method_field(METHOD_CHOICES)
    evidence = evidence_field()
    position = position_field()

    class Meta:
        model = Organisation
        fields = [
            "name",
            "legal_form",
            "eik",
            "benefit",
            "address",
            "email",
            "phone",
            "website",
            "fields",
            "description",
        ]
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "name": _("The full name as in the register, e.g. Сдружение „Зелен Пловдив“."),
            "description": _(
                "What the organisation does, in a few sentences. Markdown: **bold**, lists "
                "with “- ”, links."
            ),
        }
        error_messages = {
            "name": {"required": _("Enter the name of the organisation.")},
            "legal_form": {"required": _("Choose the legal form.")},
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self._seat_fields()
        self.fields["fields"].required = False
        self.fields["benefit"].required = False
        self.fields["eik"].help_text = _(
            "The 9-digit unified identification code from the register (13 for a branch). "
            "Required, unless the legal form is “other”."
        )
        self.similar: list[Organisation] = []
        self.settlement: Settlement | None = None
        self.order_fields(
            [
                "name", "legal_form", "eik", "benefit", "seat", "seat_choice", "address",
                "email", "phone", "website", "fields", "description", "different", "method",
                "evidence", "position",
            ]
        )  # fmt: skip

    def clean_eik(self) -> str | None:
        eik = self.cleaned_data.get("eik")
        if not eik:
            return None
        existing = Organisation.objects.filter(eik=eik).exclude(pk=self.instance.pk).first()
        if existing is not None:
            raise ValidationError(duplicate_eik_message(existing, self.user), code="duplicate")
        return str(eik)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_eik = data.get("legal_form") not in (None, "", LegalForm.OTHER)
        if needs_eik and not data.get("eik") and "eik" not in self.errors:
            self.add_error(
                "eik",
                _("Enter the EIK: every registered association or foundation has one."),
            )
        self.settlement = self._clean_seat()
        self._clean_method()
        name = data.get("name")
        if name and self.settlement is not None:
            candidates = (
                Organisation.objects.public()
                .filter(settlement=self.settlement)
                .values_list("pk", "name")
            )
            ids = claims.similar_names(name, candidates)
            self.similar = list(Organisation.objects.filter(pk__in=ids).order_by("name")[:10])
            if self.similar and not data.get("different"):
                self.add_error(
                    "different",
                    _(
                        "An organisation with a similar name already has its seat in this "
                        "settlement. If it is yours, claim that entry; if not, confirm that "
                        "this is a different organisation."
                    ),
                )
        return data


class ClaimForm(ClaimMethodMixin, forms.Form):
    method = method_field(METHOD_CHOICES)
    evidence = evidence_field()
    position = position_field()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not claims.can_use_code(organisation):
            # No published address: a code could only go where the claimant says (never);
            # already represented: a moderator decides (claims.can_use_code).
            field = self.fields["method"]
            field.choices = [c for c in METHOD_CHOICES if c[0] == Method.EVIDENCE]  # type: ignore[attr-defined]
            field.initial = Method.EVIDENCE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_method()
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code from the e-mail"),
        help_text=_("Six digits."),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": _("Enter the code from the e-mail.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(_("The code is six digits."), code="format")
        return code


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("approve", _("Approve: the document shows that the person represents it")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you approve or reject the claim.")},
    )
    note = forms.CharField(
        label=_("Note to the person"),
        help_text=_("Required when you reject: say why. It is sent to the person by e-mail."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the claim is rejected."))
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person you invite"),
        help_text=_(
            "They get a link valid for 7 days; they must sign in with this same address to accept."
        ),
        error_messages={
            "required": _("Enter the e-mail address of the person you invite."),
            "invalid": _("Enter an e-mail address like name@example.bg."),
        },
    )


# --- the profile -----------------------------------------------------------------------------


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for the change"),
        help_text=_("Optional; shown in the public history of the entry."),
        max_length=500,
        required=False,
    )


class ProfileForm(HidesPersonalNumber, PlaceFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    seat_required = False
    eik = EIKField(required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=100, required=False, validators=[validate_phone]
    )
    website = WebAddressField(label=_("Website"), max_length=200, required=False)
    reach_places = forms.CharField(
        label=_("Places reached"),
        help_text=_(
            "One a line: settlements (for the reach “settlements”), municipalities or "
            "provinces, by name or code, e.g. “с. Брестовица”, “общ. Родопи”, “PDV”."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    logo_file = forms.FileField(
        label=_("Logo"),
        help_text=_("An image (PNG, JPEG, GIF, WebP), at most 10 MB."),
        required=False,
        validators=[validate_image],
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    version = _version_field()
    reason = _reason_field()

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_en",
            "legal_form",
            "eik",
            "benefit",
            "year_founded",
            "address",
            "postal_code",
            "email",
            "phone",
            "website",
            "social_links",
            "fields",
            "target_groups",
            "reach",
            "description",
        ]
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "social_links": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "description": _(
                "Markdown: **bold**, *italic*, lists with “- ”, links as [text](https://…)."
            ),
            "social_links": _("One address a line, starting with https://."),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self._seat_fields()
        self.settlement: Settlement | None = None
        self.places: list[Any] = []
        for name in ("fields", "target_groups", "benefit"):
            self.fields[name].required = False
        instance = self.instance
        if not self.is_bound and instance.pk:
            from organisations.history import reach_places

            self.initial["version"] = instance.version
            self.initial["seat"] = settlement_text(instance.settlement)
            self.initial["reach_places"] = "\n".join(place_line(p) for p in reach_places(instance))
        self.order_fields(
            [
                "name", "name_en", "legal_form", "eik", "benefit", "year_founded", "seat",
                "seat_choice", "address", "postal_code", "email", "phone", "website",
                "social_links", "fields", "target_groups", "reach", "reach_places",
                "description", "logo_file", "remove_logo", "reason", "version",
            ]
        )  # fmt: skip

    def clean_eik(self) -> str | None:
        eik = self.cleaned_data.get("eik")
        if not eik:
            return None
        existing = Organisation.objects.filter(eik=eik).exclude(pk=self.instance.pk).first()
        if existing is not None:
            raise ValidationError(duplicate_eik_message(existing, self.user), code="duplicate")
        return str(eik)

    def clean_social_links(self) -> str:
        validate = URLValidator(schemes=["http", "https"])
        lines = _lines(self.cleaned_data.get("social_links", ""))
        bad = []
        for line in lines:
            try:
                validate(line)
            except ValidationError:
                bad.append(line)
        if bad:
            raise ValidationError(
                _("These are not web addresses starting with https://: %(lines)s")
                % {"lines": ", ".join(bad[:5])},
                code="invalid_url",
            )
        return "\n".join(lines)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.settlement = self._clean_seat()
        self.places = self._clean_places(data.get("reach"), data.get("reach_places") or "")
        return data

    def _clean_places(self, reach: str | None, text: str) -> list[Any]:
        lines = _lines(text)
        if reach not in (Reach.LOCAL, Reach.MUNICIPAL, Reach.REGIONAL):
            return []
        if len(lines) > MAX_PLACES:
            self.add_error("reach_places", _("List at most %(n)d places.") % {"n": MAX_PLACES})
            return []
        found: list[Any] = []
        problems: list[str] = []
        for line in lines:
            if reach == Reach.LOCAL:
                matches: list[Any] = find_settlements(line)
            elif reach == Reach.MUNICIPAL:
                matches = _find_units(Municipality, line)
            else:
                matches = _find_units(Province, line)
            if len(matches) == 1:
                if matches[0] not in found:
                    found.append(matches[0])
            elif not matches:
                problems.append(str(_("“%(line)s”: not found") % {"line": line}))
            else:
                options = "; ".join(place_line(m) for m in matches[:6])
                problems.append(
                    str(
                        _("“%(line)s”: several places, write one with its code: %(options)s")
                        % {"line": line, "options": options}
                    )
                )
        if problems:
            self.add_error("reach_places", " ".join(problems))
        return found

    def values(self) -> dict[str, Any]:
        """The submitted profile in the shape of history.profile_values."""
        from organisations.history import PROFILE_FIELDS

        data = self.cleaned_data
        values = {
            name: data.get(name)
            for name in PROFILE_FIELDS
            if name not in {"settlement", "reach_places", "logo"}
        }
        values["fields"] = list(data.get("fields") or [])
        values["target_groups"] = list(data.get("target_groups") or [])
        values["settlement"] = self.settlement if data.get("seat") else None
        values["reach_places"] = self.places
        values["eik"] = data.get("eik") or None
        if data.get("logo_file"):
            values["logo"] = data["logo_file"]
        elif data.get("remove_logo"):
            values["logo"] = None
        else:
            values["logo"] = self.instance.logo
        return values


# --- activities and annual reports -----------------------------------------------------------


class ActivityForm(forms.ModelForm):  # type: ignore[type-arg]
    budget_eur = EuroField(
        label=_("Budget (euro)"),
        help_text=_("E.g. 12 500,50."),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    partner_names = forms.CharField(
        label=_("Partners"),
        help_text=_(
            "One a line. Write a partner's name as in the catalogue or its EIK to link its "
            "page; other partners are kept as text."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = _reason_field()

    class Meta:
        model = Activity
        fields = [
            "title",
            "is_project",
            "starts_on",
            "ends_on",
            "funding_programme",
            "budget_eur",
            "description",
            "results",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "results": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"title": {"required": _("Enter the title of the activity.")}}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        self.partners: list[Organisation] = []
        self.other_partners = ""
        if not self.is_bound and self.instance.pk:
            names = [p.name for p in self.instance.partners.all()]
            names += _lines(self.instance.other_partners)
            self.initial["partner_names"] = "\n".join(names)
        self.order_fields(
            [
                "title", "is_project", "starts_on", "ends_on", "funding_programme", "budget_eur",
                "partner_names", "description", "results", "reason",
            ]
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot be before the start."))
        linked, other = resolve_partners(
            _lines(data.get("partner_names") or ""), exclude=self.organisation.pk
        )
        self.partners, self.other_partners = linked, "\n".join(other)
        return data

    def _post_clean(self) -> None:
        # Activity.clean says the same as clean() above; say it once, next to the field.
        if "ends_on" in self.errors:
            return
        super()._post_clean()  # type: ignore[misc]


def resolve_partners(
    lines: Iterable[str], exclude: int | None = None
) -> tuple[list[Any], list[str]]:
    """Lines naming exactly one public catalogue entry (by EIK or name) become links."""
    linked: list[Organisation] = []
    other: list[str] = []
    for line in lines:
        digits = re.sub(r"\s", "", line)
        qs = Organisation.objects.public()
        if exclude is not None:
            qs = qs.exclude(pk=exclude)
        if digits.isdigit() and len(digits) in (9, 13):
            matches = list(qs.filter(eik=digits)[:2])
        else:
            matches = list(qs.filter(Q(name=line) | Q(name_en__iexact=line))[:2])
        if len(matches) == 1:
            if matches[0] not in linked:
                linked.append(matches[0])
        else:
            other.append(line)
    return linked, other


class AnnualReportForm(forms.ModelForm):  # type: ignore[type-arg]
    file = forms.FileField(
        label=_("Report (PDF)"),
        help_text=_("The activity report as filed in the register; PDF, at most 10 MB."),
        validators=[validate_pdf],
        error_messages={"required": _("Attach the report as a PDF file.")},
    )

    class Meta:
        model = AnnualReport
        fields = ["year", "file"]
        error_messages = {"year": {"required": _("Enter the year the report is for.")}}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", datetime.date.today().year - 1)

    def clean_year(self) -> int:
        year = int(self.cleaned_data["year"])
        if year > datetime.date.today().year:
            raise ValidationError(_("A report can only be for a year that has begun."))
        if AnnualReport.objects.filter(organisation=self.organisation, year=year).exists():
            raise ValidationError(
                _("There is already a report for %(year)d: delete it first to replace it.")
                % {"year": year},
                code="duplicate",
            )
        return year
