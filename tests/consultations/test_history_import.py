"""Importing strategy.bg's history into the platform (consultations.history): the sample with
every quirk, a second import that changes nothing, a newer export, names the directory has
twice, bad files that import nothing, and the command."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from consultations import history
from consultations.enums import Decision, ImportedCommentState, Scope, Source, State
from consultations.models import (
    Consultation,
    HeldRow,
    ImportedComment,
    SourceCategory,
    StateChange,
)
from consultations.strategy_bg import COMMENT_COLUMNS, CONSULTATION_COLUMNS, ExportError
from core.models import SearchEntry
from directory.models import Institution
from territory.models import Municipality
from tests.consultations.test_strategy_bg import (
    COMMENTS,
    CONSULTATIONS,
    comment_row,
    consultation_row,
    export,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)


def import_sample() -> history.Report:
    with CONSULTATIONS.open("rb") as c, COMMENTS.open("rb") as m:
        return history.import_export(c, m, today=TODAY)


def snapshot() -> list[tuple]:
    return sorted(
        Consultation.objects.filter(source=Source.STRATEGY_BG).values_list(
            "source_id", "title", "state", "updated_at", "document_types", "meets_minimum",
            "audit_comments",
        )
    )  # fmt: skip


def test_the_sample_imports_with_every_quirk_handled():
    report = import_sample()
    assert (report.created, report.updated, report.held) == (80, 0, 0)
    assert report.comments_created == 66 and report.skipped == []
    assert {t["id"] for t in report.test_entries} == {3649, 3618}
    imported = Consultation.objects.filter(source=Source.STRATEGY_BG)
    assert imported.count() == 80
    # One consultation per Id, all its document types on it.
    first = imported.get(source_id=3642)
    assert first.document_types == ["Доклад", "ПМС", "Проект на акт", "Наредба на МС"]
    assert first.source_url == "https://strategy.bg/bg/public-consultations/3642"
    assert first.source_comments_count == 0
    # National: an institution per policy area.
    assert first.institution.name_bg == "Държавна администрация — Околна среда"
    assert first.policy_area == "Околна среда"
    # Municipal: the municipality's administration from the directory.
    kardzhali = imported.filter(institution__generated_key="ma:KRZ16")
    assert kardzhali.count() == 10  # 11 rows: one consultation has two document types
    assert {c.municipality_id for c in kardzhali} == {"KRZ16"}
    assert {c.province_id for c in kardzhali} == {"KRZ"}
    # The test entries are kept, flagged and never public.
    for source_id in (3649, 3618):
        c = imported.get(source_id=source_id)
        assert c.state == State.DRAFT and c.import_flags == ["test_entry"]
        assert not c.is_public
    assert imported.public().count() == 78
    # Each got its history row.
    assert StateChange.objects.filter(consultation__in=imported).count() == 80


def test_imported_consultations_are_in_the_search_index():
    import_sample()
    c = Consultation.objects.get(source_id=2940)
    entry = SearchEntry.objects.get(object_id=str(c.pk), kind="consultations.consultation")
    assert entry.public and entry.title_bg == c.title
    draft = Consultation.objects.get(source_id=3649)
    assert not SearchEntry.objects.get(
        object_id=str(draft.pk), kind="consultations.consultation"
    ).public


def test_comments_are_the_public_record_where_approved():
    import_sample()
    comment = ImportedComment.objects.get(source_id=3092)
    assert comment.consultation.source_id == 2940
    assert comment.title == "Срок на социалната оценка"
    # "Oct 25 2017  9:36PM", Sofia time (summer time then: 18:36 UTC).
    assert comment.created_at == datetime.datetime(2017, 10, 25, 18, 36, tzinfo=datetime.UTC)
    assert comment.decision == "" and comment.is_public  # "Неразгледан": not considered
    c = Consultation.objects.get(source_id=1941)
    assert c.audit_comments == c.imported_comments.count() > 0
    assert c.audit_taken_into_account == 0


def test_importing_the_same_files_again_changes_nothing():
    import_sample()
    before = snapshot()
    comments_before = sorted(ImportedComment.objects.values_list("source_id", "title", "decision"))
    changes = StateChange.objects.count()
    entries = SearchEntry.objects.count()
    report = import_sample()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 80)
    assert (report.comments_created, report.comments_updated, report.comments_unchanged) == (
        0,
        0,
        66,
    )
    assert snapshot() == before
    assert (
        sorted(ImportedComment.objects.values_list("source_id", "title", "decision"))
        == comments_before
    )
    assert StateChange.objects.count() == changes and SearchEntry.objects.count() == entries


def test_a_newer_export_updates_only_what_changed():
    rows = [consultation_row(Id="1"), consultation_row(Id="2", Title="Наредба за паркирането")]
    history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    untouched = Consultation.objects.get(source_id=1).updated_at
    newer = [
        consultation_row(Id="1"),
        consultation_row(
            Id="2",
            Title="Наредба за паркирането в зелената зона",
            ClosingDate="20.3.2018 г. 0:00:00",
        ),
        consultation_row(Id="3"),
    ]
    report = history.import_export(export(CONSULTATION_COLUMNS, newer), today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    changed = Consultation.objects.get(source_id=2)
    assert changed.title == "Наредба за паркирането в зелената зона"
    assert (changed.period_days, changed.meets_minimum, changed.short_without_reason) == (
        19,
        False,
        True,
    )
    assert Consultation.objects.get(source_id=1).updated_at == untouched
    # The search entry follows the new title.
    assert SearchEntry.objects.get(
        object_id=str(changed.pk), kind="consultations.consultation"
    ).title_bg == ("Наредба за паркирането в зелената зона")


def test_rows_of_one_consultation_apart_are_merged_into_one():
    rows = [
        consultation_row(Id="1", DocumentType="ПМС"),
        consultation_row(Id="2"),
        consultation_row(Id="1", DocumentType="Доклад"),
    ]
    report = history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    assert report.created == 2
    assert Consultation.objects.get(source_id=1).document_types == ["ПМС", "Доклад"]
    again = history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    assert (again.created, again.updated) == (0, 0)


def test_a_consultation_still_open_at_the_source_is_open_and_refuses_comments():
    rows = [
        consultation_row(
            Id="1", OpenningDate="1.12.2026 г. 0:00:00", ClosingDate="31.12.2026 г. 0:00:00"
        )
    ]
    history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    c = Consultation.objects.get(source_id=1)
    assert c.state == State.OPEN
    from consultations.comments import accepts_comments

    assert not accepts_comments(c)


def test_a_name_the_directory_has_twice_waits_for_the_administrator():
    rows = [
        consultation_row(Id="1", CategoryId="77", CategoryName="Бяла"),
        consultation_row(Id="2", CategoryId="77", CategoryName="Бяла", DocumentType="Доклад"),
        consultation_row(Id="3", CategoryId="78", CategoryName="Несъществуваща"),
    ]
    comments = [comment_row(commentId="1", SourceItemId="1")]
    report = history.import_export(
        export(CONSULTATION_COLUMNS, rows), export(COMMENT_COLUMNS, comments), today=TODAY
    )
    assert report.created == 0 and report.held == 3 and report.comments_held == 1
    assert {c["name"] for c in report.categories_to_resolve} == {"Бяла", "Несъществуваща"}
    bjala = SourceCategory.objects.get(category_id=77)
    assert bjala.problem == SourceCategory.Problem.AMBIGUOUS
    assert sorted(m.province_id for m in bjala.candidates.all()) == ["RSE", "VAR"]
    assert SourceCategory.objects.get(category_id=78).problem == SourceCategory.Problem.UNKNOWN
    assert not Consultation.objects.filter(source=Source.STRATEGY_BG).exists()
    # Importing again keeps them waiting, once.
    history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    assert HeldRow.objects.count() == 3
    # The administrator chooses Бяла in Ruse province: its consultations and comment arrive.
    ruse_bjala = bjala.candidates.get(province_id="RSE")
    resolved = history.resolve_category(bjala, ruse_bjala)
    assert resolved.created == 2
    imported = Consultation.objects.filter(source=Source.STRATEGY_BG)
    assert {c.municipality_id for c in imported} == {ruse_bjala.code}
    assert ImportedComment.objects.get(source_id=1).consultation.source_id == 1
    assert HeldRow.objects.filter(category=bjala).count() == 0
    # A later import remembers the choice.
    report = history.import_export(export(CONSULTATION_COLUMNS, rows[:2]), today=TODAY)
    assert (report.created, report.held, report.unchanged) == (0, 0, 2)


def test_regional_consultations_go_to_the_regional_administration():
    rows = [consultation_row(Id="1", CategoryParentId="2", CategoryName="Област Пловдив")]
    history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    c = Consultation.objects.get(source_id=1)
    assert c.institution == Institution.objects.get(generated_key="oa:PDV")
    assert (c.province_id, c.municipality_id) == ("PDV", None)


def test_comments_map_the_decisions_and_keep_unpublished_ones_private():
    history.import_export(
        export(CONSULTATION_COLUMNS, [consultation_row(Id="1")]),
        export(
            COMMENT_COLUMNS,
            [
                comment_row(commentId="1", SourceItemId="1", TookIntoConsideration="Взет предвид"),
                comment_row(
                    commentId="2",
                    SourceItemId="1",
                    TookIntoConsideration="Не взет предвид",
                    TookIntoConsiderationReason="Противоречи на закона",
                ),
                comment_row(commentId="3", SourceItemId="1", TookIntoConsideration="Неразгледан"),
                comment_row(commentId="4", SourceItemId="1", commentState="Неодобрен"),
                comment_row(commentId="5", SourceItemId="1", commentState="Изтрит"),
                comment_row(commentId="6", SourceItemId="1", commentState="Нов"),
                comment_row(commentId="7", SourceItemId="999"),
            ],
        ),
        today=TODAY,
    )
    got = {c.source_id: (c.decision, c.state, c.reasons) for c in ImportedComment.objects.all()}
    assert got[1] == (Decision.ACCEPTED, ImportedCommentState.APPROVED, "")
    assert got[2] == (Decision.NOT_ACCEPTED, ImportedCommentState.APPROVED, "Противоречи на закона")
    assert got[3] == ("", ImportedCommentState.APPROVED, "")
    assert [got[n][1] for n in (4, 5, 6)] == ["not_approved", "deleted", "new"]
    assert 7 not in got
    c = Consultation.objects.get(source_id=1)
    # Public ones only: three judged, one taken into account.
    assert (c.audit_comments, c.audit_taken_into_account) == (3, 1)


def test_a_comment_of_an_unknown_consultation_is_reported_with_its_line():
    report = history.import_export(
        export(CONSULTATION_COLUMNS, [consultation_row(Id="1")]),
        export(
            COMMENT_COLUMNS,
            [
                comment_row(commentId="1", SourceItemId="1"),
                comment_row(commentId="2", SourceItemId="999"),
            ],
        ),
        today=TODAY,
    )
    assert report.skipped == [
        {
            "file": "comments",
            "line": 3,
            "reason": _("consultation No %(id)d is not in the consultations export") % {"id": 999},
        }
    ]


@pytest.mark.parametrize(
    "damage",
    [
        lambda rows: ("\t".join(CONSULTATION_COLUMNS) + "\r\n" + "\t".join(rows[0])).encode(
            "cp1251"
        ),
        lambda rows: b"Id,Title\r\n1,2\r\n",
        lambda rows: ("\ufeff" + "\t".join(CONSULTATION_COLUMNS[:5]) + "\r\n").encode(),
    ],
    ids=["windows-1251", "comma-separated", "missing-columns"],
)
def test_a_bad_file_imports_nothing(damage):
    # Good rows first, the damage decides: nothing is written before the whole file was read.
    good = export(CONSULTATION_COLUMNS, [consultation_row(Id="1")]).getvalue()
    bad = damage([consultation_row(Id="2")])
    with pytest.raises(ExportError):
        history.import_export(io.BytesIO(bad), today=TODAY)
    assert not Consultation.objects.filter(source=Source.STRATEGY_BG).exists()
    # A good consultations file with a bad comments file: nothing either.
    with pytest.raises(ExportError):
        history.import_export(io.BytesIO(good), io.BytesIO(b"no tabs here\r\n"), today=TODAY)
    assert not Consultation.objects.filter(source=Source.STRATEGY_BG).exists()
    assert not SourceCategory.objects.exists()


def test_an_encoding_error_late_in_the_file_imports_nothing():
    good = export(
        CONSULTATION_COLUMNS, [consultation_row(Id=str(n)) for n in range(1, 700)]
    ).getvalue()
    broken = (
        good.rstrip(b"\x00") + "\t".join(consultation_row(Id="9999")).encode("cp1251") + b"\r\n"
    )
    with pytest.raises(ExportError, match="UTF-8"):
        history.import_export(io.BytesIO(broken), today=TODAY)
    assert not Consultation.objects.filter(source=Source.STRATEGY_BG).exists()


def test_queries_do_not_grow_with_the_rows():
    def queries(n: int) -> int:
        rows = [consultation_row(Id=str(1000 * n + i), CategoryName="Пловдив") for i in range(n)]
        comments = [
            comment_row(commentId=str(1000 * n + i), SourceItemId=str(1000 * n + i))
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            history.import_export(
                export(CONSULTATION_COLUMNS, rows), export(COMMENT_COLUMNS, comments), today=TODAY
            )
        return len(ctx.captured_queries)

    queries(5)  # the category and the institution are made once
    # Batches of 500 rows; SQLite splits a bulk insert by its limit of parameters, so a few
    # inserts more for 180 more rows, never one per row.
    assert queries(200) - queries(20) < 180 / 10


def test_the_command_reports_and_refuses_a_bad_file(tmp_path, capsys):
    call_command("import_strategy_bg", str(CONSULTATIONS), str(COMMENTS), verbosity=0)
    out = capsys.readouterr().out
    assert "80 new" in out and "66 new" in out
    call_command("import_strategy_bg", str(CONSULTATIONS), str(COMMENTS), verbosity=0)
    assert "80 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"nothing, here")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_strategy_bg", str(bad))
    with pytest.raises(CommandError):
        call_command("import_strategy_bg", str(tmp_path / "missing.csv"))


def test_national_institutions_are_made_once_per_policy_area():
    import_sample()
    import_sample()
    made = Institution.objects.filter(kind__slug=history.NATIONAL_KIND)
    national = SourceCategory.objects.filter(scope=Scope.NATIONAL)
    assert made.count() == national.count() == 17
    assert set(made) == {c.institution for c in national}
    # Not the directory's generated entries: generate_directory counts those as its own.
    assert not made.filter(generated_key__isnull=False).exists()


def test_a_consultation_whose_rows_are_apart_in_batches_is_imported_once(monkeypatch):
    monkeypatch.setattr(history, "BATCH", 1)
    rows = [
        consultation_row(Id="1", DocumentType="ПМС"),
        consultation_row(Id="2", DocumentType="ПМС"),
        consultation_row(Id="1", DocumentType="Доклад"),
    ]
    first = history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    assert (first.created, first.updated) == (2, 0)
    assert Consultation.objects.get(source_id=1).document_types == ["ПМС", "Доклад"]
    again = history.import_export(export(CONSULTATION_COLUMNS, rows), today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_municipalities_named_once_are_matched_whatever_the_prefix():
    assert history.normalise_name("Община Кърджали") == history.normalise_name("кърджали")
    assert Municipality.objects.filter(name_bg="Бяла").count() == 2


def test_a_comment_written_in_the_hour_sofia_lives_twice_is_unchanged_by_a_second_import():
    # 27.10.2013 03:30 happened twice in Sofia (summer time ended at 04:00).
    files = (
        [consultation_row(Id="1")],
        [comment_row(commentId="1", SourceItemId="1", createDate="Oct 27 2013  3:30AM")],
    )
    history.import_export(
        export(CONSULTATION_COLUMNS, files[0]), export(COMMENT_COLUMNS, files[1]), today=TODAY
    )
    again = history.import_export(
        export(CONSULTATION_COLUMNS, files[0]), export(COMMENT_COLUMNS, files[1]), today=TODAY
    )
    assert (again.comments_updated, again.comments_unchanged) == (0, 1)
