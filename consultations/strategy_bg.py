"""Reading strategy.bg's open-data exports as they are (../shared/data/README.md).

Both exports are UTF-8 with a byte-order mark, tab-separated, with a header line; titles may
be quoted and hold a tab; the file ends in a run of NUL bytes; the comments export has rows
whose columns are shifted. The consultations export has one row per consultation *and
document type*: `consultation_records` merges consecutive rows of one consultation into one
record with all its document types.

Everything is streamed: a row is read, checked and handed on, so that a file of any size is
read in the same memory. A row that cannot be read (a wrong number of columns, a number or a
date that is not one) is skipped and reported with its line; a file that cannot be read at
all (not UTF-8, not tab-separated, missing columns) raises `ExportError` with a message that
names what is wrong.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from consultations.enums import Decision, ImportedCommentState, Kind, Scope
from core.legal_calendar import SOFIA

CONSULTATION_COLUMNS = (
    "Id", "Title", "URL", "CategoryId", "CategoryName", "CategoryParentId",
    "CategoryParentName", "CategorySectionId", "CategorySectionName", "InstututionTypeId",
    "InstututionType", "DocumentTypeId", "DocumentType", "OpenningDate", "ClosingDate",
    "PublishDate", "ActiveDays", "CommentsCount", "ShortTermReason",
)  # fmt: skip
COMMENT_COLUMNS = (
    "commentId", "sourceItemURL", "commentTitle", "SourceItemId", "sourceItemTitle",
    "createDate", "TookIntoConsideration", "TookIntoConsiderationReason", "Remark",
    "commentState",
)  # fmt: skip
# What the import needs; the others are read when present.
CONSULTATION_REQUIRED = (
    "Id", "Title", "CategoryId", "CategoryName", "CategoryParentId", "DocumentType",
    "OpenningDate", "ClosingDate",
)  # fmt: skip
COMMENT_REQUIRED = ("commentId", "commentTitle", "SourceItemId", "createDate", "commentState")

# The consultation's page on strategy.bg (domain-rules.md §1.3); the export's URL column
# points at the portal's staging host, so the number is all that is taken from it.
PAGE_URL = "https://strategy.bg/bg/public-consultations/{id}"

SCOPES = {"1": Scope.NATIONAL, "2": Scope.REGIONAL, "3": Scope.MUNICIPAL}

DECISIONS = {
    "взет предвид": Decision.ACCEPTED,
    "не взет предвид": Decision.NOT_ACCEPTED,
    "неразгледан": "",  # not considered
}
COMMENT_STATES = {
    "одобрен": ImportedCommentState.APPROVED,
    "неодобрен": ImportedCommentState.NOT_APPROVED,
    "изтрит": ImportedCommentState.DELETED,
    "нов": ImportedCommentState.NEW,
}

# The act a consultation is about, from its document types: the law's period depends on it
# (consultations.periods). Normative acts first: one of them makes the consultation normative.
KIND_WORDS = (
    (Kind.ORDINANCE, ("закон", "наредба", "постановление", "пмс", "кодекс", "тарифа",
                      "инструкция", "проект на акт")),
    (Kind.RULES, ("правилник",)),
    (Kind.BUDGET, ("бюджет",)),
    (Kind.STRATEGY, ("стратегия", "програма", "план", "концепция")),
    (Kind.ANALYSIS, ("доклад", "анализ", "оценка")),
)  # fmt: skip

# Evident test entries of the source portal: a reason such as "hddfh" or "Тестова причина".
TEST_WORDS = re.compile(r"\b(тест|test)", re.IGNORECASE)
GIBBERISH = re.compile(r"^[a-z]{1,8}$", re.IGNORECASE)

BG_DATE = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s*г\.?)?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
EN_DATE = re.compile(
    r"^([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm]))?$"
)
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip


class ExportError(Exception):
    """The file cannot be read at all; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Skipped:
    line: int
    reason: str


@dataclass
class ConsultationRecord:
    line: int
    source_id: int
    title: str
    scope: str
    category_id: int
    category_name: str
    policy_area: str
    document_types: list[str]
    opened_at: datetime.datetime
    closes_on: datetime.date
    comments_count: int | None
    reason: str
    test_entry: bool
    kind: str = field(default=Kind.OTHER)

    @property
    def url(self) -> str:
        return PAGE_URL.format(id=self.source_id)


