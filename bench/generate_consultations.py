"""The benchmark's consultations: `Scale.consultations` (default 10,000) over the institutions
`generate_directory` made, and two showcases with fixed ids for bench/targets.py — an open
ordinance of Plovdiv with `Scale.consultation_comments` (default 10,000) comments spread over
its articles (BIG_ID), and the same with 10 comments (SMALL_ID), to compare the first page of
both — and a closed one whose report is published with `Scale.report_proposals` (default 5,000)
proposals answered in groups (REPORT_ID), whose report generation this module times.

Everything is fictional and marked: `is_demo`, the contact e-mail at bench.invalid (how the
previous run's rows are found and removed with plain DELETEs, so the generator is idempotent).
Rows go in with bulk_create; the stored counts are set from what was made; the search index
of consultations is rebuilt once at the end.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import EMAIL_DOMAIN, Context, generator

BIG_ID = 900_001
SMALL_ID = 900_002
# A consultation whose report is published, with `Scale.report_proposals` (default 5,000)
# proposals answered in groups: `python bench/generate_consultations.py` times its report.
REPORT_ID = 900_003
PROPOSALS_PER_GROUP = 6  # on average: campaigns make some groups large
SMALL_COMMENTS = 10
BATCH = 2000
CONTACT = f"konsultacii@{EMAIL_DOMAIN}"

SUBJECTS = [
    "обществения ред", "местните данъци", "местните такси и цени на услуги", "паркирането",
    "управлението на отпадъците", "зелената система", "търговската дейност",
    "рекламната дейност", "общинската собственост", "социалните услуги", "пазарите на открито",
    "домашните любимци", "гробищните паркове", "читалищата", "детските градини",
    "спортните обекти", "културните мероприятия", "пътищата и улиците",
]  # fmt: skip
# Rough shares of states of a portal that has run for years.
STATES = (
    ["adopted"] * 40 + ["report_published"] * 25 + ["open"] * 12 + ["closed"] * 10
    + ["withdrawn"] * 5 + ["scheduled"] * 4 + ["draft"] * 4
)  # fmt: skip
KINDS = ["ordinance"] * 6 + ["rules"] * 2 + ["strategy", "budget", "analysis", "model", "other"]
COMMENTS = [
    "Предлагам срокът да се удължи.",
    "Текстът е неясен и трябва да се прецизира.",
    "Подкрепям предложената разпоредба.",
    "Предлагам разпоредбата да отпадне.",
    "Необходимо е да се предвиди изключение за хората с увреждания.",
    "Таксата е твърде висока за малките населени места.",
]


@generator("consultations_cleanup", version=1, order=15)
def consultations_cleanup(ctx: Context) -> str:
    """The previous run's consultations go before the "users" generator (order 20) removes
    the people: comments protect their authors."""
    from consultations.models import Consultation

    removed = Consultation.objects.filter(contact_email=CONTACT).count()
    _delete_previous()
    return f"{removed:,} consultations of the previous run removed"


def _delete_previous() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from consultations.models import (
        Article,
        Comment,
        Consultation,
        DraftVersion,
        Hearing,
        Notice,
        ProposalGroup,
        StateChange,
        Support,
    )
    from core.models import SearchEntry

    ours = Consultation.objects.filter(contact_email=CONTACT)
    ids = ours.values("pk")
    # Plain DELETEs, what refers to a row first: the ORM's cascade would load every comment.
    for qs in (
        Support.objects.filter(comment__consultation__in=ids),
        Comment.objects.filter(consultation__in=ids),
        ProposalGroup.objects.filter(consultation__in=ids),
        Article.objects.filter(version__consultation__in=ids),
        DraftVersion.objects.filter(consultation__in=ids),
        StateChange.objects.filter(consultation__in=ids),
        Hearing.objects.filter(consultation__in=ids),
        Notice.objects.filter(consultation__in=ids),
        Consultation.topics.through.objects.filter(consultation__in=ids),
        SearchEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Consultation),
            object_id__in=ours.annotate(sid=Cast("pk", CharField())).values("sid"),
        ),
        ours,
    ):
        qs._raw_delete(qs.db)


def _showcase(ctx: Context, pk: int, comments: int, institution, people) -> int:  # type: ignore[no-untyped-def]
    """An open ordinance of Plovdiv with its text as version 1 and `comments` comments."""
    from django.db.models import Count
    from django.utils import timezone

    from consultations import drafts
    from consultations.demo import PARKING
    from consultations.models import Article, Comment, Consultation
    from consultations.versions import save_version

    rng = ctx.rng
    now = timezone.now()
    c = Consultation.objects.create(
        pk=pk,
        institution=institution,
        kind="ordinance",
        title=f"Проект на Наредба за паркирането (бенчмарк, {comments:,} коментара)",
        summary="Пример за измерване на скоростта: **много** коментари.",
        state="open",
        opens_at=now - datetime.timedelta(days=10),
        closes_on=(now + datetime.timedelta(days=20)).date(),
        contact_email=CONTACT,
        province_id=institution.province_id,
        municipality_id=institution.municipality_id,
        is_demo=True,
    )
    save_version(c, drafts.parse_text(PARKING), source_text=PARKING)
    units = list(
        Article.objects.filter(version__consultation=c, commentable=True).values_list(
            "pk", flat=True
        )
    )
    opened = c.opens_at or now
    rows = []
    for i in range(comments):
        author, name = people[i % len(people)]
        rows.append(
            Comment(
                consultation=c,
                # The first SMALL_COMMENTS on the whole draft (the small showcase's page then
                # shows all of its comments), then a tenth there and the rest on the articles.
                article_id=None if i < SMALL_COMMENTS or rng.random() < 0.1 else rng.choice(units),
                author_id=author,
                display_name=name,
                text=rng.choice(COMMENTS),
                created_at=opened + datetime.timedelta(seconds=rng.randrange(1, 864_000)),
            )
        )
    Comment.objects.bulk_create(rows, batch_size=BATCH)
    per_unit = dict(
        Comment.objects.filter(consultation=c, article__isnull=False)
        .values("article")
        .annotate(n=Count("pk"))
        .values_list("article", "n")
    )
    articles = list(Article.objects.filter(version__consultation=c))
    for a in articles:
        a.comments_count = per_unit.get(a.pk, 0)
    Article.objects.bulk_update(articles, ["comments_count"])
    Consultation.objects.filter(pk=c.pk).update(
        comments_count=comments,
        proposals_count=comments,
        participants_count=len({r.author_id for r in rows}),
    )
    return comments


def _report_showcase(ctx: Context, proposals: int, institution, people) -> None:  # type: ignore[no-untyped-def]
    """A consultation after its report was published: every proposal in an answered group."""
    from django.utils import timezone

    from consultations.models import Article, Comment, Consultation, ProposalGroup

    rng = ctx.rng
    _showcase(ctx, REPORT_ID, 0, institution, people)
    now = timezone.now()
    Consultation.objects.filter(pk=REPORT_ID).update(
        title=f"Проект на Наредба за паркирането (бенчмарк, справка за {proposals:,} предложения)",
        state="report_published",
        opens_at=now - datetime.timedelta(days=60),
        closes_on=(now - datetime.timedelta(days=30)).date(),
        report_published_at=now - datetime.timedelta(days=20),
    )
    units = list(
        Article.objects.filter(version__consultation_id=REPORT_ID, commentable=True).values_list(
            "pk", flat=True
        )
    )
    decisions = ["accepted", "partly", "not_accepted", "noted"]
    groups = [
        ProposalGroup(
            consultation_id=REPORT_ID,
            article_id=rng.choice(units),
            order=n,
            summary=rng.choice(COMMENTS),
            decision=(decision := rng.choice(decisions)),
            reasons=""
            if decision == "accepted"
            else "Предложението противоречи на закона "
            "или не е в обхвата на наредбата; мотивите са изложени подробно в този текст.",
            answered_at=now - datetime.timedelta(days=25),
        )
        for n in range(1, max(proposals // PROPOSALS_PER_GROUP, 1) + 1)
    ]
    ProposalGroup.objects.bulk_create(groups, batch_size=BATCH)
    rows = []
    for i in range(proposals):
        group = rng.choice(groups)
        author, name = people[i % len(people)]
        rows.append(
            Comment(
                consultation_id=REPORT_ID,
                article_id=group.article_id,
                author_id=author,
                display_name=name,
                text=f"{group.summary} Аргументи на участника № {i + 1}.",
                group=group,
                created_at=now - datetime.timedelta(days=59, seconds=-i),
            )
        )
    Comment.objects.bulk_create(rows, batch_size=BATCH)
    Consultation.objects.filter(pk=REPORT_ID).update(
        comments_count=proposals,
        proposals_count=proposals,
        participants_count=len({r.author_id for r in rows}),
    )


def time_report() -> dict[str, dict[str, float | int]]:
    """Make the report of REPORT_ID once as PDF and as .docx, storing nothing: seconds (wall
    and CPU), pages, size and queries of each (goal: under 30 s in the background)."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultations import report
    from consultations.models import Consultation

    consultation = Consultation.objects.select_related("institution").get(pk=REPORT_ID)
    out: dict[str, dict[str, float | int]] = {}
    for name, make in (("pdf", report.make_pdf), ("docx", report.make_docx)):
        start, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            data, pages = make(consultation)
        out[name] = {
            "proposals": consultation.proposals_count,
            "seconds": round(time.perf_counter() - start, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "pages": pages,
            "bytes": len(data),
            "queries": len(queries),
        }
    return out


@generator("consultations", version=2, order=40)
def consultations(ctx: Context) -> str:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from consultations.models import Consultation
    from core import search
    from directory.models import Institution

    rng = ctx.rng
    _delete_previous()
    institutions = list(
        Institution.objects.exclude(generated_key="")
        .filter(municipality__isnull=False)
        .values_list("pk", "province_id", "municipality_id", "name_bg")
    )
    if not institutions:
        return "no institutions (run generate_directory first): nothing made"
    user_model = get_user_model()
    people = [
        (pk, f"{first} {last}")
        for pk, first, last in user_model.objects.filter(
            email__endswith="@" + EMAIL_DOMAIN
        ).values_list("pk", "first_name", "last_name")
    ]
    if not people:
        return "no users (the users generator runs first): nothing made"
    plovdiv = Institution.objects.filter(
        generated_key="ma:PDV22"
    ).first() or Institution.objects.get(pk=institutions[0][0])
    big = _showcase(ctx, BIG_ID, ctx.scale.consultation_comments, plovdiv, people)
    _showcase(ctx, SMALL_ID, SMALL_COMMENTS, plovdiv, people)
    _report_showcase(ctx, ctx.scale.report_proposals, plovdiv, people)

    now = timezone.now()
    made = []
    for i in range(ctx.scale.consultations):
        pk, province, municipality, name = rng.choice(institutions)
        state = rng.choice(STATES)
        if state in ("open",):
            opens = now - datetime.timedelta(days=rng.randint(1, 25))
        elif state in ("scheduled", "draft"):
            opens = now + datetime.timedelta(days=rng.randint(7, 40))
        else:
            opens = now - datetime.timedelta(days=rng.randint(40, 5 * 365))
        n = rng.choice([0, 0, 1, 3, 8, 20, 60])
        made.append(
            Consultation(
                institution_id=pk,
                kind=rng.choice(KINDS),
                title=f"Проект на Наредба за {rng.choice(SUBJECTS)} – {name} ({i + 1})",
                summary="Примерно обществено обсъждане за измерване на скоростта.",
                state=state,
                opens_at=opens,
                closes_on=(opens + datetime.timedelta(days=30)).date(),
                contact_email=CONTACT,
                province_id=province,
                municipality_id=municipality,
                is_demo=True,
                comments_count=n,
                proposals_count=n,
                participants_count=n,
                report_published_at=opens + datetime.timedelta(days=45)
                if state in ("report_published", "adopted")
                else None,
            )
        )
    Consultation.objects.bulk_create(made, batch_size=BATCH)
    if search.get_kind("consultations.consultation") is not None:
        search.reindex("consultations.consultation")
    return (
        f"{len(made) + 3:,} consultations, {big + SMALL_COMMENTS:,} comments, a report of "
        f"{ctx.scale.report_proposals:,} proposals"
    )


def main() -> None:
    """`python bench/generate_consultations.py`: time the report of REPORT_ID in DATABASE_URL's
    database (after bench/generate.py). Prints `REPORT_JSON {...}`."""
    import json
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print("REPORT_JSON " + json.dumps(time_report()))


if __name__ == "__main__":
    main()
