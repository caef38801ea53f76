"""The benchmark's capacity assessment: one published campaign (CAMPAIGN_ID) over the three
seeded questionnaires (assessments.seed.load_questionnaires) with `Scale.assessment_responses`
(default 10,000) submitted responses spread over every municipality of the country (at least
one each, the rest by the square root of the population) and the three respondent types, and
the recommendations its rules make (assessments.services.generate_recommendations).

Each respondent answers as one of their municipality and type would (a latent level 0–100 per
dimension, from the municipality's size, the demo's shifts by respondent type and noise):
every scored question they are shown is answered, the unscored ones mostly, the open ones
sometimes; a conditional question only when assessments.scoring.shown_questions shows it.
The scores are computed as at submission (assessments.scoring.score over the questionnaire's
structure) and the responses go in with bulk_create — record_submission saves them one by
one. Everything is fictional and marked `is_demo`; the previous run's campaign (the fixed id)
is removed first with plain DELETEs, so the generator is idempotent. The campaign gets a
`results_version` of its own build, so a cache that outlived the previous build (the
results and the PDF are cached per version) is never read.

`python bench/generate_assessments.py --measure` times, in DATABASE_URL's database (after
bench/generate.py), the index computation (assessments.results.compute, uncached), the
re-scoring of every response from its answers, and the campaign's PDF report
(assessments.views.public.render_report_pdf, from a cold cache), and prints
`ASSESSMENTS_JSON {...}`; bench/run.py runs it after the consultation report.
"""

from __future__ import annotations

import datetime
import math
import random
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __name__ == "__main__":  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import Context, generator

if TYPE_CHECKING:
    from assessments.models import Campaign
    from assessments.scoring import QuestionSpec, Structure

