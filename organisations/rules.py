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


# --- networks (appended for the networks' pages) ---------------------------------------------


@rules.predicate
def is_a_representative(user: Any) -> bool:
    """Holds a verified representation of at least one organisation."""
    if not getattr(user, "is_authenticated", False):
        return False
    from organisations.selectors import represented_ids  # avoids an import cycle

    return bool(represented_ids(user))


@rules.predicate
def represents_a_non_member(user: Any, network: Any) -> bool:
    """Represents an organisation that may still apply (not a member, no pending application)."""
    if network is None or not getattr(user, "is_authenticated", False):
        return False
    from organisations.selectors import applicable_ids  # avoids an import cycle

    return bool(applicable_ids(user, network))


@rules.predicate
def signs_for_a_member(user: Any, position: Any) -> bool:
    return position is not None and bool(represents_a_member(user, position.network))


rules.add_perm("organisations.add_network", is_a_representative)
rules.add_perm("organisations.apply_to_network", represents_a_non_member)
rules.add_perm("organisations.leave_network", represents_a_member)
rules.add_perm("organisations.sign_position", signs_for_a_member)


# --- Registering, claiming and representing (organisations/views/registration.py) -----------


@rules.predicate
def owns_claim(user: Any, claim: Any) -> bool:
    return bool(
        claim is not None and getattr(user, "is_authenticated", False) and claim.user_id == user.pk
    )


# Anyone signed in who can see the entry and does not represent it yet may claim it.
rules.add_perm(
    "organisations.claim_organisation",
    rules.is_authenticated & ~is_representative_of & (is_public | registered_it),
)
rules.add_perm("organisations.view_claim", owns_claim | is_moderating)
# Names of representatives: only the organisation's own representatives and the moderators.
rules.add_perm("organisations.view_representatives", is_representative_of | is_moderating)
# Removing: representatives (never the last one) and moderators (the last one too).
rules.add_perm("organisations.remove_representative", is_representative_of | is_moderating)
