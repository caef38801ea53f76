"""Who may do what in the catalogue and the networks.

Representatives hold the role `organisation_representative` scoped to their organisation
(accounts.RoleAssignment, granted when a claim is verified). A network is run by the
representatives of its coordinating organisation; members act through their own
representatives.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import is_administrator, is_moderator, is_representative_of
from organisations.enums import Visibility


@rules.predicate
def is_public(user: Any, organisation: Any) -> bool:
    return organisation is not None and organisation.visibility == Visibility.PUBLIC


@rules.predicate
def registered_it(user: Any, organisation: Any) -> bool:
    """The person who registered an entry still awaiting verification sees it."""
    return bool(
        organisation is not None
        and getattr(user, "is_authenticated", False)
        and organisation.registered_by_id == user.pk
    )


@rules.predicate
def coordinates(user: Any, network: Any) -> bool:
    """A representative of the network's coordinating organisation."""
    return network is not None and is_representative_of(user, network.coordinator)


@rules.predicate
def represents_a_member(user: Any, network: Any) -> bool:
    if network is None or not getattr(user, "is_authenticated", False):
        return False
    from organisations.selectors import represented_member_ids  # avoids an import cycle

    return bool(represented_member_ids(user, network))


is_moderating = is_moderator | is_administrator

rules.add_perm(
    "organisations.view_organisation",
    is_public | registered_it | is_representative_of | is_moderating,
)
rules.add_perm("organisations.change_organisation", is_representative_of | is_administrator)
rules.add_perm("organisations.manage_representatives", is_representative_of | is_administrator)
rules.add_perm("organisations.decide_claims", is_moderating)
rules.add_perm("organisations.change_network", coordinates | is_administrator)
rules.add_perm(
    "organisations.view_network_members_area", coordinates | represents_a_member | is_moderating
)
