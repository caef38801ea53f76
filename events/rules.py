"""Who may do what with events.

The organiser manages an event: the staff of its institution, the representatives of its
organisation or the coordinators of its network, and administrators. The public sees an event
once it is published (a cancelled one stays visible, marked). Whether a person may register
depends on the event's audience, window and places: events/services.py answers that with a
reason to show, the rules here only say who may try.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import is_administrator, is_moderator, is_representative_of, is_staff_of
from events.enums import RegistrationState, State
from organisations.rules import coordinates


@rules.predicate
def organises(user: Any, event: Any) -> bool:
    """Staff, representative or coordinator of the event's (or programme's) organiser."""
    if event is None:
        return False
    if event.institution_id:
        return bool(is_staff_of(user, event.institution))
    if event.organisation_id:
        return bool(is_representative_of(user, event.organisation))
    if event.network_id:
        return bool(coordinates(user, event.network))
    return False


@rules.predicate
def may_organise_for(user: Any, organiser: Any) -> bool:
    """May create events for this institution, organisation or network."""
    if organiser is None:
        return False
    label = organiser._meta.label_lower
    if label == "directory.institution":
        return bool(is_staff_of(user, organiser))
    if label == "organisations.organisation":
        return bool(is_representative_of(user, organiser))
    if label == "organisations.network":
        return bool(coordinates(user, organiser))
    return False


@rules.predicate
def is_public(user: Any, event: Any) -> bool:
    return event is not None and event.state in (State.PUBLISHED, State.CANCELLED)


@rules.predicate
def is_published(user: Any, event: Any) -> bool:
    return event is not None and event.state == State.PUBLISHED


@rules.predicate
def is_confirmed_participant(user: Any, event: Any) -> bool:
    if event is None or not getattr(user, "is_authenticated", False):
        return False
    return event.registrations.filter(user=user, state=RegistrationState.CONFIRMED).exists()


@rules.predicate
def owns_registration(user: Any, registration: Any) -> bool:
    return bool(
        registration is not None
        and getattr(user, "is_authenticated", False)
        and registration.user_id == user.pk
    )


@rules.predicate
def organises_registration_event(user: Any, registration: Any) -> bool:
    return registration is not None and bool(organises(user, registration.event))


can_manage = organises | is_administrator

# On an organiser (institution, organisation or network): create an event or a programme.
rules.add_perm("events.add_event", may_organise_for | is_administrator)
rules.add_perm("events.view_event", is_public | can_manage)
rules.add_perm("events.manage_event", can_manage)
rules.add_perm("events.register", rules.is_authenticated & is_published)
# The online link and the participants' materials: confirmed participants and the organiser.
rules.add_perm("events.view_participant_area", is_confirmed_participant | can_manage)
rules.add_perm(
    "events.view_registration", owns_registration | organises_registration_event | is_administrator
)
rules.add_perm("events.decide_registration", organises_registration_event | is_administrator)
rules.add_perm("events.moderate_event", is_moderator | is_administrator)
