"""Monitoring records for tests. They are made directly in a state (status, dates) without
the workflows, to test pages, lists and the API; tests of the workflows go through
monitoring/services instead. The institution defaults to the real generated municipal
administration of Plovdiv (ma:PDV22)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import factory
from factory.django import DjangoModelFactory

from directory.models import Institution
from monitoring.enums import (
    CommitmentSource,
    CommitmentStatus,
    RequestStatus,
    SignalKind,
    SignalStatus,
)
from monitoring.models import (
    Commitment,
    InformationRequest,
    MonitoringReport,
    Responsiveness,
    ResponsivenessMonth,
    Signal,
)
from tests.factories.accounts import UserFactory
from tests.factories.organisations import OrganisationFactory


def _plovdiv() -> Institution:
    return Institution.objects.get(generated_key="ma:PDV22")


class InformationRequestFactory(DjangoModelFactory):
    class Meta:
        model = InformationRequest

    institution = factory.LazyFunction(_plovdiv)
    title = factory.Sequence(lambda n: f"Договори за зимно почистване {n}")
    description = (
        "Моля, предоставете копия на договорите за зимно поддържане на пътищата за 2025 г."
    )
    requester = factory.SubFactory(UserFactory)
    requester_name = "Мария Иванова Петрова"
    correspondence_address = "гр. Пловдив, ул. „Тестова“ 1"
    requester_email = factory.LazyAttribute(lambda o: o.requester.email if o.requester else "")
    filed_on = datetime.date(2026, 11, 2)
    registered_on = datetime.date(2026, 11, 2)
    registration_number = factory.Sequence(lambda n: f"ЗДОИ-{n}")
    status = RequestStatus.REGISTERED
    due_on = datetime.date(2026, 11, 16)


class SignalFactory(DjangoModelFactory):
    class Meta:
        model = Signal

    kind = SignalKind.PROPOSAL
    institution = factory.LazyFunction(_plovdiv)
    title = factory.Sequence(lambda n: f"Повече пейки в парка {n}")
    description = "Предлагам да се поставят още пейки по алеите на парка."
    filer = factory.SubFactory(UserFactory)
    filer_name = "Георги Димитров Колев"
    filer_address = "гр. Пловдив, ул. „Тестова“ 2"
    filer_email = factory.LazyAttribute(lambda o: o.filer.email if o.filer else "")
    is_public = True
    received_on = datetime.date(2026, 10, 1)
    registered_on = datetime.date(2026, 10, 1)
    registration_number = factory.Sequence(lambda n: f"АПК-{n}")
    status = SignalStatus.REGISTERED
    due_on = datetime.date(2026, 12, 1)


class CommitmentFactory(DjangoModelFactory):
    class Meta:
        model = Commitment

    institution = factory.LazyFunction(_plovdiv)
    title = factory.Sequence(lambda n: f"Ремонт на детска площадка {n}")
    source_kind = CommitmentSource.COUNCIL_DECISION
    source_reference = "Решение № 123 на Общинския съвет от 25.03.2026 г."
    source_date = datetime.date(2026, 3, 25)
    deadline = datetime.date(2026, 12, 31)
    indicator = "Площадката е ремонтирана и приета с протокол."
    status = CommitmentStatus.IN_PROGRESS
    progress = 40


class MonitoringReportFactory(DjangoModelFactory):
    class Meta:
        model = MonitoringReport

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Мониторингов доклад {n}")
    body = "## Констатации\n\nОбщината изпълнява повечето ангажименти в срок."


@contextmanager
def index_rows_kept() -> Iterator[None]:
    """Around a demo loaded outside a test's transaction: the responsiveness index's rows that
    publishing its consultations made (consultations.audit.audit_changed) are removed after."""
    had = (
        set(Responsiveness.objects.values_list("pk", flat=True)),
        set(ResponsivenessMonth.objects.values_list("pk", flat=True)),
    )
    yield
    Responsiveness.objects.exclude(pk__in=had[0]).delete()
    ResponsivenessMonth.objects.exclude(pk__in=had[1]).delete()
