"""The printable directory (справочник) of a province or a municipality, as a PDF.

The same data as the directory's pages, rendered from Django templates to HTML and laid out by
WeasyPrint (A4, cover, table of contents with page numbers, running header, "стр. 3 от 120"
in the footer, DejaVu Sans through fontconfig for Cyrillic). The document is always Bulgarian,
whatever the language of the person who asked for it.

Loading costs a fixed number of queries per document (the unit, its municipalities, the
institutions with their kinds and seats, then one prefetch each for hours, exceptions,
services and municipalities served), never one per institution.

`fingerprint(unit)` sums up everything the document shows; a stored `PrintedDirectory` with
the same fingerprint is the same document, so a file is made again only when the data (or the
templates, or `PDF_VERSION`) changed.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import documents
from core.eik import is_valid_eik
from directory import enums
from directory.enums import Level, Weekday
from directory.hours import SOFIA
from directory.models import (
    HoursException,
    Institution,
    InstitutionKind,
    PrintedDirectory,
    Service,
    WorkingHours,
)
from territory.models import Municipality, Province

# Raise when the document changes in a way its templates' text does not show (e.g. the data
# it selects); a change of any template below changes the fingerprint by itself.
PDF_VERSION = "1"
LANGUAGE = "bg"
TEMPLATES = (
    "directory/print/document.html",
    "directory/print/pdf.css",
    "directory/print/section.html",
    "directory/print/institution.html",
)
SHAPE_FIELDS = ("svg_path", "bbox")
# Kinds listed in the section of their municipality; every other kind (regional
# administration, territorial units of state bodies) is listed once for the whole unit.
MUNICIPAL_LEVELS = {Level.MUNICIPALITY, Level.MAYORALTY, Level.DISTRICT}

# An entry listing more services than this runs over pages rather than starting on a new one.
LONG_ENTRY_SERVICES = 12

Progress = Callable[[int], None]


# --- The unit a document covers -------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A province, or a municipality (with its province): what one printable directory covers."""

    province: Province
    municipality: Municipality | None = None

    @classmethod
    def for_province(cls, code: str) -> Unit:
        """Raises Province.DoesNotExist for an unknown code."""
        return cls(province=Province.objects.defer(*SHAPE_FIELDS).get(pk=code))

    @classmethod
    def for_municipality(cls, code: str) -> Unit:
        """Raises Municipality.DoesNotExist for an unknown code."""
        shapes = [*SHAPE_FIELDS, *(f"province__{f}" for f in SHAPE_FIELDS)]
        municipality = Municipality.objects.select_related("province").defer(*shapes).get(pk=code)
        return cls(province=municipality.province, municipality=municipality)

    @classmethod
    def of(cls, row: PrintedDirectory) -> Unit:
        if row.municipality_id:
            return cls.for_municipality(row.municipality_id)
        return cls.for_province(str(row.province_id))

    @property
    def is_province(self) -> bool:
        return self.municipality is None

    @property
    def code(self) -> str:
        return self.municipality.code if self.municipality is not None else self.province.code

    @property
    def province_code(self) -> str:
        return self.province.code

    def name(self) -> str:
        """ "Plovdiv province" / "Asenovgrad municipality" in the current language."""
        if self.municipality is not None:
            return _("%(name)s municipality") % {"name": self.municipality.name}
        return _("%(name)s province") % {"name": self.province.name}

    def title(self) -> str:
        """The document's title in the current language."""
        if self.municipality is not None:
            return _("Directory of the administrations – %(name)s municipality") % {
                "name": self.municipality.name
            }
        return _("Directory of the administrations – %(name)s province") % {
            "name": self.province.name
        }

    def status_url(self) -> str:
        if self.municipality is not None:
            return reverse("directory:print-municipality", args=[self.code])
        return reverse("directory:print-province", args=[self.code])

    def page_url(self) -> str:
        """The unit's own page on the portal."""
        return (self.municipality or self.province).get_absolute_url()

    def printed(self) -> QuerySet[PrintedDirectory]:
        """The stored documents of this unit, whatever their fingerprint."""
        if self.municipality is not None:
            return PrintedDirectory.objects.filter(municipality_id=self.code)
        return PrintedDirectory.objects.filter(province_id=self.code)

    def new_row(self, fingerprint: str) -> PrintedDirectory:
        if self.municipality is not None:
            return PrintedDirectory(municipality_id=self.code, fingerprint=fingerprint)
        return PrintedDirectory(province_id=self.code, fingerprint=fingerprint)

    def institutions(self) -> Q:
        """The institutions the document lists, as one condition (subqueries, no joins that
        would repeat a row)."""
        through = Institution.area_municipalities.through.objects
        if self.municipality is None:
            serving = through.filter(municipality__province_id=self.code)
            return Q(province_id=self.code) | Q(pk__in=serving.values("institution_id"))
        with_area = through.values("institution_id")
        return (
            Q(municipality_id=self.code)
            | Q(pk__in=through.filter(municipality_id=self.code).values("institution_id"))
            # Province-wide bodies without a list of municipalities serve all of them.
            | (Q(province_id=self.province_code, municipality__isnull=True) & ~Q(pk__in=with_area))
        )

    def municipalities(self) -> list[Municipality]:
        """The municipalities that get a section (alphabetical), with their centres."""
        qs = (
            Municipality.objects.defer(*SHAPE_FIELDS)
            .select_related("admin_centre")
            .order_by("name_bg", "code")
        )
        if self.municipality is not None:
            return list(qs.filter(pk=self.code))
        return list(qs.filter(province_id=self.code))


