"""Indices of groups of respondents (a municipality, a respondent type, the whole campaign),
with the anonymity threshold: a group, and each dimension of it, is shown only when at least
`minimum` respondents make it up. Pure functions over the stored scores; the campaign's
results (assessments/results.py) feed them and cache what they return.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from assessments.scoring import OVERALL

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class GroupIndex:
    """The indices of one group. `hidden`: fewer respondents than the minimum, so nothing of
    it is shown (not even how many answered). A dimension answered by fewer than the minimum
    within a visible group is absent from `values`."""

    n: int
    hidden: bool
    values: Mapping[str, float] = field(default_factory=dict)
    # The spread of the respondents' overall indices: standard deviation and the quartiles.
    sd: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def overall(self) -> float | None:
        return self.values.get(OVERALL)


def group_index(scores: list[Mapping[str, float]], minimum: int) -> GroupIndex:
    """The mean index per dimension and overall over the respondents who have one."""
    if len(scores) < minimum or not scores:
        return GroupIndex(n=len(scores), hidden=True)
    by_key: dict[str, list[float]] = {}
    for row in scores:
        for key, value in row.items():
            by_key.setdefault(key, []).append(value)
    values = {
        key: round(statistics.fmean(found), 1)
        for key, found in by_key.items()
        if len(found) >= minimum
    }
    overall = by_key.get(OVERALL, [])
    spread: dict[str, float | None] = {"sd": None, "q1": None, "median": None, "q3": None}
    if len(overall) >= max(minimum, 2):
        q1, median, q3 = statistics.quantiles(overall, n=4, method="inclusive")
        spread = {
            "sd": round(statistics.stdev(overall), 1),
            "q1": round(q1, 1),
            "median": round(median, 1),
            "q3": round(q3, 1),
        }
    return GroupIndex(n=len(scores), hidden=False, values=values, **spread)


def group_indices(
    rows: Iterable[tuple[K, Mapping[str, float]]], minimum: int
) -> dict[K, GroupIndex]:
    """Group (key, scores) rows by key and index each group."""
    grouped: dict[K, list[Mapping[str, float]]] = {}
    for key, row in rows:
        grouped.setdefault(key, []).append(row)
    return {key: group_index(found, minimum) for key, found in grouped.items()}


def change(now: GroupIndex | None, before: GroupIndex | None, key: str = OVERALL) -> float | None:
    """The change of one index between two rounds, when both are shown."""
    if now is None or before is None or now.hidden or before.hidden:
        return None
    a, b = now.values.get(key), before.values.get(key)
    return None if a is None or b is None else round(a - b, 1)
