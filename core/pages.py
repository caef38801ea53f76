"""The pages of information (core.models.Page): their first texts and the loader.

The first texts live in data/pages/<slug>.md (Bulgarian; the administrator adds the English
ones in the admin). `load_pages` creates a page only when it is missing: it never overwrites
what an administrator edited.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from core.models import Page

DATA = Path(settings.BASE_DIR) / "data" / "pages"
TITLES = {
    Page.Slug.ABOUT: ("За портала", "About the portal"),
    Page.Slug.MODEL: (
        "Моделът за взаимодействие „местно самоуправление – местна администрация – граждани“",
        "The interaction model “local self-government – local administration – citizens”",
    ),
    Page.Slug.TAKE_PART: ("Как да участвате", "How to take part"),
    Page.Slug.PRIVACY: ("Лични данни", "Privacy notice"),
    Page.Slug.TERMS: ("Условия за ползване", "Terms of use"),
}
# The pages the footer links to, in order (the accessibility statement has its own link).
FOOTER = (Page.Slug.ABOUT, Page.Slug.MODEL, Page.Slug.TAKE_PART, Page.Slug.PRIVACY, Page.Slug.TERMS)


def load_pages() -> int:
    """Create the missing pages from data/pages/; returns how many were created."""
    existing = set(Page.objects.values_list("slug", flat=True))
    created = 0
    for slug, (title_bg, title_en) in TITLES.items():
        if slug in existing:
            continue
        Page.objects.create(
            slug=slug,
            title_bg=title_bg,
            title_en=title_en,
            body_bg=(DATA / f"{slug}.md").read_text(encoding="utf-8"),
        )
        created += 1
    return created
