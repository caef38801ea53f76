"""Choices of the library: kinds of publication, who they are for, languages, licences, the
states of a publication (with the allowed transitions) and the kinds of attached files."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationType(models.TextChoices):
    HANDBOOK = "handbook", _("Handbook")
    ANALYSIS = "analysis", _("Analysis or report")
    GOOD_PRACTICE = "good_practice", _("Good practice")
    GUIDE = "guide", _("Guide")
    TEMPLATE = "template", _("Template")
    LAW = "law", _("Law or regulation")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    """Who a publication is for: each is a boolean field of the publication (`for_<value>`),
    so that the list can filter and count them in one query."""

    CITIZENS = "citizens", _("Citizens")
    NGOS = "ngos", _("Civil-society organisations")
    ADMINISTRATIONS = "administrations", _("Administrations")
    COUNCILS = "councils", _("Municipal councils")


AUDIENCE_FIELDS: dict[str, str] = {a.value: f"for_{a.value}" for a in Audience}


class Language(models.TextChoices):
    BULGARIAN = "bg", _("Bulgarian")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other language")


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BY_SA = "cc-by-sa-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC0 = "cc0-1.0", _("Public domain (CC0 1.0)")
    OFFICIAL = "official", _("Official text, not subject to copyright")
    RESERVED = "reserved", _("All rights reserved by the authors")
    UNKNOWN = "unknown", _("Not stated")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.PUBLISHED}),
    State.PUBLISHED: frozenset({State.DRAFT}),
}


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"
    ODT = "odt", "OpenDocument (.odt)"


CONTENT_TYPES: dict[str, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
}
