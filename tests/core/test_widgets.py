"""core.widgets.ListSelect renders what Django's Select renders, without a template per option;
core.widgets.PlainTextInput what Django's TextInput renders, without its template."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from core.widgets import ListSelect, PlainTextInput

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


class Typed(forms.Form):
    q = forms.CharField(required=False, max_length=200, help_text="Подсказка")
    name = forms.CharField(label="Име")


class PlainTyped(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, help_text="Подсказка", widget=PlainTextInput
    )
    name = forms.CharField(label="Име", widget=PlainTextInput)


@pytest.mark.parametrize(
    "data",
    [None, {}, {"q": "пловдив", "name": "x"}, {"q": 'a "b" <c> & d'}, {"q": "x" * 300}],
)
def test_plain_text_input_is_djangos_text_input_character_for_character(data):
    for name in ("q", "name"):
        assert str(PlainTyped(data=data)[name]) == str(Typed(data=data)[name])
    extra = {"disabled": True, "hidden": False, "data-x": "1 < 2", "class": "wide"}
    assert PlainTyped(data=data)["q"].as_widget(attrs=extra) == Typed(data=data)["q"].as_widget(
        attrs=extra
    )
