"""Who may do what in the monitoring of the administration.

- A request or a signal is seen by everyone when it is public; a private one only by the
  person who filed it, the staff of its institution (and of the institution it was forwarded
  to), moderators and administrators. The name of the requester or filer is a separate
  question (`view_identity`): shown to the public only when they chose so.
- The institution's staff (and administrators) register, extend, forward and answer.
- Commitments are public. The institution's staff record and update them; representatives of
  organisations record them as monitors, comment and rate; moderators hide nothing here
  (nothing is written by the anonymous public).
- Monitoring reports are written by an organisation's representatives and are public once
  published.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import is_administrator, is_moderator, is_representative_of, is_staff_of


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_public(user: Any, obj: Any) -> bool:
    return obj is not None and bool(obj.is_public)


@rules.predicate
def filed_it(user: Any, obj: Any) -> bool:
    """The account that filed the request or signal (or recorded the commitment)."""
    if obj is None or not _authenticated(user):
        return False
    return getattr(obj, f"{obj.OWNER_FIELD}_id") == user.pk


@rules.predicate
def represents_filer(user: Any, obj: Any) -> bool:
    """A representative of the organisation on whose behalf it was filed."""
    return (
        obj is not None
        and bool(obj.organisation_id)
        and bool(is_representative_of(user, obj.organisation))
    )


@rules.predicate
def staff_of_institution(user: Any, obj: Any) -> bool:
    return obj is not None and bool(is_staff_of(user, obj.institution))


@rules.predicate
def staff_of_forwarded_to(user: Any, obj: Any) -> bool:
    return (
        obj is not None and bool(obj.forwarded_to_id) and bool(is_staff_of(user, obj.forwarded_to))
    )


@rules.predicate
def is_any_representative(user: Any) -> bool:
    from organisations.selectors import represented_ids

    return bool(represented_ids(user))


@rules.predicate
def represents_monitor(user: Any, commitment: Any) -> bool:
    return (
        commitment is not None
        and bool(commitment.monitor_id)
        and bool(is_representative_of(user, commitment.monitor))
    )


@rules.predicate
def writes_report(user: Any, report: Any) -> bool:
    return report is not None and bool(is_representative_of(user, report.organisation))


@rules.predicate
def report_is_published(user: Any, report: Any) -> bool:
    return report is not None and report.published_at is not None


owner = filed_it | represents_filer
handles = staff_of_institution | is_administrator
oversees = is_moderator | is_administrator

# Requests and signals (the same ladder for both). On an institution: file to it.
rules.add_perm("monitoring.file", rules.is_authenticated)
rules.add_perm(
    "monitoring.view_item",
    is_public | owner | staff_of_institution | staff_of_forwarded_to | oversees,
)
# The name and the contacts of the requester or filer.
rules.add_perm("monitoring.view_identity", owner | staff_of_institution | oversees)
rules.add_perm("monitoring.handle_item", handles)
# The requester may clarify, withdraw, change what is shown of their name and publish or hide
# their own request.
rules.add_perm("monitoring.act_as_filer", owner)

# Commitments. On an institution (None: any): record one for it.
rules.add_perm("monitoring.add_commitment", is_staff_of | is_any_representative | is_administrator)
rules.add_perm("monitoring.update_commitment", staff_of_institution | is_administrator)
rules.add_perm(
    "monitoring.edit_commitment", staff_of_institution | represents_monitor | is_administrator
)
rules.add_perm("monitoring.comment_commitment", is_any_representative | staff_of_institution)
rules.add_perm("monitoring.rate_commitment", is_any_representative)

# Monitoring reports. On an organisation: write one for it.
rules.add_perm("monitoring.add_report", is_representative_of | is_administrator)
rules.add_perm("monitoring.view_report", report_is_published | writes_report | oversees)
rules.add_perm("monitoring.change_report", writes_report | is_administrator)