@dataclass(frozen=True)
class CommentRecord:
    line: int
    source_id: int
    consultation_id: int
    title: str
    created_at: datetime.datetime
    decision: str
    reasons: str
    remark: str
    state: str


# --- Values ---------------------------------------------------------------------------------


def parse_date(value: str) -> datetime.datetime:
    """`31.1.2019 г. 0:00:00` (the consultations) or `Sep 30 2010 11:10AM` (the comments), Sofia
    time, as an aware datetime in UTC; ValueError otherwise."""
    text = " ".join(value.split())
    if m := BG_DATE.match(text):
        day, month, year, hour, minute, second = m.groups()
        naive = datetime.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    elif m := EN_DATE.match(text):
        mon, day, year, hour, minute, second, half = m.groups()
        if mon.lower() not in MONTHS:
            raise ValueError(value)
        h = int(hour or 0)
        if half:
            h = h % 12 + (12 if half.lower() == "pm" else 0)
        naive = datetime.datetime(
            int(year), MONTHS[mon.lower()], int(day), h, int(minute or 0), int(second or 0)
        )
    else:
        raise ValueError(value)
    # In UTC: an hour that Sofia lives twice (the autumn change of clocks) compares unequal
    # with itself across zones (PEP 495), and a second import would see it changed.
    return naive.replace(tzinfo=SOFIA).astimezone(datetime.UTC)


def kind_of(document_types: Iterable[str]) -> str:
    names = " ".join(document_types).lower()
    for kind, words in KIND_WORDS:
        if any(word in names for word in words):
            return kind
    return Kind.OTHER


def is_test_entry(title: str, reason: str) -> bool:
    reason = reason.strip()
    if reason and (TEST_WORDS.search(reason) or GIBBERISH.match(reason)):
        return True
    return bool(re.match(r"^\s*(тест|test)\w*\b", title, re.IGNORECASE))


def _clean(text: str) -> str:
    # A quoted title may hold a tab or a line break: one space in their place.
    return " ".join(text.split())


# --- Rows -----------------------------------------------------------------------------------


def _lines(stream: IO[bytes], on_read: Callable[[int], None] | None) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    line_number = 0
    try:
        for line in text:
            line_number += 1
            if on_read is not None and line_number % 500 == 0:
                on_read(stream.tell() if stream.seekable() else 0)
            # The export ends in a run of NUL bytes (the full one in 1.2 MB of them).
            yield line.replace("\x00", "")
    except UnicodeDecodeError as e:
        raise ExportError(
            _(
                "The file is not in UTF-8 (near line %(line)d): strategy.bg's exports are UTF-8. "
                "Was it opened and saved again in another program? Upload the file as it was "
                "downloaded."
            )
            % {"line": line_number + 1}
        ) from e
    finally:
        # Leave the caller's stream open, also when reading stops early (the upload's check
        # reads the header only): a collected wrapper closes what it wraps.
        if not stream.closed:
            text.detach()


def rows(
    stream: IO[bytes],
    columns: tuple[str, ...],
    required: tuple[str, ...],
    on_read: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, dict[str, str]] | Skipped]:
    """(line, {column: value}) for each row, or `Skipped` for a row with shifted columns."""
    reader = csv.reader(_lines(stream, on_read), delimiter="\t", quotechar='"')
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ExportError(_("The file is empty.")) from None
    except csv.Error as e:
        raise ExportError(
            _("The file is not a tab-separated export: %(error)s") % {"error": e}
        ) from e
    if len(header) < 2:
        raise ExportError(
            _("The file is not tab-separated as strategy.bg's exports are (no tab in line 1).")
        )
    missing = [name for name in required if name not in header]
    if missing:
        other = COMMENT_COLUMNS if columns is CONSULTATION_COLUMNS else CONSULTATION_COLUMNS
        hint = ""
        if all(name in header for name in other[:4]):
            hint = " " + (
                _("This looks like the comments export: give it as the second file.")
                if columns is CONSULTATION_COLUMNS
                else _("This looks like the consultations export: give it as the first file.")
            )
        raise ExportError(
            _("The file lacks the columns %(columns)s.") % {"columns": ", ".join(missing)} + hint
        )
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield Skipped(
                    line,
                    _("%(found)d columns instead of %(expected)d (shifted columns)")
                    % {"found": len(row), "expected": len(header)},
                )
                continue
            yield line, dict(zip(header, row, strict=True))
    except csv.Error as e:
        raise ExportError(
            _("Line %(line)d cannot be read: %(error)s") % {"line": reader.line_num, "error": e}
        ) from e


