"""Who may change a directory entry: its own staff (a role scoped to the institution) or an
administrator. Editing outside the admin comes in a later increment; the admin uses these."""

from __future__ import annotations

import rules

from accounts.rules import is_administrator, is_staff_of

can_change_institution = is_staff_of | is_administrator

rules.add_perm("directory.change_institution", can_change_institution)
rules.add_perm("directory.change_workinghours", is_administrator)