# --- Fingerprint ------------------------------------------------------------------------------


@functools.cache
def template_digest() -> str:
    """The digest of this document's templates (read once per process)."""
    return documents.template_digest(PDF_VERSION, TEMPLATES)


def _today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def fingerprint(unit: Unit) -> str:
    """sha256 of what the document shows: counts, last changes and versions of the
    institutions and services in scope, their hours, upcoming exceptions, municipalities
    served, the names of kinds and municipalities, the templates and the portal's name.

    Seven small queries whatever the size of the unit.
    """
    in_scope = Institution.objects.filter(unit.institutions())
    ids = in_scope.values("pk")
    parts: list[object] = [template_digest(), unit.code]
    parts.append(
        in_scope.aggregate(
            n=Count("pk"), last=Max("updated_at"), versions=Sum("version"), ids=Sum("pk")
        )
    )
    parts.append(
        Service.objects.filter(institution__in=ids).aggregate(
            n=Count("pk"), last=Max("updated_at"), versions=Sum("version"), ids=Sum("pk")
        )
    )
    # Hours have no time stamp of their own: their values are the fingerprint.
    parts.append(
        list(
            WorkingHours.objects.filter(institution__in=ids)
            .order_by("institution_id", "weekday")
            .values_list("institution_id", "weekday", "opens", "closes", "break_start", "break_end")
        )
    )
    parts.append(
        list(
            HoursException.objects.filter(institution__in=ids, date__gte=_today())
            .order_by("pk")
            .values_list("pk", "date", "closed", "opens", "closes", "note")
        )
    )
    through = Institution.area_municipalities.through.objects
    parts.append(
        list(
            through.filter(institution__in=ids)
            .order_by("institution_id", "municipality_id")
            .values_list("institution_id", "municipality_id")
        )
    )
    municipalities = Municipality.objects.filter(province_id=unit.province_code)
    parts.append(list(municipalities.order_by("code").values_list("code", "name_bg")))
    parts.append(
        list(InstitutionKind.objects.order_by("pk").values_list("pk", "name_bg", "order", "level"))
    )
    with translation.override(LANGUAGE):
        parts.append(str(settings.PORTAL_NAME))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# --- What the document shows ------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    days: str  # "понеделник – петък"
    opens: datetime.time | None = None  # None: closed
    closes: datetime.time | None = None
    break_start: datetime.time | None = None
    break_end: datetime.time | None = None

    @property
    def closed(self) -> bool:
        return self.opens is None


@dataclass
class ServiceRow:
    name: str
    fee: str
    deadline: str


@dataclass
class Entry:
    institution: Institution
    url: str
    week: list[WeekRow]
    exceptions: list[HoursException]
    services: list[ServiceRow]
    areas: list[Municipality]
    missing: list[str]
    source_date: str
    eik: str

    @property
    def is_long(self) -> bool:
        """Too long to keep on one page: it may break across pages (see pdf.css)."""
        return len(self.services) > LONG_ENTRY_SERVICES


@dataclass
class Section:
    anchor: str
    title: str
    lead: str = ""
    entries: list[Entry] = field(default_factory=list)
    # A municipality of a province's directory starts on a new page; the short groups of a
    # municipality's own directory follow each other.
    new_page: bool = True


