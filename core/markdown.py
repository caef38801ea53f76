"""Markdown written by people (profiles, descriptions, positions) turned into safe HTML.

markdown-it-py renders CommonMark with raw HTML switched off (it is shown as text), then nh3
(the Rust `ammonia` sanitiser) keeps only a short list of tags and attributes, so nothing a
person types can run script or restyle a page, whatever the Markdown parser lets through.
Links get rel="nofollow noopener"; only http(s) and mailto addresses survive. Images are shown
only from this server (a path starting with "/"): an image from elsewhere would let its host
track the readers, so its alternative text is shown instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "img", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def is_local(src: str) -> bool:
    """An address on this server: "/media/…", never "//elsewhere" or "https://…"."""
    return src.startswith("/") and not src.startswith("//") and "\\" not in src


def _image(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if is_local(src):
        return str(self.image(tokens, idx, options, env))
    # Only the words: no request from the reader's browser to another host.
    return escapeHtml(alt)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "commonmark" with html=False: raw HTML in the text is escaped, never passed through.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.add_render_rule("image", _image)
    return md


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_local(value):
        return None
    return value


def sanitise(html: str) -> str:
    """Keep only the allowed tags and attributes; links get rel="nofollow noopener"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def _shift_headings(tokens: list[Token]) -> None:
    # Headings start at level 2: the page's own title is its only <h1>.
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag in ("h1", "h2"):
            token.tag = "h2" if token.tag == "h1" else "h3"


def render(text: str | None) -> str:
    """Safe HTML for Markdown `text` ("" for nothing)."""
    if not text or not text.strip():
        return ""
    return _render(text)


# A pure function of the text, and the same texts are shown again and again (the first page of
# a busy consultation, a draft's motives): a process keeps the last ones it rendered.
@lru_cache(maxsize=1024)
def _render(text: str) -> str:
    md = _parser()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    _shift_headings(tokens)
    return sanitise(md.renderer.render(tokens, md.options, env))
