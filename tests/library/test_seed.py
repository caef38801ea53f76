"""load_library: the portal's handbook and the good-practice examples, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.translation import gettext as _

from library.enums import PublicationType, State
from library.models import Chapter, GoodPractice, Publication
from library.selectors import latest_for_home

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_library", stdout=out)
    return out.getvalue()


def test_load_library_is_idempotent():
    first = _load()
    assert "[1/6] handbook: created" in first
    handbook = Publication.objects.get(type=PublicationType.HANDBOOK)
    assert handbook.state == State.PUBLISHED and not handbook.is_example
    assert handbook.chapters.count() == 10
    practices = Publication.objects.filter(type=PublicationType.GOOD_PRACTICE)
    assert practices.count() == 5 and all(p.is_example for p in practices)
    assert GoodPractice.objects.filter(sources__contains="https://").count() == 5
    counts = (Publication.objects.count(), Chapter.objects.count(), GoodPractice.objects.count())
    revision = handbook.revision
    second = _load()
    assert "0 created, 0 updated, 6 unchanged" in second
    assert (
        Publication.objects.count(),
        Chapter.objects.count(),
        GoodPractice.objects.count(),
    ) == counts
    assert Publication.objects.get(pk=handbook.pk).revision == revision


def test_the_seeded_handbook_reads_and_is_found():
    _load()
    handbook = Publication.objects.get(type=PublicationType.HANDBOOK)
    chapter = handbook.chapters.order_by("position").first()
    assert Client().get(chapter.get_absolute_url()).status_code == 200
    found = Client().get("/library/", {"q": "справочник институции"})
    assert handbook.pk in [r.pk for r in found.context["rows"]]
    practice = Publication.objects.get(seed_key="gp-gdansk-citizens-assemblies")
    assert _("example") in Client().get(practice.get_absolute_url()).content.decode()


def test_latest_for_home_gives_the_newest_published():
    _load()
    latest = latest_for_home(3)
    assert len(latest) == 3
    assert all(p.state == State.PUBLISHED for p in latest)
