"""Importing strategy.bg's history (consultations.strategy_bg reads the files).

`import_export(consultations, comments)` reads the files whole before it writes anything: a
file that cannot be read (consultations.strategy_bg.ExportError) leaves nothing behind; a row
that cannot be read is skipped and reported with its line. Records are written in batches
(a few queries per 500 rows whatever the file's size) and compared with what is stored, so
that importing the same file again changes nothing and a newer export changes only what
changed.

Where a consultation goes:
- national (`CategoryParentId` 1): a directory institution per policy area, made once
  ("Държавна администрация — <area>", kind `national-policy-area`);
- regional (2): the province's regional administration;
- municipal (3): the municipality's administration, by name. A name the directory has twice
  (Бяла is in Varna and in Ruse provinces) or not at all is flagged on its `SourceCategory`,
  and its consultations wait as `HeldRow`s until an administrator chooses the municipality
  (`resolve_category`), which imports them.

Evident test entries of the source portal are imported as drafts (never public) with the
`test_entry` flag; their reason does not count as a stated reason in the audit.
"""

from __future__ import annotations

import dataclasses
import datetime
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.audit import audit_changed, audit_moved
from consultations.enums import Decision, ImportedCommentState, Scope, Source, State
from consultations.models import (
    AUDIT_FIELDS,
    TEST_ENTRY_FLAG,
    Consultation,
    HeldRow,
    ImportedComment,
    SourceCategory,
    StateChange,
)
from consultations.search import KIND as SEARCH_KIND
from consultations.strategy_bg import (
    CommentRecord,
    ConsultationRecord,
    Skipped,
    comment_records,
    consultation_records,
)
from core.legal_calendar import SOFIA
from core.search import index_new, index_objects
from directory import enums as directory_enums
from directory.models import Institution, InstitutionKind
from territory.models import Municipality, Province

BATCH = 500
NATIONAL_KIND = "national-policy-area"
# Taken into account: the source's "Взет предвид"; on the platform also partly accepted.
TAKEN_INTO_ACCOUNT = (Decision.ACCEPTED, Decision.PARTLY)

CONSULTATION_FIELDS = (
    "title", "kind", "institution_id", "province_id", "municipality_id", "opens_at",
    "closes_on", "short_period_reason", "document_types", "policy_area",
    "source_comments_count", "import_flags", "source_url", "state",
)  # fmt: skip
COMMENT_FIELDS = (
    "consultation_id", "title", "created_at", "decision", "reasons", "remark", "state",
)  # fmt: skip

Progress = Callable[[int], None]


