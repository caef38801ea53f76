"""Grouping proposals: near-identical comments (campaign texts) on the same article become one
`ProposalGroup`, answered once; staff can move, split out and merge by hand.

Only top-level visible comments are proposals (`Comment.objects.visible().proposals()`); hidden
ones go to the report's annex and never into a group.

How near-identical texts are found without comparing every pair (5,000 comments in a few
seconds): each text is normalised (case, punctuation, whitespace, Latin letters that look like
Cyrillic ones), cut into word pairs (shingles), and its few smallest shingle hashes (a bottom-k
sketch) are its buckets. Two texts with most shingles in common almost always share one of
them, so a text is compared only with the groups met in its buckets, of the same article, and
joins the first whose leading text is similar enough (difflib ratio ≥ THRESHOLD on the
normalised texts). Comparing with the group's first text, not its latest member, keeps a chain
of small edits from drifting into one group.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Min

from consultations.models import Comment, CommentQuerySet, Consultation, ProposalGroup

THRESHOLD = 0.85
# Texts this similar share at least half their word triples; a cheap set test before difflib.
MIN_SHARED = 0.5
SKETCH = 6  # smallest shingle hashes kept per text (its buckets)
# A bucket holding this many groups is a phrase everyone uses ("да се промени"), not a sign of
# a campaign: it is no longer searched, the text's other buckets are.
BUCKET_LIMIT = 40
SUMMARY_LENGTH = 1000

# Latin letters that campaigns (or keyboards) put into Cyrillic words; mapped for comparison only.
_LOOKALIKES = str.maketrans(
    {
        "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "і", "k": "к", "m": "м",
        "o": "о", "p": "р", "t": "т", "x": "х", "y": "у", "ё": "е", "ѝ": "и",
    }
)  # fmt: skip
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise(text: str) -> str:
    """The text as compared: lower case, Latin look-alikes as Cyrillic, no punctuation, single
    spaces. "Предлагам, ЧЛ. 3 да отпадне!" and "предлагам чл 3 да отпадне" are the same."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LOOKALIKES)
    return " ".join(_NOT_WORD.sub(" ", text).replace("_", " ").split())


def shingles(normalised: str) -> set[int]:
    """Hashes of the word triples (all the words of a shorter text); crc32 so that the same
    text gives the same hashes in every process."""
    words = normalised.split()
    grams = [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]
    return {zlib.crc32(g.encode()) for g in grams if g}


def similar(a: str, b: str, a_shingles: set[int], b_shingles: set[int]) -> bool:
    """Near-identical normalised texts (the cheap tests first)."""
    if a == b:
        return True
    if not a or not b:
        return False
    shared = len(a_shingles & b_shingles)
    if shared < MIN_SHARED * (len(a_shingles) + len(b_shingles) - shared):
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= THRESHOLD
        and matcher.quick_ratio() >= THRESHOLD
        and matcher.ratio() >= THRESHOLD
    )


def comparable_text(text: str, proposed_wording: str) -> str:
    """What is compared: the comment's text. A campaign's signers often add or leave out a
    wording of their own; the report lists every distinct wording of a group."""
    return normalise(text)


@dataclass
class Cluster:
    """A group being formed: its leading (first) text and the comments in it."""

    article_id: int | None
    lead: str
    shingles: set[int] = field(default_factory=set)
    group_id: int | None = None  # an existing group the cluster stands for
    comment_ids: list[int] = field(default_factory=list)


class Clusterer:
    """Assigns texts, in order, to clusters of near-identical texts of the same article."""

    def __init__(self) -> None:
        self.clusters: list[Cluster] = []
        self._exact: dict[tuple[int | None, str], int] = {}
        self._buckets: dict[tuple[int | None, int], list[int]] = defaultdict(list)

    def _register(self, index: int, article_id: int | None, sketch: list[int]) -> None:
        for h in sketch:
            bucket = self._buckets[(article_id, h)]
            if len(bucket) <= BUCKET_LIMIT and index not in bucket:
                bucket.append(index)

    def seed(self, group_id: int, article_id: int | None, text: str) -> None:
        """An existing group, so that new proposals can join it."""
        self._add_cluster(Cluster(article_id, text, shingles(text), group_id=group_id))

    def _add_cluster(self, cluster: Cluster) -> int:
        index = len(self.clusters)
        self.clusters.append(cluster)
        self._exact.setdefault((cluster.article_id, cluster.lead), index)
        self._register(index, cluster.article_id, sorted(cluster.shingles)[:SKETCH])
        return index

    def add(self, comment_id: int, article_id: int | None, text: str) -> Cluster:
        index = self._exact.get((article_id, text))
        own = shingles(text)
        sketch = sorted(own)[:SKETCH]
        if index is None:
            seen: set[int] = set()
            for h in sketch:
                bucket = self._buckets.get((article_id, h), ())
                if len(bucket) > BUCKET_LIMIT:
                    continue
                for candidate in bucket:
                    if candidate in seen:
                        continue
                    seen.add(candidate)
                    lead = self.clusters[candidate]
                    if similar(lead.lead, text, lead.shingles, own):
                        index = candidate
                        break
                if index is not None:
                    break
        if index is None:
            index = self._add_cluster(Cluster(article_id, text, own))
        else:
            # Its variants widen the cluster's reach; similarity is still checked on the lead.
            self._register(index, article_id, sketch)
        cluster = self.clusters[index]
        cluster.comment_ids.append(comment_id)
        return cluster


def proposals(consultation: Consultation) -> CommentQuerySet:
    """What needs an answer: the visible top-level comments."""
    return Comment.objects.filter(consultation=consultation).visible().proposals()


