"""core.documents: the pieces every printable document (WeasyPrint) shares."""

from __future__ import annotations

from django.utils import translation

from core import documents


def test_page_counter_css_escapes_the_translation():
    with translation.override("bg"):
        css = documents.page_counter_css()
    assert "counter(page)" in css and "counter(pages)" in css
    assert css.startswith('"стр. " counter(page)')
    assert "<" not in css


def test_css_string_cannot_end_the_string_or_the_style_element():
    assert documents.css_string('a"b</style>') == '"a\\22 b\\3c \\2f style\\3e "'


def test_template_digest_changes_with_the_version():
    names = ["directory/print/pdf.css"]
    assert documents.template_digest("1", names) != documents.template_digest("2", names)
    assert documents.template_digest("1", names) == documents.template_digest("1", names)
