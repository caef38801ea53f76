"""How long a consultation must stay open, by kind, as the law says (domain-rules.md §1).

Days are counted as the courts count them (ГПК чл. 60, the Haskovo 2011 case): the period
starts the day after publication and ends at the end of its last day, so a period of N days
published on day P has P + N as its earliest last day. The default last day offered to the
drafter is moved to a working day (core.legal_calendar), which never shortens the period.

- Normative acts (ordinances, rules): at least 30 days; at least 14 "in exceptional cases",
  with the reasons stated and published (ЗНА чл. 26, ал. 4, in force since 04.11.2016; before
  it the minimum was 14 days, old чл. 26, ал. 2 — used when auditing history).
- Strategies, programmes, analyses, models and other documents: the same periods as good
  practice (the Portal for Public Consultations applies them to every consultation).
- The budget: its public discussion is announced at least 7 days ahead (ЗПФ чл. 84, ал. 6).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from consultations.enums import NORMATIVE_KINDS, Kind
from core.legal_calendar import add_calendar_days_deadline

# The day the 30-day rule came into force (ДВ бр. 34/2016).
ZNA_2016 = datetime.date(2016, 11, 4)


@dataclass(frozen=True)
class PeriodRule:
    standard_days: int  # the period the law asks for
    shortest_days: int  # the shortest allowed, and only with a published reason
    reference: str  # the legal reference quoted in messages

    @property
    def allows_shorter(self) -> bool:
        return self.shortest_days < self.standard_days


def rule_for(kind: str, opens_on: datetime.date | None = None) -> PeriodRule:
    """The rule for a consultation of `kind` opening on `opens_on` (today's rule if None)."""
    if kind == Kind.BUDGET:
        return PeriodRule(7, 7, "ЗПФ чл. 84, ал. 6")
    if opens_on is not None and opens_on < ZNA_2016:
        return PeriodRule(14, 14, "ЗНА чл. 26, ал. 2 (до 04.11.2016)")
    if kind in NORMATIVE_KINDS:
        return PeriodRule(30, 14, "ЗНА чл. 26, ал. 4")
    return PeriodRule(30, 14, "ЗНА чл. 26, ал. 4 (добра практика)")


def period_days(opens_on: datetime.date, closes_on: datetime.date) -> int:
    """Days of the period: from the day after publication to the last day, both included."""
    return (closes_on - opens_on).days


def default_last_day(kind: str, opens_on: datetime.date) -> datetime.date:
    """The last day to offer: the standard period, moved to a working day if it ends on
    one that is not."""
    return add_calendar_days_deadline(opens_on, rule_for(kind, opens_on).standard_days)


def problems(
    kind: str, opens_on: datetime.date, closes_on: datetime.date, reason: str
) -> dict[str, str]:
    """What is wrong with a period, as {field: message} for the form ("closes_on" or
    "short_period_reason"); empty when it keeps the law."""
    rule = rule_for(kind, opens_on)
    days = period_days(opens_on, closes_on)
    if days < 1:
        return {"closes_on": _("The last day for comments must be after the day of publication.")}
    if days < rule.shortest_days:
        return {
            "closes_on": _(
                "The period is %(days)d days; the law requires at least %(minimum)d days "
                "(%(reference)s). Choose %(date)s or a later day."
            )
            % {
                "days": days,
                "minimum": rule.shortest_days,
                "reference": rule.reference,
                "date": (opens_on + datetime.timedelta(days=rule.shortest_days)).strftime(
                    "%d.%m.%Y"
                ),
            }
        }
    if days < rule.standard_days and not reason.strip():
        return {
            "short_period_reason": _(
                "The period is %(days)d days, shorter than the %(standard)d days of "
                "%(reference)s: state the reasons for the shorter period; they are published "
                "with the consultation."
            )
            % {"days": days, "standard": rule.standard_days, "reference": rule.reference}
        }
    return {}