@dataclass
class Document:
    unit: Unit
    title: str
    portal_name: str
    generated_at: datetime.datetime
    url: str
    sections: list[Section]
    municipality_count: int

    @property
    def entries(self) -> int:
        return sum(len(s.entries) for s in self.sections)

    @property
    def unverified(self) -> int:
        return sum(1 for s in self.sections for e in s.entries if not e.institution.is_verified)


def _day_name(day: int) -> str:
    return str(Weekday(day).label)


def week_rows(hours: Iterable[WorkingHours]) -> list[WeekRow]:
    """The weekly hours in short: consecutive days with the same hours form one row, and the
    days without hours are "closed" ("понеделник – петък: 08:30–17:00", "събота – неделя: …")."""
    by_day = {h.weekday: (h.opens, h.closes, h.break_start, h.break_end) for h in hours}
    if not by_day:
        return []
    rows: list[WeekRow] = []
    start = 0
    for day in range(1, 8):
        if day < 7 and by_day.get(day) == by_day.get(start):
            continue
        last = day - 1
        days = _day_name(start)
        if last != start:
            days = f"{days} – {_day_name(last)}"
        values = by_day.get(start)
        rows.append(WeekRow(days, *values) if values else WeekRow(days))
        start = day
    return rows


def fee_text(fee: Decimal | None) -> str:
    if fee is None:
        return _("not stated")
    if fee == 0:
        return _("free of charge")
    return f"{number_format(fee, 2, force_grouping=True)} €"


def _source_date(value: str) -> str:
    """A source's date as precise as it is: 14.10.2022 г., 05.2020 г. or 2014 г."""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return f"{datetime.date(*map(int, parts)):%d.%m.%Y} г."
        if len(parts) == 2:
            return f"{int(parts[1]):02d}.{parts[0]} г."
    except ValueError:
        return value
    return f"{value} г." if value else ""


@functools.cache
def _detail_pattern() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("directory:detail", args=[123456789])


def _entry(institution: Institution) -> Entry:
    missing = []
    if not institution.address:
        missing.append(_("Address"))
    if not institution.phone_list:
        missing.append(_("Phones"))
    if not institution.email:
        missing.append(_("E-mail"))
    if not institution.website:
        missing.append(_("Website"))
    week = week_rows(institution.hours.all())
    if not week:
        missing.append(_("Working hours"))
    if institution.head_position and not institution.head_name:
        missing.append(institution.head_position)
    services = [
        ServiceRow(s.name, fee_text(s.fee_eur), s.deadline) for s in institution.services.all()
    ]
    return Entry(
        institution=institution,
        url=_detail_pattern().replace("123456789", str(institution.pk)),
        week=week,
        exceptions=list(institution.hours_exceptions.all()),
        services=services,
        areas=list(institution.area_municipalities.all()),
        missing=[m.lower() for m in missing],
        source_date=_source_date(institution.source_date),
        eik=institution.eik if is_valid_eik(institution.eik) else "",
    )


def _institutions(unit: Unit, today: datetime.date) -> list[Institution]:
    areas = Municipality.objects.defer(*SHAPE_FIELDS).order_by("name_bg", "code")
    return list(
        Institution.objects.filter(unit.institutions())
        .select_related("kind", "settlement")
        .prefetch_related(
            "hours",
            Prefetch("hours_exceptions", queryset=HoursException.objects.filter(date__gte=today)),
            Prefetch("services", queryset=Service.objects.order_by("name", "pk")),
            Prefetch("area_municipalities", queryset=areas),
        )
        .order_by("kind__order", "name_bg", "pk")
    )


# Section titles of the kinds a municipality's section groups (municipality documents).
def _group_title(kind: InstitutionKind) -> str:
    titles = {
        enums.MUNICIPAL_ADMINISTRATION: _("Municipal administration"),
        enums.MUNICIPAL_COUNCIL: _("Municipal council"),
        enums.MAYORALTY: _("Mayoralties"),
        enums.DISTRICT_ADMINISTRATION: _("City-district administrations"),
    }
    return titles.get(kind.slug, kind.name_bg)


def _municipality_lead(m: Municipality) -> str:
    parts = []
    if m.admin_centre:
        parts.append(_("Administrative centre: %(name)s") % {"name": m.admin_centre.full_name})
    if m.population_2017:
        parts.append(
            _("population (2017): %(n)s")
            % {"n": number_format(m.population_2017, force_grouping=True)}
        )
    return " · ".join(parts)


