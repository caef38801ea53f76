"""Read-side queries of the catalogue and the networks, shared by pages, API and rules."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from accounts.enums import Role
from accounts.models import RoleAssignment
from organisations.models import Membership, Network, Organisation


def represented_ids(user: Any) -> set[int]:
    """Ids of the organisations `user` represents (verified), in one query."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ct = ContentType.objects.get_for_model(Organisation)
    return {
        int(pk)
        for pk in RoleAssignment.objects.filter(
            user=user, role=Role.ORGANISATION_REPRESENTATIVE, scope_type=ct
        )
        .active()
        .values_list("scope_id", flat=True)
    }


def represented_member_ids(user: Any, network: Network) -> set[int]:
    """The member organisations of `network` that `user` represents."""
    ids = represented_ids(user)
    if not ids:
        return set()
    return set(
        Membership.objects.filter(
            network=network, organisation_id__in=ids, status=Membership.Status.MEMBER
        ).values_list("organisation_id", flat=True)
    )
