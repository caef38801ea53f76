"""Reading strategy.bg's exports as they are: the real sample's quirks, and files the tests
build with each kind of damage (consultations.strategy_bg; no database)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.utils.translation import gettext as _

from consultations.enums import Decision, ImportedCommentState, Kind, Scope
from consultations.strategy_bg import (
    COMMENT_COLUMNS,
    CONSULTATION_COLUMNS,
    ConsultationRecord,
    ExportError,
    Skipped,
    comment_records,
    consultation_records,
    is_test_entry,
    kind_of,
    parse_date,
)
from core.legal_calendar import SOFIA

# The sample of the real exports, byte for byte (data/README.md).
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "strategy_bg"
CONSULTATIONS = SAMPLE / "ConsultationssCSVExport.csv"
COMMENTS = SAMPLE / "CommentsCSVExport.csv"


def export(columns: tuple[str, ...], rows: list[list[str]], *, nul: int = 64) -> io.BytesIO:
    """A file as strategy.bg writes it: BOM, tabs, CRLF, NUL padding at the end."""
    lines = ["\t".join(columns)] + ["\t".join(r) for r in rows]
    return io.BytesIO(("\ufeff" + "\r\n".join(lines) + "\r\n").encode() + b"\x00" * nul)


def consultation_row(**values: str) -> list[str]:
    row = {
        "Id": "5001",
        "Title": "Проект на Наредба за обществения ред",
        "URL": "https://localhost:44300/PublicConsultation/View/5001",
        "CategoryId": "300",
        "CategoryName": "Пловдив",
        "CategoryParentId": "3",
        "CategoryParentName": "Пловдив",
        "CategorySectionId": "300",
        "CategorySectionName": "Пловдив",
        "InstututionTypeId": "0",
        "InstututionType": "",
        "DocumentTypeId": "1",
        "DocumentType": "Проект на акт",
        "OpenningDate": "1.3.2018 г. 0:00:00",
        "ClosingDate": "31.3.2018 г. 0:00:00",
        "PublishDate": "1.3.2018 г. 0:00:00",
        "ActiveDays": "0",
        "CommentsCount": "2",
        "ShortTermReason": "",
    }
    row.update(values)
    return [row[c] for c in CONSULTATION_COLUMNS]


def comment_row(**values: str) -> list[str]:
    row = {
        "commentId": "9001",
        "sourceItemURL": "https://localhost:44300/PublicConsultation/View/5001",
        "commentTitle": "Предложение за чл. 3",
        "SourceItemId": "5001",
        "sourceItemTitle": "Проект на Наредба",
        "createDate": "Mar  5 2018  9:36PM",
        "TookIntoConsideration": "Взет предвид",
        "TookIntoConsiderationReason": "",
        "Remark": "",
        "commentState": "Одобрен",
    }
    row.update(values)
    return [row[c] for c in COMMENT_COLUMNS]


# --- The real sample ------------------------------------------------------------------------


def test_the_sample_reads_whole_with_its_rows_merged_per_consultation():
    with CONSULTATIONS.open("rb") as f:
        items = list(consultation_records(f))
    records = [i for i in items if isinstance(i, ConsultationRecord)]
    assert not [i for i in items if isinstance(i, Skipped)]
    # 93 rows, 80 consultations (README of the sample).
    assert len(records) == 80
    assert len({r.source_id for r in records}) == 80
    first = records[0]
    assert first.source_id == 3642
    assert first.document_types == ["Доклад", "ПМС", "Проект на акт", "Наредба на МС"]
    assert first.opened_at == datetime.datetime(2019, 1, 31, tzinfo=SOFIA)
    assert first.closes_on == datetime.date(2019, 4, 15)
    assert first.scope == Scope.NATIONAL and first.policy_area == "Околна среда"
    assert first.url == "https://strategy.bg/bg/public-consultations/3642"
    municipal = [r for r in records if r.scope == Scope.MUNICIPAL]
    assert len(municipal) == 21  # the README says 20 were chosen; one more came with the rest
    assert {r.policy_area for r in municipal} == {""}


def test_the_sample_title_quoted_with_a_tab_inside_is_one_title():
    with CONSULTATIONS.open("rb") as f:
        record = next(
            r
            for r in consultation_records(f)
            if isinstance(r, ConsultationRecord) and r.source_id == 2940
        )
    assert record.title.startswith(
        "Проект на Постановление на Министерския съвет за създаване на Съвет"
    )
    assert "\t" not in record.title and '"' not in record.title


def test_the_sample_test_entries_are_recognised():
    with CONSULTATIONS.open("rb") as f:
        tests = {
            r.source_id
            for r in consultation_records(f)
            if isinstance(r, ConsultationRecord) and r.test_entry
        }
    assert tests == {3649, 3618}  # "hddfh" and "Тестова причина за кратка консултация"


def test_the_sample_comments_read_with_english_dates():
    with COMMENTS.open("rb") as f:
        items = list(comment_records(f))
    assert len(items) == 66 and not [i for i in items if isinstance(i, Skipped)]
    first = items[0]
    assert first.source_id == 3092 and first.consultation_id == 2940
    assert first.created_at == datetime.datetime(2017, 10, 25, 21, 36, tzinfo=SOFIA)
    assert first.decision == "" and first.state == ImportedCommentState.APPROVED


# --- Values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.1.2019 г. 0:00:00", datetime.datetime(2019, 1, 31, 0, 0)),
        ("5.11.2016 г. 14:30:00", datetime.datetime(2016, 11, 5, 14, 30)),
        ("05.11.2016", datetime.datetime(2016, 11, 5)),
        ("Sep 30 2010 11:10AM", datetime.datetime(2010, 9, 30, 11, 10)),
        ("Oct 25 2017  9:36PM", datetime.datetime(2017, 10, 25, 21, 36)),
        ("Dec  1 2015 12:05AM", datetime.datetime(2015, 12, 1, 0, 5)),
        ("Dec  1 2015 12:05PM", datetime.datetime(2015, 12, 1, 12, 5)),
    ],
)
def test_dates_of_both_formats(text, expected):
    assert parse_date(text) == expected.replace(tzinfo=SOFIA)


@pytest.mark.parametrize(
    "text", ["", "31/01/2019", "32.1.2019 г. 0:00:00", "Foo 30 2010 11:10AM", "2019-01-31"]
)
def test_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("reason", "title", "expected"),
    [
        ("hddfh", "Наредба", True),
        ("Тестова причина за кратка консултация", "Наредба", True),
        ("test", "Наредба", True),
        ("", "Тестова консултация", True),
        ("Спешна необходимост от промени в нормативната уредба", "Наредба", False),
        ("", "Наредба за тестване на уредите", False),
        ("", "", False),
    ],
)
def test_test_entries(reason, title, expected):
    assert is_test_entry(title, reason) is expected


def test_kind_from_the_document_types():
    assert kind_of(["Доклад", "ПМС"]) == Kind.ORDINANCE  # a normative act makes it normative
    assert kind_of(["Правилник"]) == Kind.RULES
    assert kind_of(["Стратегия"]) == Kind.STRATEGY
    assert kind_of(["Доклад"]) == Kind.ANALYSIS
    assert kind_of(["Друго"]) == Kind.OTHER


# --- Damaged files --------------------------------------------------------------------------


def test_rows_of_one_consultation_not_together_still_give_each_row_its_record():
    # The reader merges consecutive rows only; the importer merges the rest (test_history).
    f = export(
        CONSULTATION_COLUMNS,
        [
            consultation_row(Id="1", DocumentType="ПМС"),
            consultation_row(Id="2"),
            consultation_row(Id="1", DocumentType="Доклад"),
        ],
    )
    ids = [r.source_id for r in consultation_records(f)]
    assert ids == [1, 2, 1]


def test_shifted_bad_and_empty_rows_are_skipped_with_their_lines():
    rows = [
        consultation_row(Id="1"),
        consultation_row(Id="2")[:10],  # shifted: too few columns
        consultation_row(Id="x3"),  # not a number
        consultation_row(Id="4", OpenningDate="31/02/2019"),  # not a date
        consultation_row(Id="5", CategoryParentId="7"),  # unknown level
        consultation_row(Id="6", Title="  "),  # no title
        [""] * len(CONSULTATION_COLUMNS),  # an empty line is no row
        consultation_row(Id="7"),
    ]
    items = list(consultation_records(export(CONSULTATION_COLUMNS, rows)))
    records = [i.source_id for i in items if isinstance(i, ConsultationRecord)]
    skipped = {i.line: i.reason for i in items if isinstance(i, Skipped)}
    assert records == [1, 7]
    assert sorted(skipped) == [3, 4, 5, 6, 7]
    assert "10" in skipped[3] and "19" in skipped[3]
    assert "Id" in skipped[4]
    assert "OpenningDate" in skipped[5]
    assert "CategoryParentId" in skipped[6]


def test_comments_with_unknown_states_or_decisions_are_skipped():
    rows = [
        comment_row(commentId="1"),
        comment_row(commentId="2", commentState="Архивиран"),
        comment_row(commentId="3", TookIntoConsideration="Може би"),
        comment_row(commentId="4", TookIntoConsideration="Не взет предвид", commentState="Изтрит"),
        comment_row(commentId="5")[:4] + ["extra"] * 9,  # shifted: too many columns
    ]
    items = list(comment_records(export(COMMENT_COLUMNS, rows)))
    good = [i for i in items if not isinstance(i, Skipped)]
    assert [(c.source_id, c.decision, c.state) for c in good] == [
        (1, Decision.ACCEPTED, ImportedCommentState.APPROVED),
        (4, Decision.NOT_ACCEPTED, ImportedCommentState.DELETED),
    ]
    assert [i.line for i in items if isinstance(i, Skipped)] == [3, 4, 6]


def test_a_file_in_windows_1251_is_refused_naming_the_encoding():
    text = "\t".join(CONSULTATION_COLUMNS) + "\r\n" + "\t".join(consultation_row()) + "\r\n"
    with pytest.raises(ExportError, match="UTF-8"):
        list(consultation_records(io.BytesIO(text.encode("cp1251"))))


def test_missing_columns_are_named():
    columns = tuple(c for c in CONSULTATION_COLUMNS if c not in ("OpenningDate", "ClosingDate"))
    with pytest.raises(ExportError, match="OpenningDate, ClosingDate"):
        list(consultation_records(export(columns, [])))


def test_the_comments_file_given_for_the_consultations_one_says_so():
    with COMMENTS.open("rb") as f, pytest.raises(ExportError) as raised:
        list(consultation_records(f))
    assert _("This looks like the comments export: give it as the second file.") in str(
        raised.value
    )


def test_a_file_that_is_not_tab_separated_or_empty_is_refused():
    with pytest.raises(ExportError):
        list(consultation_records(io.BytesIO(b"Id,Title,URL\r\n1,a,b\r\n")))
    with pytest.raises(ExportError):
        list(consultation_records(io.BytesIO(b"")))
    with pytest.raises(ExportError):
        list(consultation_records(io.BytesIO(b"%PDF-1.7\n\xff\xfe binary")))


def test_a_huge_nul_padding_is_read_as_nothing():
    f = export(CONSULTATION_COLUMNS, [consultation_row()], nul=1_200_000)
    assert [r.source_id for r in consultation_records(f)] == [5001]
