"""Who may do what with consultations.

The owning institution's staff (and councillors of a council that owns one) and administrators
manage a consultation; the public sees it once it is published (enums.PUBLIC_STATES); signed-in
people comment while it is open; moderators hide and restore comments. Object permissions
take the consultation (or, to create one, the institution) as the object; the state-dependent
checks (e.g. answering only after closing) are here too, so a view asks one question.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import is_administrator, is_citizen, is_moderator, is_staff_of
from consultations.enums import State


@rules.predicate
def is_owner_staff(user: Any, consultation: Any) -> bool:
    return consultation is not None and is_staff_of(user, consultation.institution)


can_manage = is_owner_staff | is_administrator


@rules.predicate
def is_published(user: Any, consultation: Any) -> bool:
    return consultation is not None and consultation.is_public


@rules.predicate
def is_open(user: Any, consultation: Any) -> bool:
    return consultation is not None and consultation.state == State.OPEN


@rules.predicate
def is_closed(user: Any, consultation: Any) -> bool:
    return consultation is not None and consultation.state == State.CLOSED


@rules.predicate
def is_editable(user: Any, consultation: Any) -> bool:
    """The package (text, motives, period) may change only before the consultation opens."""
    return consultation is not None and consultation.state in (State.DRAFT, State.SCHEDULED)


@rules.predicate
def is_on_platform(user: Any, consultation: Any) -> bool:
    """History imported from strategy.bg is a record: read here, never changed here."""
    return consultation is not None and not consultation.is_imported


# On an institution: create a consultation owned by it.
rules.add_perm("consultations.add_consultation", is_staff_of | is_administrator)
rules.add_perm("consultations.view_consultation", is_published | can_manage)
# Manage: the staff pages, state changes, hearings, the adopted version.
rules.add_perm("consultations.manage_consultation", can_manage & is_on_platform)
rules.add_perm("consultations.change_consultation", can_manage & is_editable & is_on_platform)
rules.add_perm("consultations.add_comment", is_citizen & is_open & is_on_platform)
rules.add_perm("consultations.answer_proposals", can_manage & is_closed & is_on_platform)
# Import strategy.bg's history and resolve its municipalities (no object).
rules.add_perm("consultations.import_history", is_administrator)
rules.add_perm("consultations.moderate_comment", is_moderator | is_administrator)
