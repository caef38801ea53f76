"""Institutions in the portal's search (core.search).

The title is the full name ("Общински съвет – Пловдив"), the texts add the kind, the short
name and the names of the territory served, so "общински съвет пловдив" and the Latin
"obshtinski savet plovdiv" both find it. The boost is the population served, so the council
of Plovdiv comes before those of smaller municipalities of the same province.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.search import SearchDoc, register
from directory.models import Institution

KIND = "directory.institution"


def _queryset() -> QuerySet[Institution]:
    return Institution.objects.select_related(
        "kind", "province", "municipality", "mayoralty__centre", "district"
    )


def institution_doc(i: Institution) -> SearchDoc:
    place_bg = (
        i.municipality.name_bg if i.municipality else (i.province.name_bg if i.province else "")
    )
    place_en = (
        (i.municipality.name_en if i.municipality else "")
        or (i.province.name_en if i.province else "")
        or place_bg
    )
    served = i.municipality or i.province
    boost = (served.population_2017 or 0) if served else 0
    if i.mayoralty and i.mayoralty.centre:
        boost = i.mayoralty.centre.population_2017 or 0
    names = [n for n in (i.short_name, i.kind.name_bg, i.kind.name_en) if n]
    for unit in (i.province, i.municipality, i.mayoralty, i.district):
        if unit:
            names.extend(n for n in (unit.name_bg, unit.name_en) if n)
    return SearchDoc(
        object_id=str(i.pk),
        title_bg=i.name_bg,
        title_en=i.name_en,
        subtitle_bg=", ".join(p for p in (i.kind.name_bg, place_bg) if p),
        subtitle_en=", ".join(p for p in (i.kind.name_en or i.kind.name_bg, place_en) if p),
        url=i.get_absolute_url(),
        texts=tuple(names),
        boost=boost,
    )


register(KIND, _("Institutions"), Institution, institution_doc, _queryset, order=20)