@dataclass
class Report:
    """What an import did, for the command's output and the upload page."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0
    comments_created: int = 0
    comments_updated: int = 0
    comments_unchanged: int = 0
    comments_held: int = 0
    # {"file": "consultations"|"comments", "line": n, "reason": text}
    skipped: list[dict[str, Any]] = field(default_factory=list)
    # {"id": n, "title": text}
    test_entries: list[dict[str, Any]] = field(default_factory=list)
    # {"id": category id, "name": text, "problem": text}
    categories_to_resolve: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def normalise_name(name: str) -> str:
    text = " ".join(name.lower().replace("ѝ", "и").split())
    for prefix in ("община ", "общ. ", "област ", "обл. "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def _state(record: ConsultationRecord, today: datetime.date) -> str:
    if record.test_entry:
        return State.DRAFT
    return State.OPEN if record.closes_on >= today else State.CLOSED


class Importer:
    def __init__(self, today: datetime.date | None = None) -> None:
        self.today = today or timezone.now().astimezone(SOFIA).date()
        self.report = Report()
        self.categories: dict[int, SourceCategory] = {}
        self.institutions: dict[int, Institution] = {}
        # Consultations written in this run; the document types of those whose rows are not
        # together in the file (all their types, gathered by the first reading).
        self.seen: set[int] = set()
        self.repeated: dict[int, list[str]] = {}
        self.touched: set[int] = set()  # consultations whose comments changed
        self.changed_institutions: set[int] = set()
        self._municipalities: dict[str, list[Any]] | None = None
        self._provinces: dict[str, list[Any]] | None = None

    # --- Where a consultation belongs --------------------------------------------------------

    def _names(self, model: type[Municipality] | type[Province]) -> dict[str, list[Any]]:
        names: dict[str, list[Any]] = {}
        for pk, name in model.objects.values_list("pk", "name_bg"):
            names.setdefault(normalise_name(name), []).append(pk)
        return names

    def _institution(self, pk: int) -> Institution:
        if pk not in self.institutions:
            self.institutions[pk] = Institution.objects.select_related(
                "province", "municipality__province"
            ).get(pk=pk)
        return self.institutions[pk]

    def _national(self, record: ConsultationRecord) -> Institution:
        kind, _created = InstitutionKind.objects.get_or_create(
            slug=NATIONAL_KIND,
            defaults={
                "name_bg": "Държавна администрация (област на политика)",
                "name_en": "State administration (policy area)",
                "order": 90,
            },
        )
        # Made once: its SourceCategory remembers it (not the directory's generated_key, which
        # generate_directory counts as its own).
        return Institution.objects.create(
            kind=kind,
            name_bg=f"Държавна администрация — {record.category_name}",
            source="strategy.bg, " + _("open-data export of public consultations"),
        )

    def _local(self, record: ConsultationRecord, category: SourceCategory) -> None:
        if record.scope == Scope.MUNICIPAL:
            if self._municipalities is None:
                self._municipalities = self._names(Municipality)
            ids = self._municipalities.get(normalise_name(record.category_name), [])
            kind_slug, unit = directory_enums.MUNICIPAL_ADMINISTRATION, "municipality_id__in"
        else:
            if self._provinces is None:
                self._provinces = self._names(Province)
            ids = self._provinces.get(normalise_name(record.category_name), [])
            kind_slug, unit = directory_enums.REGIONAL_ADMINISTRATION, "province_id__in"
        institutions = list(
            Institution.objects.filter(kind__slug=kind_slug, **{unit: ids}).values_list(
                "pk", flat=True
            )
        )
        if len(ids) == 1 and len(institutions) == 1:
            category.institution_id = institutions[0]
            category.save()
            return
        category.problem = (
            SourceCategory.Problem.AMBIGUOUS if len(ids) > 1 else SourceCategory.Problem.UNKNOWN
        )
        category.save()
        if record.scope == Scope.MUNICIPAL and ids:
            category.candidates.set(ids)

    def category(self, record: ConsultationRecord) -> SourceCategory:
        found = self.categories.get(record.category_id)
        if found is not None:
            return found
        category = SourceCategory.objects.filter(category_id=record.category_id).first()
        if category is None:
            category = SourceCategory(
                category_id=record.category_id, scope=record.scope, name=record.category_name
            )
            if record.scope == Scope.NATIONAL:
                category.institution = self._national(record)
                category.save()
            else:
                self._local(record, category)
        if category.institution_id is None:
            self.report.categories_to_resolve.append(
                {
                    "id": category.category_id,
                    "name": category.name,
                    "problem": str(SourceCategory.Problem(category.problem).label),
                }
            )
        self.categories[record.category_id] = category
        return category

    # --- Consultations -----------------------------------------------------------------------

    def _values(self, record: ConsultationRecord, institution: Institution) -> dict[str, Any]:
        municipality = institution.municipality
        province = institution.province or (municipality.province if municipality else None)
        return {
            "title": record.title,
            "kind": record.kind,
            "institution_id": institution.pk,
            "province_id": province.pk if province else None,
            "municipality_id": municipality.pk if municipality else None,
            "opens_at": record.opened_at,
            "closes_on": record.closes_on,
            "short_period_reason": record.reason,
            "document_types": record.document_types,
            "policy_area": record.policy_area,
            "source_comments_count": record.comments_count,
            "import_flags": [TEST_ENTRY_FLAG] if record.test_entry else [],
            "source_url": record.url,
            "state": _state(record, self.today),
        }

    def save_consultations(self, records: list[ConsultationRecord]) -> None:
        # A consultation whose rows are apart in the file is written once, when first met,
        # with all its document types: later rows of it add nothing (and a second import of
        # the same file finds every consultation as it left it).
        merged: dict[int, ConsultationRecord] = {}
        for record in records:
            if record.source_id in self.seen or record.source_id in merged:
                continue
            if record.source_id in self.repeated:
                record.document_types = list(self.repeated[record.source_id])
            merged[record.source_id] = record
        placed: list[tuple[ConsultationRecord, Institution]] = []
        for record in merged.values():
            category = self.category(record)
            self.seen.add(record.source_id)
            if category.institution_id is None:
                self._hold(category, record)
            else:
                placed.append((record, self._institution(category.institution_id)))
        existing = {
            c.source_id: c
            for c in Consultation.objects.filter(
                source=Source.STRATEGY_BG, source_id__in=[r.source_id for r, _i in placed]
            )
        }
        created: list[Consultation] = []
        updated: list[Consultation] = []
        moves: list[StateChange] = []
        now = timezone.now()
        for record, institution in placed:
            values = self._values(record, institution)
            row = existing.get(record.source_id)
            if row is None:
                row = Consultation(source=Source.STRATEGY_BG, source_id=record.source_id, **values)
                created.append(row)
            else:
                changed = [f for f in CONSULTATION_FIELDS if getattr(row, f) != values[f]]
                if not changed:
                    self.report.unchanged += 1
                    continue
                if "state" in changed:
                    moves.append(
                        StateChange(
                            consultation=row,
                            from_state=row.state,
                            to_state=values["state"],
                            at=now,
                            note=_("Changed by a newer export of strategy.bg"),
                        )
                    )
                for name in changed:
                    setattr(row, name, values[name])
                row.updated_at = now
                updated.append(row)
            # The search entry is written from these objects: no query per row for them.
            row.institution = institution
            row.municipality = institution.municipality
            row.province = institution.province or (
                institution.municipality.province if institution.municipality else None
            )
            row.refresh_audit()
        if created:
            Consultation.objects.bulk_create(created, batch_size=BATCH)
            moves += [
                StateChange(
                    consultation=c,
                    from_state="",
                    to_state=c.state,
                    at=now,
                    note=_("Imported from strategy.bg (No %(id)d)") % {"id": c.source_id},
                )
                for c in created
            ]
            index_new(SEARCH_KIND, created)
        if updated:
            Consultation.objects.bulk_update(
                updated, [*CONSULTATION_FIELDS, *AUDIT_FIELDS, "updated_at"], batch_size=BATCH
            )
            index_objects(SEARCH_KIND, updated)
        StateChange.objects.bulk_create(moves, batch_size=BATCH)
        self.changed_institutions.update(c.institution_id for c in [*created, *updated])
        self.report.created += len(created)
        self.report.updated += len(updated)
        self.report.test_entries += [
            {"id": r.source_id, "title": r.title} for r, _i in placed if r.test_entry
        ]

    def _hold(self, category: SourceCategory, record: ConsultationRecord) -> None:
        data = dataclasses.asdict(record)
        data["opened_at"] = record.opened_at.isoformat()
        data["closes_on"] = record.closes_on.isoformat()
        HeldRow.objects.update_or_create(
            source_id=record.source_id, defaults={"category": category, "record": data}
        )
        self.report.held += 1

    # --- Comments ----------------------------------------------------------------------------

    def save_comments(self, records: list[CommentRecord]) -> None:
        wanted = {r.consultation_id for r in records}
        consultations = dict(
            Consultation.objects.filter(
                source=Source.STRATEGY_BG, source_id__in=wanted
            ).values_list("source_id", "pk")
        )
        held = {h.source_id: h for h in HeldRow.objects.filter(source_id__in=wanted)}
        existing = {
            c.source_id: c
            for c in ImportedComment.objects.filter(source_id__in=[r.source_id for r in records])
        }
        created: list[ImportedComment] = []
        updated: list[ImportedComment] = []
        held_changed: dict[int, HeldRow] = {}
        for record in records:
            pk = consultations.get(record.consultation_id)
            if pk is None:
                if record.consultation_id in held:
                    row = held[record.consultation_id]
                    data = _comment_data(record)
                    kept = [c for c in row.comments if c["source_id"] != record.source_id]
                    if [*kept, data] != row.comments:
                        row.comments = [*kept, data]
                        held_changed[row.pk] = row
                    self.report.comments_held += 1
                else:
                    self.report.skipped.append(
                        {
                            "file": "comments",
                            "line": record.line,
                            "reason": _("consultation No %(id)d is not in the consultations export")
                            % {"id": record.consultation_id},
                        }
                    )
                continue
            values = _comment_values(record, pk)
            comment = existing.get(record.source_id)
            if comment is None:
                created.append(ImportedComment(source_id=record.source_id, **values))
                self.touched.add(pk)
                continue
            changed = [f for f in COMMENT_FIELDS if getattr(comment, f) != values[f]]
            if not changed:
                self.report.comments_unchanged += 1
                continue
            self.touched.update({comment.consultation_id, pk})
            for name in changed:
                setattr(comment, name, values[name])
            updated.append(comment)
        ImportedComment.objects.bulk_create(created, batch_size=BATCH)
        ImportedComment.objects.bulk_update(updated, list(COMMENT_FIELDS), batch_size=BATCH)
        HeldRow.objects.bulk_update(held_changed.values(), ["comments"])
        self.report.comments_created += len(created)
        self.report.comments_updated += len(updated)

    def refresh_comment_figures(self) -> None:
        refresh_comment_figures(self.touched)

    # --- A whole import ----------------------------------------------------------------------

    def run(
        self,
        consultations: IO[bytes],
        comments: IO[bytes] | None = None,
        progress: Progress | None = None,
    ) -> Report:
        """Two passes over the files: the first reads them whole and raises ExportError before
        anything is written; the second writes batch by batch, each batch in a transaction of
        its own, so that the progress others see moves (one transaction around everything
        would hide it until the end) and a batch is never half-written."""
        sizes = [_size(consultations), _size(comments) if comments else 0]
        total = max(sum(sizes), 1)

        def reading(start: int, offset: int, span: int) -> Callable[[int], None] | None:
            if progress is None:
                return None
            return lambda done: progress(min(99, start + span * (offset + done) // total))

        self.repeated = _types_of_scattered(consultation_records(consultations, reading(0, 0, 30)))
        if comments is not None:
            for _comment in comment_records(comments, reading(0, sizes[0], 30)):
                pass
        consultations.seek(0)
        batch: list[Any] = []
        for item in consultation_records(consultations, reading(30, 0, 69)):
            if isinstance(item, Skipped):
                self._skip("consultations", item)
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                with transaction.atomic():
                    self.save_consultations(batch)
                batch = []
        with transaction.atomic():
            self.save_consultations(batch)
        if comments is not None:
            comments.seek(0)
            batch = []
            for comment in comment_records(comments, reading(30, sizes[0], 69)):
                if isinstance(comment, Skipped):
                    self._skip("comments", comment)
                    continue
                batch.append(comment)
                if len(batch) >= BATCH:
                    with transaction.atomic():
                        self.save_comments(batch)
                    batch = []
            with transaction.atomic():
                self.save_comments(batch)
        with transaction.atomic():
            self.refresh_comment_figures()
        self.announce()
        return self.report

    def announce(self) -> None:
        """Tell the audit's readers (the dashboard's cache, monitoring's index) what changed;
        the bulk writes sent no signal of `Consultation.save`."""
        audit_moved()
        if self.changed_institutions:
            audit_changed.send(Importer, institution_ids=sorted(self.changed_institutions))

    def _skip(self, file: str, item: Skipped) -> None:
        self.report.skipped.append({"file": file, "line": item.line, "reason": item.reason})


def _types_of_scattered(items: Iterable[ConsultationRecord | Skipped]) -> dict[int, list[str]]:
    """All the document types of each consultation whose rows are not together in the file
    (the reader merges rows that are): read whole before anything is written."""
    types: dict[int, list[str]] = {}
    scattered: set[int] = set()
    for item in items:
        if isinstance(item, Skipped):
            continue
        known = types.get(item.source_id)
        if known is None:
            # Interned: a few dozen names of types stand for tens of thousands of rows.
            types[item.source_id] = [sys.intern(t) for t in item.document_types]
            continue
        scattered.add(item.source_id)
        known += [sys.intern(t) for t in item.document_types if t not in known]
    return {pk: types[pk] for pk in scattered}


def _size(stream: IO[bytes] | None) -> int:
    if stream is None or not stream.seekable():
        return 0
    position = stream.tell()
    size = stream.seek(0, 2)
    stream.seek(position)
    return size


def _comment_values(record: CommentRecord, consultation_pk: int) -> dict[str, Any]:
    return {
        "consultation_id": consultation_pk,
        "title": record.title,
        "created_at": record.created_at,
        "decision": record.decision,
        "reasons": record.reasons,
        "remark": record.remark,
        "state": record.state,
    }


def _comment_data(record: CommentRecord) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    data["created_at"] = record.created_at.isoformat()
    return data


def refresh_comment_figures(consultation_ids: Iterable[int]) -> None:
    """The imported consultations' judged comments and those taken into account."""
    ids = list(consultation_ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        figures = {
            row["consultation_id"]: row
            for row in ImportedComment.objects.filter(
                consultation_id__in=chunk, state=ImportedCommentState.APPROVED
            )
            .values("consultation_id")
            .annotate(
                judged=Count("pk"),
                taken=Count("pk", filter=Q(decision__in=TAKEN_INTO_ACCOUNT)),
            )
        }
        rows = []
        for c in Consultation.objects.filter(pk__in=chunk).only(
            "pk", "audit_comments", "audit_taken_into_account"
        ):
            got = figures.get(c.pk, {"judged": 0, "taken": 0})
            if (c.audit_comments, c.audit_taken_into_account) != (got["judged"], got["taken"]):
                c.audit_comments, c.audit_taken_into_account = got["judged"], got["taken"]
                rows.append(c)
        Consultation.objects.bulk_update(rows, ["audit_comments", "audit_taken_into_account"])


def import_export(
    consultations: IO[bytes],
    comments: IO[bytes] | None = None,
    progress: Progress | None = None,
    today: datetime.date | None = None,
) -> Report:
    """Import one export (see the module's docstring); raises ExportError, importing nothing,
    when a file cannot be read."""
    return Importer(today).run(consultations, comments, progress)


@transaction.atomic
def resolve_category(
    category: SourceCategory, municipality: Municipality, by: Any = None
) -> Report:
    """The administrator's choice of the municipality a category means: its consultations
    waiting for it (and their comments) are imported now."""
    institution = Institution.objects.get(
        kind__slug=directory_enums.MUNICIPAL_ADMINISTRATION, municipality=municipality
    )
    category.institution = institution
    category.resolved_by = by if getattr(by, "is_authenticated", False) else None
    category.resolved_at = timezone.now()
    category.save()
    importer = Importer()
    importer.categories[category.category_id] = category
    held = list(category.held.all())
    records = []
    for row in held:
        data = dict(row.record)
        data["opened_at"] = datetime.datetime.fromisoformat(data["opened_at"])
        data["closes_on"] = datetime.date.fromisoformat(data["closes_on"])
        records.append(ConsultationRecord(**data))
    importer.save_consultations(records)
    comments = []
    for row in held:
        for data in row.comments:
            data = dict(data)
            data["created_at"] = datetime.datetime.fromisoformat(data["created_at"])
            comments.append(CommentRecord(**data))
    importer.save_comments(comments)
    importer.refresh_comment_figures()
    category.held.all().delete()
    importer.announce()
    return importer.report


def run_import(run_id: int) -> str:
    """Run one uploaded import (the task's body): its progress is stored as it goes, and its
    report or its error at the end. Returns the run's final state."""
    from consultations.enums import ImportState
    from consultations.models import ImportRun
    from consultations.strategy_bg import ExportError

    claimed = ImportRun.objects.filter(pk=run_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING
    )
    if not claimed:  # done, or under way in another worker
        return ImportRun.objects.get(pk=run_id).state
    run = ImportRun.objects.get(pk=run_id)
    last = [0]

    def progress(percent: int) -> None:
        if percent > last[0]:
            last[0] = percent
            ImportRun.objects.filter(pk=run_id).update(progress=percent)

    try:
        with run.consultations_file.open("rb") as consultations:
            if run.comments_file:
                with run.comments_file.open("rb") as comments:
                    report = import_export(consultations, comments, progress)
            else:
                report = import_export(consultations, None, progress)
    except ExportError as e:
        run.state, run.error = ImportState.FAILED, str(e)
    except Exception:
        run.state = ImportState.FAILED
        run.error = _(
            "The import stopped on an unexpected error. What it had written before stays; "
            "importing the same files again completes it."
        )
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
        raise
    else:
        run.state, run.report, run.progress = ImportState.DONE, report.as_dict(), 100
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "error", "report", "progress", "finished_at"])
    return run.state
