"""The shared bar-chart builder (core/charts.py) and its markup (templates/includes/
bar_chart.html): proportional bars, a text alternative, the numbers in a table."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from core.charts import CHART_WIDTH, LABEL_WIDTH, VALUE_ROOM, chart


def test_bars_are_proportional_to_the_longest():
    c = chart("ratings", "Оценки", "Отговори", [("1", 0), ("2", 1), ("3", 10), ("4", 5)])
    widths = [b.width for b in c.bars]
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    assert widths[0] == 0  # nothing drawn for zero
    assert widths[2] == span  # the longest fills the width
    assert widths[3] == round(span / 2)
    assert widths[1] >= 1  # a small value stays visible
    assert [b.y for b in c.bars] == sorted(b.y for b in c.bars)
    assert c.height == 4 * (c.bars[1].y - c.bars[0].y)
    assert c.total == 16
    assert c.description == "1: 0; 2: 1; 3: 10; 4: 5"


def test_all_zero_and_empty():
    zeros = chart("z", "Нули", "Брой", [("а", 0), ("б", 0)])
    assert [b.width for b in zeros.bars] == [0, 0]
    empty = chart("e", "Празно", "Брой", [])
    assert empty.bars == () and empty.height > 0 and empty.total == 0


def test_markup_has_a_text_alternative_and_the_numbers_in_a_table():
    c = chart("usefulness", "Полезност", "Отговори", [("1 – слабо", 2), ("5 – много", 1234)])
    html = render_to_string("includes/bar_chart.html", {"chart": c, "item_column": "Оценка"})
    assert 'role="img"' in html and "<desc" in html and "<figcaption" in html
    assert 'aria-labelledby="chart-usefulness-title chart-usefulness-desc"' in html
    table = re.search(r"<table.*?</table>", html, re.S)
    assert table is not None
    assert "<caption" in table.group(0) and "Оценка" in table.group(0)
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", table.group(0))
    assert [label for label, _n in rows] == ["1 – слабо", "5 – много"]
    assert rows[0][1] == "2" and rows[1][1].replace("\xa0", " ") == "1 234"  # grouped
    assert "style=" not in html  # strict CSP
    assert html.count("<rect") == 2


def test_empty_chart_says_so():
    html = render_to_string(
        "includes/bar_chart.html", {"chart": chart("e", "Празно", "Брой", []), "empty": "Нищо."}
    )
    assert "<svg" not in html and "<table" not in html and "Нищо." in html


def test_long_labels_widen_their_column_and_are_cut_to_fit_it():
    name = "Партньорство и финансиране на НПО"  # 33 characters
    c = chart("profile", "Профил", "Индекс", [(name, 100), ("Общ индекс", 50)], top=100)
    assert LABEL_WIDTH < c.label_width <= 300
    assert c.label_chars >= len(name)  # fits whole
    assert c.bars[0].width == CHART_WIDTH - c.label_width - VALUE_ROOM  # 100 of 100: full
    assert c.bars[0].text_x == c.label_width + c.bars[0].width + 6
    html = render_to_string("includes/bar_chart.html", {"chart": c})
    assert f">{name}</text>" in html
    short = chart("s", "Кратко", "Брой", [("Да", 3)])
    assert short.label_width == LABEL_WIDTH
    very_long = chart("l", "Дълго", "Брой", [("дума " * 30, 1)])
    assert very_long.label_width == 300
    assert "…</text>" in render_to_string("includes/bar_chart.html", {"chart": very_long})
