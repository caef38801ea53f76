"""Institutions and their administrative services in the portal's search (core.search).

Institutions: the title is the full name ("Общински съвет – Пловдив"), the texts add the kind,
the short name and the names of the territory served, so "общински съвет пловдив" and the
Latin "obshtinski savet plovdiv" both find it. The boost is the population served, so the
council of Plovdiv comes before those of smaller municipalities of the same province.

Services: the title is the service's name; the texts add the institution's name and place,
the number in the register of services and the words "административна услуга", so a query
such as "услуги за социално подпомагане" meets services too (core.search leaves out the
"за"). The boost is the institution's, so Plovdiv's services come before a village's.
Saving or deleting a service updates its entry (core.search's hooks); saving an institution
re-indexes its services, whose entries carry its name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.db.models.signals import post_save
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core import search as search_index
from core.models import SearchEntry
from core.search import SearchDoc, register
from directory.models import Institution, Service

KIND = "directory.institution"
SERVICE_KIND = "directory.service"

# Put into every service's document: people search for "услуги …" / "services …". Both
# numbers, because Latin queries are not stemmed: "uslugi" must meet a word that starts so.
SERVICE_WORDS = (
    "административна услуга",
    "административни услуги",
    "administrative service",
    "administrative services",
)


def _queryset() -> QuerySet[Institution]:
    return Institution.objects.select_related(
        "kind", "province", "municipality", "mayoralty__centre", "district"
    )


def _place(i: Institution) -> tuple[str, str]:
    """The unit an institution serves, in Bulgarian and in English (or Bulgarian)."""
    place_bg = (
        i.municipality.name_bg if i.municipality else (i.province.name_bg if i.province else "")
    )
    place_en = (
        (i.municipality.name_en if i.municipality else "")
        or (i.province.name_en if i.province else "")
        or place_bg
    )
    return place_bg, place_en


def _boost(i: Institution) -> int:
    served = i.municipality or i.province
    boost = (served.population_2017 or 0) if served else 0
    if i.mayoralty and i.mayoralty.centre:
        boost = i.mayoralty.centre.population_2017 or 0
    return boost


def institution_doc(i: Institution) -> SearchDoc:
    place_bg, place_en = _place(i)
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
        boost=_boost(i),
    )


def _service_queryset() -> QuerySet[Service]:
    return Service.objects.select_related(
        "institution__province",
        "institution__municipality",
        "institution__mayoralty__centre",
        "institution__district",
    )


def service_doc(s: Service) -> SearchDoc:
    i = s.institution
    place_bg, place_en = _place(i)
    texts = [i.name_bg, i.name_en, i.short_name, place_bg, place_en, s.register_code]
    for unit in (i.province, i.mayoralty, i.district):
        if unit:
            texts.extend((unit.name_bg, unit.name_en))
    # The canonical (Bulgarian) address, whatever language the saving request ran in.
    with translation.override(settings.LANGUAGE_CODE):
        url = s.get_absolute_url()
    return SearchDoc(
        object_id=str(s.pk),
        title_bg=s.name,
        subtitle_bg=i.name_bg,
        subtitle_en=i.name_en or i.name_bg,
        url=url,
        texts=(*(t for t in texts if t), *SERVICE_WORDS),
        boost=_boost(i),
    )


register(KIND, _("Institutions"), Institution, institution_doc, _queryset, order=20)
register(
    SERVICE_KIND, _("Administrative services"), Service, service_doc, _service_queryset, order=21
)


def _institution_saved(sender: type[Institution], instance: Institution, **kwargs: Any) -> None:
    """A service's entry carries its institution's name: re-index them when it changes.

    One query when the name is unchanged (the usual save), so saving an entry with a hundred
    services stays cheap; a rename re-indexes them all.
    """
    if kwargs.get("raw") or kwargs.get("created"):
        return
    services = Service.objects.filter(institution=instance)
    stale = (
        SearchEntry.objects.filter(
            # The content type leads the unique (content_type, object_id) index: a lookup per
            # service of this institution rather than a scan of all the services' entries.
            content_type=ContentType.objects.get_for_model(Service),
            object_id__in=services.annotate(sid=Cast("pk", CharField())).values("sid"),
        )
        .exclude(subtitle_bg=instance.name_bg, subtitle_en=instance.name_en or instance.name_bg)
        .exists()
    )
    if stale:
        search_index.index_objects(SERVICE_KIND, _service_queryset().filter(institution=instance))


post_save.connect(
    _institution_saved, sender=Institution, weak=False, dispatch_uid="search-institution-services"
)
