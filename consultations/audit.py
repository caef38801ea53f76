"""Did a consultation keep the law's period? The audit figures every consultation carries.

The figures are stored on the consultation (DESIGN.md §7: the compliance dashboard aggregates
tens of thousands of them) and recomputed whenever it is saved (`Consultation.save`) or
imported (consultations.history). The rules are those of consultations.periods, applied by
the date the consultation opened, so that a 2015 consultation is judged by the 14 days of the
old ЗНА чл. 26, ал. 2 and a 2017 one by the 30 days of чл. 26, ал. 4:

- `period_days`: from the day after publication to the last day, both included (ГПК чл. 60);
- `legal_minimum_days`: the standard period of the rule in force, or its shortest allowed
  period when a reason for a shorter one was stated (ЗНА чл. 26, ал. 4, изр. 2);
- `meets_minimum`: `period_days >= legal_minimum_days`; None when the dates are not known.

A reason that is evidently a test entry (consultations.history flags those) does not count
as a stated reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.dispatch import Signal

from consultations.periods import period_days, rule_for


@dataclass(frozen=True)
class Audit:
    period_days: int | None
    legal_minimum_days: int | None
    meets_minimum: bool | None
    # The period is shorter than the standard one and no reason was stated.
    short_without_reason: bool


def audit(
    kind: str,
    opened_on: datetime.date | None,
    closes_on: datetime.date | None,
    reason_stated: bool,
) -> Audit:
    if opened_on is None or closes_on is None:
        return Audit(None, None, None, False)
    rule = rule_for(kind, opened_on)
    days = period_days(opened_on, closes_on)
    minimum = rule.shortest_days if reason_stated and rule.allows_shorter else rule.standard_days
    return Audit(
        period_days=days,
        legal_minimum_days=minimum,
        meets_minimum=days >= minimum,
        short_without_reason=days < rule.standard_days and not reason_stated,
    )


# Sent when the audit figures of these institutions' consultations may have changed (an import,
# a consultation published): monitoring's responsiveness index listens (monitoring/apps.py).
audit_changed = Signal()  # kwargs: institution_ids (a list of ints)


# The version of the audit figures: the compliance dashboard keeps its aggregates under it
# (consultations.compliance), and every save of a consultation or import moves it on.
VERSION_KEY = "consultations:audit-version"


def audit_version() -> int:
    return int(cache.get_or_set(VERSION_KEY, 1, timeout=None) or 1)


def audit_moved() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (evicted, or never read): the next read starts it
        cache.set(VERSION_KEY, audit_version() + 1, timeout=None)
