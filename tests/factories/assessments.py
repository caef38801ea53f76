"""Questionnaires for tests: dimensions, questionnaires (a draft by default), sections,
questions and options, made directly in a state without the builder's services (tests of the
builder go through assessments/builder.py instead).

A question's options are given as (label, score) pairs:
`QuestionFactory(section=s, options=[("Да", 100), ("Не", 0)])`.
"""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assessments.enums import QuestionnaireState, QuestionType, RespondentType
from assessments.models import Dimension, Option, Question, Questionnaire, Section


class DimensionFactory(DjangoModelFactory):
    class Meta:
        model = Dimension
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"dimension-{n}")
    name_bg = factory.Sequence(lambda n: f"Прозрачност {n}")
    name_en = factory.Sequence(lambda n: f"Transparency {n}")
    weight = Decimal(1)
    position = factory.Sequence(lambda n: n)


class QuestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = Questionnaire

    family = factory.Sequence(lambda n: f"kapatsitet-{n}")
    version = 1
    title = factory.Sequence(lambda n: f"Оценка на капацитета {n}")
    description = "Въпросник за **общинската администрация**."
    respondent_type = RespondentType.ADMINISTRATION
    state = QuestionnaireState.DRAFT

    class Params:
        published = factory.Trait(
            state=QuestionnaireState.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
        )
        archived = factory.Trait(
            state=QuestionnaireState.ARCHIVED,
            published_at=factory.LazyFunction(timezone.now),
        )


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    title = factory.Sequence(lambda n: f"Раздел {n}")
    description = ""
    position = factory.Sequence(lambda n: n)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    section = factory.SubFactory(SectionFactory)
    questionnaire = factory.LazyAttribute(lambda o: o.section.questionnaire)
    code = factory.Sequence(lambda n: f"В{n}")
    text = factory.Sequence(lambda n: f"Публикува ли общината проектите на решения? ({n})")
    help_text = ""
    type = QuestionType.SINGLE
    required = True
    dimension = None
    weight = Decimal(1)
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def options(self, create: bool, extracted: object, **kwargs: object) -> None:
        """`options=[(label, score), ...]`: the question's options (or a matrix's rows)."""
        if not create or not extracted:
            return
        for position, (label, score) in enumerate(extracted):  # type: ignore[attr-defined]
            Option.objects.create(question=self, label=label, score=score, position=position)


class OptionFactory(DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    label = factory.Sequence(lambda n: f"Отговор {n}")
    score = 50
    position = factory.Sequence(lambda n: n)
