"""Monitoring in the site's full-text search (core.search): public information requests,
public proposals and signals, commitments and published monitoring reports.

What goes in is chosen for privacy, not completeness:

- a request or a signal: its subject (title), and the requester's or filer's name only when
  they chose to show it. Never the description: people write their own circumstances there,
  and the index is read by a search box that matches any word. Not the institution or its
  place either: at national scale (200,000 requests) every request to an institution of
  Plovdiv would match "Пловдив" and bury the institutions themselves, while the requests' list
  filters by institution and place;
- a commitment: its title, the source's reference (the council decision's number) and the
  institution;
- a report: its title, summary and organisation, once published.

A private request or signal, and an unpublished report, is not in the index at all:
`reindex` reads only public ones, and when one is saved private (or made private later) the
entry core.search's hook has just written is deleted again by `_forget_hidden`, connected
after it (Django calls receivers in the order they were connected). The entry core.search
writes in between carries no text (`_hidden_doc`), so even that moment holds nothing.

The links are the records' pages, reversed once per kind (`page_path`); while a page is not
wired yet the path it will have is used, so saving a record never fails on a missing URL.

Imported at start-up (monitoring.apps) so the hooks are connected before the first save.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.models import SearchEntry
from core.search import SearchDoc, register
from monitoring.enums import CommitmentStatus, RequestStatus, SignalKind, SignalStatus
from monitoring.models import Commitment, InformationRequest, MonitoringReport, Signal

REQUEST_KIND = "monitoring.request"
SIGNAL_KIND = "monitoring.signal"
COMMITMENT_KIND = "monitoring.commitment"
REPORT_KIND = "monitoring.report"

# The pages of the records (monitoring.urls) and the paths they have if not wired yet.
PAGES: dict[str, str] = {
    "monitoring:request": "/monitoring/requests/{}/",
    "monitoring:signal": "/monitoring/signals/{}/",
    "monitoring:commitment": "/monitoring/commitments/{}/",
    "monitoring:report": "/monitoring/reports/{}/",
    "monitoring:document": "/monitoring/documents/{}/",
    "directory:detail": "/directory/institutions/{}/",
    "organisations:detail": "/organisations/{}/",
    "consultations:detail": "/consultations/{}/",
}
_PLACEHOLDER = "123456789"


@functools.cache
def _pattern(name: str, *leading: str) -> str:
    # Reversed once per name (a reverse() per row costs a list a third of its time), in the
    # default language, so links are the canonical unprefixed ones whatever the client's.
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=[*leading, _PLACEHOLDER])


def page_path(name: str, pk: int | str, *leading: str) -> str:
    """The canonical path of record `pk`'s page `name` (its fallback path if not wired)."""
    try:
        return _pattern(name, *leading).replace(_PLACEHOLDER, str(pk))
    except NoReverseMatch:
        return PAGES.get(name, "/monitoring/").format(pk)


@functools.cache
def label(choices: type[models.TextChoices], value: str, language: str = "bg") -> str:
    """A choice's label in one language (the index and the exports are Bulgarian)."""
    if value not in choices.values:
        return value
    with translation.override(language):
        return str(choices(value).label)


def _names(institution: Any) -> list[str]:
    return [institution.name_bg, institution.name_en]


def _places(obj: Any) -> list[str]:
    texts: list[str] = []
    for unit in (obj.municipality, obj.province):
        if unit is not None:
            texts += [unit.name_bg, unit.name_en]
    return texts


def _hidden_doc(obj: models.Model) -> SearchDoc:
    """What core.search's hook writes for a hidden record until `_forget_hidden` removes it:
    no title, no text, not public."""
    return SearchDoc(object_id=str(obj.pk), title_bg="", url="", public=False)


def _doc(obj: Any, url: str, subtitle: tuple[list[str], list[str]], texts: list[str]) -> SearchDoc:
    return SearchDoc(
        object_id=str(obj.pk),
        title_bg=obj.title,
        subtitle_bg=", ".join(p for p in subtitle[0] if p),
        subtitle_en=", ".join(p for p in subtitle[1] if p),
        url=url,
        texts=tuple(t for t in texts if t),
    )