CAMPAIGN_ID = 900_001
SHOWCASE_MUNICIPALITY = "PDV22"  # Plovdiv: the municipality page of bench/targets.py
MIN_GROUP_SIZE = 5
BATCH = 2000
TITLE = "Оценка на капацитета за гражданско участие (бенчмарк, национален мащаб)"
SUMMARY = (
    "Примерни данни за измерване на скоростта: отговори от всички общини на страната, "
    "генерирани случайно. Изводите не се отнасят до никоя реална община."
)
# Shares of the respondent types (several people of an administration answer, fewer
# councillors, many organisations).
TYPE_SHARES = {"administration": 40, "council": 25, "organisation": 35}
# How often an answer is given to a question that is neither required nor scored.
OPTIONAL_SHARE = {"short_text": 0.5, "long_text": 0.3}
OPTIONAL_DEFAULT = 0.8
UNKNOWN_SHARE = 0.05  # "I do not know" where a scored question offers it
# The goals of bench/README.md, written beside the figures.
GOAL_INDEX_SECONDS = 2
GOAL_PDF_SECONDS = 30


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class Respondents:
    """Latent levels (0–100) per municipality × respondent type × dimension, and the answers
    of one respondent drawn around them."""

    def __init__(
        self,
        rng: random.Random,
        shifts: Mapping[str, Mapping[str, float]],
        open_answers: Mapping[str, list[str]],
        contact_units: list[str],
    ) -> None:
        self.rng = rng
        self.shifts = shifts
        self.open_answers = open_answers
        self.contact_units = contact_units
        self._place: dict[str, float] = {}
        self._group: dict[tuple[str, str, str], float] = {}

    def levels(self, code: str, population: int | None, kind: str) -> dict[str, float]:
        """One respondent's level per dimension: the municipality's (bigger ones have more
        practice), its type's, and the respondent's own leaning."""
        rng = self.rng
        if code not in self._place:
            people = max(population or 5000, 1000)
            self._place[code] = 36 + 11 * math.log10(people / 5000) + rng.gauss(0, 6)
        own = rng.gauss(0, 9)
        out = {}
        for slug, shift in self.shifts.get(kind, {}).items():
            key = (code, kind, slug)
            if key not in self._group:
                self._group[key] = self._place[code] + shift + rng.gauss(0, 7)
            out[slug] = self._group[key] + own
        return out

    def answers(
        self, structure: Structure, kind: str, levels: Mapping[str, float]
    ) -> dict[str, Any]:
        """Answers to every question, then only those the respondent was shown."""
        from assessments.scoring import shown_questions

        default = sum(levels.values()) / len(levels) if levels else 50.0
        drawn: dict[str, Any] = {}
        for spec in structure.questions:
            optional = spec.dimension is None and not spec.required
            if optional and self.rng.random() > OPTIONAL_SHARE.get(spec.type, OPTIONAL_DEFAULT):
                continue
            level = levels.get(spec.dimension or "", default)
            value = self._answer(spec, kind, level)
            if value is not None:
                drawn[spec.key] = value
        shown = shown_questions(structure, drawn)
        return {key: value for key, value in drawn.items() if int(key) in shown}

    def _answer(self, spec: QuestionSpec, kind: str, level: float) -> Any:
        from assessments.enums import QuestionType

        rng = self.rng
        options = list(spec.options.items())  # (id, score), in the questionnaire's order
        scored = [(pk, s) for pk, s in options if s is not None]
        if spec.type in (QuestionType.SINGLE, QuestionType.YES_NO):
            if not options:
                return None
            if spec.dimension is None or not scored:
                return rng.choice(options)[0]
            unknown = [pk for pk, s in options if s is None]
            if unknown and rng.random() < UNKNOWN_SHARE:
                return unknown[0]
            target = level + rng.gauss(0, 16)
            return min(scored, key=lambda o: (abs(o[1] - target), rng.random()))[0]
        if spec.type == QuestionType.MULTIPLE:
            if not options:
                return None
            if spec.dimension is None:  # e.g. training topics: a few of them
                picked = [pk for pk, _s in options if rng.random() < 0.4]
                return picked or [rng.choice(options)[0]]
            positive = [pk for pk, s in scored if s > 0]
            none = [pk for pk, s in scored if s == 0]
            chance = _clamp((level + rng.gauss(0, 12)) / 100, 0.02, 0.95)
            picked = [pk for pk in positive if rng.random() < chance]
            if picked:
                return picked
            return [none[0]] if none else [rng.choice(options)[0]]
        if spec.type == QuestionType.SCALE:
            return self._point(level)
        if spec.type == QuestionType.MATRIX:
            return {str(pk): self._point(level + rng.gauss(0, 10)) for pk, _s in options}
        if spec.type == QuestionType.NUMBER:
            low = spec.min_value if spec.min_value is not None else 0
            high = spec.max_value if spec.max_value is not None else low + 1000
            return int(_clamp(low + round(rng.lognormvariate(2.3, 1.0)), low, high))
        if spec.type == QuestionType.SHORT_TEXT:
            return rng.choice(self.contact_units)
        if spec.type == QuestionType.LONG_TEXT:
            return rng.choice(self.open_answers.get(kind) or self.contact_units)
        return None

    def _point(self, level: float) -> int:
        return int(_clamp(round(1 + (level + self.rng.gauss(0, 14)) / 25), 1, 5))


def _delete_previous() -> int | None:
    """Remove the previous run's campaign; its results_version, if there was one."""
    from assessments.models import (
        Campaign,
        CampaignChange,
        Invitation,
        Recommendation,
        RecommendationRule,
        Response,
    )

    previous = Campaign.objects.filter(pk=CAMPAIGN_ID).values_list("results_version", flat=True)
    version = previous.first()
    ours = {"campaign_id": CAMPAIGN_ID}
    # Plain DELETEs, what refers to a row first: the ORM's cascade would load every response.
    for qs in (
        Response.objects.filter(**ours),
        Invitation.objects.filter(**ours),
        Recommendation.objects.filter(**ours),
        RecommendationRule.objects.filter(**ours),
        CampaignChange.objects.filter(**ours),
        Campaign.questionnaires.through.objects.filter(**ours),
    ):
        qs._raw_delete(qs.db)
    Campaign.objects.filter(previous_id=CAMPAIGN_ID).update(previous=None)
    Campaign.objects.filter(pk=CAMPAIGN_ID).delete()
    return version


