"""The work plan as a timeline: an SVG drawn on the server, no JavaScript.

A bar per task from its start to its due date, a line for today, month ticks. An overdue task
is drawn in a distinct colour AND hatched AND labelled "overdue" in words, so its state never
depends on colour alone; every bar has a <title>, the drawing has an accessible name and a
description, and the page shows the same data as a table beside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.models import Task

WIDTH = 960
PAD_X = 8
AXIS_H = 40
ROW_H = 46
LABEL_MAX = 95
# Rough widths of a character of the labels (13 units, regular and bold), for fitting them.
CHAR_WIDTH = 7.6
CHAR_WIDTH_BOLD = 8.4

# Fill colours by state (presentation attributes: a strict CSP forbids style attributes).
COLOURS: dict[str, str] = {
    Task.Status.PLANNED: "#5b8bc9",
    Task.Status.IN_PROGRESS: "#1d4f91",
    Task.Status.DONE: "#00703c",
    Task.Status.CANCELLED: "#b1b4b6",
}
OVERDUE_COLOUR = "#b10e1e"
TEXT_COLOUR = "#1b1b1b"
GRID_COLOUR = "#d8dadb"
TODAY_COLOUR = "#0b0c0c"


@dataclass
class Bar:
    task: Task
    start: datetime.date
    end: datetime.date  # inclusive: the due date
    overdue: bool
    x: float
    width: float
    y: float

    @property
    def label(self) -> str:
        return self.fitted_label(LABEL_MAX)

    def fitted_label(self, max_chars: int) -> str:
        """Title · progress · state, the title shortened (…) to fit `max_chars`."""
        state = overdue_text() if self.overdue else str(self.task.get_status_display())
        suffix = f" · {self.task.progress} % · {state}"
        room = max(max_chars - len(suffix), 12)
        text = self.task.title
        if len(text) > room:
            text = text[: room - 1].rstrip() + "…"
        return text + suffix

    @property
    def title(self) -> str:
        parts = [self.task.title]
        parts.append(
            _("from %(start)s to %(due)s")
            % {"start": f"{self.start:%d.%m.%Y}", "due": f"{self.end:%d.%m.%Y}"}
        )
        parts.append(str(self.task.get_status_display()))
        parts.append(f"{self.task.progress} %")
        if self.task.responsible_id and self.task.responsible:
            parts.append(self.task.responsible.name)
        if self.overdue:
            parts.append(overdue_text())
        return "; ".join(parts)


def overdue_text() -> str:
    return _("Overdue")


def _month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


@dataclass
class Timeline:
    bars: list[Bar]
    first: datetime.date
    last: datetime.date
    today: datetime.date
    height: int

    def x_of(self, day: datetime.date) -> float:
        span = (self.last - self.first).days or 1
        return PAD_X + (WIDTH - 2 * PAD_X) * (day - self.first).days / span

    @property
    def overdue_count(self) -> int:
        return sum(1 for b in self.bars if b.overdue)


def build(tasks: Sequence[Task], today: datetime.date) -> Timeline:
    """Lay the tasks out (in the order given) on a scale of whole months around them."""
    if tasks:
        starts = [t.starts_on or t.due_on for t in tasks]
        first = min([*starts, today])
        last = max([*(t.due_on for t in tasks), today])
    else:
        first = last = today
    first = first.replace(day=1)
    last = (last.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)  # next month
    timeline = Timeline(bars=[], first=first, last=last, today=today, height=0)
    for row, task in enumerate(tasks):
        start = task.starts_on or task.due_on
        x0 = timeline.x_of(start)
        x1 = timeline.x_of(task.due_on + datetime.timedelta(days=1))
        timeline.bars.append(
            Bar(
                task=task,
                start=start,
                end=task.due_on,
                overdue=task.is_overdue(today),
                x=round(x0, 1),
                width=round(max(x1 - x0, 4.0), 1),
                y=AXIS_H + row * ROW_H,
            )
        )
    timeline.height = AXIS_H + max(len(tasks), 1) * ROW_H + 8
    return timeline


def render_svg(timeline: Timeline, svg_id: str, title: str) -> SafeString:
    """The drawing; `title` is its accessible name (e.g. "Work plan of …: timeline")."""
    description = ngettext(
        "%(n)d task from %(first)s to %(last)s; %(overdue)d overdue, drawn hatched in red "
        "and marked “overdue”. The same data is in the table below.",
        "%(n)d tasks from %(first)s to %(last)s; %(overdue)d overdue, drawn hatched in red "
        "and marked “overdue”. The same data is in the table below.",
        len(timeline.bars),
    ) % {
        "n": len(timeline.bars),
        "first": f"{timeline.first:%d.%m.%Y}",
        "last": f"{timeline.last:%d.%m.%Y}",
        "overdue": timeline.overdue_count,
    }
    months = _month_starts(timeline.first, timeline.last)
    step = max(1, len(months) // 12 + (1 if len(months) % 12 else 0))
    grid = format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>'
        '<text x="{4}" y="16" font-size="12" fill="{5}">{6}</text>',
        (
            (
                round(timeline.x_of(m), 1),
                24,
                timeline.height - 4,
                GRID_COLOUR,
                round(timeline.x_of(m), 1) + 3,
                TEXT_COLOUR,
                f"{m:%m.%Y}",
            )
            for i, m in enumerate(months)
            if i % step == 0 and m < timeline.last
        ),
    )
    bars = []
    for bar in timeline.bars:
        fill = f"url(#{svg_id}-hatch)" if bar.overdue else COLOURS.get(bar.task.status, "#5b8bc9")
        # A label reads from the bar's start, or ends at the bar's end, whichever side has
        # the room; shortened (…) where neither has (the <title> and the table keep it all).
        char_width = CHAR_WIDTH_BOLD if bar.overdue else CHAR_WIDTH
        after = WIDTH - PAD_X - bar.x
        before = bar.x + bar.width - PAD_X
        text = bar.fitted_label(int(max(after, before) / char_width))
        if len(text) * char_width <= after or after >= before:
            label_x, anchor = bar.x, "start"
        else:
            label_x, anchor = bar.x + bar.width, "end"
        bars.append(
            format_html(
                '<g class="timeline-bar{}"><title>{}</title>'
                '<text x="{}" y="{}" font-size="13" text-anchor="{}" fill="{}"{} '
                'stroke="#ffffff" stroke-width="4" paint-order="stroke">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="14" fill="{}" stroke="{}"/>'
                "</g>",
                " overdue" if bar.overdue else "",
                bar.title,
                round(min(max(label_x, PAD_X), WIDTH - PAD_X), 1),
                bar.y + 16,
                anchor,
                OVERDUE_COLOUR if bar.overdue else TEXT_COLOUR,
                mark_safe(' font-weight="700"') if bar.overdue else "",
                text,
                bar.x,
                bar.y + 22,
                bar.width,
                fill,
                OVERDUE_COLOUR if bar.overdue else TODAY_COLOUR,
            )
        )
    today_x = round(timeline.x_of(timeline.today), 1)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="timeline-svg" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<defs><pattern id="{id}-hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="{red}"/>'
        '<rect width="3" height="8" fill="#ffffff"/></pattern></defs>'
        '<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>'
        "{grid}"
        '<line x1="{tx}" y1="20" x2="{tx}" y2="{ty}" stroke="{tc}" stroke-width="2" '
        'stroke-dasharray="6 4"/>'
        "{bars}"
        '<text x="{tlx}" y="{tly}" font-size="12" font-weight="700" fill="{tc}" '
        'stroke="#ffffff" stroke-width="4" paint-order="stroke">{today}</text>'
        "</svg>",
        id=svg_id,
        w=WIDTH,
        h=timeline.height,
        title=title,
        desc=description,
        red=OVERDUE_COLOUR,
        grid=grid,
        bars=mark_safe("".join(bars)),  # noqa: S308 - each part escaped by format_html
        tx=today_x,
        ty=timeline.height - 4,
        tc=TODAY_COLOUR,
        tlx=round(min(today_x + 4, WIDTH - 120), 1),
        tly=32,
        today=_("Today %(date)s") % {"date": f"{timeline.today:%d.%m.%Y}"},
    )
