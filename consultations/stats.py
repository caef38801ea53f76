"""Statistics of a consultation: participants by type, comments per article, comments per day,
each as rows for a table and a server-drawn SVG bar chart (the table is the text alternative).

Hidden comments are left out (they are in the report's annex, not in its figures); replies
count as comments and their authors as participants. Three to four queries whatever the number
of comments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from consultations.models import Article, Comment, Consultation
from core.legal_calendar import SOFIA

MAX_DAYS = 120  # a chart of more days is unreadable; the table keeps them all
BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 170, 560


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int = 0
    width: int = 0
    text_x: int = 0


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: `bars` with their geometry, the SVG's `height` and `width`."""

    slug: str
    title: str
    description: str
    column: str
    bars: tuple[Bar, ...]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def chart(slug: str, title: str, column: str, rows: list[tuple[str, int]]) -> Chart:
    """Lay the bars out (longest = the full width, proportional, at least 1 px when above 0)."""
    top = max((v for _label, v in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 50
    bars = []
    for n, (label, value) in enumerate(rows):
        width = max(1, round(value * span / top)) if value else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                y=n * (BAR_HEIGHT + GAP),
                width=width,
                text_x=LABEL_WIDTH + width + 6,
            )
        )
    description = "; ".join(f"{b.label}: {b.value}" for b in bars[:40])
    return Chart(
        slug=slug,
        title=title,
        description=description,
        column=column,
        bars=tuple(bars),
        height=max(1, len(bars)) * (BAR_HEIGHT + GAP),
    )


def participants(consultation: Consultation) -> Chart:
    visible = Comment.objects.filter(consultation=consultation).visible()
    counts = visible.aggregate(
        citizens=Count(
            "author", distinct=True, filter=Q(organisation__isnull=True, network__isnull=True)
        ),
        organisations=Count("organisation", distinct=True),
        networks=Count("network", distinct=True),
    )
    return chart(
        "participants",
        _("Participants by type"),
        _("Participants"),
        [
            (_("Citizens"), counts["citizens"]),
            (_("Organisations"), counts["organisations"]),
            (_("Networks"), counts["networks"]),
        ],
    )


def per_article(consultation: Consultation) -> Chart:
    counts: dict[int | None, int] = dict(
        Comment.objects.filter(consultation=consultation)
        .visible()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values_list("article_id", "n")
    )
    labels = dict(
        Article.objects.filter(pk__in=[k for k in counts if k is not None])
        .order_by("index")
        .values_list("pk", "label")
    )
    rows = []
    if counts.get(None):
        rows.append((_("The whole draft"), counts[None]))
    rows += [(label, counts[pk]) for pk, label in labels.items()]
    return chart("articles", _("Comments per article"), _("Comments"), rows)


def per_day(consultation: Consultation) -> Chart:
    counts = dict(
        Comment.objects.filter(consultation=consultation)
        .visible()
        .annotate(day=TruncDate("created_at", tzinfo=SOFIA))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    rows: list[tuple[str, int]] = []
    if counts:
        first, last = min(counts), max(counts)
        if (last - first).days < MAX_DAYS:
            day = first
            while day <= last:  # the days without comments too: the chart shows the pace
                rows.append((day.strftime("%d.%m.%Y"), counts.get(day, 0)))
                day += datetime.timedelta(days=1)
        else:
            rows = [(d.strftime("%d.%m.%Y"), n) for d, n in sorted(counts.items())]
    return chart("days", _("Comments per day"), _("Comments"), rows)


def all_charts(consultation: Consultation) -> list[Chart]:
    return [participants(consultation), per_article(consultation), per_day(consultation)]
