"""The printable catalogue (PDF) of the organisations matching a filter of the catalogue.

The filter is the catalogue's (`CatalogueScope.from_query`: the same parameters, checks and
messages as organisations/views/catalogue.py `index`) in a canonical form (`query`), which
with the fingerprint of the data (`version`) identifies a document: a stored
`PrintedCatalogue` of the same filter and fingerprint is the same document.

The document is Bulgarian whatever the language of the person who asked for it, laid out by
WeasyPrint (core/documents.py): A4, a cover describing the filter in words with the counts,
date and the source of the data, a table of contents by province → municipality with page
numbers, one compact entry per organisation (name, legal form, EIK, seat, address, the
contacts published on the entry, fields of activity, reach, year founded, networks), running
header and "стр. 3 от 120". Never any data of the organisations' representatives.

Loading costs a fixed number of queries per document (the organisations with their seats,
then one prefetch each for fields, memberships with networks and the three kinds of places
reached), never one per organisation. At most MAX_ORGANISATIONS organisations a document.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Sum
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core import documents
from core.eik import is_valid_eik
from organisations import filters as filters_mod
from organisations import selectors
from organisations.enums import LegalForm, Reach, RegisterStatus, Visibility
from organisations.models import FieldOfActivity, Membership, Network, Organisation
from organisations.selectors import CatalogueFilters
from territory.models import Municipality, PortalScope, Province

# Raise when the document changes in a way its templates' text does not show (e.g. the data
# it selects); a change of any template below changes the fingerprint by itself.
PDF_VERSION = "1"
LANGUAGE = "bg"
TEMPLATES = (
    "organisations/print/document.html",
    "organisations/print/pdf.css",
    "organisations/print/province.html",
    "organisations/print/entry.html",
)
# A document of more would take the worker many minutes and run to thousands of pages: the
# open-data exports are the way to have more.
MAX_ORGANISATIONS = 5000

Progress = Callable[[int], None]


# --- The filter ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueScope:
    """A checked filter of the catalogue: what a printable catalogue covers.

    `query` is its canonical query string (the filters only, values sorted; "" = the portal's
    area), `problems` the messages about values left out (as the catalogue page gives them),
    `terms` the filter in words as (label, values) pairs, in the language of the moment."""

    filters: CatalogueFilters
    query: str
    problems: tuple[str, ...] = ()
    terms: tuple[tuple[str, str], ...] = ()
    portal_scope: PortalScope | None = None
    show_all: bool = False

    @property
    def key(self) -> str:
        return hashlib.sha256(self.query.encode()).hexdigest()

    @property
    def province(self) -> str:
        """The one province chosen, if exactly one (for the links to its exports)."""
        return self.filters.provinces[0] if len(self.filters.provinces) == 1 else ""

    def status_url(self) -> str:
        url = reverse("organisations:print")
        return f"{url}?{self.query}" if self.query else url

    def catalogue_url(self) -> str:
        url = reverse("organisations:index")
        return f"{url}?{self.query}" if self.query else url

    @classmethod
    def from_query(cls, query: QueryDict) -> CatalogueScope:
        """The catalogue's filters from a query string, read as the catalogue page reads them
        (organisations.filters): unknown values are left out with the same messages. Sorting
        and the page are not filters and are ignored."""
        reading = filters_mod.read(query)
        f = reading.filters
        terms: list[tuple[str, str]] = []
        if reading.portal_scope is not None:
            terms.append((_("Territory"), _("the portal's area: %(name)s")
                          % {"name": reading.portal_scope.name}))  # fmt: skip
        elif not f.provinces:
            terms.append((_("Territory"), _("the whole country")))
        if f.q:
            terms.append((_("Search"), f"„{f.q}“"))
        field_names = {x.slug: x.name for x in reading.all_fields}
        province_names = {p.code: p.name for p in reading.provinces}
        for label, names in (
            (_("Field of activity"), [field_names[x] for x in f.fields]),
            (_("Legal form"), [str(LegalForm(v).label) for v in f.legal_forms]),
            (_("Province"), sorted(province_names[c] for c in f.provinces)),
            (_("Municipality"), sorted(m.name for m in reading.chosen_municipalities)),
            (_("Territorial reach"), [str(Reach(v).label) for v in f.reaches]),
            (_("Member of the network"), [reading.network_names[n] for n in f.networks]),
        ):
            if names:
                terms.append((label, ", ".join(names)))

        # Canonical: values sorted, so that the same filter asked in another order is the
        # same document.
        filters = replace(
            f,
            fields=tuple(sorted(f.fields)),
            legal_forms=tuple(sorted(f.legal_forms)),
            provinces=tuple(sorted(f.provinces)),
            municipalities=tuple(sorted(f.municipalities)),
            reaches=tuple(sorted(f.reaches)),
            networks=tuple(sorted(f.networks)),
        )
        canonical: list[tuple[str, Any]] = []
        if f.q:
            canonical.append(("q", f.q))
        canonical += [
            ("field", filters.fields),
            ("legal_form", filters.legal_forms),
            ("province", filters.provinces),
            ("municipality", filters.municipalities),
            ("reach", filters.reaches),
            ("network", [str(n) for n in filters.networks]),
        ]
        if reading.show_all:
            canonical.append(("all", "1"))
        return cls(
            filters=filters,
            query=urlencode([(k, v) for k, v in canonical if v], doseq=True),
            problems=tuple(reading.problems),
            terms=tuple(terms),
            portal_scope=reading.portal_scope,
            show_all=reading.show_all,
        )

    @classmethod
    def from_string(cls, query: str) -> CatalogueScope:
        return cls.from_query(QueryDict(query))


# --- Fingerprint --------------------------------------------------------------------------------


@functools.cache
def template_digest() -> str:
    """The templates' digest (read once per process, like the templates in production)."""
    return documents.template_digest(PDF_VERSION, TEMPLATES)


