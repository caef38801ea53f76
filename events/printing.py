"""The attendance sheet for signing at the door: a PDF (A4, DejaVu Sans for Cyrillic, "стр. 1
от 2" in the footer) with the event's title, the day, the venue and the organiser, and a table
of the confirmed participants sorted by name with an empty column for each signature.

An event's sheet is a few pages, laid out by WeasyPrint in well under a second, so it is made in
the request (core.documents.render_pdf) rather than queued like the printable directory. The
document is always Bulgarian, whatever the language of the organiser who asks for it: it is
signed by the participants at a Bulgarian event.

Two queries: the confirmed registrations (names and organisations only) and nothing else; the
event comes in with its organiser and settlement already loaded by the view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import documents
from events.enums import Format, RegistrationState
from events.models import Event

LANGUAGE = "bg"


@dataclass(frozen=True)
class SheetRow:
    number: int
    name: str
    organisation: str


def sheet_rows(event: Event) -> list[SheetRow]:
    """The confirmed participants by name (case ignored), numbered from 1."""
    people = list(
        event.registrations.filter(state=RegistrationState.CONFIRMED).values_list(
            "name", "organisation_name", "pk"
        )
    )
    # Python's order of code points is the Bulgarian alphabet's (ъ, ь, ю, я last), which the
    # databases' default collations do not all give.
    people.sort(key=lambda p: (p[0].casefold(), p[2]))
    return [SheetRow(n, name, org) for n, (name, org, _pk) in enumerate(people, start=1)]


def venue_text(event: Event) -> str:
    parts = [event.venue, event.address]
    if event.settlement_id and event.settlement:
        parts.append(str(event.settlement))
    place = ", ".join(p for p in parts if p)
    if event.format == Format.ONLINE:
        return _("online")
    if event.format == Format.HYBRID:
        return _("%(place)s, and online") % {"place": place} if place else _("online")
    return place


def render_html(event: Event, day: datetime.date) -> str:
    days = event.days
    with translation.override(LANGUAGE):
        # The footer's CSS is built by page_counter_css(), which escapes every character that
        # could end the CSS string.
        counter = mark_safe(documents.page_counter_css())  # noqa: S308
        css = render_to_string("events/print/sheet.css", {"page_counter": counter})
        # A context: "%(date)s" alone becomes "22.11.2026 г." in Bulgarian.
        if len(days) > 1:
            when = pgettext("attendance sheet", "%(date)s (day %(n)s of %(total)s)")
        else:
            when = pgettext("attendance sheet", "%(date)s")
        return render_to_string(
            "events/print/sheet.html",
            {
                "event": event,
                "rows": sheet_rows(event),
                "organiser": str(event.organiser),
                "venue": venue_text(event),
                "when": when
                % {
                    "date": date_format(day, "d.m.Y"),
                    "n": days.index(day) + 1,
                    "total": len(days),
                },
                # Our own stylesheet (a template without data from people).
                "css": mark_safe(css.replace("</", "<\\/")),  # noqa: S308
            },
        )


def attendance_sheet_pdf(event: Event, day: datetime.date) -> bytes:
    """The PDF of the sheet for `day` (one of `event.days`)."""
    data, _pages = documents.render_pdf(render_html(event, day))
    return data