def collect(unit: Unit, now: datetime.datetime | None = None) -> Document:
    """Everything the document shows, in its order, in a fixed number of queries.

    Call under `translation.override(LANGUAGE)`: titles are translated here.
    """
    now = now or timezone.now()
    today = now.astimezone(SOFIA).date()
    municipalities = unit.municipalities()
    institutions = _institutions(unit, today)
    codes = {m.code for m in municipalities}

    local: dict[str, list[Institution]] = {code: [] for code in codes}
    wide: list[Institution] = []
    for inst in institutions:
        if inst.municipality_id in codes and inst.kind.level in MUNICIPAL_LEVELS:
            local[inst.municipality_id].append(inst)
        else:
            wide.append(inst)

    sections: list[Section] = []
    if unit.is_province:
        for m in municipalities:
            sections.append(
                Section(
                    anchor=f"m-{m.code}",
                    title=_("%(name)s municipality") % {"name": m.name},
                    lead=_municipality_lead(m),
                    entries=[_entry(i) for i in local[m.code]],
                )
            )
    else:
        m = municipalities[0]
        groups: dict[int, Section] = {}
        for inst in local[m.code]:
            if inst.kind_id not in groups:
                groups[inst.kind_id] = Section(
                    anchor=f"k-{inst.kind.slug}",
                    title=_group_title(inst.kind),
                    new_page=not sections,
                )
                sections.append(groups[inst.kind_id])
            groups[inst.kind_id].entries.append(_entry(inst))
    sections.append(
        Section(
            anchor="province-wide",
            title=_("Regional administration and territorial units of state bodies"),
            entries=[_entry(i) for i in wide],
            new_page=unit.is_province or not sections,
        )
    )
    return Document(
        unit=unit,
        title=unit.title(),
        portal_name=str(settings.PORTAL_NAME),
        generated_at=now,
        url=settings.SITE_URL + _canonical(unit.status_url()),
        sections=sections,
        municipality_count=len(municipalities),
    )


def _canonical(path: str) -> str:
    """The Bulgarian (unprefixed) form of a portal path."""
    return re.sub(r"^/en/", "/", path)


# --- HTML and PDF -------------------------------------------------------------------------------


def render_html(document: Document, progress: Progress | None = None) -> str:
    """The document as one HTML page (Bulgarian), reporting progress per section (0–100)."""
    with translation.override(LANGUAGE):
        parts: list[str] = []
        total = len(document.sections)
        for n, section in enumerate(document.sections, start=1):
            parts.append(render_to_string("directory/print/section.html", {"section": section}))
            if progress:
                progress(n * 100 // total)
        # The footer's CSS is built by page_counter_css(), which escapes every character that
        # could end a string or the <style> element.
        counter = mark_safe(documents.page_counter_css())  # noqa: S308
        css = render_to_string("directory/print/pdf.css", {"page_counter": counter})
        return render_to_string(
            "directory/print/document.html",
            {
                "doc": document,
                # Each part was rendered, and so escaped, by the section template.
                "sections_html": mark_safe("".join(parts)),  # noqa: S308
                # Our own stylesheet (a template without data from people).
                "css": mark_safe(css.replace("</", "<\\/")),  # noqa: S308
            },
        )


def make(unit: Unit, progress: Progress | None = None) -> tuple[bytes, int]:
    """The whole document: (PDF bytes, pages). `progress` gets 0–100 as it goes: the data
    (5 %), the HTML section by section (to 40 %), the layout (to 90 %), then the file."""

    def report(value: int) -> None:
        if progress:
            progress(value)

    with translation.override(LANGUAGE):
        document = collect(unit)
        report(5)
        html = render_html(document, lambda p: report(5 + p * 35 // 100))
    return documents.render_pdf(html, lambda p: report(40 + p * 50 // 100))


def time_pdf(code: str) -> dict[str, float | int]:
    """Make the PDF of a province (or of a municipality, by its code) once and time it,
    storing nothing. For the bench: `from directory.pdf import time_pdf; time_pdf("PDV")`
    gives {"seconds", "cpu_seconds", "data_and_html", "pages", "bytes", "queries"}:
    wall-clock and CPU time of the whole, the part spent on the data and the HTML, and the
    queries it ran (a fixed number, whatever the size of the unit)."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = Unit.for_province(code) if len(code) == 3 else Unit.for_municipality(code)
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries, translation.override(LANGUAGE):
        html = render_html(collect(unit))
    middle = time.perf_counter()
    data, pages = documents.render_pdf(html)
    return {
        "seconds": round(time.perf_counter() - start, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "data_and_html": round(middle - start, 2),
        "pages": pages,
        "bytes": len(data),
        "queries": len(queries),
    }