def summary_of(text: str) -> str:
    text = text.strip()
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1].rstrip() + "…"


@dataclass(frozen=True)
class GroupingResult:
    proposals: int
    groups: int
    new_groups: int


@transaction.atomic
def group_proposals(consultation: Consultation, *, reset: bool = False) -> GroupingResult:
    """Group the visible proposals that are in no group yet (all unanswered ones with `reset`:
    their groups are dissolved first; answered groups are never touched). New proposals join
    an existing group of the same article when near-identical to its first text."""
    # Lock the consultation so that two staff members grouping at once do not both create.
    Consultation.objects.select_for_update(of=("self",)).filter(pk=consultation.pk).first()
    groups = ProposalGroup.objects.filter(consultation=consultation)
    if reset:
        groups.filter(decision="").delete()  # their comments' group becomes NULL
    # Hidden comments and replies are not proposals: out of any group.
    Comment.objects.filter(consultation=consultation, group__isnull=False).exclude(
        pk__in=proposals(consultation).values("pk")
    ).update(group=None)

    clusterer = Clusterer()
    # Each existing group is seeded by its first comment's text.
    firsts = (
        proposals(consultation)
        .filter(group__isnull=False)
        .order_by("group_id", "created_at", "pk")
        .values_list("group_id", "group__article_id", "text", "proposed_wording")
    )
    seeded: set[int] = set()
    for group_id, article_id, text, wording in firsts.iterator(chunk_size=2000):
        if group_id not in seeded:
            seeded.add(group_id)
            clusterer.seed(group_id, article_id, comparable_text(text, wording))

    rows = (
        proposals(consultation)
        .filter(group__isnull=True)
        .order_by("created_at", "pk")
        .values_list("pk", "article_id", "text", "proposed_wording")
    )
    texts: dict[int, str] = {}
    for pk, article_id, text, wording in rows.iterator(chunk_size=2000):
        texts[pk] = text
        clusterer.add(pk, article_id, comparable_text(text, wording))

    fresh = [c for c in clusterer.clusters if c.group_id is None and c.comment_ids]
    created = ProposalGroup.objects.bulk_create(
        [
            ProposalGroup(
                consultation=consultation,
                article_id=c.article_id,
                summary=summary_of(texts[c.comment_ids[0]]),
            )
            for c in fresh
        ],
        batch_size=500,
    )
    for cluster, group in zip(fresh, created, strict=True):
        cluster.group_id = group.pk
    by_group: dict[int, list[int]] = defaultdict(list)
    for c in clusterer.clusters:
        if c.comment_ids and c.group_id is not None:
            by_group[c.group_id].extend(c.comment_ids)
    # A campaign's group is one UPDATE (in chunks of ids); the many small groups go together
    # through bulk_update, a few statements instead of one per group.
    singles: list[Comment] = []
    for group_id, ids in by_group.items():
        if len(ids) < 20:
            singles += [Comment(pk=pk, group_id=group_id) for pk in ids]
            continue
        for start in range(0, len(ids), 900):
            Comment.objects.filter(pk__in=ids[start : start + 900]).update(group_id=group_id)
    Comment.objects.bulk_update(singles, ["group"], batch_size=300)
    renumber(consultation)
    return GroupingResult(
        proposals=len(texts),
        groups=ProposalGroup.objects.filter(consultation=consultation).count(),
        new_groups=len(created),
    )


def renumber(consultation: Consultation) -> None:
    """Delete empty groups and number the rest: the whole draft first, then by article in the
    draft's order, then by first comment."""
    groups = ProposalGroup.objects.filter(consultation=consultation)
    groups.annotate(n=Count("comments")).filter(n=0).delete()
    ordered = list(
        groups.annotate(first=Min("comments__created_at"), first_pk=Min("comments__pk"))
        .select_related(None)
        .only("pk", "order", "article__index")
        .order_by("article__index", "first", "first_pk")
    )
    # Comments on the whole draft (no article) come first whatever the database's NULL order.
    ordered.sort(key=lambda g: (g.article_id is not None,))
    changed = []
    for n, group in enumerate(ordered, start=1):
        if group.order != n:
            group.order = n
            changed.append(group)
    ProposalGroup.objects.bulk_update(changed, ["order"], batch_size=500)


# --- By hand ------------------------------------------------------------------------------------


class RegroupError(Exception):
    """A regrouping that cannot be done; the message is for people."""


def _check(comment: Comment, consultation: Consultation) -> None:
    if comment.consultation_id != consultation.pk or comment.parent_id or comment.is_hidden:
        raise RegroupError("not a proposal of this consultation")


@transaction.atomic
def move(comment: Comment, target: ProposalGroup) -> None:
    """Put a proposal into another group of the same consultation (it takes that answer)."""
    _check(comment, target.consultation)
    comment.group = target
    comment.save(update_fields=["group"])
    renumber(target.consultation)


@transaction.atomic
def split_out(comment: Comment) -> ProposalGroup:
    """A proposal gets a group of its own (unanswered)."""
    consultation = comment.consultation
    _check(comment, consultation)
    group = ProposalGroup.objects.create(
        consultation=consultation, article_id=comment.article_id, summary=summary_of(comment.text)
    )
    comment.group = group
    comment.save(update_fields=["group"])
    renumber(consultation)
    group.refresh_from_db()
    return group


@transaction.atomic
def merge(target: ProposalGroup, other: ProposalGroup) -> None:
    """`other`'s proposals join `target` (which keeps its summary and answer); `other` goes."""
    if target.pk == other.pk or target.consultation_id != other.consultation_id:
        raise RegroupError("groups of different consultations")
    Comment.objects.filter(group=other).update(group=target)
    other.delete()
    renumber(target.consultation)
