"""Statistics of a consultation: participants by type, comments per article, comments per day,
each as rows for a table and a server-drawn SVG bar chart (core/charts.py; the table is the
text alternative).

Hidden comments are left out (they are in the report's annex, not in its figures); replies
count as comments and their authors as participants. Three to four queries whatever the number
of comments.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from consultations.models import Article, Comment, Consultation
from core.charts import Chart, chart
from core.legal_calendar import SOFIA

MAX_DAYS = 120  # a chart of more days is unreadable; the table keeps them all


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