@dataclass(frozen=True)
class Version:
    """What a document of a filter would be made from now: its fingerprint and how many
    organisations it would list."""

    fingerprint: str
    count: int


def version(scope: CatalogueScope) -> Version:
    """sha256 of what the document shows: counts, last changes, versions and ids of the
    organisations in scope; their memberships and the networks' names; their fields of
    activity and places reached (tables without time stamps: counts and sums of ids); the
    names of the fields; the filter, the portal's area, the templates and the portal's name.

    Nine small queries whatever the number of organisations.
    """
    in_scope = selectors.catalogue_queryset(scope.filters)
    ids = in_scope.values("pk")
    organisations = in_scope.aggregate(
        n=Count("pk"), last=Max("updated_at"), versions=Sum("version"), ids=Sum("pk")
    )
    parts: list[object] = [template_digest(), scope.query, sorted(scope.filters.scope)]
    parts.append(organisations)
    parts.append(
        Membership.objects.filter(organisation_id__in=ids).aggregate(
            n=Count("pk"), last=Max("updated_at"), ids=Sum("pk")
        )
    )
    parts.append(
        list(
            Network.objects.filter(memberships__organisation_id__in=ids)
            .distinct()
            .order_by("pk")
            .values_list("pk", "name", "updated_at", "coordinator__visibility")
        )
    )
    for relation in ("fields", "reach_settlements", "reach_municipalities", "reach_provinces"):
        through: Any = getattr(Organisation, relation).through
        parts.append(
            through.objects.filter(organisation_id__in=ids).aggregate(n=Count("pk"), ids=Sum("pk"))
        )
    parts.append(list(FieldOfActivity.objects.order_by("pk").values_list("pk", "name_bg")))
    with translation.override(LANGUAGE):
        parts.append(str(settings.PORTAL_NAME))
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return Version(digest, int(organisations["n"] or 0))


# --- What the document shows --------------------------------------------------------------------


@dataclass
class Entry:
    organisation: Organisation
    url: str
    legal_form: str
    eik: str
    seat: str
    address: str
    fields: str
    reach: str
    networks: str
    closed: str


@dataclass
class MunicipalitySection:
    anchor: str
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class ProvinceSection:
    anchor: str
    title: str
    municipalities: list[MunicipalitySection] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(m.entries) for m in self.municipalities)


@dataclass
class Document:
    title: str
    terms: tuple[tuple[str, str], ...]
    portal_name: str
    generated_at: datetime.datetime
    url: str
    provinces: list[ProvinceSection]

    @property
    def entries(self) -> int:
        return sum(p.count for p in self.provinces)

    @property
    def municipality_count(self) -> int:
        return sum(1 for p in self.provinces for m in p.municipalities if m.anchor != "m-none")


@functools.cache
def _detail_pattern() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("organisations:detail", args=[123456789])


def _reach(o: Organisation) -> str:
    text = capfirst(str(Reach(o.reach).label)) if o.reach in Reach.values else ""
    places = [
        *(p.name for p in o.reach_provinces.all()),
        *(m.name for m in o.reach_municipalities.all()),
        *(s.full_name for s in o.reach_settlements.all()),
    ]
    if places and text:
        return f"{text}: {', '.join(places)}"
    return text or ", ".join(places)


def _entry(o: Organisation) -> Entry:
    closed = ""
    if o.register_status in (RegisterStatus.CLOSED, RegisterStatus.INACTIVE):
        closed = str(RegisterStatus(o.register_status).label)
    address = f"{o.postal_code} {o.address}".strip() if o.address else ""
    return Entry(
        organisation=o,
        url=_detail_pattern().replace("123456789", str(o.pk)),
        legal_form=capfirst(str(LegalForm(o.legal_form).label)) if o.legal_form else "",
        eik=o.eik if o.eik and is_valid_eik(o.eik) else "",
        seat=o.settlement.full_name if o.settlement else "",
        address=address,
        fields=", ".join(f.name for f in o.fields.all()),
        reach=_reach(o),
        networks=", ".join(m.network.name for m in o.memberships.all()),
        closed=closed,
    )


