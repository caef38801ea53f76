"""The benchmark's library: `Scale.publications` (default 20,000) published publications of
every type, with topics, audiences and years spread out, a quarter of them with an attached
file's extracted text (a few thousand words, as a real PDF gives; no file is written: the
search reads the stored text) and every twentieth a handbook with chapters, then the search
index of the kind rebuilt in bulk (core.search.reindex).

Everything goes in with bulk_create, under a fixed id range (FIRST_ID on), and is marked with
the seed key "bench:…"; the previous run's rows are removed first with plain DELETEs, so the
generator is idempotent. The texts are fictional Bulgarian sentences about participation and
local self-government; titles name real municipalities.

Until Scale has a `publications` size, the size is twice `Scale.consultations` (20,000 at the
default sizes); bench/generate.py must import this module for it to run (the lines to add are
in the library's README).
"""

from __future__ import annotations

import datetime
import random
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import Context, generator

FIRST_ID = 5_000_001
DEFAULT_PUBLICATIONS = 20_000
BATCH = 2000
SHOWCASE_ID = FIRST_ID  # a handbook with chapters and a file: the detail target
KEY = "bench:"
TOPICS = [
    ("bench-participation", "Гражданско участие"),
    ("bench-budget", "Общински бюджет"),
    ("bench-environment", "Околна среда"),
    ("bench-education", "Образование"),
    ("bench-social", "Социални услуги"),
    ("bench-transport", "Градски транспорт"),
    ("bench-culture", "Култура и читалища"),
    ("bench-youth", "Младежки политики"),
]
TYPES = ["handbook", "analysis", "good_practice", "guide", "template", "law", "other"]
TYPE_WORDS = {
    "handbook": "Наръчник",
    "analysis": "Анализ",
    "good_practice": "Добра практика",
    "guide": "Ръководство",
    "template": "Образец",
    "law": "Наредба",
    "other": "Материал",
}
SUBJECTS = [
    "обществените консултации", "гражданския бюджет", "достъпа до обществена информация",
    "общинските съвети", "партньорството с НПО", "младежките съвети", "читалищата",
    "публичните изслушвания", "мониторинга на ангажиментите", "отчетността на общината",
    "социалните услуги", "управлението на отпадъците", "градския транспорт",
]  # fmt: skip
SENTENCES = [
    "Общината публикува проекта на наредба и събира предложения в продължение на тридесет дни.",
    "Гражданите и организациите коментират отделните членове и предлагат нова редакция.",
    "Справката за отразяване на предложенията се публикува заедно с мотивите за решенията.",
    "Общинският съвет провежда публично обсъждане на бюджета преди приемането му.",
    "Неправителствените организации наблюдават изпълнението на поетите ангажименти.",
    "Звеното за контакт с гражданското общество отговаря на запитванията в срок.",
    "Обучението на служителите подобрява качеството на консултациите и отчетността.",
    "Кметствата информират жителите на малките населени места за предстоящите решения.",
    "Мрежата от организации изготвя съвместна позиция по проекта на стратегия.",
    "Данните се публикуват в отворен формат, за да могат да се проверяват и използват.",
    "Читалището организира среща на жителите с кмета и общинските съветници.",
    "Заявленията за достъп до информация получават отговор в законовия срок.",
]


def _text(rng: random.Random, sentences: int, places: list[str] | None = None) -> str:
    """Sentences of SENTENCES, with the experience of a few municipalities named: the index
    holds each entry's distinct words, so repeating the same sentences more adds nothing but
    time; the places give the entries words of their own."""
    text = " ".join(rng.choice(SENTENCES) for _n in range(sentences))
    if places:
        named = ", ".join(rng.sample(places, min(3, len(places))))
        text += f" Опитът на общините {named} е описан в приложението."
    return text


def _delete_previous() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from core.models import SearchEntry
    from library.models import (
        Chapter,
        GoodPractice,
        Publication,
        PublicationChange,
        PublicationFile,
        PublicationUse,
    )

    ours = Publication.objects.filter(seed_key__startswith=KEY)
    ct = ContentType.objects.get_for_model(Publication)
    # The index keeps ids as text: PostgreSQL compares no text with a number unless cast.
    ids = ours.order_by().annotate(text_id=Cast("pk", CharField())).values("text_id")
    entries = SearchEntry.objects.filter(content_type=ct, object_id__in=ids)
    entries._raw_delete(entries.db)
    # Plain DELETEs, what refers to a row first: the ORM's cascade would load every row.
    within = {"publication__seed_key__startswith": KEY}
    for qs in (
        Chapter.objects.filter(**within),
        GoodPractice.objects.filter(**within),
        PublicationChange.objects.filter(**within),
        PublicationFile.objects.filter(**within),
        PublicationUse.objects.filter(**within),
        Publication.topics.through.objects.filter(**within),
        Publication.organisations.through.objects.filter(**within),
        Publication.institutions.through.objects.filter(**within),
    ):
        qs._raw_delete(qs.db)
    ours.update(previous_edition=None, first_edition=None)
    ours._raw_delete(ours.db)


