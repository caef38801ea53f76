"""Open data of a campaign: its indices (CSV and JSON, also served by the API) and its answers
(CSV, one row per answer), anonymised as the campaign is set. A group under the anonymity
threshold is left out of the indices; in the answers, a municipality whose respondents of a
type are fewer than the threshold is left blank, so no small group can be picked out."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache

from assessments.enums import QuestionType, RespondentType
from assessments.models import Campaign, Dimension, Option, Question, Response
from assessments.results import results_of
from assessments.scoring import OVERALL
from territory.models import Municipality


def _dimension_slugs() -> list[str]:
    return list(Dimension.objects.order_by("position", "slug").values_list("slug", flat=True))


def index_rows(campaign: Campaign) -> Iterator[list[Any]]:
    """Header, then one row per visible group: the whole campaign, each respondent type, each
    municipality (all types, then each type)."""
    results = results_of(campaign)
    slugs = _dimension_slugs()
    names = dict(Municipality.objects.values_list("code", "name_bg"))
    yield ["respondent_type", "municipality_code", "municipality", "answers", *slugs, OVERALL]

    def order(key: tuple[str | None, str | None]) -> tuple[int, str, str]:
        kind, code = key
        return (0 if code is None else 1, names.get(code or "", ""), kind or "")

    for key in sorted(results.groups, key=order):
        group = results.groups[key]
        if group.hidden:
            continue
        kind, code = key
        yield [
            kind or "all",
            code or "",
            names.get(code, "") if code else "",
            group.n,
            *[group.values.get(s, "") for s in [*slugs, OVERALL]],
        ]


def index_document(campaign: Campaign) -> dict[str, Any]:
    """The campaign's indices as one JSON document (the API's and the export's), kept until
    the results change."""
    key = f"assessments:document:{campaign.pk}:{campaign.results_version}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        found = _index_document(campaign)
        cache.set(key, found, 24 * 3600)
    return found


def _index_document(campaign: Campaign) -> dict[str, Any]:
    results = results_of(campaign)
    names = dict(Municipality.objects.values_list("code", "name_bg"))

    def group_json(key: tuple[str | None, str | None]) -> dict[str, Any]:
        kind, code = key
        group = results.groups[key]
        return {
            "respondent_type": kind or "all",
            "municipality": {"code": code, "name": names.get(code, "")} if code else None,
            "answers": group.n,
            "indices": dict(group.values),
            "spread": {"sd": group.sd, "q1": group.q1, "median": group.median, "q3": group.q3},
        }

    return {
        "id": campaign.pk,
        "title": campaign.title,
        "period": {"from": campaign.opens_on.isoformat(), "to": campaign.closes_on.isoformat()},
        "state": campaign.state,
        "anonymity": campaign.anonymity,
        "minimum_group_size": results.minimum,
        "previous_round": campaign.previous_id,
        "dimensions": [
            {"slug": d.slug, "name": d.name_bg, "name_en": d.name_en, "weight": float(d.weight)}
            for d in Dimension.objects.order_by("position", "slug")
        ],
        "groups": [
            group_json(key)
            for key in sorted(results.groups, key=lambda k: (k[1] or "", k[0] or ""))
            if not results.groups[key].hidden
        ],
    }


def _shuffled_key(pk: int) -> str:
    # Rows in an order that says nothing of when each respondent answered.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{pk}".encode()).hexdigest()


def answer_text(question: Question, value: Any, labels: dict[int, str]) -> str:
    if value is None:
        return ""
    if question.type in (QuestionType.SINGLE, QuestionType.YES_NO):
        return labels.get(value, "")
    if question.type == QuestionType.MULTIPLE:
        return "; ".join(labels.get(v, "") for v in value)
    if question.type == QuestionType.MATRIX:
        return "; ".join(f"{labels.get(int(row), row)}: {point}" for row, point in value.items())
    return safe_cell(str(value))


def safe_cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is kept as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def answer_rows(campaign: Campaign, with_names: bool) -> Iterator[list[Any]]:
    """Header, then one row per answer: respondent (a number), who, where, the question and
    the answer. `with_names`: the institution or organisation that answered (for those allowed
    to see respondents)."""
    minimum = campaign.group_minimum
    questions = {
        q.pk: q
        for q in Question.objects.filter(questionnaire__campaigns=campaign).select_related(
            "questionnaire"
        )
    }
    labels = dict(
        Option.objects.filter(question__questionnaire__campaigns=campaign).values_list(
            "pk", "label"
        )
    )
    responses = list(
        Response.objects.submitted()
        .filter(campaign=campaign)
        .select_related("institution", "organisation")
        .only(
            "pk", "respondent_type", "municipality_id", "answers", "submitted_on",
            "institution__name_bg", "institution__name_en", "organisation__name",
            "organisation__name_en",
            "organisation__legal_form",
        )
    )  # fmt: skip
    sizes = Counter((r.respondent_type, r.municipality_id) for r in responses)
    names = dict(Municipality.objects.values_list("code", "name_bg"))
    header = ["respondent", "respondent_type", "municipality_code", "municipality"]
    if with_names:
        header += ["respondent_name", "submitted_on"]
    yield [*header, "questionnaire", "question_code", "question", "answer"]
    responses.sort(key=lambda r: (r.respondent_type, r.municipality_id or "", _shuffled_key(r.pk)))
    for number, response in enumerate(responses, start=1):
        code = response.municipality_id or ""
        if code and sizes[(response.respondent_type, code)] < minimum:
            code = ""
        who = [number, RespondentType(response.respondent_type).label, code, names.get(code, "")]
        if with_names:
            name = (
                response.institution.name
                if response.institution is not None
                else response.organisation.display_name
                if response.organisation is not None
                else ""
            )
            who += [name, response.submitted_on.isoformat() if response.submitted_on else ""]
        for key, value in response.answers.items():
            question = questions.get(int(key)) if key.isdigit() else None
            if question is None:
                continue
            yield [
                *who,
                question.questionnaire.title,
                question.code,
                question.text,
                answer_text(question, value, labels),
            ]
