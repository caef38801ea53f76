"""The bench's strategy.bg export: written in the portal's exact format (the sample's), read
by consultations.strategy_bg with every quirk, imported and timed by the measurement that
bench/run.py reports, re-imported as a no-op; the compliance targets answer over it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.utils.translation import gettext as _

from bench import generate_strategy_bg as gen
from bench.run import Measurement, strategy_bg_lines, write_results
from bench.targets import TARGETS
from consultations.enums import Scope, Source
from consultations.models import Consultation, ImportedComment
from consultations.strategy_bg import Skipped, comment_records, consultation_records
from core.models import DataLoad
from territory.models import Municipality

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "strategy_bg"  # the real sample
ROWS = 300


def _sample_rows(name: str) -> list[list[str]]:
    text = (SAMPLE / name).read_bytes().decode("utf-8-sig").replace("\x00", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))


@pytest.fixture
def export(tmp_path: Path) -> gen.Export:
    return gen.write_exports(tmp_path, ROWS, nul=4096)


def test_the_files_have_the_exports_bytes_and_quirks(export: gen.Export) -> None:
    for path, sample in (
        (export.consultations_path, "ConsultationssCSVExport.csv"),
        (export.comments_path, "CommentsCSVExport.csv"),
    ):
        data = path.read_bytes()
        header = (SAMPLE / sample).read_bytes().split(b"\r\n", 1)[0]
        assert data.startswith(b"\xef\xbb\xbf") and data.split(b"\r\n", 1)[0] == header
        assert data.endswith(b"\r\n" + b"\x00" * 4096)
        assert b"\n" not in data.replace(b"\r\n", b"")  # every line ends in CRLF
    text = export.consultations_path.read_text(encoding="utf-8-sig")
    assert re.search(r"\t\d{1,2}\.\d{1,2}\.20\d\d г\. \d{1,2}:\d\d:\d\d\t", text)
    assert re.search(r'\t"[^"\t]+\t[^"]+"\t', text)  # a quoted title with a tab inside
    notes = export.comments_path.read_text(encoding="utf-8-sig")
    assert re.search(r"\t[A-Z][a-z]{2} [ \d]\d 20\d\d [ \d]\d:\d\d[AP]M\t", notes)
    assert export.rows == ROWS and export.consultations < ROWS  # rows per document type


def test_the_reader_finds_every_record_and_skips_the_shifted_rows(export: gen.Export) -> None:
    with export.consultations_path.open("rb") as f:
        items = list(consultation_records(f))
    records = [r for r in items if not isinstance(r, Skipped)]
    skipped = [r for r in items if isinstance(r, Skipped)]
    assert len(records) == export.readable and len({r.source_id for r in records}) == len(records)
    assert len(skipped) == export.shifted_rows >= 1
    shifted = _("%(found)d columns instead of %(expected)d (shifted columns)")
    reasons = {shifted % {"found": n, "expected": 19} for n in (20, 21)}
    assert {s.reason for s in skipped} <= reasons
    assert any(len(r.document_types) > 1 for r in records)  # rows merged by consultation
    assert not any("\t" in r.title for r in records)
    assert {r.opened_at.year for r in records} >= {2008, 2016, 2026}
    # Municipal rows carry real municipality names, national ones the sample's policy areas.
    names = set(Municipality.objects.values_list("name_bg", flat=True))
    areas = {row[4] for row in _sample_rows("ConsultationssCSVExport.csv")[1:] if row[5] == "1"}
    municipal = [r for r in records if r.scope == Scope.MUNICIPAL]
    national = [r for r in records if r.scope == Scope.NATIONAL]
    assert municipal and national
    assert {r.category_name for r in municipal} <= names
    assert {r.category_name for r in national} <= areas
    # Periods of 30 days after 04.11.2016, 14 before, and some shorter ones.
    periods = {(r.closes_on - r.opened_at.date()).days for r in records}
    assert {14, 30} <= periods and min(periods) < 14

    with export.comments_path.open("rb") as f:
        comments = list(comment_records(f))
    read = [c for c in comments if not isinstance(c, Skipped)]
    damaged = [c for c in comments if isinstance(c, Skipped)]
    assert len(damaged) == export.shifted_comments >= 1
    assert len(read) == export.comment_rows - export.shifted_comments
    assert {c.consultation_id for c in read} <= {r.source_id for r in records}


def test_the_measurement_imports_and_a_reimport_changes_nothing(tmp_path: Path) -> None:
    figures = gen.measure(ROWS, 100, tmp_path, isolate=False, say=lambda _: None)
    full, small, again = figures["full"], figures["small"], figures["reimport"]
    export = gen.write_exports(tmp_path / "check", ROWS)
    assert figures["rows"] == ROWS and figures["consultations"] == export.consultations
    assert full["created"] == export.imported and full["held"] == export.held
    assert full["skipped"] == export.shifted_rows + export.shifted_comments
    assert full["comments_created"] > 0 and small["rows"] == 100
    for step in (small, full):
        assert step["seconds"] > 0 and step["queries"] > 0
        assert step["python_peak_mb"] > 0 and "rss_growth_mb" in step
    assert again["created"] == again["updated"] == 0
    assert again["comments_created"] == again["comments_updated"] == 0
    assert again["unchanged"] == export.imported
    assert figures["memory_ratio"] > 0
    assert Consultation.objects.filter(source=Source.STRATEGY_BG).count() == export.imported
    assert ImportedComment.objects.count() == full["comments_created"]
    # The measurement leaves the history as --build makes it: a build reuses it.
    assert DataLoad.objects.get(name=gen.MARKER).checksum == gen.fingerprint(ROWS)
    assert "reused" in gen.build(ROWS, folder=tmp_path)

    lines = "\n".join(strategy_bg_lines(figures))
    assert f"| {ROWS:,} rows |" in lines and "| the same again |" in lines
    assert "< 60 s" in lines and "the Python peak" in lines


def test_a_build_imports_once_and_then_reuses_it(tmp_path: Path) -> None:
    said = gen.build(ROWS, folder=tmp_path / "a")
    assert "consultations and" in said and "reused" not in said
    count = Consultation.objects.filter(source=Source.STRATEGY_BG).count()
    assert count > 0
    assert "reused" in gen.build(ROWS, folder=tmp_path / "a")
    # Another size is another export: imported in place of the first.
    gen.build(ROWS // 2, folder=tmp_path / "b")
    assert 0 < Consultation.objects.filter(source=Source.STRATEGY_BG).count() < count


def test_the_compliance_targets_answer_over_the_imported_history(client, tmp_path: Path) -> None:
    gen.build(ROWS, folder=tmp_path)
    targets = [t for t in TARGETS if "compliance" in t.name]
    assert len(targets) == 3
    for target in targets:
        response = client.get(target.path)
        assert response.status_code == 200, (target.path, response.status_code)
    by_municipality = next(t for t in targets if "municipality" in t.name)
    assert "by=municipality" in by_municipality.path
    api = next(t for t in targets if t.name.startswith("api"))
    data = client.get(api.path).json()
    assert data["overall"]["consultations"] > 0 and data["by_year"]


def test_the_results_carry_the_import_table(tmp_path: Path) -> None:
    step = {"seconds": 12.5, "cpu_seconds": 11.0, "queries": 900, "python_peak_mb": 20.0,
            "rss_growth_mb": 30.0, "created": 30000, "updated": 0, "unchanged": 0, "held": 40,
            "comments_created": 35000, "comments_updated": 0, "skipped": 30,
            "rows": 50000}  # fmt: skip
    again = {**step, "created": 0, "comments_created": 0, "python_peak_mb": None}
    figures = {"rows": 50000, "consultations": 33000, "comment_rows": 38000,
               "bytes": 30 * 2**20, "goals": {"import_seconds": 60, "memory_ratio": 1.5},
               "small": {**step, "rows": 10000, "python_peak_mb": 18.0}, "full": step,
               "reimport": again, "memory_ratio": 1.11}  # fmt: skip
    hello = Measurement(TARGETS[0], 1.0, 2.0, 3.0, 1000.0, 10000, {})
    machine = {"cpu_count": 2, "cpu_model": "x", "python": "3.11", "platform": "linux",
               "database": "SQLite", "load_average_at_start": 0.1,
               "load_average_at_end": 0.2}  # fmt: skip
    settings = {"workers": 2, "threads": 4, "wrk_threads": 2, "connections": 16,
                "duration_s": 10, "warmup_s": 2}  # fmt: skip
    md, js = write_results(tmp_path, [hello], machine, settings, {}, strategy_bg=figures)
    text = md.read_text(encoding="utf-8")
    assert "| 50,000 rows | 12.5 | 11.0 | 900 | 20.0 | 30.0 | < 60 s |" in text
    assert "1.11× the Python peak (goal ≤ 1.5×: flat)" in text
    assert json.loads(js.read_text(encoding="utf-8"))["strategy_bg"]["rows"] == 50000
