"""The bench times the printable directories and reports them beside the pages."""

import json

import pytest

from bench.run import Measurement, write_results
from bench.targets import TARGETS
from directory.pdf import time_pdf

pytestmark = pytest.mark.django_db


def test_time_pdf_makes_a_real_document_with_few_queries():
    timing = time_pdf("PDV22")
    assert timing["pages"] >= 1 and timing["bytes"] > 1000
    assert timing["seconds"] >= timing["data_and_html"] > 0
    assert timing["queries"] <= 10


def test_the_results_carry_the_documents_table(tmp_path):
    hello = Measurement(TARGETS[0], 1.0, 2.0, 3.0, 1000.0, 10000, {}, p95_single_ms=1.5)
    documents = {"PDV": {"seconds": 4.04, "cpu_seconds": 3.9, "data_and_html": 0.6,
                         "pages": 33, "bytes": 101_376, "queries": 6}}  # fmt: skip
    machine = {"cpu_count": 2, "cpu_model": "x", "python": "3.11", "platform": "linux",
               "database": "SQLite", "load_average_at_start": 0.1,
               "load_average_at_end": 0.2}  # fmt: skip
    settings = {"workers": 2, "threads": 4, "wrk_threads": 2, "connections": 16,
                "duration_s": 10, "warmup_s": 2}  # fmt: skip
    md, js = write_results(tmp_path, [hello], machine, settings, {"provinces": 28}, documents)
    text = md.read_text(encoding="utf-8")
    assert "| PDV | 4.0 | 3.9 | 0.6 | 33 | 99 | 6 |" in text
    assert text.count("| 1.5 |") == 1  # the one-user p95 column
    assert json.loads(js.read_text(encoding="utf-8"))["documents"]["PDV"]["pages"] == 33