def _spread(
    rng: random.Random, places: list[tuple[str, int | None]], total: int
) -> list[tuple[str, str]]:
    """(municipality code, respondent type) of each respondent: every municipality at least
    once (Plovdiv first, so even a tiny dataset has its page's answers), the rest by the
    square root of the population; the types by TYPE_SHARES."""
    places = sorted(places, key=lambda p: (p[0] != SHOWCASE_MUNICIPALITY, p[0]))
    kinds, shares = list(TYPE_SHARES), list(TYPE_SHARES.values())
    first = [p[0] for p in places[:total]]
    weights = [math.sqrt(max(people or 5000, 1000)) for _code, people in places]
    rest = rng.choices([p[0] for p in places], weights=weights, k=max(total - len(first), 0))
    return [(code, rng.choices(kinds, weights=shares)[0]) for code in first + rest]


@generator("assessments", version=1, order=70)
def assessments(ctx: Context) -> str:
    from django.utils import timezone

    from assessments.demo import CONTACT_UNITS, OPEN_ANSWERS, TYPE_SHIFT, add_rules
    from assessments.enums import Anonymity, CampaignState, ResponseState
    from assessments.models import Campaign, CampaignChange, Questionnaire, Response
    from assessments.scoring import score
    from assessments.seed import load_questionnaires, read
    from assessments.selectors import structure_of
    from core.legal_calendar import SOFIA
    from territory.models import Municipality

    rng = ctx.rng
    previous_version = _delete_previous()
    load_questionnaires()
    families = [q["family"] for q in read(_seed_path())["questionnaires"]]
    questionnaires = {
        q.respondent_type: q for q in Questionnaire.objects.filter(family__in=families, version=1)
    }
    places = list(Municipality.objects.values_list("code", "population_2017"))
    if not places:
        return "no municipalities (run load_territory first): nothing made"
    population = dict(places)

    now = timezone.now()
    today = now.astimezone(SOFIA).date()
    opens, closes = today - datetime.timedelta(days=150), today - datetime.timedelta(days=90)
    published = now - datetime.timedelta(days=60)
    campaign = Campaign.objects.create(
        pk=CAMPAIGN_ID,
        title=TITLE,
        description=SUMMARY,
        opens_on=opens,
        closes_on=closes,
        anonymity=Anonymity.PUBLIC_ANONYMOUS,
        min_group_size=MIN_GROUP_SIZE,
        state=CampaignState.PUBLISHED,
        published_at=published,
        summary=SUMMARY,
        is_demo=True,
    )
    campaign.questionnaires.set(questionnaires.values())
    CampaignChange.objects.bulk_create(
        CampaignChange(campaign=campaign, from_state=a, to_state=b, at=at)
        for a, b, at in (
            ("", CampaignState.DRAFT, now - datetime.timedelta(days=165)),
            (CampaignState.DRAFT, CampaignState.OPEN, now - datetime.timedelta(days=150)),
            (CampaignState.OPEN, CampaignState.CLOSED, now - datetime.timedelta(days=89)),
            (CampaignState.CLOSED, CampaignState.PUBLISHED, published),
        )
    )

    structures = {kind: structure_of(q) for kind, q in questionnaires.items()}
    respondents = Respondents(rng, TYPE_SHIFT, OPEN_ANSWERS, CONTACT_UNITS)
    span = (closes - opens).days
    rows = []
    for code, kind in _spread(rng, places, ctx.scale.assessment_responses):
        answers = respondents.answers(
            structures[kind], kind, respondents.levels(code, population[code], kind)
        )
        rows.append(
            Response(
                campaign=campaign,
                questionnaire=questionnaires[kind],
                respondent_type=kind,
                municipality_id=code,
                state=ResponseState.SUBMITTED,
                answers=answers,
                scores=score(structures[kind], answers),
                submitted_on=opens + datetime.timedelta(days=rng.randint(0, span)),
                is_demo=True,
            )
        )
    Response.objects.bulk_create(rows, batch_size=BATCH)

    recommendations = add_rules(campaign)
    # A version no earlier build had: the results and the PDF are cached per version, and a
    # cache (Redis, or the database's own table) can outlive the rows it was made from.
    version = max((previous_version or 0) + 1, int(time.time()))
    Campaign.objects.filter(pk=CAMPAIGN_ID).update(results_version=version)
    covered = len({r.municipality_id for r in rows})
    return (
        f"a published campaign of {len(questionnaires)} questionnaires, {len(rows):,} "
        f"responses over {covered} municipalities, {recommendations:,} recommendations"
    )


