"""Organisations for tests. The real community-centre register is loaded once per session
(source "Регистър на народните читалища"); these factories add fictional ones."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from organisations.enums import LegalForm
from organisations.models import JointArea, Membership, Network, Organisation, Task
from territory.models import Settlement


def representative_of(organisation: Organisation, user: User) -> RoleAssignment:
    """Make `user` a verified representative of `organisation`."""
    assignment = RoleAssignment.objects.create(
        user=user, role=Role.ORGANISATION_REPRESENTATIVE, scope=organisation
    )
    Organisation.objects.filter(pk=organisation.pk).update(
        representatives_count=RoleAssignment.objects.for_scope(organisation)
        .filter(role=Role.ORGANISATION_REPRESENTATIVE)
        .active()
        .count()
    )
    return assignment


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Сдружение „Граждани за прозрачност {n}“")
    legal_form = LegalForm.ASSOCIATION
    settlement = factory.LazyFunction(lambda: Settlement.objects.get(ekatte="56784"))
    email = factory.Sequence(lambda n: f"office{n}@ngo.example.org")
    description = "Работим за **прозрачно** местно управление."
    is_demo = True


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Мрежа на НПО {n}")
    purpose = "Общи действия за по-добро местно управление."
    coordinator = factory.SubFactory(OrganisationFactory)
    is_demo = True


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    network = factory.SubFactory(NetworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = Membership.Status.MEMBER
    joined_on = datetime.date(2026, 1, 15)


class JointAreaFactory(DjangoModelFactory):
    class Meta:
        model = JointArea

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Прозрачност на бюджета {n}")


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    network = factory.SubFactory(NetworkFactory)
    title = factory.Sequence(lambda n: f"Обществено обсъждане на бюджета {n}")
    due_on = datetime.date(2026, 12, 31)
