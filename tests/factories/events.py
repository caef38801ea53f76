"""Events for tests: a published training of Plovdiv's municipal administration by default,
two days starting in ten days, 20 places, registration open now."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.legal_calendar import SOFIA
from directory.models import Institution
from events.enums import Kind, RegistrationState, State
from events.models import Event, Registration, Session
from tests.factories.accounts import UserFactory


def _plovdiv() -> Institution:
    return Institution.objects.get(generated_key="ma:PDV22")


def sofia(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """An aware datetime at this wall-clock time in Sofia."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SOFIA)


def _start() -> datetime.datetime:
    day = (timezone.now() + datetime.timedelta(days=10)).astimezone(SOFIA).date()
    return datetime.datetime(day.year, day.month, day.day, 9, 30, tzinfo=SOFIA)


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    kind = Kind.TRAINING
    title = factory.Sequence(lambda n: f"Обучение: застъпнически кампании № {n}")
    description = "Двудневно обучение за **представители на НПО**."
    state = State.PUBLISHED
    institution = factory.LazyFunction(_plovdiv)
    province_id = "PDV"
    municipality_id = "PDV22"
    venue = "Зала „Съединение“"
    address = "пл. „Стефан Стамболов“ 1"
    starts_at = factory.LazyFunction(_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(days=1, hours=7))
    capacity = 20
    registration_opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=1)
    )
    registration_closes_at = factory.LazyAttribute(
        lambda o: o.starts_at - datetime.timedelta(hours=12)
    )
    hours = 16
    published_at = factory.LazyFunction(timezone.now)
    is_demo = True

    @factory.post_generation
    def with_sessions(self, create: bool, extracted: object, **kwargs: object) -> None:
        """A session on each day unless `with_sessions=False`."""
        if create and extracted is not False:
            for n, day in enumerate(self.days):
                Session.objects.create(
                    event=self, day=day, starts=datetime.time(9, 30), ends=datetime.time(17, 0),
                    title=f"Ден {n + 1}: упражнения", speakers="Мария Иванова",
                )  # fmt: skip


class RegistrationFactory(DjangoModelFactory):
    """A confirmed registration written directly (no services, no counters): for setting up
    lists; tests of the workflow register through events.services."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    state = RegistrationState.CONFIRMED
    name = factory.Sequence(lambda n: f"Участник Тестов {n}")
