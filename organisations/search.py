"""Organisations and networks in the portal's search (core.search).

An organisation's entry holds its names, legal form, seat with its municipality and province,
fields of activity and target groups, so "читалище Пловдив" and "chitalishte plovdiv" meet.
Entries awaiting verification or hidden are indexed but not public (they stay out of results).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.search import SearchDoc, register
from organisations.enums import LegalForm, Visibility
from organisations.models import Network, Organisation


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
    if o.settlement:
        s = o.settlement
        texts += [s.name_bg, s.name_en, s.municipality.name_bg, s.municipality.province.name_bg]
        place_bg = f"{s.full_name}, общ. {s.municipality.name_bg}"
        place_en = s.name_en or s.name_bg
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
    "organisations.organisation", _("Organisations"), Organisation, organisation_doc,
    _organisations, order=30,
)  # fmt: skip
register(
    "organisations.network", _("Networks of organisations"), Network, network_doc,
    lambda: Network.objects.select_related("coordinator"), order=31,
)  # fmt: skip
