"""Every membership step and hand-over is kept: who, when, from what to what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organisations.models import Membership, MembershipChange
from tests.organisations.test_networks import Family, make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def family() -> Family:
    return make_family()


def steps(family: Family) -> list[tuple[str, str, str, bool, str | None]]:
    return [
        (c.organisation.name, c.from_status, c.to_status, c.became_coordinator,
         c.user.email if c.user else None)
        for c in MembershipChange.objects.filter(network=family.network).order_by("at", "pk")
    ]  # fmt: skip


def test_apply_accept_hand_over_and_leave_are_recorded_with_who(family: Family):
    outsider = family.people["non-member representative"]
    coordinator = family.people["coordinator"]
    MembershipChange.objects.filter(network=family.network).delete()  # the factory's set-up
    members = reverse("organisations:network-members", args=[family.network.pk])
    family.client("non-member representative").post(
        reverse("organisations:network-apply", args=[family.network.pk]),
        {"organisation": family.outsider_org.pk},
    )
    membership = Membership.objects.get(network=family.network, organisation=family.outsider_org)
    family.client("coordinator").post(members, {"action": "accept", "membership": membership.pk})
    family.client("coordinator").post(
        members, {"action": "handover", "organisation": family.outsider_org.pk}
    )
    name = family.outsider_org.name
    recorded = steps(family)
    assert recorded[0] == (name, "", "applied", False, outsider.email)
    assert recorded[1] == (name, "applied", "member", False, coordinator.email)
    family.network.refresh_from_db()
    assert family.network.coordinator_id == family.outsider_org.pk
    assert recorded[2] == (name, "member", "member", True, coordinator.email)
    assert len(recorded) == 3


def test_the_history_page_lists_membership_changes(family: Family, client):
    family.client("non-member representative").post(
        reverse("organisations:network-apply", args=[family.network.pk]),
        {"organisation": family.outsider_org.pk},
    )
    html = client.get(reverse("organisations:network-history", args=[family.network.pk]))
    assert family.outsider_org.display_name in html.content.decode()
