"""The responsiveness index: stored figures per institution and per municipality.

`refresh(institution_id)` recomputes one institution's `Responsiveness` row, its months and
its municipality's row from their records (a few aggregate queries over that institution's
and municipality's rows only). The workflows call it in the same transaction as every change
that can move a figure, and the daily deadline check after marking records overdue; pages only
read the stored rows.
"""

from __future__ import annotations


def refresh(institution_id: int) -> None:
    """Recompute the stored figures of the institution and of its municipality."""
    # Being built (issue 7): the workflows already call it at every change.
    return None
