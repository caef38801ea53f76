"""What the workflows of requests, signals and commitments share: checking a change of
status, locking the record against a second official acting at once, saving it (with the
responsiveness index), writing the timeline, storing a document (with its redacted copy),
the addresses of an institution and of the people acting for one, and e-mail to each of them.

Each workflow module (requests.py, signals.py, commitments.py) calls these inside its own
`transaction.atomic()`; none of them commits on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

from accounts.enums import STAFF_ROLES
from accounts.models import RoleAssignment, User
from accounts.rules import is_administrator, is_staff_of
from core import uploads
from core.email import enqueue_many, render_email
from core.legal_calendar import SOFIA
from directory.models import Institution
from monitoring import index
from monitoring.models import Document
from organisations.models import Organisation
from organisations.selectors import represented_ids

M = TypeVar("M", bound=models.Model)


class MonitoringError(Exception):
    """A change that cannot be made, with the reason to show the person."""


class StaleVersion(MonitoringError):
    """Someone else changed the record since the person loaded it."""


def today() -> date:
    """Today in Sofia: statutory dates are Bulgarian dates whatever the server's zone."""
    from django.utils import timezone

    return timezone.now().astimezone(SOFIA).date()


def lock(model: type[M], pk: int, version: int | None = None) -> M:
    """The row, locked for the rest of the transaction; StaleVersion if `version` is given
    and the row has moved on since (the person acted on an old page)."""
    obj = model._default_manager.select_for_update().get(pk=pk)
    if version is not None and obj.version != version:  # type: ignore[attr-defined]
        raise StaleVersion(
            _(
                "Someone else changed this record while you were looking at it. The page now "
                "shows the current state: check it and act again."
            )
        )
    return obj


def check_transition(table: Mapping[str, frozenset[str]], from_status: str, to: str) -> None:
    if to not in table.get(from_status, frozenset()):
        raise MonitoringError(_("This step is not possible in the record's current state."))


def move(record: Any, table: Mapping[str, frozenset[str]], to: str) -> str:
    """Check and make the change of status of a request or a signal; the status it left."""
    before: str = record.status
    check_transition(table, before, to)
    record.status = to
    return before


def save_and_refresh(record: Any) -> None:
    """Save a request or a signal after a step (the version grows: a page shown before it is
    out of date) and refresh its institution's responsiveness index."""
    record.version += 1
    record.save()
    index.refresh(record.institution_id)


def handles_institution(user: Any, institution: Institution) -> bool:
    """Staff of the institution or an administrator (rules.py: handle_item on its records):
    they log what was filed on paper for someone, and record its commitments."""
    return bool(is_staff_of(user, institution) or is_administrator(user))


def check_represents(user: User | None, organisation: Organisation | None, message: str) -> None:
    """Filing on behalf of an organisation is for its verified representatives."""
    if organisation is not None and (user is None or organisation.pk not in represented_ids(user)):
        raise MonitoringError(message)


def copied(record: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The values of `names` of `record`: what a forwarded filing takes to its new body."""
    return {name: getattr(record, name) for name in names}


def dmy(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def check_date(day: date, *, not_before: date | None = None, label: str = "") -> None:
    """A date typed by an official: never in the future, never before the previous step."""
    if day > today():
        raise MonitoringError(_("The date cannot be in the future."))
    if not_before is not None and day < not_before:
        raise MonitoringError(
            _("The date cannot be before %(step)s (%(day)s).")
            % {"step": label or _("the previous step"), "day": dmy(not_before)}
        )


def save_document(
    owner: models.Model,
    upload: UploadedFile,
    *,
    title: str,
    kind: str,
    by: User | None,
    redacted: UploadedFile | None = None,
    is_public: bool = True,
) -> Document:
    """Store a file of `owner` (a request, signal, commitment or report). With `redacted`,
    the public file is the redacted copy and `upload` is kept privately as the original."""
    field = {
        "informationrequest": "request",
        "signal": "signal",
        "commitment": "commitment",
        "monitoringreport": "report",
    }[owner._meta.model_name or ""]
    document = Document(title=title, kind=kind, uploaded_by=by, is_public=is_public)
    setattr(document, field, owner)
    public = redacted or upload
    document.file.save(uploads.safe_name(public.name or "file"), public, save=False)
    if redacted is not None:
        document.original.save(uploads.safe_name(upload.name or "file"), upload, save=False)
    document.save()
    return document


def emails_by_scope(
    model: type[models.Model], roles: Iterable[str], ids: Iterable[int]
) -> dict[int, list[str]]:
    """The e-mail addresses of the active people holding one of `roles` for each object of
    `model` among `ids` (the staff of institutions, the representatives of organisations),
    by address, in one query."""
    wanted = [str(pk) for pk in ids]
    if not wanted:
        return {}
    rows = (
        RoleAssignment.objects.active()
        .filter(
            role__in=list(roles),
            scope_type=ContentType.objects.get_for_model(model),
            scope_id__in=wanted,
            user__is_active=True,
            user__deleted_at__isnull=True,
        )
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("scope_id", "user__email")
    )
    found: dict[int, list[str]] = {}
    for scope_id, address in rows:
        addresses = found.setdefault(int(scope_id), [])
        if address not in addresses:
            addresses.append(address)
    return found


def institution_addresses(institution: Institution) -> list[str]:
    """Where a filing to the institution goes: its official e-mail (the one its directory
    entry publishes) and its staff on the portal, without repeats."""
    staff = emails_by_scope(Institution, STAFF_ROLES, [institution.pk]).get(institution.pk, [])
    addresses = [institution.email] if institution.email else []
    return list(dict.fromkeys(addresses + staff))


def mail_each(recipients: Iterable[str], template: str, context: dict[str, Any]) -> int:
    """One message per address (nobody sees the others'), queued in the caller's
    transaction; the number queued."""
    messages = [render_email(a, None, template, context) for a in dict.fromkeys(recipients) if a]
    if messages:
        enqueue_many(messages)
    return len(messages)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def history_row(model: type[M], owner_field: str, owner: models.Model, **fields: Any) -> M:
    """Write one timeline row (RequestEvent or SignalEvent); `on` defaults to today."""
    fields.setdefault("on", today())
    return model._default_manager.create(**{owner_field: owner}, **fields)
