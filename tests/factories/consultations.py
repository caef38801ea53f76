"""Consultations for tests: an ordinance of Plovdiv's municipal administration by default,
with a consulted version whose articles come from the real draft reader (`with_draft`)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from consultations import drafts
from consultations.enums import Kind, State
from consultations.models import Comment, Consultation, DraftVersion
from consultations.versions import save_version
from directory.models import Institution
from tests.factories.accounts import UserFactory

ORDINANCE = """# Наредба за обществения ред

## Глава първа
Общи разпоредби

Чл. 1. (1) С тази наредба се уреждат отношенията, свързани с опазването на обществения ред.
(2) Наредбата се прилага на територията на общината.

Чл. 2. Кметът на общината организира изпълнението на наредбата.

## Глава втора
Ред в жилищните сгради

Чл. 3. Забранява се шумът от 23:00 до 07:00 часа.

Чл. 4. (1) Собствениците поддържат чистотата на общите части.
(2) Контролът се осъществява от кметовете на кметства.

Заключителни разпоредби

§ 1. Наредбата влиза в сила от деня на обнародването ѝ.
"""


def _plovdiv() -> Institution:
    return Institution.objects.get(generated_key="ma:PDV22")


class ConsultationFactory(DjangoModelFactory):
    """An open ordinance consultation of Plovdiv (published yesterday, 30 days)."""

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    institution = factory.LazyFunction(_plovdiv)
    kind = Kind.ORDINANCE
    title = factory.Sequence(lambda n: f"Проект на Наредба за обществения ред № {n}")
    summary = "Проектът урежда **обществения ред** в общината."
    state = State.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: (timezone.now() + datetime.timedelta(days=29)).date())
    motives = "Мотиви: необходимост от актуализация."
    province_id = "PDV"
    municipality_id = "PDV22"
    is_demo = True

    @factory.post_generation
    def with_draft(self, create: bool, extracted: object, **kwargs: object) -> None:
        """`with_draft=False` for a consultation without text; else ORDINANCE (or the text
        given) as version 1."""
        if create and extracted is not False:
            text = extracted if isinstance(extracted, str) else ORDINANCE
            add_version(self, text)


def add_version(consultation: Consultation, text: str) -> DraftVersion:
    """A new version of `consultation` with the units the draft reader finds in `text`."""
    return save_version(consultation, drafts.parse_text(text), source_text=text)


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    consultation = factory.SubFactory(ConsultationFactory)
    author = factory.SubFactory(UserFactory)
    display_name = "Иван Петров"
    text = factory.Sequence(lambda n: f"Предлагам да се добави ал. {n} за тишината през деня.")
