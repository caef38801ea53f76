"""From answers to indices: the formula of the methodology page, as pure functions.

Answers are JSON keyed by the question's id (as a string):

| question type | answer |
| --- | --- |
| single choice, yes / no | the chosen option's id |
| multiple choice | a list of option ids |
| scale 1–5 | 1 … 5 |
| matrix of scales | {row option id (string): 1 … 5} |
| number | a whole number |
| short and long text | the text |

The formula (0–100 everywhere):

- a choice scores its option's score; several choices score the sum of theirs, at most 100;
  an option without a score ("I do not know") leaves the question unscored;
- a scale point p scores (p − 1) × 25; a matrix scores the mean of its rows' points so scored;
- a dimension's index for one respondent is the weighted mean of the scores of the questions of
  that dimension they were shown and answered: Σ wᵢ·sᵢ / Σ wᵢ. Missing answers and questions
  hidden by their condition count in neither sum, so they neither lower nor raise the index;
- the overall index is the mean of the dimensions' indices weighted by the dimensions' weights,
  over the dimensions the respondent has an index for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments.enums import QuestionType

OVERALL = "overall"


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    code: str
    type: str
    required: bool = True
    dimension: str | None = None
    weight: float = 1.0
    # option id → its score (None: not scored); for a matrix, its rows.
    options: Mapping[int, int | None] = field(default_factory=dict)
    # (question id, option id): shown only when that option was chosen.
    show_if: tuple[int, int] | None = None
    min_value: int | None = None
    max_value: int | None = None

    @property
    def key(self) -> str:
        return str(self.id)


@dataclass(frozen=True)
class Structure:
    """What scoring needs to know of a questionnaire, in its order."""

    questions: tuple[QuestionSpec, ...]
    dimension_weights: Mapping[str, float] = field(default_factory=dict)

    def by_id(self) -> dict[int, QuestionSpec]:
        return {q.id: q for q in self.questions}


def chosen(spec: QuestionSpec, value: Any) -> set[int]:
    """The option ids an answer chose (none for the other types)."""
    if spec.type in (QuestionType.SINGLE, QuestionType.YES_NO) and isinstance(value, int):
        return {value}
    if spec.type == QuestionType.MULTIPLE and isinstance(value, list):
        return {v for v in value if isinstance(v, int)}
    return set()


def shown_questions(structure: Structure, answers: Mapping[str, Any]) -> set[int]:
    """The questions a respondent with these answers is shown: those without a condition, and
    those whose condition's question is shown and was answered with the option."""
    specs = structure.by_id()
    shown: set[int] = set()
    for spec in structure.questions:
        if spec.show_if is None:
            shown.add(spec.id)
            continue
        parent_id, option_id = spec.show_if
        parent = specs.get(parent_id)
        if parent is None or parent_id not in shown:
            continue
        if option_id in chosen(parent, answers.get(parent.key)):
            shown.add(spec.id)
    return shown


def _point_score(point: Any) -> float | None:
    if isinstance(point, int) and not isinstance(point, bool) and 1 <= point <= 5:
        return (point - 1) * 25.0
    return None


def question_score(spec: QuestionSpec, value: Any) -> float | None:
    """The 0–100 score of one answer, or None when it is unscored or missing."""
    if value is None or spec.dimension is None:
        return None
    if spec.type in (QuestionType.SINGLE, QuestionType.YES_NO):
        score = spec.options.get(value) if isinstance(value, int) else None
        return None if score is None else float(score)
    if spec.type == QuestionType.MULTIPLE:
        scores = [spec.options.get(o) for o in chosen(spec, value)]
        known = [s for s in scores if s is not None]
        return float(min(100, sum(known))) if known else None
    if spec.type == QuestionType.SCALE:
        return _point_score(value)
    if spec.type == QuestionType.MATRIX and isinstance(value, dict):
        points: list[float | None] = [
            _point_score(point)
            for row, point in value.items()
            if row.isdigit() and int(row) in spec.options
        ]
        rated = [p for p in points if p is not None]
        return sum(rated) / len(rated) if rated else None
    return None


def score(structure: Structure, answers: Mapping[str, Any]) -> dict[str, float]:
    """{dimension slug: index, "overall": index} of one respondent; dimensions without any
    scored answer are absent (and so is "overall" when none has one)."""
    shown = shown_questions(structure, answers)
    sums: dict[str, list[float]] = {}
    for spec in structure.questions:
        if spec.id not in shown or spec.dimension is None:
            continue
        value = question_score(spec, answers.get(spec.key))
        if value is None:
            continue
        acc = sums.setdefault(spec.dimension, [0.0, 0.0])
        acc[0] += spec.weight * value
        acc[1] += spec.weight
    result = {slug: total / weights for slug, (total, weights) in sums.items() if weights}
    overall = weighted_mean(
        (value, structure.dimension_weights.get(slug, 1.0)) for slug, value in result.items()
    )
    if overall is not None:
        result[OVERALL] = overall
    return {key: round(value, 2) for key, value in result.items()}


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    total = weights = 0.0
    for value, weight in pairs:
        total += value * weight
        weights += weight
    return total / weights if weights else None
