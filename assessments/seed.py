"""load_assessment_questionnaires: the seeded dimensions and the first version of each seeded
questionnaire, from data/assessments/questionnaires.json (provenance in data/README.md).

The whole file is validated before anything is written, and every problem is reported with
the questionnaire and the question code it is in. Then, in one transaction, the dimensions are
created or updated by slug, and each questionnaire family that has no version yet gets its
version 1, ready for use. A family that exists is never touched, whatever the file says: a
questionnaire in use never changes (a change is a new version, made in the builder).

Dimensions are also kept by an administrator in the admin. So that `make run` does not undo
those edits, a load of the same file as last time (core.DataLoad checksum) is skipped; a
changed file, or `force`, applies the file's dimensions again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments.enums import (
    CHOICE_TYPES,
    ROW_TYPES,
    SCORED_TYPES,
    QuestionnaireState,
    QuestionType,
    RespondentType,
)
from assessments.models import Dimension, Option, Question, Questionnaire, Section
from core.models import DataLoad

DATA_LOAD_NAME = "assessments.questionnaires"
LOADER_VERSION = "1"
YES_NO_LABELS = ("Да", "Не")
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# Model field limits the file must respect (a longer text would fail half-way otherwise).
MAX_DECIMAL = Decimal("99.99")  # max_digits=4, decimal_places=2
MAX_POSITION = 32767

DIMENSION_KEYS = {
    "slug", "name_bg", "name_en", "description_bg", "description_en", "weight", "position",
}  # fmt: skip
QUESTIONNAIRE_KEYS = {"family", "title", "description", "respondent_type", "sections"}
SECTION_KEYS = {"title", "description", "questions"}
QUESTION_KEYS = {
    "code", "text", "help_text", "type", "required", "dimension", "weight", "low_label",
    "high_label", "min_value", "max_value", "show_if", "training_need", "options",
}  # fmt: skip
QUESTION_REQUIRED_KEYS = {"code", "text", "type"}
OPTION_KEYS = {"label", "score"}
LABELLED_TYPES = frozenset({QuestionType.SCALE, QuestionType.MATRIX})
OPTION_TYPES = frozenset(CHOICE_TYPES | ROW_TYPES)


def default_path() -> Path:
    return Path(settings.DATA_DIR) / "assessments" / "questionnaires.json"


class SeedError(Exception):
    """The file cannot be loaded: every problem found, one per line."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s), nothing loaded:\n{listed}")


@dataclass
class SeedResult:
    skipped: bool = False
    dimensions_created: list[str] = field(default_factory=list)
    dimensions_updated: list[str] = field(default_factory=list)
    # family → number of questions of the version 1 made now
    questionnaires_created: dict[str, int] = field(default_factory=dict)
    # families that already had a version: left exactly as they were
    questionnaires_kept: list[str] = field(default_factory=list)


# --- Validation --------------------------------------------------------------------------------


class _Checker:
    """Collects every problem of the file instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def keys(self, where: str, obj: Any, allowed: set[str], required: set[str]) -> bool:
        if not isinstance(obj, dict):
            self.fail(where, "must be an object")
            return False
        for key in sorted(set(obj) - allowed):
            self.fail(where, f"unknown key {key!r}")
        for key in sorted(required - set(obj)):
            self.fail(where, f"missing {key!r}")
        return True

    def text(
        self, where: str, obj: dict[str, Any], key: str, limit: int, required: bool = False
    ) -> str:
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(where, f"{key!r} must be text")
            return ""
        if required and not value.strip():
            self.fail(where, f"{key!r} is empty")
        if len(value) > limit:
            self.fail(where, f"{key!r} is longer than {limit} characters ({len(value)})")
        return value

    def weight(self, where: str, obj: dict[str, Any]) -> None:
        value = obj.get("weight", 1)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, "'weight' must be a number")
        elif not Decimal("0.01") <= Decimal(str(value)) <= MAX_DECIMAL:
            self.fail(where, f"'weight' must be between 0.01 and {MAX_DECIMAL}")

    def integer(self, where: str, obj: dict[str, Any], key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"{key!r} must be a whole number or null")
            return None
        return value

    def flag(self, where: str, obj: dict[str, Any], key: str, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.fail(where, f"{key!r} must be true or false")
            return default
        return value


def validate(data: Any) -> list[str]:
    """Every problem of the file's content (an empty list: it can be loaded)."""
    check = _Checker()
    if not check.keys("file", data, {"dimensions", "questionnaires"}, {"dimensions"}):
        return check.problems
    slugs = _validate_dimensions(check, data.get("dimensions"))
    questionnaires = data.get("questionnaires", [])
    if not isinstance(questionnaires, list):
        check.fail("file", "'questionnaires' must be a list")
        return check.problems
    families: set[str] = set()
    for n, questionnaire in enumerate(questionnaires, start=1):
        _validate_questionnaire(check, n, questionnaire, slugs, families)
    return check.problems


