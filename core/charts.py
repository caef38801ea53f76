"""Server-drawn horizontal bar charts (DESIGN.md §8): the geometry is worked out here, the
markup is `templates/includes/bar_chart.html`, which shows the same numbers in a table (the
table is the text alternative, the SVG a picture of it). Used by the consultations' statistics
and the events' feedback results.
"""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 170, 560
# A label's width per character at the chart's 12 px (DejaVu Sans, Cyrillic included), and
# the widest the labels' column grows to for long labels before they are cut with "…".
CHAR_WIDTH, MAX_LABEL_WIDTH = 7.2, 300
# Room left after the longest bar for its number.
VALUE_ROOM = 50
# The SVG's <desc> lists at most this many bars; the table always has them all.
DESCRIBED_BARS = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int = 0
    width: int = 0
    text_x: int = 0


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: `bars` with their geometry, the SVG's `height` and `width`.
    `column` heads the numbers' column of the table."""

    slug: str
    title: str
    description: str
    column: str
    bars: tuple[Bar, ...]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    # Labels longer than this many characters are cut with "…" (they fit the column).
    label_chars: int = 22

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def chart(
    slug: str, title: str, column: str, rows: list[tuple[str, int]], top: int | None = None
) -> Chart:
    """Lay the bars out (proportional, at least 1 px when above 0): the full width is `top`,
    or the longest bar without it (an index 0–100 passes 100, so bars compare across charts).
    `slug` makes the element ids unique on a page with several charts."""
    top = top or max((v for _label, v in rows), default=0) or 1
    longest = max((len(label) for label, _v in rows), default=0)
    label_width = min(MAX_LABEL_WIDTH, max(LABEL_WIDTH, round(longest * CHAR_WIDTH) + 12))
    span = CHART_WIDTH - label_width - VALUE_ROOM
    bars = []
    for n, (label, value) in enumerate(rows):
        width = max(1, round(value * span / top)) if value else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                y=n * (BAR_HEIGHT + GAP),
                width=width,
                text_x=label_width + width + 6,
            )
        )
    description = "; ".join(f"{b.label}: {b.value}" for b in bars[:DESCRIBED_BARS])
    return Chart(
        slug=slug,
        title=title,
        description=description,
        column=column,
        bars=tuple(bars),
        height=max(1, len(bars)) * (BAR_HEIGHT + GAP),
        label_width=label_width,
        label_chars=int((label_width - 12) / CHAR_WIDTH),
    )
