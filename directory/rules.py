"""Who may do what in the directory.

An institution's own staff (a role scoped to the institution, `accounts.rules.is_staff_of`) and
administrators edit the entry and its services. Error reports on an entry are handled by its
staff and by the moderators. The history of changes and the reports' public outcome are open.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import is_administrator, is_moderator, is_staff_of


@rules.predicate
def is_staff_of_institution_of(user: Any, obj: Any) -> bool:
    """Staff of the institution a service or an error report belongs to."""
    return obj is not None and is_staff_of(user, obj.institution)


can_change_institution = is_staff_of | is_administrator

rules.add_perm("directory.change_institution", can_change_institution)
rules.add_perm("directory.change_workinghours", is_administrator)
# On an institution: add a service to it. On a service: edit or delete it.
rules.add_perm("directory.add_service", can_change_institution)
rules.add_perm("directory.change_service", is_staff_of_institution_of | is_administrator)
# On an error report: accept or reject it with an answer.
rules.add_perm(
    "directory.handle_errorreport", is_staff_of_institution_of | is_moderator | is_administrator
)
