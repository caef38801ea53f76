"""What changed in an entry or a service, as people read it, and the `Change` rows that keep it.

A snapshot maps a field's label to its value as text, so a working week becomes lines such as
"Понеделник 09:00–17:30, почивка 12:00–13:00". Two snapshots give the difference that is
stored in `Change.changes` ({label: [before, after]}) and shown to someone whose edit met
another person's newer save. Labels and values are written in Bulgarian, the portal's
language, whatever language the editor uses: the history is a record that must read the same
for everyone and must not change when a translation does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from directory.enums import Weekday
from directory.models import Change, HoursException, Institution, Service, WorkingHours

RECORD_LANGUAGE = "bg"

# What staff may edit on an entry; the structure (kind, territory, parent) comes from the
# generator and stays out of the form.
INSTITUTION_FIELDS = [
    "name_en",
    "short_name",
    "address",
    "postal_code",
    "phones",
    "email",
    "website",
    "head_position",
    "head_name",
    "cs_contact_name",
    "cs_contact_position",
    "cs_contact_email",
    "cs_contact_phone",
    "departments",
    "eik",
]
MULTILINE_FIELDS = {"phones", "departments", "documents"}

SERVICE_FIELDS = [
    "name",
    "register_code",
    "description",
    "legal_basis",
    "who_may_apply",
    "documents",
    "fee_eur",
    "deadline",
    "in_person",
    "by_post",
    "online_url",
]

Snapshot = dict[str, str]


def _time(value: datetime.time | None) -> str:
    return f"{value:%H:%M}" if value else ""


def _lines(value: str) -> str:
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",") + " €"
    if name in MULTILINE_FIELDS:
        return _lines(str(value))
    return str(value).strip()


def _label(model: type[Model], name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


def hours_text(hours: Iterable[WorkingHours]) -> str:
    """The working week, one open day a line, Monday first; days without a row are closed."""
    lines = []
    for row in sorted(hours, key=lambda h: h.weekday):
        day = capfirst(str(Weekday(row.weekday).label))
        if row.break_start and row.break_end:
            line = _("%(day)s %(opens)s–%(closes)s, break %(start)s–%(end)s") % {
                "day": day,
                "opens": _time(row.opens),
                "closes": _time(row.closes),
                "start": _time(row.break_start),
                "end": _time(row.break_end),
            }
        else:
            line = _("%(day)s %(opens)s–%(closes)s") % {
                "day": day,
                "opens": _time(row.opens),
                "closes": _time(row.closes),
            }
        lines.append(line)
    return "\n".join(lines)


def exceptions_text(exceptions: Iterable[HoursException]) -> str:
    """Days with other hours, one a line in date order."""
    lines = []
    for e in sorted(exceptions, key=lambda e: e.date):
        if e.closed:
            line = _("%(date)s closed") % {"date": f"{e.date:%d.%m.%Y}"}
        else:
            line = _("%(date)s %(opens)s–%(closes)s") % {
                "date": f"{e.date:%d.%m.%Y}",
                "opens": _time(e.opens),
                "closes": _time(e.closes),
            }
        if e.note.strip():
            line += f" ({e.note.strip()})"
        lines.append(line)
    return "\n".join(lines)


def hours_label() -> str:
    with translation.override(RECORD_LANGUAGE):
        return _("Working hours")


def exceptions_label() -> str:
    with translation.override(RECORD_LANGUAGE):
        return _("Days with other hours")


def institution_snapshot(
    values: Mapping[str, Any],
    hours: Iterable[WorkingHours],
    exceptions: Iterable[HoursException],
) -> Snapshot:
    """The editable part of an entry as text, by label (see the module's docstring)."""
    with translation.override(RECORD_LANGUAGE):
        snapshot = {
            _label(Institution, name): _text(name, values.get(name)) for name in INSTITUTION_FIELDS
        }
        snapshot[hours_label()] = hours_text(hours)
        snapshot[exceptions_label()] = exceptions_text(exceptions)
    return snapshot


def institution_values(institution: Institution) -> dict[str, Any]:
    return {name: getattr(institution, name) for name in INSTITUTION_FIELDS}


def service_snapshot(values: Mapping[str, Any]) -> Snapshot:
    with translation.override(RECORD_LANGUAGE):
        return {_label(Service, name): _text(name, values.get(name)) for name in SERVICE_FIELDS}


def service_values(service: Service) -> dict[str, Any]:
    return {name: getattr(service, name) for name in SERVICE_FIELDS}


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[str]]:
    """{label: [before, after]} for every label whose text differs, in the snapshot's order."""
    labels = list(before) + [label for label in after if label not in before]
    return {
        label: [before.get(label, ""), after.get(label, "")]
        for label in labels
        if before.get(label, "") != after.get(label, "")
    }


def created(snapshot: Snapshot) -> dict[str, list[str]]:
    return diff({}, snapshot)


def deleted(snapshot: Snapshot) -> dict[str, list[str]]:
    return diff(snapshot, {})


def record(
    institution: Institution,
    user: Any,
    action: str,
    changes: dict[str, list[str]],
    reason: str = "",
    service: Service | None = None,
) -> Change:
    """Keep one saved change: who, when (now), what, why."""
    return Change.objects.create(
        institution=institution,
        service=service if service is not None and service.pk else None,
        subject=service.name if service is not None else "",
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        changes=changes,
        reason=reason.strip()[:500],
    )