def _validate_dimensions(check: _Checker, dimensions: Any) -> set[str]:
    slugs: set[str] = set()
    if not isinstance(dimensions, list):
        check.fail("file", "'dimensions' must be a list")
        return slugs
    for n, dim in enumerate(dimensions, start=1):
        slug = dim.get("slug") if isinstance(dim, dict) else None
        where = f"dimension {slug!r}" if isinstance(slug, str) else f"dimension {n}"
        if not check.keys(where, dim, DIMENSION_KEYS, {"slug", "name_bg"}):
            continue
        if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 50:
            check.fail(where, "'slug' must be letters, digits, '-' or '_' (at most 50)")
        elif slug in slugs:
            check.fail(where, "the slug is used twice")
        else:
            slugs.add(slug)
        check.text(where, dim, "name_bg", 160, required=True)
        check.text(where, dim, "name_en", 160)
        check.text(where, dim, "description_bg", 5000)
        check.text(where, dim, "description_en", 5000)
        check.weight(where, dim)
        position = check.integer(where, dim, "position")
        if position is not None and not 0 <= position <= MAX_POSITION:
            check.fail(where, "'position' is out of range")
    return slugs


def _validate_questionnaire(
    check: _Checker, n: int, questionnaire: Any, slugs: set[str], families: set[str]
) -> None:
    family = questionnaire.get("family") if isinstance(questionnaire, dict) else None
    where = f"questionnaire {family!r}" if isinstance(family, str) else f"questionnaire {n}"
    required = QUESTIONNAIRE_KEYS - {"description"}
    if not check.keys(where, questionnaire, QUESTIONNAIRE_KEYS, required):
        return
    if not isinstance(family, str) or not SLUG.match(family) or len(family) > 60:
        check.fail(where, "'family' must be letters, digits, '-' or '_' (at most 60)")
    elif family in families:
        check.fail(where, "the family is used twice")
    else:
        families.add(family)
    check.text(where, questionnaire, "title", 300, required=True)
    check.text(where, questionnaire, "description", 10_000)
    if questionnaire.get("respondent_type") not in RespondentType.values:
        check.fail(
            where,
            f"unknown respondent_type {questionnaire.get('respondent_type')!r} "
            f"(one of {', '.join(RespondentType.values)})",
        )
    sections = questionnaire.get("sections")
    if not isinstance(sections, list) or not sections:
        check.fail(where, "'sections' must be a non-empty list")
        return
    # code → (type, number of options) of the questions before the one being checked
    earlier: dict[str, tuple[str, int]] = {}
    codes: set[str] = set()
    for s, section in enumerate(sections, start=1):
        at = f"{where}, section {s}"
        if not check.keys(at, section, SECTION_KEYS, {"title", "questions"}):
            continue
        check.text(at, section, "title", 300, required=True)
        check.text(at, section, "description", 2000)
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            check.fail(at, "'questions' must be a non-empty list")
            continue
        for i, question in enumerate(questions, start=1):
            _validate_question(check, where, at, i, question, slugs, earlier, codes)


