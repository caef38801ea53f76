"""What the workflows of requests, signals and commitments share: checking a change of
status, locking the record against a second official acting at once, writing the timeline,
storing a document (with its redacted copy) and telling the institution.

Each workflow module (requests.py, signals.py, commitments.py) calls these inside its own
`transaction.atomic()`; none of them commits on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.enums import STAFF_ROLES
from accounts.models import User
from core import uploads
from core.legal_calendar import SOFIA
from directory.models import Institution
from monitoring.models import Document

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


def check_date(day: date, *, not_before: date | None = None, label: str = "") -> None:
    """A date typed by an official: never in the future, never before the previous step."""
    if day > today():
        raise MonitoringError(_("The date cannot be in the future."))
    if not_before is not None and day < not_before:
        raise MonitoringError(
            _("The date cannot be before %(step)s (%(day)s).")
            % {"step": label or _("the previous step"), "day": not_before.strftime("%d.%m.%Y")}
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


def staff_emails(*institutions: Institution | None) -> list[str]:
    """The addresses of the active staff of the institutions (one query)."""
    from django.contrib.contenttypes.models import ContentType

    ids = [str(i.pk) for i in institutions if i is not None]
    if not ids:
        return []
    ct = ContentType.objects.get_for_model(Institution)
    return list(
        User.objects.filter(
            Q(role_assignments__revoked_at__isnull=True),
            role_assignments__role__in=STAFF_ROLES,
            role_assignments__scope_type=ct,
            role_assignments__scope_id__in=ids,
            is_active=True,
            deleted_at__isnull=True,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def institution_addresses(institution: Institution) -> list[str]:
    """Where a filing to the institution goes: its official e-mail (the one its directory
    entry publishes) and its staff on the portal, without repeats."""
    addresses = [institution.email] if institution.email else []
    return list(dict.fromkeys(addresses + staff_emails(institution)))


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def history_row(model: type[M], owner_field: str, owner: models.Model, **fields: Any) -> M:
    """Write one timeline row (RequestEvent or SignalEvent); `on` defaults to today."""
    fields.setdefault("on", today())
    return model._default_manager.create(**{owner_field: owner}, **fields)
