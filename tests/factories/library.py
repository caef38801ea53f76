"""Publications for tests: a published handbook by default (a library editor's work)."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Permission
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from library.enums import PublicationType, State
from library.models import Chapter, GoodPractice, Publication
from tests.factories.accounts import UserFactory


def library_editor(user: User | None = None) -> User:
    """A person granted the library editors' permission (library.change_publication)."""
    user = user or UserFactory()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="library", codename="change_publication")
    )
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached on it


class PublicationFactory(DjangoModelFactory):
    class Meta:
        model = Publication
        skip_postgeneration_save = True

    type = PublicationType.HANDBOOK
    title = factory.Sequence(lambda n: f"Наръчник за обществени консултации № {n}")
    summary = "Как общината да провежда консултации с гражданите."
    body = "Текст на **наръчника**."
    authors = "Мария Иванова"
    year = 2026
    for_citizens = True
    state = State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ChapterFactory(DjangoModelFactory):
    class Meta:
        model = Chapter

    publication = factory.SubFactory(PublicationFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Глава {n}")
    anchor = factory.Sequence(lambda n: f"glava-{n}")
    body = "Текст на главата."


class GoodPracticeFactory(DjangoModelFactory):
    class Meta:
        model = GoodPractice

    publication = factory.SubFactory(
        PublicationFactory, type=PublicationType.GOOD_PRACTICE, title="Граждански бюджет"
    )
    country = "Франция"
    place = "Париж"
    year = 2014
    what_was_done = "Гражданите предлагат и гласуват проекти."
    results = "Стотици проекти."
    sources = "Официален сайт https://example.org/budget"