def _validate_question(
    check: _Checker,
    questionnaire_where: str,
    section_where: str,
    i: int,
    question: Any,
    slugs: set[str],
    earlier: dict[str, tuple[str, int]],
    codes: set[str],
) -> None:
    code = question.get("code") if isinstance(question, dict) else None
    # Named by its code where it has one: "questionnaire 'x', question A5".
    where = (
        f"{questionnaire_where}, question {code}"
        if isinstance(code, str) and code
        else f"{section_where}, question {i}"
    )
    if not check.keys(where, question, QUESTION_KEYS, QUESTION_REQUIRED_KEYS):
        return
    if not isinstance(code, str) or not code.strip() or len(code) > 20:
        check.fail(where, "'code' must be text of 1–20 characters")
    elif code.lower() in codes:
        check.fail(where, "the code is used twice in the questionnaire")
    codes.add(str(code).lower())
    check.text(where, question, "text", 500, required=True)
    check.text(where, question, "help_text", 500)
    kind = question.get("type")
    if kind not in QuestionType.values:
        check.fail(where, f"unknown type {kind!r} (one of {', '.join(QuestionType.values)})")
        return
    check.flag(where, question, "required", True)
    check.weight(where, question)
    dimension = question.get("dimension")
    if dimension is not None:
        if dimension not in slugs:
            check.fail(where, f"unknown dimension {dimension!r}")
        if kind not in SCORED_TYPES:
            check.fail(where, f"a {kind} question is never scored: its dimension must be null")
    low = check.text(where, question, "low_label", 60)
    high = check.text(where, question, "high_label", 60)
    if kind in LABELLED_TYPES and not (low.strip() and high.strip()):
        check.fail(where, f"a {kind} question needs low_label and high_label")
    if kind not in LABELLED_TYPES and (low or high):
        check.fail(where, "only scales and matrices have low_label and high_label")
    smallest = check.integer(where, question, "min_value")
    largest = check.integer(where, question, "max_value")
    if kind != QuestionType.NUMBER and (smallest is not None or largest is not None):
        check.fail(where, "only number questions have min_value and max_value")
    if smallest is not None and largest is not None and smallest > largest:
        check.fail(where, "min_value is larger than max_value")
    options = _validate_options(check, where, question, kind, dimension)
    _validate_condition(check, where, question.get("show_if"), earlier)
    training = check.flag(where, question, "training_need", False)
    if training and kind not in CHOICE_TYPES:
        # As the builder's rules (assessments/builder.py): the topics are options to choose.
        check.fail(
            where, "a training-needs question is a choice question: its options are the topics"
        )
    if isinstance(code, str):
        earlier[code] = (kind, options)


def _validate_options(
    check: _Checker, where: str, question: dict[str, Any], kind: str, dimension: Any
) -> int:
    """Check the options; the number of options."""
    options = question.get("options", [])
    if not isinstance(options, list):
        check.fail(where, "'options' must be a list")
        return 0
    if kind not in OPTION_TYPES:
        if options:
            check.fail(where, f"a {kind} question has no options")
        return 0
    if kind == QuestionType.YES_NO:
        labels = tuple(o.get("label") for o in options if isinstance(o, dict))
        if labels != YES_NO_LABELS or len(options) != 2:
            check.fail(where, "a yes_no question has exactly two options: „Да“, then „Не“")
    elif len(options) < 2:
        what = "rows" if kind in ROW_TYPES else "options"
        check.fail(where, f"a {kind} question needs at least two {what}")
    seen: set[str] = set()
    scored = 0
    for o, option in enumerate(options, start=1):
        at = f"{where}, option {o}"
        if not check.keys(at, option, OPTION_KEYS, {"label"}):
            continue
        label = check.text(at, option, "label", 300, required=True)
        if label in seen:
            check.fail(at, f"the label {label!r} is used twice")
        seen.add(label)
        score = option.get("score")
        if score is None:
            continue
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            check.fail(at, "'score' must be a whole number 0–100 or null")
            continue
        scored += 1
        if kind in ROW_TYPES:
            check.fail(at, "the rows of a matrix carry no score (the 1–5 points are scored)")
        elif dimension is None:
            check.fail(at, "a score on a question without a dimension would never count")
    if kind in CHOICE_TYPES and dimension is not None and options and not scored:
        check.fail(where, "a scored question needs options with scores")
    return len(options)


def _validate_condition(
    check: _Checker, where: str, condition: Any, earlier: dict[str, tuple[str, int]]
) -> None:
    if condition is None:
        return
    keys = {"question", "option"}
    if not check.keys(f"{where}, show_if", condition, keys, keys):
        return
    parent, index = condition.get("question"), condition.get("option")
    if parent not in earlier:
        check.fail(where, f"show_if names {parent!r}, which is not an earlier question")
        return
    kind, count = earlier[parent]
    if kind not in CHOICE_TYPES:
        check.fail(where, f"show_if names {parent}, a {kind} question without choices")
    elif isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        check.fail(where, f"show_if names option {index!r} of {parent}, which has {count}")