def _int(value: str, column: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError(
            _("%(column)s is not a number: “%(value)s”") % {"column": column, "value": value[:40]}
        ) from None


def _date(value: str, column: str) -> datetime.datetime:
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(
            _("%(column)s is not a date: “%(value)s”") % {"column": column, "value": value[:40]}
        ) from None


def _consultation(line: int, row: dict[str, str]) -> ConsultationRecord:
    scope = SCOPES.get(row["CategoryParentId"].strip())
    if scope is None:
        raise ValueError(
            _("CategoryParentId is not 1, 2 or 3: “%(value)s”")
            % {"value": row["CategoryParentId"][:10]}
        )
    opened = _date(row["OpenningDate"], "OpenningDate")
    closes = _date(row["ClosingDate"], "ClosingDate")
    count = row.get("CommentsCount", "").strip()
    title = _clean(row["Title"])
    if not title:
        raise ValueError(_("the title is empty"))
    reason = row.get("ShortTermReason", "").strip()
    return ConsultationRecord(
        line=line,
        source_id=_int(row["Id"], "Id"),
        title=title[:500],
        scope=scope,
        category_id=_int(row["CategoryId"], "CategoryId"),
        category_name=_clean(row["CategoryName"]),
        policy_area=_clean(row["CategoryName"]) if scope == Scope.NATIONAL else "",
        document_types=[_clean(row["DocumentType"])] if row["DocumentType"].strip() else [],
        opened_at=opened,
        closes_on=closes.astimezone(SOFIA).date(),
        comments_count=_int(count, "CommentsCount") if count else None,
        reason=reason,
        test_entry=is_test_entry(title, reason),
    )


def consultation_records(
    stream: IO[bytes], on_read: Callable[[int], None] | None = None
) -> Iterator[ConsultationRecord | Skipped]:
    """One record per consultation (its rows of each document type merged), or `Skipped`."""
    current: ConsultationRecord | None = None
    for item in rows(stream, CONSULTATION_COLUMNS, CONSULTATION_REQUIRED, on_read):
        if isinstance(item, Skipped):
            yield item
            continue
        line, row = item
        try:
            record = _consultation(line, row)
        except ValueError as e:
            yield Skipped(line, str(e))
            continue
        if current is not None and current.source_id == record.source_id:
            for name in record.document_types:
                if name not in current.document_types:
                    current.document_types.append(name)
            continue
        if current is not None:
            current.kind = kind_of(current.document_types)
            yield current
        current = record
    if current is not None:
        current.kind = kind_of(current.document_types)
        yield current


def comment_records(
    stream: IO[bytes], on_read: Callable[[int], None] | None = None
) -> Iterator[CommentRecord | Skipped]:
    for item in rows(stream, COMMENT_COLUMNS, COMMENT_REQUIRED, on_read):
        if isinstance(item, Skipped):
            yield item
            continue
        line, row = item
        try:
            state = COMMENT_STATES.get(row["commentState"].strip().lower())
            if state is None:
                raise ValueError(
                    _("unknown commentState “%(value)s”") % {"value": row["commentState"][:30]}
                )
            decision_text = row.get("TookIntoConsideration", "").strip().lower()
            if decision_text not in DECISIONS:
                raise ValueError(
                    _("unknown TookIntoConsideration “%(value)s”") % {"value": decision_text[:30]}
                )
            title = _clean(row["commentTitle"])
            if not title:
                raise ValueError(_("the comment's title is empty"))
            yield CommentRecord(
                line=line,
                source_id=_int(row["commentId"], "commentId"),
                consultation_id=_int(row["SourceItemId"], "SourceItemId"),
                title=title,
                created_at=_date(row["createDate"], "createDate"),
                decision=DECISIONS[decision_text],
                reasons=row.get("TookIntoConsiderationReason", "").strip(),
                remark=row.get("Remark", "").strip(),
                state=state,
            )
        except ValueError as e:
            yield Skipped(line, str(e))
