"""The demo catalogue and networks: believable, marked as demo, in the portal's scope, never
touching a real organisation or person, and idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from organisations import networks as services
from organisations.demo import DEMO_SOURCE, MAIN_NETWORK, scope_municipalities
from organisations.loader import CC_SOURCE
from organisations.models import (
    JointPosition,
    Membership,
    Network,
    Organisation,
    Signature,
    Task,
    TaskChange,
)
from territory.models import Municipality, PortalScope

pytestmark = pytest.mark.django_db

SOUTH_CENTRAL = {"PDV", "HKV", "SZR", "KRZ", "SML", "PAZ"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module (it takes a few seconds), removed afterwards."""
    with django_db_blocker.unblock():
        scope = PortalScope.current()
        provinces, municipalities = list(scope.provinces.all()), list(scope.municipalities.all())
        had_users = set(
            User.objects.filter(email__endswith="@demo.eregion.bg").values_list("pk", flat=True)
        )
        call_command("load_demo", verbosity=0)
        call_command("load_demo_organisations", verbosity=0)
        yield
        Network.objects.filter(is_demo=True).delete()
        Organisation.objects.filter(source=DEMO_SOURCE).delete()
        User.objects.filter(email__endswith="@demo.eregion.bg").exclude(pk__in=had_users).delete()
        scope.provinces.set(provinces)
        scope.municipalities.set(municipalities)


def demo_orgs():
    return Organisation.objects.filter(source=DEMO_SOURCE)


def test_about_300_demo_organisations_in_real_settlements_of_the_scope(demo):
    orgs = demo_orgs()
    assert 280 <= orgs.count() <= 320
    assert not orgs.filter(is_demo=False).exists()
    assert not orgs.filter(settlement__isnull=True).exists()
    in_scope = {m.code for m in scope_municipalities()}
    seats = set(orgs.values_list("settlement__municipality_id", flat=True))
    assert seats <= in_scope
    provinces = set(orgs.values_list("settlement__municipality__province_id", flat=True))
    assert len(provinces) >= 6
    names = list(orgs.values_list("name", flat=True))
    assert len(names) == len(set(names))
    assert "Сдружение „Граждански инициативи – Пазарджик“" in names
    assert any(n.startswith("Фондация „") for n in names)
    # Varied fields of activity.
    fields = set(orgs.values_list("fields__slug", flat=True))
    assert len(fields) >= 12
    # No real identifiers: no EIK, fictional e-mail addresses.
    assert not orgs.exclude(eik=None).exists()
    assert not orgs.exclude(email__endswith="@demo.eregion.bg").exists()


def test_main_network_the_family_of_ngos(demo):
    network = Network.objects.get(name=MAIN_NETWORK)
    assert network.is_demo
    assert 23 <= network.members_count <= 27
    assert network.areas.count() == 4
    assert 18 <= network.tasks.count() <= 22
    overdue = services.overdue_tasks(network)
    assert 2 <= len(overdue) <= 6
    assert network.tasks.filter(status="done").count() >= 5
    assert TaskChange.objects.filter(network=network).count() > network.tasks.count()
    positions = JointPosition.objects.filter(network=network)
    assert positions.count() == 2
    signed = Signature.objects.filter(position__network=network).values("position_id")
    assert signed.distinct().count() == 2  # both positions are co-signed
    assert max(p.signatures.count() for p in positions) >= 10
    assert set(network.provinces.values_list("code", flat=True)) == SOUTH_CENTRAL
    # Members from all six provinces.
    provinces = set(
        network.memberships.filter(status="member").values_list(
            "organisation__settlement__municipality__province_id", flat=True
        )
    )
    assert provinces == SOUTH_CENTRAL


def test_two_more_networks(demo):
    others = Network.objects.filter(is_demo=True).exclude(name=MAIN_NETWORK)
    assert others.count() == 2
    for network in others:
        assert network.members_count >= 5
        assert network.tasks.exists()
        assert network.areas.exists()


def test_demo_never_touches_real_organisations_or_people(demo):
    real_members = Membership.objects.filter(network__is_demo=True).exclude(
        organisation__is_demo=True
    )
    assert not real_members.exists()
    assert not Membership.objects.filter(
        network__is_demo=True, organisation__source=CC_SOURCE
    ).exists()
    assert not Network.objects.filter(is_demo=True).exclude(coordinator__is_demo=True).exists()
    assert (
        not Task.objects.filter(network__is_demo=True).exclude(responsible__is_demo=True).exists()
    )
    assert (
        not Signature.objects.filter(position__network__is_demo=True)
        .exclude(organisation__is_demo=True)
        .exists()
    )
    users = set(
        TaskChange.objects.filter(network__is_demo=True, user__isnull=False).values_list(
            "user__email", flat=True
        )
    )
    assert users <= {"ngo@demo.eregion.bg"}


def test_demo_representative_coordinates_the_main_network(demo):
    user = User.objects.get(email="ngo@demo.eregion.bg")
    network = Network.objects.get(name=MAIN_NETWORK)
    assert (
        RoleAssignment.objects.for_scope(network.coordinator)
        .filter(user=user, role=Role.ORGANISATION_REPRESENTATIVE)
        .active()
        .exists()
    )
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("organisations.change_network", network)
    network.coordinator.refresh_from_db()
    assert network.coordinator.representatives_count == 1


def test_loading_again_changes_nothing(demo):
    before = (
        demo_orgs().count(),
        Network.objects.count(),
        Membership.objects.count(),
        Task.objects.count(),
        TaskChange.objects.count(),
        Signature.objects.count(),
        RoleAssignment.objects.count(),
    )
    call_command("load_demo_organisations", verbosity=0)
    after = (
        demo_orgs().count(),
        Network.objects.count(),
        Membership.objects.count(),
        Task.objects.count(),
        TaskChange.objects.count(),
        Signature.objects.count(),
        RoleAssignment.objects.count(),
    )
    assert before == after


def test_demo_pages_render(demo):
    network = Network.objects.get(name=MAIN_NETWORK)
    client = Client()
    for url in (
        reverse("organisations:networks"),
        network.get_absolute_url(),
        reverse("organisations:network-plan", args=[network.pk]),
        reverse("organisations:network-history", args=[network.pk]),
        reverse("organisations:network-plan-ics", args=[network.pk]),
    ):
        assert client.get(url).status_code == 200, url
    html = client.get(reverse("organisations:network-plan", args=[network.pk])).content.decode()
    assert 'class="overdue"' in html


def test_falls_back_to_the_south_central_region_without_a_scope(demo):
    scope = PortalScope.current()
    provinces, municipalities = list(scope.provinces.all()), list(scope.municipalities.all())
    scope.provinces.clear()
    scope.municipalities.clear()
    try:
        codes = {m.province_id for m in scope_municipalities()}
        assert codes == SOUTH_CENTRAL
        assert (
            len(scope_municipalities())
            == Municipality.objects.filter(province_id__in=SOUTH_CENTRAL).count()
        )
    finally:
        scope.provinces.set(provinces)
        scope.municipalities.set(municipalities)


def test_refuses_to_run_in_production(settings):
    from django.core.management import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo_organisations", verbosity=0)