def read(path: Path) -> dict[str, Any]:
    """The file's content, validated; SeedError lists every problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedError(path, [f"cannot be read: {exc.strerror or exc}"]) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SeedError(path, ["is not UTF-8"]) from exc
    except json.JSONDecodeError as exc:
        raise SeedError(path, [f"line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from exc
    problems = validate(data)
    if problems:
        raise SeedError(path, problems)
    return dict(data)


# --- Loading -----------------------------------------------------------------------------------


def checksum(path: Path) -> str:
    digest = hashlib.sha256(LOADER_VERSION.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def load_questionnaires(path: Path | None = None, force: bool = False) -> SeedResult:
    """Load the seeded dimensions and questionnaires (see the module's docstring)."""
    path = path or default_path()
    data = read(path)
    digest = checksum(path)
    families = [q["family"] for q in data.get("questionnaires", [])]
    present = set(
        Questionnaire.objects.filter(family__in=families).values_list("family", flat=True)
    )
    done = DataLoad.objects.filter(name=DATA_LOAD_NAME, checksum=digest).exists()
    # The checksum alone is not enough: a flushed database keeps the row of no questionnaire.
    if done and not force and present >= set(families):
        return SeedResult(skipped=True, questionnaires_kept=sorted(present))
    result = SeedResult()
    with transaction.atomic():
        _dimensions(data["dimensions"], result)
        by_slug = {d.slug: d for d in Dimension.objects.all()}
        now = timezone.now()
        for questionnaire in data.get("questionnaires", []):
            family = questionnaire["family"]
            if family in present:
                result.questionnaires_kept.append(family)
                continue
            result.questionnaires_created[family] = _create(questionnaire, by_slug, now)
        DataLoad.objects.update_or_create(
            name=DATA_LOAD_NAME,
            defaults={
                "checksum": digest,
                "summary": {"dimensions": len(data["dimensions"]), "questionnaires": families},
            },
        )
    return result


def _dimensions(rows: list[dict[str, Any]], result: SeedResult) -> None:
    existing = {d.slug: d for d in Dimension.objects.all()}
    fields = ["name_bg", "name_en", "description_bg", "description_en", "weight", "position"]
    new, changed = [], []
    for n, row in enumerate(rows, start=1):
        values = {
            "name_bg": row["name_bg"],
            "name_en": row.get("name_en") or "",
            "description_bg": row.get("description_bg") or "",
            "description_en": row.get("description_en") or "",
            "weight": Decimal(str(row.get("weight", 1))),
            "position": row.get("position", n),
        }
        found = existing.get(row["slug"])
        if found is None:
            new.append(Dimension(slug=row["slug"], **values))
            result.dimensions_created.append(row["slug"])
        elif any(getattr(found, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(found, key, value)
            changed.append(found)
            result.dimensions_updated.append(row["slug"])
    Dimension.objects.bulk_create(new)
    if changed:
        Dimension.objects.bulk_update(changed, fields)


def _create(data: dict[str, Any], dimensions: dict[str, Dimension], now: Any) -> int:
    """Version 1 of one questionnaire family, ready for use; the number of its questions."""
    questionnaire = Questionnaire.objects.create(
        family=data["family"],
        version=1,
        title=data["title"],
        description=data.get("description") or "",
        respondent_type=data["respondent_type"],
        state=QuestionnaireState.PUBLISHED,
        published_at=now,
        created_by=None,
    )
    sections = Section.objects.bulk_create(
        Section(
            questionnaire=questionnaire,
            title=s["title"],
            description=s.get("description") or "",
            position=position,
        )
        for position, s in enumerate(data["sections"], start=1)
    )
    rows: list[tuple[Question, dict[str, Any]]] = []
    for section, section_data in zip(sections, data["sections"], strict=True):
        for position, q in enumerate(section_data["questions"], start=1):
            dimension = q.get("dimension")
            question = Question(
                questionnaire=questionnaire,
                section=section,
                code=q["code"],
                text=q["text"],
                help_text=q.get("help_text") or "",
                type=q["type"],
                required=q.get("required", True),
                dimension=dimensions[dimension] if dimension else None,
                weight=Decimal(str(q.get("weight", 1))),
                low_label=q.get("low_label") or "",
                high_label=q.get("high_label") or "",
                min_value=q.get("min_value"),
                max_value=q.get("max_value"),
                training_need=q.get("training_need", False),
                position=position,
            )
            rows.append((question, q))
    Question.objects.bulk_create(question for question, _ in rows)
    options: dict[tuple[str, int], Option] = {}
    for question, q in rows:
        for position, o in enumerate(q.get("options") or []):
            options[(q["code"], position)] = Option(
                question=question, label=o["label"], score=o.get("score"), position=position + 1
            )
    Option.objects.bulk_create(options.values())
    conditional = []
    for question, q in rows:
        if q.get("show_if"):
            question.show_if = options[(q["show_if"]["question"], q["show_if"]["option"])]
            conditional.append(question)
    if conditional:
        Question.objects.bulk_update(conditional, ["show_if"])
    return len(rows)
