"""Reading questionnaires for scoring and for the answer pages."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Prefetch

from assessments.models import Dimension, Option, Question, Questionnaire
from assessments.scoring import QuestionSpec, Structure


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    """The questions in order, with their section, dimension, options and condition (3 queries)."""
    return list(
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("section", "dimension", "show_if__question")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position", "pk")))
        .order_by("section__position", "section_id", "position", "pk")
    )


def build_structure(questions: list[Question]) -> Structure:
    dimensions = {q.dimension.slug: float(q.dimension.weight) for q in questions if q.dimension}
    return Structure(
        questions=tuple(
            QuestionSpec(
                id=q.pk,
                code=q.code,
                type=q.type,
                required=q.required,
                dimension=q.dimension.slug if q.dimension else None,
                weight=float(q.weight),
                options={o.pk: o.score for o in q.options.all()},
                show_if=(q.show_if.question_id, q.show_if.pk) if q.show_if else None,
                min_value=q.min_value,
                max_value=q.max_value,
            )
            for q in questions
        ),
        dimension_weights=dimensions,
    )


def structure_of(questionnaire: Questionnaire) -> Structure:
    """The scoring structure, cached: a questionnaire in use never changes (a draft's cache key
    carries its revision)."""
    key = f"assessments:structure:{questionnaire.pk}:{questionnaire.revision}"
    found = cache.get(key)
    if found is None:
        found = build_structure(questions_of(questionnaire))
        cache.set(key, found, 3600)
    return found


def dimensions() -> list[Dimension]:
    return list(Dimension.objects.order_by("position", "slug"))
