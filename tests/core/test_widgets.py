"""core.widgets.ListSelect renders what Django's Select renders, without a template per option."""

from __future__ import annotations

from django import forms
from django.test.html import parse_html

from core.widgets import ListSelect

CHOICES = [("", "всички"), ("PDV", "Пловдив"), ("SOF", "София <град>"), ("B&B", 'a "b"')]


class Plain(forms.Form):
    place = forms.ChoiceField(choices=CHOICES, required=False, help_text="Подсказка")


class Listed(forms.Form):
    place = forms.ChoiceField(
        choices=CHOICES, required=False, help_text="Подсказка", widget=ListSelect
    )


def test_same_html_as_djangos_select_for_every_value():
    for value in ["", "PDV", "SOF", "B&B", "missing"]:
        plain = str(Plain(data={"place": value})["place"])
        listed = str(Listed(data={"place": value})["place"])
        # The same elements, attributes and text (attribute order aside).
        assert parse_html(listed) == parse_html(plain)


def test_labels_and_values_are_escaped():
    html = str(Listed(data={"place": "SOF"})["place"])
    assert "София &lt;град&gt;" in html and 'value="B&amp;B"' in html
    assert '<option value="SOF" selected>' in html
    assert 'aria-describedby="id_place_helptext"' in html
