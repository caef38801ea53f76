"""Organisations and networks in the portal's search (core.search).

An organisation's entry holds its names, legal form, seat with its municipality and province,
fields of activity and target groups, so "читалище Пловдив" and "chitalishte plovdiv" meet.
The boost is the population of the seat, so the community centres of the city of Plovdiv come
before those of the villages around it (as the directory does with the population served).
Entries awaiting verification or hidden are indexed but not public (they stay out of results).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.search import SearchDoc, index_objects, register
from organisations.enums import LegalForm, Visibility
from organisations.models import Membership, Network, Organisation

KIND = "organisations.organisation"
NETWORK_KIND = "organisations.network"


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.select_related(
        "settlement__municipality__province"
    ).prefetch_related("fields", "target_groups")


def organisation_doc(o: Organisation) -> SearchDoc:
    with translation.override("bg"):  # the index is built the same whatever the page's language
        kind_bg = str(LegalForm(o.legal_form).label) if o.legal_form else ""
    with translation.override("en"):
        kind_en = str(LegalForm(o.legal_form).label) if o.legal_form else ""
    texts: list[str] = [kind_bg, kind_en, o.display_name]
    if o.legal_form == LegalForm.COMMUNITY_CENTRE:
        texts.append("Народно читалище chitalishte")
    place_bg = place_en = ""
    boost = 0
    if o.settlement:
        s = o.settlement
        texts += [s.name_bg, s.name_en, s.municipality.name_bg, s.municipality.province.name_bg]
        place_bg = f"{s.full_name}, общ. {s.municipality.name_bg}"
        place_en = s.name_en or s.name_bg
        boost = s.population_2017 or 0
    texts += [f.name_bg for f in o.fields.all()] + [f.name_en for f in o.fields.all()]
    texts += [g.name_bg for g in o.target_groups.all()]
    if o.eik:
        texts.append(o.eik)
    return SearchDoc(
        object_id=str(o.pk),
        title_bg=o.display_name,
        title_en=o.name_en,
        subtitle_bg=", ".join(p for p in (kind_bg, place_bg) if p),
        subtitle_en=place_en,
        url=o.get_absolute_url(),
        texts=tuple(t for t in texts if t),
        boost=boost,
        public=o.visibility == Visibility.PUBLIC,
    )


def network_doc(n: Network) -> SearchDoc:
    return SearchDoc(
        object_id=str(n.pk),
        title_bg=n.name,
        url=n.get_absolute_url(),
        texts=("мрежа", "network", n.coordinator.name),
        subtitle_bg=n.coordinator.display_name,
    )


register(
    KIND, _("Organisations"), Organisation, organisation_doc,
    _organisations, order=30,
)  # fmt: skip
register(
    NETWORK_KIND, _("Networks of organisations"), Network, network_doc,
    lambda: Network.objects.select_related("coordinator"), order=31,
)  # fmt: skip


def _taxonomy_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    """Fields of activity and target groups are in the entry: re-index when they change."""
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Organisation):
        index_objects(KIND, _organisations().filter(pk=instance.pk))


for _through in (Organisation.fields.through, Organisation.target_groups.through):
    m2m_changed.connect(
        _taxonomy_changed, sender=_through, weak=False, dispatch_uid=f"search-m2m-{_through}"
    )


# --- The version of the catalogue, for its cached facet counts (organisations.selectors) ----

VERSION_KEY = "organisations:catalogue-version"


def catalogue_version() -> int:
    return int(cache.get_or_set(VERSION_KEY, 1, timeout=None) or 1)


def catalogue_changed(*args: Any, **kwargs: Any) -> None:
    """An organisation, its fields or a membership changed: cached counts are stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (evicted or never read)
        cache.set(VERSION_KEY, 2, timeout=None)


for _model in (Organisation, Membership):
    post_save.connect(catalogue_changed, sender=_model, weak=False,
                      dispatch_uid=f"catalogue-version-save-{_model.__name__}")  # fmt: skip
    post_delete.connect(catalogue_changed, sender=_model, weak=False,
                        dispatch_uid=f"catalogue-version-delete-{_model.__name__}")  # fmt: skip
m2m_changed.connect(
    catalogue_changed, sender=Organisation.fields.through, weak=False,
    dispatch_uid="catalogue-version-fields",
)  # fmt: skip
