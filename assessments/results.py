"""A campaign's results: the indices of every group (respondent type × municipality, each
type, each municipality, everything), computed from the stored scores of the submitted
responses and cached under the campaign's `results_version` (every submission, state change
and setting that alters them bumps it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache

from assessments.indices import GroupIndex, change, group_indices
from assessments.models import Campaign, Response

# (respondent type or None for all types, municipality code or None for the whole campaign)
GroupKey = tuple[str | None, str | None]


@dataclass
class Results:
    minimum: int
    groups: dict[GroupKey, GroupIndex] = field(default_factory=dict)

    def get(self, respondent_type: str | None, municipality: str | None) -> GroupIndex | None:
        return self.groups.get((respondent_type, municipality))

    @property
    def total(self) -> GroupIndex | None:
        return self.get(None, None)

    def municipalities(self, respondent_type: str | None = None) -> dict[str, GroupIndex]:
        return {
            code: group
            for (kind, code), group in self.groups.items()
            if code is not None and kind == respondent_type
        }

    def types(self) -> dict[str, GroupIndex]:
        return {
            kind: group
            for (kind, code), group in self.groups.items()
            if code is None and kind is not None
        }

    def change_from(self, before: Results | None, key: GroupKey, dimension: str) -> float | None:
        return change(self.groups.get(key), before.groups.get(key) if before else None, dimension)


def keyed_rows(
    rows: Iterable[tuple[str, str | None, Mapping[str, float]]],
) -> Iterable[tuple[GroupKey, Mapping[str, float]]]:
    """Each response counts in four groups: its type and municipality, its type, its
    municipality, and the whole campaign."""
    for kind, code, scores in rows:
        if not scores:
            continue
        yield (kind, None), scores
        yield (None, None), scores
        if code is not None:
            yield (kind, code), scores
            yield (None, code), scores


def compute(campaign: Campaign) -> Results:
    rows = (
        Response.objects.submitted()
        .filter(campaign=campaign)
        .values_list("respondent_type", "municipality_id", "scores")
        .iterator(chunk_size=2000)
    )
    minimum = campaign.group_minimum
    return Results(minimum=minimum, groups=group_indices(keyed_rows(rows), minimum))


def results_of(campaign: Campaign) -> Results:
    key = f"assessments:results:{campaign.pk}:{campaign.results_version}:{campaign.group_minimum}"
    found = cache.get(key)
    if found is None:
        found = compute(campaign)
        cache.set(key, found, 24 * 3600)
    return found
