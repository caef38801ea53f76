"""The files of requests, signals, commitments and reports, served through a view (never from
/media/ directly) with the visibility of their owner:

- a public file of an owner the person may see (rules.py: view_item for a request or signal,
  view_report for a report; commitments are public);
- a file not yet public, for those who handle the owner (the institution's staff and
  administrators; a report's writers) and for whoever uploaded it;
- the original of a redacted file, for those who handle the owner only.

Whatever the person may not see is a 404: a private item's files do not reveal that it
exists. Files go as attachments with the type read from their content, so a browser never
renders an uploaded file as a page of this site.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_http_methods

from core.uploads import sniff
from monitoring.models import Document
from monitoring.views.common import pk_or_404

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# (owner field, permission to see the owner (None: public), permission to handle it)
OWNERS = (
    ("request", "monitoring.view_item", "monitoring.handle_item"),
    ("signal", "monitoring.view_item", "monitoring.handle_item"),
    ("commitment", None, "monitoring.update_commitment"),
    ("report", "monitoring.view_report", "monitoring.change_report"),
)


def _document(pk: int) -> Document:
    return get_object_or_404(
        Document.objects.select_related(
            "request__institution", "request__forwarded_to", "request__organisation",
            "signal__institution", "signal__organisation", "commitment__institution",
            "report__organisation",
        ),
        pk=pk_or_404(pk),
    )  # fmt: skip


def _owner(document: Document) -> tuple[Any, str | None, str]:
    for field, view_perm, handle_perm in OWNERS:
        if getattr(document, f"{field}_id"):
            return getattr(document, field), view_perm, handle_perm
    raise Http404


def _owner_is_public(owner: Any) -> bool:
    if hasattr(owner, "published_at"):  # a report
        return owner.published_at is not None
    return bool(owner.is_public)


def _serve(field: FieldFile, *, private: bool) -> FileResponse:
    if not field.name:
        raise Http404
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = sniff(handle)  # type: ignore[arg-type]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(field.name),
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    # Short for public files: the owner may hide the request later.
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    return response


@require_http_methods(["GET", "HEAD"])
def document(request: HttpRequest, pk: int) -> FileResponse:
    doc = _document(pk)
    owner, view_perm, handle_perm = _owner(doc)
    user = request.user
    if view_perm is not None and not user.has_perm(view_perm, owner):
        raise Http404
    public = doc.is_public and _owner_is_public(owner)
    if not doc.is_public:
        uploaded = user.is_authenticated and doc.uploaded_by_id == user.pk
        if not (uploaded or user.has_perm(handle_perm, owner)):
            raise Http404
    return _serve(doc.file, private=not public)


@login_required
@require_http_methods(["GET", "HEAD"])
def original(request: HttpRequest, pk: int) -> FileResponse:
    doc = _document(pk)
    owner, _view_perm, handle_perm = _owner(doc)
    if not request.user.has_perm(handle_perm, owner) or not doc.original:
        raise Http404
    return _serve(doc.original, private=True)


urlpatterns = [
    path("documents/<int:pk>/", document, name="document"),
    path("documents/<int:pk>/original/", original, name="document-original"),
]
