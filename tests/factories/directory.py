"""Directory entries for tests. The generated directory (every province, municipality and
mayoralty) is loaded once per session; use `generated()` to fetch a real entry, the factories
to add units of state bodies or services."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from directory.models import Institution, InstitutionKind, Service
from territory.models import Province


def generated(key: str = "ma:PDV22") -> Institution:
    """A generated entry by its key: "oa:PDV" (regional administration), "ma:PDV22" (municipal
    administration), "mc:PDV22" (council), "km:PDV22-01" (mayoralty), "rd:..." (city district)."""
    return Institution.objects.get(generated_key=key)


def staff_of(institution: Institution, user: User) -> RoleAssignment:
    """Make `user` staff of `institution` (a role scoped to it)."""
    return RoleAssignment.objects.create(user=user, role=Role.INSTITUTION_STAFF, scope=institution)


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution

    kind = factory.LazyFunction(lambda: InstitutionKind.objects.get(slug="rzi"))
    name_bg = factory.Sequence(lambda n: f"Регионална здравна инспекция – тест {n}")
    province = factory.LazyFunction(lambda: Province.objects.get(code="PDV"))


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    institution = factory.LazyFunction(generated)
    name = factory.Sequence(lambda n: f"Издаване на удостоверение за наследници {n}")
    description = "Удостоверението се издава от общината по последен постоянен адрес."
    legal_basis = "Закон за гражданската регистрация, чл. 24"
    who_may_apply = "Наследниците или упълномощени от тях лица"
    documents = "Заявление по образец\nАкт за смърт"
    fee_eur = Decimal("2.56")
    deadline = "3 работни дни"
    in_person = True
    by_post = True
