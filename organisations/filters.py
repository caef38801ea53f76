"""The catalogue's filters read from a query string: one reading for the catalogue page and
the printable catalogue, so that both keep and refuse the same values with the same messages.

A value that does not exist (a mistyped slug or code, a municipality of another province than
those chosen) is left out with a message saying so, never an error. Sorting and the page are
not filters: the page reads them itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from organisations import selectors
from organisations.enums import LegalForm, Reach
from organisations.models import FieldOfActivity
from organisations.selectors import CatalogueFilters
from territory.models import Municipality, PortalScope, Province

MAX_QUERY_LENGTH = 200
MAX_VALUES = 30  # per facet: more checked boxes than any facet has is not a real request
MAX_ID = 2**63 - 1
MUNICIPALITY_CODE = re.compile(r"[A-Z]{3}[0-9]{2}")


def _shown(value: str) -> str:
    """A value from the address bar, cut short before it goes into a message."""
    return value if len(value) <= 30 else value[:30] + "…"


def _values(query: QueryDict, name: str) -> list[str]:
    seen: list[str] = []
    for value in query.getlist(name)[:MAX_VALUES]:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


@dataclass(frozen=True)
class Reading:
    """The checked filters (values in the order asked) and what was loaded to check them,
    which the pages show: every field of activity, every province, the chosen
    municipalities, the municipalities of the chosen provinces, the chosen networks' names."""

    filters: CatalogueFilters
    problems: list[str]
    show_all: bool
    portal_scope: PortalScope | None
    all_fields: list[FieldOfActivity]
    provinces: list[Province]
    chosen_municipalities: list[Municipality]
    municipalities: list[Municipality]
    network_names: dict[int, str]


def read(query: QueryDict) -> Reading:
    problems: list[str] = []
    q = query.get("q", "").strip()[:MAX_QUERY_LENGTH]

    all_fields = list(FieldOfActivity.objects.all())
    field_slugs = {f.slug for f in all_fields}
    fields = []
    for slug in _values(query, "field"):
        if slug in field_slugs:
            fields.append(slug)
        else:
            problems.append(
                _("There is no field of activity “%(value)s”: it was left out.")
                % {"value": _shown(slug)}
            )
    legal_forms = []
    for value in _values(query, "legal_form"):
        if value in LegalForm.values:
            legal_forms.append(value)
        else:
            problems.append(
                _("There is no legal form “%(value)s”: it was left out.") % {"value": _shown(value)}
            )
    reaches = []
    for value in _values(query, "reach"):
        if value in Reach.values:
            reaches.append(value)
        else:
            problems.append(
                _("There is no territorial reach “%(value)s”: it was left out.")
                % {"value": _shown(value)}
            )

    provinces = list(Province.objects.only("code", "name_bg", "name_en").order_by("name_bg"))
    province_codes = {p.code for p in provinces}
    chosen_provinces: list[str] = []
    for code in _values(query, "province"):
        if code in province_codes:
            chosen_provinces.append(code)
        else:
            problems.append(
                _("There is no province with the code “%(value)s”: it was left out.")
                % {"value": _shown(code)}
            )
    asked = [c for c in _values(query, "municipality") if MUNICIPALITY_CODE.fullmatch(c)]
    for code in _values(query, "municipality"):
        if not MUNICIPALITY_CODE.fullmatch(code):
            problems.append(
                _("There is no municipality with the code “%(value)s”: it was left out.")
                % {"value": _shown(code)}
            )
    chosen_municipalities: list[Municipality] = []
    municipalities: list[Municipality] = []
    if asked or chosen_provinces:
        found = {
            m.code: m
            for m in Municipality.objects.filter(code__in=asked).only(
                "code", "name_bg", "name_en", "province_id"
            )
        }
        for code in asked:
            m = found.get(code)
            if m is None:
                problems.append(
                    _("There is no municipality with the code “%(value)s”: it was left out.")
                    % {"value": _shown(code)}
                )
            elif chosen_provinces and m.province_id not in chosen_provinces:
                problems.append(
                    _(
                        "The municipality of %(municipality)s is not in the chosen provinces: "
                        "it was left out."
                    )
                    % {"municipality": m.name}
                )
            else:
                chosen_municipalities.append(m)
        if not chosen_provinces:
            # A municipality alone (a link from elsewhere) brings its province with it.
            chosen_provinces = sorted({m.province_id for m in chosen_municipalities})
        municipalities = list(
            Municipality.objects.filter(province_id__in=chosen_provinces)
            .only("code", "name_bg", "name_en")
            .order_by("name_bg")
        )

    asked_networks = _values(query, "network")
    wanted = {int(v) for v in asked_networks if v.isdigit() and 0 < int(v) <= MAX_ID}
    network_names = (
        dict(selectors.public_networks().filter(pk__in=wanted).values_list("pk", "name"))
        if wanted
        else {}
    )
    networks: list[int] = []
    for value in asked_networks:
        if value.isdigit() and int(value) in network_names:
            networks.append(int(value))
        else:
            problems.append(
                _("There is no network “%(value)s”: it was left out.") % {"value": _shown(value)}
            )

    show_all = query.get("all") == "1" and not chosen_provinces
    portal_scope = None
    scope_codes: frozenset[str] = frozenset()
    if not (chosen_provinces or show_all):
        # Without a territory, the part of the country this portal serves (DESIGN.md §2.1).
        portal_scope = PortalScope.current()
        scope_codes = frozenset(portal_scope.municipality_codes())
        if not scope_codes:
            portal_scope = None

    filters = CatalogueFilters(
        q=q,
        fields=tuple(fields),
        legal_forms=tuple(legal_forms),
        provinces=tuple(chosen_provinces),
        municipalities=tuple(m.code for m in chosen_municipalities),
        reaches=tuple(reaches),
        networks=tuple(networks),
        scope=scope_codes,
    )
    return Reading(
        filters=filters,
        problems=problems,
        show_all=show_all,
        portal_scope=portal_scope,
        all_fields=all_fields,
        provinces=provinces,
        chosen_municipalities=chosen_municipalities,
        municipalities=municipalities,
        network_names=network_names,
    )