def _seed_path() -> Path:
    from assessments.seed import default_path

    return default_path()


# --- The measurement --------------------------------------------------------------------------


def _timed(func: Any) -> tuple[Any, dict[str, float | int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        value = func()
    return value, {
        "seconds": round(time.perf_counter() - start, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "queries": len(queries),
    }


def rescore(campaign: Campaign) -> int:
    """Score every submitted response again from its answers, as at submission (the structure
    of each questionnaire, then scoring.score per response); how many disagree with the
    stored scores (0 expected)."""
    from assessments.models import Questionnaire, Response
    from assessments.scoring import score
    from assessments.selectors import structure_of

    structures = {q.pk: structure_of(q) for q in Questionnaire.objects.filter(campaigns=campaign)}
    rows = (
        Response.objects.submitted()
        .filter(campaign=campaign)
        .values_list("questionnaire_id", "answers", "scores")
        .iterator(chunk_size=BATCH)
    )
    return sum(score(structures[q], answers) != stored for q, answers, stored in rows)


def measure(campaign_id: int = CAMPAIGN_ID) -> dict[str, Any]:
    """The index computation, the re-scoring and the PDF report of the campaign, each from a
    cold cache (a fresh local-memory cache: nothing of the database's cache is read or
    written); storing nothing."""
    from unittest import mock

    from django.test.utils import override_settings

    from assessments.models import Campaign
    from assessments.results import compute
    from assessments.views.public import render_report_pdf
    from core import documents

    def cold(name: str) -> dict[str, dict[str, str]]:
        # Local-memory caches of one LOCATION share their entries: one name per measurement.
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"bench-assessments-{name}",
            }
        }

    out: dict[str, Any] = {
        "goals": {"index_seconds": GOAL_INDEX_SECONDS, "pdf_seconds": GOAL_PDF_SECONDS}
    }
    with override_settings(CACHES=cold("index")):
        campaign = Campaign.objects.get(pk=campaign_id)
        results, out["index"] = _timed(lambda: compute(campaign))
        out["responses"] = results.total.n if results.total else 0
        out["index"]["groups"] = len(results.groups)
        out["index"]["groups_shown"] = sum(not g.hidden for g in results.groups.values())
        wrong, out["rescore"] = _timed(lambda: rescore(campaign))
        out["rescore"]["disagreeing"] = wrong

    layout: dict[str, float | int] = {}
    render = documents.render_pdf

    def timed_render(html: str, progress: Any = None) -> tuple[bytes, int]:
        start = time.perf_counter()
        data, pages = render(html, progress)
        layout.update(seconds=time.perf_counter() - start, pages=pages)
        return data, pages

    patched = mock.patch.object(documents, "render_pdf", timed_render)
    with override_settings(CACHES=cold("pdf")), patched:
        campaign = Campaign.objects.get(pk=campaign_id)
        data, out["pdf"] = _timed(lambda: render_report_pdf(campaign))
    out["pdf"].update(
        pages=layout.get("pages", 0),
        bytes=len(data),
        data_and_html=round(out["pdf"]["seconds"] - layout.get("seconds", 0), 2),
    )
    return out


def main(argv: list[str] | None = None) -> None:
    """`python bench/generate_assessments.py --measure`: time the campaign CAMPAIGN_ID in
    DATABASE_URL's database (after bench/generate.py). Prints `ASSESSMENTS_JSON {...}`."""
    import argparse
    import json
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measure", action="store_true", help="time the campaign's results")
    args = parser.parse_args(argv)
    if not args.measure:
        parser.error("the dataset is made by bench/generate.py; this script only --measure's")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print("ASSESSMENTS_JSON " + json.dumps(measure()))


if __name__ == "__main__":
    main()