def organisations(scope: CatalogueScope) -> list[Organisation]:
    """The organisations of the document with everything an entry shows, by name, in
    seven queries whatever their number."""
    memberships = (
        Membership.objects.filter(
            status=Membership.Status.MEMBER, network__coordinator__visibility=Visibility.PUBLIC
        )
        .select_related("network")
        .order_by("network__name", "pk")
    )
    return list(
        selectors.catalogue_queryset(scope.filters)
        .select_related("settlement__municipality__province")
        .prefetch_related(
            Prefetch("fields", queryset=FieldOfActivity.objects.order_by("order", "name_bg")),
            Prefetch("memberships", queryset=memberships),
            Prefetch("reach_provinces", queryset=Province.objects.only("code", "name_bg",
                                                                       "name_en")),
            Prefetch("reach_municipalities", queryset=Municipality.objects.only(
                "code", "name_bg", "name_en")),
            "reach_settlements",
        )
        .order_by("name", "pk")[: MAX_ORGANISATIONS + 1]
    )  # fmt: skip


def _key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def collect(scope: CatalogueScope, now: datetime.datetime | None = None) -> Document:
    """Everything the document shows, in its order: provinces and their municipalities
    alphabetically, the organisations by name within them; those without a seat last.

    Call under `translation.override(LANGUAGE)`: titles are translated here."""
    now = now or timezone.now()
    rows = organisations(scope)
    if len(rows) > MAX_ORGANISATIONS:
        raise ValueError(f"More than {MAX_ORGANISATIONS} organisations: narrow the filter")
    by_province: dict[str, ProvinceSection] = {}
    by_municipality: dict[str, MunicipalitySection] = {}
    homeless: list[Entry] = []
    for o in rows:
        if o.settlement is None:
            homeless.append(_entry(o))
            continue
        m = o.settlement.municipality
        if m.code not in by_municipality:
            if m.province_id not in by_province:
                by_province[m.province_id] = ProvinceSection(
                    anchor=f"p-{m.province_id}",
                    title=_("%(name)s province") % {"name": m.province.name},
                )
            by_municipality[m.code] = MunicipalitySection(
                anchor=f"m-{m.code}", title=_("%(name)s municipality") % {"name": m.name}
            )
            by_province[m.province_id].municipalities.append(by_municipality[m.code])
        by_municipality[m.code].entries.append(_entry(o))
    provinces = sorted(by_province.values(), key=lambda p: _key(p.title))
    for p in provinces:
        p.municipalities.sort(key=lambda m: _key(m.title))
    if homeless:
        provinces.append(
            ProvinceSection(
                anchor="p-none",
                title=_("Seat not stated"),
                municipalities=[MunicipalitySection("m-none", "", homeless)],
            )
        )
    return Document(
        title=_("Catalogue of civil-society organisations"),
        terms=scope.terms,
        portal_name=str(settings.PORTAL_NAME),
        generated_at=now,
        url=settings.SITE_URL + re.sub(r"^/en/", "/", scope.status_url()),
        provinces=provinces,
    )


# --- HTML and PDF -------------------------------------------------------------------------------


def render_html(document: Document, progress: Progress | None = None) -> str:
    """The document as one HTML page (Bulgarian), reporting progress per province (0–100)."""
    with translation.override(LANGUAGE):
        parts: list[str] = []
        total = len(document.provinces) or 1
        for n, section in enumerate(document.provinces, start=1):
            parts.append(
                render_to_string("organisations/print/province.html", {"section": section})
            )
            if progress:
                progress(n * 100 // total)
        # page_counter_css() escapes every character that could end a string or the <style>.
        counter = mark_safe(documents.page_counter_css())  # noqa: S308
        css = render_to_string("organisations/print/pdf.css", {"page_counter": counter})
        return render_to_string(
            "organisations/print/document.html",
            {
                "doc": document,
                # Each part was rendered, and so escaped, by the province template.
                "sections_html": mark_safe("".join(parts)),  # noqa: S308
                # Our own stylesheet (a template without data from people).
                "css": mark_safe(css.replace("</", "<\\/")),  # noqa: S308
            },
        )


def make(scope_query: str, progress: Progress | None = None) -> tuple[bytes, int]:
    """The whole document of a canonical filter: (PDF bytes, pages). `progress` gets 0–100:
    the data (5 %), the HTML province by province (to 40 %), the layout (to 90 %)."""

    def report(value: int) -> None:
        if progress:
            progress(value)

    with translation.override(LANGUAGE):
        document = collect(CatalogueScope.from_string(scope_query))
        report(5)
        html = render_html(document, lambda p: report(5 + p * 35 // 100))
    return documents.render_pdf(html, lambda p: report(40 + p * 50 // 100))
