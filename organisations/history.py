"""What changed in an organisation's profile, as people read it, kept as `ProfileChange` rows.

A snapshot maps a field's label to its value as text (a list of fields of activity becomes one
name a line); two snapshots give the difference stored in `ProfileChange.changes`
({label: [before, after]}) and shown to an editor whose save met someone else's newer one.
As in the directory's history (directory/history.py, whose `diff` is reused), labels and values
are written in Bulgarian whatever the editor's language: the record must read the same for
everyone and must not change when a translation does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from directory.history import diff
from organisations.enums import Reach
from organisations.models import Activity, Organisation, ProfileChange

RECORD_LANGUAGE = "bg"

# The profile a representative edits, in the order of the form.
PROFILE_FIELDS = [
    "name",
    "name_en",
    "legal_form",
    "eik",
    "benefit",
    "year_founded",
    "settlement",
    "address",
    "postal_code",
    "email",
    "phone",
    "website",
    "social_links",
    "fields",
    "target_groups",
    "reach",
    "reach_places",
    "description",
    "logo",
]
MANY_FIELDS = {"fields", "target_groups"}
MULTILINE_FIELDS = {"social_links"}
ACTIVITY_FIELDS = [
    "title",
    "is_project",
    "starts_on",
    "ends_on",
    "funding_programme",
    "budget_eur",
    "partners",
    "other_partners",
    "description",
    "results",
]

Snapshot = dict[str, str]

__all__ = ["diff", "profile_snapshot", "profile_values", "record"]


def _label(model: type[Model], name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


def reach_places_label() -> str:
    with translation.override(RECORD_LANGUAGE):
        return _("Places reached")


def _choice(model: type[Model], name: str, value: Any) -> str:
    field = model._meta.get_field(name)
    choices = dict(field.choices or [])  # type: ignore[union-attr]
    return str(choices.get(value, value or ""))


def _place(obj: Any) -> str:
    if obj is None:
        return ""
    if hasattr(obj, "ekatte"):
        return f"{obj.type_abbr} {obj.name_bg} ({obj.ekatte})"
    return f"{obj.name_bg} ({obj.code})"


def _text(model: type[Model], name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in MANY_FIELDS or name == "partners":
        return "\n".join(sorted(str(getattr(v, "name_bg", None) or v) for v in value))
    if name == "settlement":
        return _place(value)
    if name in {"legal_form", "benefit", "reach"}:
        return _choice(model, name, value)
    if name == "logo":
        return str(getattr(value, "name", "") or "").rsplit("/", 1)[-1]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",") + " €"
    if hasattr(value, "strftime"):
        return f"{value:%d.%m.%Y}"
    if name in MULTILINE_FIELDS:
        return "\n".join(line.strip() for line in str(value).splitlines() if line.strip())
    return str(value).strip()


def places_text(places: Iterable[Any]) -> str:
    return "\n".join(sorted(_place(p) for p in places))


def profile_values(organisation: Organisation) -> dict[str, Any]:
    """The profile's current values, the reach places as the list its reach uses."""
    values = {
        name: getattr(organisation, name)
        for name in PROFILE_FIELDS
        if name not in MANY_FIELDS and name != "reach_places"
    }
    values["fields"] = list(organisation.fields.all())
    values["target_groups"] = list(organisation.target_groups.all())
    values["reach_places"] = reach_places(organisation)
    return values


def reach_places(organisation: Organisation) -> list[Any]:
    if organisation.reach == Reach.LOCAL:
        return list(organisation.reach_settlements.all())
    if organisation.reach == Reach.MUNICIPAL:
        return list(organisation.reach_municipalities.all())
    if organisation.reach == Reach.REGIONAL:
        return list(organisation.reach_provinces.all())
    return []


def profile_snapshot(values: Mapping[str, Any]) -> Snapshot:
    with translation.override(RECORD_LANGUAGE):
        snapshot: Snapshot = {}
        for name in PROFILE_FIELDS:
            if name == "reach_places":
                snapshot[reach_places_label()] = places_text(values.get(name) or [])
            else:
                snapshot[_label(Organisation, name)] = _text(Organisation, name, values.get(name))
        return snapshot


def activity_snapshot(values: Mapping[str, Any]) -> Snapshot:
    with translation.override(RECORD_LANGUAGE):
        return {_label(Activity, n): _text(Activity, n, values.get(n)) for n in ACTIVITY_FIELDS}


def activity_values(activity: Activity) -> dict[str, Any]:
    values = {n: getattr(activity, n) for n in ACTIVITY_FIELDS if n != "partners"}
    values["partners"] = list(activity.partners.all()) if activity.pk else []
    return values


def prefixed(prefix: str, changes: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Changes of a part of the profile (an activity, a report) labelled with that part."""
    return {f"{prefix}: {label}": pair for label, pair in changes.items()}


def subject_label(kind: str, title: str) -> str:
    """ "Дейност „…“" / "Годишен отчет 2025": the part of the profile a change is about."""
    with translation.override(RECORD_LANGUAGE):
        if kind == "activity":
            return _("Activity „%(title)s“") % {"title": title}
        return _("Annual report %(year)s") % {"year": title}


def record(
    organisation: Organisation, user: Any, changes: dict[str, list[str]], reason: str = ""
) -> ProfileChange:
    """Keep one saved change: who, when (now), what (before → after), why."""
    return ProfileChange.objects.create(
        organisation=organisation,
        user=user if getattr(user, "is_authenticated", False) else None,
        changes=changes,
        reason=(reason or "").strip()[:500],
    )
