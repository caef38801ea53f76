"""The library's seed content from data/library/: the portal's own handbook (one chapter a
Markdown file) and the good-practice examples. Idempotent: each publication is found again by
its `seed_key` and written only where its data changed; new ones are published at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import Topic
from library.enums import AUDIENCE_FIELDS, PublicationType, State
from library.models import Chapter, GoodPractice, Publication, PublicationChange
from library.search import index_publication

DATA = Path(settings.BASE_DIR) / "data" / "library"
# The topics the seed tags with, made when missing (names kept if they exist).
TOPICS = {
    "civic-participation": ("Гражданско участие", "Civic participation"),
    "local-self-government": ("Местно самоуправление", "Local self-government"),
    "transparency": ("Прозрачност и отчетност", "Transparency and accountability"),
}


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _topics(slugs: list[str]) -> list[Topic]:
    found = []
    for slug in slugs:
        bg, en = TOPICS.get(slug, (slug, slug))
        topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name_bg": bg, "name_en": en})
        found.append(topic)
    return found


def _chapters(meta: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(anchor, title, body) of every chapter file: the first "# " line is the title."""
    out = []
    for name in meta["chapters"]:
        text = (DATA / "handbook" / name).read_text(encoding="utf-8")
        first, _, body = text.partition("\n")
        anchor = Path(name).stem.split("-", 1)[1]
        out.append((anchor, first.removeprefix("# ").strip(), body.strip()))
    return out


def _write(key: str, fields: dict[str, Any], topics: list[str]) -> tuple[Publication, str]:
    """The publication of `key` with these fields: (row, "created" | "updated" | "unchanged")."""
    audience = set(fields.pop("audience", []))
    for value, name in AUDIENCE_FIELDS.items():
        fields[name] = value in audience
    publication = Publication.objects.filter(seed_key=key).order_by("edition").first()
    if publication is None:
        publication = Publication.objects.create(
            seed_key=key, state=State.PUBLISHED, published_at=timezone.now(), **fields
        )
        PublicationChange.objects.create(
            publication=publication, from_state=State.DRAFT, to_state=State.PUBLISHED,
            note="load_library",
        )  # fmt: skip
        status = "created"
    else:
        changed = [n for n, v in fields.items() if getattr(publication, n) != v]
        for name in changed:
            setattr(publication, name, fields[name])
        if changed:
            publication.revision += 1
            publication.save()
        status = "updated" if changed else "unchanged"
    wanted = _topics(topics)
    if {t.pk for t in publication.topics.all()} != {t.pk for t in wanted}:
        publication.topics.set(wanted)
        status = "updated" if status == "unchanged" else status
    return publication, status


def _handbook() -> tuple[Publication, str]:
    meta = json.loads((DATA / "handbook.json").read_text(encoding="utf-8"))
    fields = {
        k: meta[k] for k in ("type", "title", "summary", "authors", "year", "language", "licence")
    }
    fields["audience"] = meta["audience"]
    publication, status = _write(meta["key"], fields, meta["topics"])
    chapters = _chapters(meta)
    current = [(c.anchor, c.title, c.body) for c in publication.chapters.order_by("position")]
    if current != chapters:
        publication.chapters.all().delete()
        Chapter.objects.bulk_create(
            Chapter(publication=publication, position=n, anchor=a, title=t, body=b)
            for n, (a, t, b) in enumerate(chapters, start=1)
        )
        Publication.objects.filter(pk=publication.pk).update(revision=publication.revision + 1)
        status = "updated" if status == "unchanged" else status
    return publication, status


def _practice(record: dict[str, Any]) -> tuple[Publication, str]:
    fields = {
        "type": PublicationType.GOOD_PRACTICE,
        "title": record["title"],
        "summary": record["summary"],
        "year": record["year"],
        "language": "bg",
        "licence": "cc-by-4.0",
        "authors": "Екипът на портала „Електронен регион“",
        "is_example": True,
        "audience": record["audience"],
    }
    publication, status = _write(record["key"], fields, record["topics"])
    case_fields = {
        k: record[k]
        for k in ("country", "place", "year", "what_was_done", "results", "contacts", "sources")
    }
    case = GoodPractice.objects.filter(publication=publication).first()
    if case is None:
        GoodPractice.objects.create(publication=publication, **case_fields)
        status = "updated" if status == "unchanged" else status
    elif any(getattr(case, k) != v for k, v in case_fields.items()):
        GoodPractice.objects.filter(pk=case.pk).update(**case_fields)
        status = "updated" if status == "unchanged" else status
    return publication, status


def load(progress: Callable[[str], None] = lambda _m: None) -> Summary:
    summary = Summary()
    practices = json.loads((DATA / "good_practices.json").read_text(encoding="utf-8"))
    jobs: list[tuple[str, Callable[[], tuple[Publication, str]]]] = [
        ("handbook", _handbook),
        *[(r["key"], lambda r=r: _practice(r)) for r in practices],
    ]
    for n, (key, job) in enumerate(jobs, start=1):
        with transaction.atomic():
            publication, status = job()
            if status != "unchanged":
                index_publication(publication)
        setattr(summary, status, getattr(summary, status) + 1)
        progress(f"[{n}/{len(jobs)}] {key}: {status}")
    return summary
