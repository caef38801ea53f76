"""Workflows of a consultation that touch several rows: its moves between states.

Every move is checked against enums.TRANSITIONS and recorded as a `StateChange` (who — none
when the platform moves it by itself —, when, from, to, why) in the same transaction, with the
consultation's row locked so that two moves at once cannot both happen.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.audit import audit_changed
from consultations.enums import PUBLIC_STATES, TRANSITIONS, State
from consultations.models import Consultation, StateChange


class TransitionError(Exception):
    """A move the state machine does not allow; the message is for people."""


@transaction.atomic
def transition(
    consultation: Consultation, to: str, by: Any = None, note: str = "", **fields: Any
) -> Consultation:
    """Move `consultation` to state `to`, setting `fields` on it too; returns the fresh row.
    Raises TransitionError if the move is not allowed from the state it is in now."""
    row = Consultation.objects.select_for_update(of=("self",)).get(pk=consultation.pk)
    if to not in TRANSITIONS.get(row.state, frozenset()):
        raise TransitionError(
            _("A consultation that is “%(current)s” cannot become “%(target)s”.")
            % {"current": State(row.state).label, "target": State(to).label}
        )
    StateChange.objects.create(
        consultation=row,
        from_state=row.state,
        to_state=to,
        by=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )
    from_state, row.state = row.state, to
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["state", "updated_at", *fields])
    if row.state in PUBLIC_STATES and from_state not in PUBLIC_STATES:
        audit_changed.send(Consultation, institution_ids=[row.institution_id])
    return row


def open_and_close_due(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Open the scheduled consultations whose time has come and close the open ones whose
    last day has passed (run every few minutes: `manage.py advance_consultations`).
    Returns (opened, closed)."""
    now = now or timezone.now()
    opened = closed = 0
    for c in Consultation.objects.due_to_open(now):
        try:
            transition(c, State.OPEN, note=_("Opened on the scheduled date."))
            opened += 1
        except TransitionError:
            pass  # moved by someone else in the meantime
    for c in Consultation.objects.due_to_close(now):
        try:
            transition(c, State.CLOSED, note=_("Closed after the last day for comments."))
            closed += 1
        except TransitionError:
            pass
    return opened, closed
