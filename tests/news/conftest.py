"""Fixtures of the news tests: an empty cache (the rate limits count there), uploads under a
temporary MEDIA_ROOT, and the people of the permission ladder."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from directory.models import Institution
from organisations.models import Network, Organisation
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.organisations import NetworkFactory, OrganisationFactory, representative_of


@pytest.fixture(autouse=True)
def _empty_cache_and_media(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


@dataclass
class Ladder:
    institution: Institution
    other_institution: Institution
    organisation: Organisation
    network: Network
    citizen: User
    other_staff: User
    staff: User
    representative: User
    coordinator: User
    admin: User

    def people(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "citizen": self.citizen,
            "other_staff": self.other_staff,
            "staff": self.staff,
            "representative": self.representative,
            "coordinator": self.coordinator,
            "admin": self.admin,
        }


@pytest.fixture
def ladder(db) -> Ladder:
    institution = generated("ma:PDV22")
    other = generated("oa:PDV")  # the regional administration: another institution
    organisation = OrganisationFactory()
    coordinating = OrganisationFactory()
    network = NetworkFactory(coordinator=coordinating)
    staff = UserFactory()
    staff_of(institution, staff)
    other_staff = UserFactory()
    staff_of(other, other_staff)
    representative = UserFactory()
    representative_of(organisation, representative)
    coordinator = UserFactory()
    representative_of(coordinating, coordinator)
    admin = UserFactory()
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR)
    return Ladder(
        institution=institution,
        other_institution=other,
        organisation=organisation,
        network=network,
        citizen=UserFactory(),
        other_staff=other_staff,
        staff=staff,
        representative=representative,
        coordinator=coordinator,
        admin=admin,
    )