def make(ctx: Context, total: int) -> str:
    import importlib

    from django.utils import timezone

    from core import search
    from core.models import Topic
    from library.models import Chapter, GoodPractice, Publication, PublicationFile
    from territory.models import Municipality

    rng = ctx.rng
    _delete_previous()
    topics = [
        Topic.objects.get_or_create(slug=slug, defaults={"name_bg": name})[0]
        for slug, name in TOPICS
    ]
    places = list(Municipality.objects.values_list("name_bg", flat=True)) or ["Пловдив"]
    now = timezone.now()
    made = files = chapters = 0
    for start in range(0, total, BATCH):
        rows, through, attached, parts, cases = [], [], [], [], []
        for n in range(start, min(total, start + BATCH)):
            pk = FIRST_ID + n
            kind = "handbook" if n == 0 else rng.choice(TYPES)
            place = rng.choice(places)
            subject = rng.choice(SUBJECTS)
            audience = rng.sample(
                ["citizens", "ngos", "administrations", "councils"], rng.randint(1, 3)
            )
            rows.append(
                Publication(
                    pk=pk,
                    type=kind,
                    title=f"{TYPE_WORDS[kind]} за {subject} в община {place} № {n + 1}",
                    summary=_text(rng, 2),
                    body=_text(rng, rng.randint(3, 12), places),
                    authors="Екип на бенчмарка",
                    year=rng.randint(2005, 2026),
                    state="published",
                    published_at=now - datetime.timedelta(minutes=n),
                    seed_key=f"{KEY}{n}",
                    is_example=True,
                    **{f"for_{a}": True for a in audience},
                )
            )
            for topic in rng.sample(topics, rng.randint(1, 3)):
                through.append(Publication.topics.through(publication_id=pk, topic_id=topic.pk))
            if n == 0 or rng.random() < 0.25:
                attached.append(
                    PublicationFile(
                        publication_id=pk,
                        file=f"library/bench/{pk}.pdf",
                        kind="pdf",
                        size=rng.randint(100_000, 5_000_000),
                        pages=rng.randint(5, 120),
                        text=_text(rng, rng.randint(12, 40), places),
                        title="Пълен текст",
                    )
                )
            if kind == "handbook" and (n == 0 or rng.random() < 0.25):
                for c in range(1, rng.randint(4, 10)):
                    parts.append(
                        Chapter(
                            publication_id=pk,
                            position=c,
                            title=f"Глава {c}: {rng.choice(SUBJECTS)}",
                            anchor=f"glava-{c}",
                            body=_text(rng, rng.randint(4, 15), places),
                        )
                    )
            if kind == "good_practice":
                cases.append(
                    GoodPractice(
                        publication_id=pk,
                        country="България",
                        place=place,
                        year=rng.randint(2005, 2026),
                        what_was_done=_text(rng, 6),
                        results=_text(rng, 3),
                    )
                )
        Publication.objects.bulk_create(rows)
        Publication.topics.through.objects.bulk_create(through)
        PublicationFile.objects.bulk_create(attached)
        Chapter.objects.bulk_create(parts)
        GoodPractice.objects.bulk_create(cases)
        made += len(rows)
        files += len(attached)
        chapters += len(parts)
        ctx.log(f"  library: {made}/{total} publications")
    # Registers the kind: the views import library.search, a generator's process may not.
    importlib.import_module("library.search")
    indexed = search.reindex("library.publication")
    return (
        f"{made} publications ({files} with a file's text, {chapters} chapters), {indexed} indexed"
    )


@generator("library", version=1, order=80)
def library(ctx: Context) -> str:
    # Until Scale has its own size: twice the consultations, 20,000 at national scale and a
    # few dozen in the test suite's tiny dataset.
    fallback = min(DEFAULT_PUBLICATIONS, 2 * int(getattr(ctx.scale, "consultations", 0)))
    return make(ctx, int(getattr(ctx.scale, "publications", fallback)))