# --- Requests and signals -----------------------------------------------------------------------


def request_doc(r: InformationRequest) -> SearchDoc:
    if not r.is_public:
        return _hidden_doc(r)
    inst = r.institution
    status_bg = label(RequestStatus, r.status, "bg")
    status_en = label(RequestStatus, r.status, "en")
    # The name only as the public sees it (empty unless the requester chose to show it).
    texts = [r.public_name]
    return _doc(
        r,
        page_path("monitoring:request", r.pk),
        ([inst.name_bg, status_bg], [inst.name_en or inst.name_bg, status_en]),
        texts,
    )


def signal_doc(s: Signal) -> SearchDoc:
    if not s.is_public:
        return _hidden_doc(s)
    inst = s.institution
    kind = (label(SignalKind, s.kind, "bg"), label(SignalKind, s.kind, "en"))
    status = (label(SignalStatus, s.status, "bg"), label(SignalStatus, s.status, "en"))
    texts = [s.public_name]
    return _doc(
        s,
        page_path("monitoring:signal", s.pk),
        ([kind[0], inst.name_bg, status[0]], [kind[1], inst.name_en or inst.name_bg, status[1]]),
        texts,
    )


# --- Commitments and reports ------------------------------------------------------------------


def commitment_doc(c: Commitment) -> SearchDoc:
    if not c.is_public:
        return _hidden_doc(c)
    inst = c.institution
    status = (label(CommitmentStatus, c.status, "bg"), label(CommitmentStatus, c.status, "en"))
    day = f"{c.deadline:%d.%m.%Y}"
    texts = [c.source_reference, *_names(inst), *_places(c)]
    return _doc(
        c,
        page_path("monitoring:commitment", c.pk),
        ([inst.name_bg, status[0], day], [inst.name_en or inst.name_bg, status[1], day]),
        texts,
    )


def report_doc(r: MonitoringReport) -> SearchDoc:
    if r.published_at is None:
        return _hidden_doc(r)
    org = r.organisation
    day = f"{r.published_at:%d.%m.%Y}"
    return _doc(
        r,
        page_path("monitoring:report", r.pk),
        ([org.display_name, day], [org.name_en or org.display_name, day]),
        [r.summary, org.name, org.name_en],
    )


# --- Registration -----------------------------------------------------------------------------


def _requests() -> QuerySet[InformationRequest]:
    return InformationRequest.objects.filter(is_public=True).select_related(
        "institution", "organisation", "municipality", "province"
    )


def _signals() -> QuerySet[Signal]:
    return Signal.objects.filter(is_public=True).select_related(
        "institution", "organisation", "municipality", "province"
    )


def _commitments() -> QuerySet[Commitment]:
    return Commitment.objects.filter(is_public=True).select_related(
        "institution", "municipality", "province"
    )


def _reports() -> QuerySet[MonitoringReport]:
    return MonitoringReport.objects.published().select_related("organisation")


def is_indexed(obj: models.Model) -> bool:
    """Whether the public may find `obj`: the one rule of the index's privacy."""
    if isinstance(obj, MonitoringReport):
        return obj.published_at is not None
    return bool(getattr(obj, "is_public", False))


def _forget_hidden(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or is_indexed(instance):
        return
    SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=str(instance.pk)
    ).delete()


KINDS: list[tuple[str, Any, type[models.Model], Any, Any, int]] = [
    (REQUEST_KIND, _("Information requests"), InformationRequest, request_doc, _requests, 50),
    (SIGNAL_KIND, _("Proposals and signals"), Signal, signal_doc, _signals, 51),
    (COMMITMENT_KIND, _("Commitments"), Commitment, commitment_doc, _commitments, 52),
    (REPORT_KIND, _("Monitoring reports"), MonitoringReport, report_doc, _reports, 53),
]

for _kind, _label, _model, _to_doc, _queryset, _order in KINDS:
    register(_kind, _label, _model, _to_doc, _queryset, order=_order)
    # After core.search's own hook, so it runs second and removes what that one wrote.
    post_save.connect(
        _forget_hidden, sender=_model, weak=False, dispatch_uid=f"search-forget-{_kind}"
    )
