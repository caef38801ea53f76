"""The benchmark's history from strategy.bg: a generated open-data export of `--rows` rows
(default 50,000) and its comments, in the portal's exact format, imported with
consultations.history.import_export; and the measurement of that import.

The files are written as strategy.bg writes them (../shared/data/README.md, the sample in
../shared/data/strategy_bg_sample/): UTF-8 with a byte-order mark, tab-separated, CRLF, the
sample's header; one row per consultation *and document type* (a quarter of the
consultations have two to six rows, some repeating a type as the real export does); titles
quoted with a tab inside now and then; Bulgarian dates (`31.1.2019 г. 0:00:00`) in the
consultations, English ones (`Sep 30 2010 11:10AM`) in the comments; a few rows with shifted
columns in both files; a run of NUL bytes at the end. Municipal consultations carry the real
names of the municipalities of the territory tables (Бяла, which two provinces have, among
them: those wait for an administrator's choice), national ones the sample's policy areas.
Opening dates spread over 2008–2026, periods as the law of the day made institutions choose
them: mostly 14 days before 04.11.2016 and 30 after, some shorter with or without a reason,
a few evident test entries. Everything is seeded: the same size gives the same bytes.

`python bench/generate_strategy_bg.py --build [--rows N] [--force]` imports the export into
DATABASE_URL's database once (bench/run.py runs it after bench/generate.py, before the
server starts, so the compliance targets have it): its fingerprint (this module's VERSION,
the size, and bench/generate.py's dataset fingerprint) is kept in the `core.DataLoad` row
MARKER, and an unchanged one is reused.

`python bench/generate_strategy_bg.py --measure [--rows N]` removes the imported history and
imports, each in a fresh process (so that the process's peak RSS is the import's alone): a
10,000-row export and the full one, once under tracemalloc (peak Python memory, peak RSS
growth) and once without it (wall and CPU seconds, queries), then the full one again (a
re-import: nothing created or updated). It prints `STRATEGY_BG_JSON {...}`; the database
ends as --build leaves it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(ROOT))

# Bump whenever what the export holds changes, so that a built bench database re-imports it.
VERSION = 1
MARKER = "bench-strategy-bg"  # the core.DataLoad row of the imported export's fingerprint
ROWS = 50_000  # rows of the consultations export (the figure)
SMALL_ROWS = 10_000  # the export the full one's memory is compared with
FOLDER = ROOT / "bench" / "var" / "strategy_bg"
SEED = 2026
# The goals of bench/README.md, written beside the figures: the import under a minute, and
# memory flat (the file is streamed): 5x the rows may not take anywhere near 5x the memory.
GOAL_IMPORT_SECONDS = 60
GOAL_MEMORY_RATIO = 1.5

CONSULTATION_HEADER = (
    "Id", "Title", "URL", "CategoryId", "CategoryName", "CategoryParentId",
    "CategoryParentName", "CategorySectionId", "CategorySectionName", "InstututionTypeId",
    "InstututionType", "DocumentTypeId", "DocumentType", "OpenningDate", "ClosingDate",
    "PublishDate", "ActiveDays", "CommentsCount", "ShortTermReason",
)  # fmt: skip
COMMENT_HEADER = (
    "commentId", "sourceItemURL", "commentTitle", "SourceItemId", "sourceItemTitle",
    "createDate", "TookIntoConsideration", "TookIntoConsiderationReason", "Remark",
    "commentState",
)  # fmt: skip
STAGING = "https://localhost:44300/PublicConsultation/View/{id}"

# The sample's policy areas (CategoryId, CategoryName), by how often the sample has them.
POLICY_AREAS = [
    (21, "Околна среда", 10), (24, "Социална политика и заетост", 8),
    (22, "Правосъдие и вътрешни работи", 7), (6, "Бизнес среда", 6),
    (8, "Държавна администрация", 6), (27, "Транспорт", 6),
    (15, "Земеделие и развитие на селските райони", 4),
    (7, "Външна политика, политика по сигурност и отбрана", 4), (20, "Образование", 4),
    (23, "Регионална политика", 4), (5, "Финанси и данъчна политика", 4),
    (14, "Здравеопазване", 2), (11, "Енергетика", 2), (17, "Култура", 1),
    (4, "Междусекторни политики", 1), (16, "Качество и безопасност на храните", 1),
    (25, "Спорт", 1),
]  # fmt: skip
# The sample's document types (DocumentTypeId, DocumentType, weight).
DOCUMENT_TYPES = [
    (1, "ПМС", 60), (2, "Наредба на МС", 10), (12, "Проект на акт", 8), (3, "Закон", 6),
    (13, "Доклад", 5), (8, "Инструкция на едноличен орган", 3),
]  # fmt: skip
MUNICIPAL_SHARE = 0.3  # the sample: 20 of 80 consultations
# How many rows a consultation has (one per document type), as in the sample.
ROWS_PER_CONSULTATION = [(1, 75), (2, 12), (3, 6), (4, 4), (6, 2), (7, 1)]
ZNA_2016 = datetime.date(2016, 11, 4)  # 30 days the standard from then on (ЗНА чл. 26, ал. 4)
FIRST_DAY, LAST_DAY = datetime.date(2008, 1, 1), datetime.date(2026, 12, 31)
REASONS = [
    "Срокът по чл. 26, ал. 4 от ЗНА е съкратен поради необходимостта от спешно "
    "транспониране на директива на ЕС.",
    "Поради изтичащ срок за изпълнение на задължение по Закона за държавния бюджет.",
    "Необходимост от спешно приемане с оглед започващата учебна година.",
    "Съкратен срок поради настъпили неблагоприятни метеорологични условия.",
]
TEST_REASONS = ["hddfh", "Тестова причина за кратка консултация"]
NATIONAL_TITLES = [
    "Проект на Постановление на Министерския съвет за изменение и допълнение на "
    "Наредбата за {topic}",
    "Проект на Закон за изменение и допълнение на Закона за {topic}",
    "Проект на Наредба за {topic}",
    "Проект на Решение на Министерския съвет за одобряване на Национална програма за {topic}",
    "Доклад за оценка на въздействието на политиката за {topic}",
]
MUNICIPAL_TITLES = [
    "Проект на Наредба за изменение на Наредбата за {topic} на територията на община {place}",
    "Проект на Наредба за {topic} в община {place}",
    "Проект на Програма за {topic} на община {place} за {year} г.",
]
TOPICS = [
    "опазване на обществения ред", "управление на отпадъците", "местните данъци",
    "реда за придобиване на общинско имущество", "паркиране на пътни превозни средства",
    "качеството на атмосферния въздух", "социалните услуги", "развитие на туризма",
    "насърчаване на инвестициите", "енергийната ефективност", "водоснабдяването",
    "достъпа до обществена информация", "безопасността на храните", "физическото възпитание "
    "и спорта", "защита на детето", "административното обслужване",
]  # fmt: skip
COMMENT_TITLES = [
    "Предложение по чл. {n}",
    "Становище по проекта",
    "Бележки по чл. {n}, ал. 2",
    'СТАНОВИЩЕ на сдружение "Граждански контрол" по проекта',
    "Не е спазен срокът от 30 дни",
    "Липсва оценка на въздействието",
    "Възражение срещу § {n}",
    "Подкрепа на проекта",
]
# (TookIntoConsideration, weight): most comments are never judged on the portal.
DECISIONS = [("Неразгледан", 80), ("Взет предвид", 8), ("Не взет предвид", 12)]
COMMENT_STATES = [("Одобрен", 90), ("Неодобрен", 5), ("Изтрит", 4), ("Нов", 1)]
COMMENTED_SHARE = 0.3  # a third of the consultations has comments, ~3.9 each: 1.17 on average
SHIFTED_EVERY = 2_000  # one row with shifted columns in this many, in each file
NUL_PADDING = 1_200_000  # the full export ends in 1.2 MB of NUL bytes
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class Export:
    """The two files written, and what an import of them must find."""

    consultations_path: Path
    comments_path: Path
    rows: int  # data rows of the consultations export (the header not counted)
    consultations: int  # distinct consultations in it
    shifted_rows: int  # rows with shifted columns (each one a whole consultation)
    held: int  # consultations of a municipality whose name two provinces have
    test_entries: int
    comment_rows: int
    shifted_comments: int

    @property
    def readable(self) -> int:
        """The consultations the reader yields: every one but the shifted."""
        return self.consultations - self.shifted_rows

    @property
    def imported(self) -> int:
        """The consultations an import creates: the readable ones but those held."""
        return self.readable - self.held

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["consultations_path"] = str(self.consultations_path)
        data["comments_path"] = str(self.comments_path)
        return data


# --- The files ------------------------------------------------------------------------------


def bg_date(value: datetime.datetime) -> str:
    """`2.7.2018 г. 11:01:15`, as the consultations export writes dates."""
    return f"{value.day}.{value.month}.{value.year} г. {value.hour}:{value:%M:%S}"


def en_date(value: datetime.datetime) -> str:
    """`Oct 25 2017  9:36PM` (SQL Server's default), as the comments export writes dates."""
    hour = value.hour % 12 or 12
    half = "PM" if value.hour >= 12 else "AM"
    return f"{MONTHS[value.month - 1]} {value.day:>2} {value.year} {hour:>2}:{value:%M}{half}"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _weighted(rng: random.Random, choices: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    return rng.choices(choices, weights=[c[-1] for c in choices])[0]


def municipalities() -> list[tuple[str, int, int, float]]:
    """(name, category id, province's section id, weight) of every municipality: ids as
    strategy.bg numbers them (sections 28… in the provinces' alphabetical order, as in the
    sample: Бургас 29, Кърджали 36, Пловдив 43), weight by the square root of the
    population (Kardzhali's 11 of 22 in the sample aside)."""
    from territory.models import Municipality, Province

    sections = {
        code: 28 + i
        for i, code in enumerate(
            Province.objects.order_by("name_bg", "code").values_list("code", flat=True)
        )
    }
    rows = Municipality.objects.order_by("code").values_list(
        "name_bg", "province_id", "population_2017"
    )
    return [
        (name, 100 + i, sections.get(province, 0), math.sqrt(max(people or 5000, 1000)))
        for i, (name, province, people) in enumerate(rows)
    ]


def _period(rng: random.Random, opened: datetime.date) -> tuple[int, str]:
    """Days from the opening to the closing date, and the reason for a short period."""
    standard, other = (30, 14) if opened >= ZNA_2016 else (14, 30)
    draw = rng.random()
    if draw < 0.70:
        return standard + rng.choice((0, 0, 0, 1, 2)), ""
    if draw < 0.85:
        return other, (rng.choice(REASONS) if other < standard and rng.random() < 0.5 else "")
    if draw < 0.97:  # a short one: a stated reason half the time
        return rng.randint(5, 13), (rng.choice(REASONS) if rng.random() < 0.5 else "")
    return rng.randint(31, 60), ""


def _consultation_rows(
    rng: random.Random,
    source_id: int,
    when: float,
    places: list[tuple[str, int, int, float]],
    ambiguous: set[str],
) -> tuple[list[list[str]], dict[str, Any]]:
    """The rows of one consultation (one per document type) opened at `when` (0 the first
    day of 2008, 1 the last of 2026), and what its comments need."""
    span = (LAST_DAY - FIRST_DAY).days
    day = FIRST_DAY + datetime.timedelta(days=int(span * min(max(when, 0.0), 1.0)))
    opened = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
        seconds=rng.choice((0, rng.randint(8 * 3600, 19 * 3600)))
    )
    days, reason = _period(rng, opened.date())
    test = rng.random() < 0.001
    if test:
        reason = rng.choice(TEST_REASONS)
    closes = opened + datetime.timedelta(days=days)
    topic = rng.choice(TOPICS)
    if rng.random() < MUNICIPAL_SHARE:
        name, category, section, _weight = rng.choices(places, weights=[p[3] for p in places])[0]
        title = rng.choice(MUNICIPAL_TITLES).format(topic=topic, place=name, year=day.year)
        category_cells = [str(category), name, "3", name, str(section), name, "0", ""]
    else:
        category, name, _weight = _weighted(rng, POLICY_AREAS)
        title = rng.choice(NATIONAL_TITLES).format(topic=topic)
        council = rng.random() < 0.07
        category_cells = [str(category), name, "1", name, "0", name]
        category_cells += ["2", "Министерския съвет"] if council else ["0", ""]
    if test:
        title = "Тест " + title
    if rng.random() < 0.01:  # a title quoted, with a tab inside (the sample has one)
        title = _quoted(title.replace(" за ", " за \t", 1))
    comments = 1 + int(rng.expovariate(1 / 2.9)) if rng.random() < COMMENTED_SHARE else 0
    comments = min(comments, 250)
    count = _weighted(rng, [(n, w) for n, w in ROWS_PER_CONSULTATION])[0]
    first_type = _weighted(rng, DOCUMENT_TYPES)
    types = [first_type] + [_weighted(rng, DOCUMENT_TYPES) for _ in range(count - 1)]
    date_cells = [bg_date(opened), bg_date(closes), bg_date(opened)]
    rows = [
        [str(source_id), title, STAGING.format(id=source_id), *category_cells,
         str(type_id), type_name, *date_cells, str(rng.choice((0, 0, days))), str(comments),
         reason]
        for type_id, type_name, _w in types
    ]  # fmt: skip
    info = {
        "opened": opened,
        "closes": closes,
        "title": title,
        "comments": comments,
        "held": category_cells[2] == "3" and name in ambiguous,
        "test": test,
    }
    return rows, info


def _comment_row(
    rng: random.Random, comment_id: int, source_id: int, info: dict[str, Any]
) -> list[str]:
    span = max(int((info["closes"] - info["opened"]).total_seconds()), 60)
    written = info["opened"] + datetime.timedelta(seconds=rng.randint(0, span))
    decision = _weighted(rng, DECISIONS)[0]
    reason = ""
    if decision != "Неразгледан" and rng.random() < 0.6:
        reason = (
            "Предложението е отразено в окончателния проект."
            if decision == "Взет предвид"
            else ("Предложението противоречи на действащото законодателство.")
        )
    return [
        str(comment_id),
        STAGING.format(id=source_id),
        rng.choice(COMMENT_TITLES).format(n=rng.randint(1, 40)),
        str(source_id),
        info["title"],
        en_date(written),
        decision,
        reason,
        "",
        _weighted(rng, COMMENT_STATES)[0],
    ]


def write_exports(
    folder: Path, rows: int = ROWS, seed: int = SEED, nul: int | None = None
) -> Export:
    """Write ConsultationssCSVExport.csv (sic) and CommentsCSVExport.csv of `rows` rows into
    `folder`, streamed (one consultation at a time), and say what they hold."""
    from consultations.history import normalise_name

    rng = random.Random(seed)
    places = municipalities()
    if not places:
        raise RuntimeError("no municipalities: run load_territory first")
    names = [normalise_name(p[0]) for p in places]
    ambiguous = {p[0] for p, n in zip(places, names, strict=True) if names.count(n) > 1}
    folder.mkdir(parents=True, exist_ok=True)
    export = Export(folder / "ConsultationssCSVExport.csv", folder / "CommentsCSVExport.csv",
                    0, 0, 0, 0, 0, 0, 0)  # fmt: skip
    # Consultations newest first, as the portal lists them: ids from the top down, and dates
    # from the last day of 2026 back to 2008 (ids grow with time on the portal).
    mean = sum(n * w for n, w in ROWS_PER_CONSULTATION) / sum(w for _n, w in ROWS_PER_CONSULTATION)
    expected = max(int(rows / mean), 1)
    top = expected + expected // 5 + 100  # some room: the draw may make more consultations
    # At least a few damaged rows in a small file too.
    shifted_every = max(40, min(SHIFTED_EVERY, rows // 10))
    comment_id = 0
    with (
        export.consultations_path.open("w", encoding="utf-8-sig", newline="") as out,
        export.comments_path.open("w", encoding="utf-8-sig", newline="") as notes,
    ):
        out.write("\t".join(CONSULTATION_HEADER) + "\r\n")
        notes.write("\t".join(COMMENT_HEADER) + "\r\n")
        while export.rows < rows:
            source_id = top - export.consultations
            when = 1 - export.consultations / expected
            lines, info = _consultation_rows(rng, source_id, when, places, ambiguous)
            lines = lines[: rows - export.rows]
            export.consultations += 1
            if len(lines) == 1 and export.consultations % shifted_every == 0:
                # An unquoted tab in the title: one column too many, the row is skipped.
                lines[0][1] = lines[0][1].strip('"').replace(" ", "\t", 1)
                export.shifted_rows += 1
                info["comments"] = 0  # comments of a skipped consultation would be skipped too
            else:
                export.held += info["held"]
                export.test_entries += info["test"] and not info["held"]
            out.write("".join("\t".join(line) + "\r\n" for line in lines))
            export.rows += len(lines)
            for _n in range(info["comments"]):
                comment_id += 1
                row = _comment_row(rng, comment_id, source_id, info)
                if comment_id % shifted_every == 0:
                    # The real export's damage: a tab in the title, or a column missing.
                    if comment_id % (2 * shifted_every):
                        row[2] = row[2].replace(" ", "\t", 1)
                    else:
                        del row[8]
                    export.shifted_comments += 1
                notes.write("\t".join(row) + "\r\n")
                export.comment_rows += 1
    padding = NUL_PADDING if nul is None else nul
    for path in (export.consultations_path, export.comments_path):
        with path.open("ab") as f:
            f.write(b"\x00" * padding)
    return export


# --- The import -----------------------------------------------------------------------------


def remove_imported() -> int:
    """Remove every consultation imported from strategy.bg with what hangs on it, the
    source's categories and the national institutions the import made: the next import is
    a first one. Plain DELETEs: the ORM's cascade would load every comment."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from consultations.enums import Source
    from consultations.history import NATIONAL_KIND
    from consultations.models import (
        Consultation,
        HeldRow,
        ImportedComment,
        SourceCategory,
        StateChange,
    )
    from core.models import SearchEntry
    from directory.models import Institution
    from events.models import Event

    ours = Consultation.objects.filter(source=Source.STRATEGY_BG)
    ids = ours.values("pk")
    removed = ours.count()
    Event.objects.filter(consultation__in=ids).update(consultation=None)
    for qs in (
        ImportedComment.objects.filter(consultation__in=ids),
        StateChange.objects.filter(consultation__in=ids),
        Consultation.topics.through.objects.filter(consultation__in=ids),
        SearchEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Consultation),
            object_id__in=ours.annotate(sid=Cast("pk", CharField())).values("sid"),
        ),
        ours,
        HeldRow.objects.all(),
        SourceCategory.candidates.through.objects.all(),
        SourceCategory.objects.all(),
    ):
        qs._raw_delete(qs.db)
    Institution.objects.filter(kind__slug=NATIONAL_KIND).delete()
    return removed


def _peak_rss_kb() -> int:
    # Linux reports kilobytes.
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def import_once(consultations: Path, comments: Path | None, trace: bool = False) -> dict[str, Any]:
    """Import the files once, in this process: wall and CPU seconds, queries (counted, not
    kept: a query log would grow with the file), the growth of the process's peak RSS and,
    with `trace`, tracemalloc's peak of Python memory; and the import's report figures."""
    from django.db import connection

    from consultations.history import import_export

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    rss_before = _peak_rss_kb()
    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    with (
        connection.execute_wrapper(count),
        consultations.open("rb") as c,
        comments.open("rb") if comments else _nothing() as m,
    ):
        report = import_export(c, m)
    out: dict[str, Any] = {
        "seconds": round(time.perf_counter() - start, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "queries": queries[0],
    }
    if trace:
        out["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    out["rss_growth_mb"] = round((_peak_rss_kb() - rss_before) / 1024, 1)
    out.update(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        held=report.held,
        comments_created=report.comments_created,
        comments_updated=report.comments_updated,
        comments_unchanged=report.comments_unchanged,
        skipped=len(report.skipped),
        test_entries=len(report.test_entries),
    )
    return out


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _import_in_child(export: Export, trace: bool, remove: bool) -> dict[str, Any]:
    """import_once in a fresh Python process, whose peak RSS is then the import's own."""
    args = [sys.executable, str(Path(__file__).resolve()), "--import-once",
            str(export.consultations_path), str(export.comments_path)]  # fmt: skip
    args += ["--trace"] * trace + ["--remove"] * remove
    for _attempt in range(2):  # once more after a failure: a run of minutes should not be lost
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
        for line in proc.stdout.splitlines():
            if line.startswith("IMPORT_JSON "):
                return dict(json.loads(line.removeprefix("IMPORT_JSON ")))
        print(f"the import failed, once more:\n{proc.stderr[-2000:]}", file=sys.stderr)
    raise RuntimeError(f"the import failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")


def _brief(r: dict[str, Any]) -> str:
    return (
        f"{r['seconds']} s, {r['cpu_seconds']} CPU s, {r['queries']:,} queries, peak RSS "
        f"+{r['rss_growth_mb']} MB; {r['created']:,} created, {r['updated']:,} updated, "
        f"{r['comments_created']:,} comments created, {r['skipped']} lines skipped"
    )


def _say(text: str) -> None:
    print(text, flush=True)


def measure(
    rows: int = ROWS,
    small_rows: int = SMALL_ROWS,
    folder: Path = FOLDER,
    isolate: bool = True,
    say: Callable[[str], object] = _say,
) -> dict[str, Any]:
    """Import a `small_rows` export and the `rows` one, each first under tracemalloc (memory)
    and then without it (time, queries), from an empty history each time; then the full one
    again (the re-import: 0 created, 0 updated). `isolate` runs each import in a process of
    its own (bench/run.py); the tests run them in theirs, in their database."""

    def run(export: Export, trace: bool, remove: bool = True) -> dict[str, Any]:
        if isolate:
            return _import_in_child(export, trace, remove)
        if remove:
            remove_imported()
        return import_once(export.consultations_path, export.comments_path, trace)

    small = write_exports(folder / "small", small_rows, nul=NUL_PADDING * small_rows // rows)
    full = write_exports(folder / "full", rows)
    out: dict[str, Any] = {
        "rows": full.rows,
        "consultations": full.consultations,
        "comment_rows": full.comment_rows,
        "bytes": full.consultations_path.stat().st_size + full.comments_path.stat().st_size,
        "goals": {"import_seconds": GOAL_IMPORT_SECONDS, "memory_ratio": GOAL_MEMORY_RATIO},
    }
    for name, export in (("small", small), ("full", full)):
        memory = run(export, trace=True)
        say(
            f"{export.rows:,} rows under tracemalloc: Python peak {memory['python_peak_mb']} MB, "
            f"peak RSS +{memory['rss_growth_mb']} MB"
        )
        timed = run(export, trace=False)
        say(f"{export.rows:,} rows: {_brief(timed)}")
        timed["python_peak_mb"] = memory["python_peak_mb"]
        timed["rss_growth_traced_mb"] = memory["rss_growth_mb"]
        timed["rows"] = export.rows
        out[name] = timed
    out["reimport"] = run(full, trace=False, remove=False)
    say(f"{full.rows:,} rows again: {_brief(out['reimport'])}")
    small_peak = out["small"]["python_peak_mb"] or 0.1
    out["memory_ratio"] = round(out["full"]["python_peak_mb"] / small_peak, 2)
    mark_current(rows)
    return out


# --- The bench dataset ----------------------------------------------------------------------


def fingerprint(rows: int) -> str:
    """This module's version and size, over the dataset of bench/generate.py they join."""
    from bench.generate import MARKER as DATASET
    from core.models import DataLoad

    dataset = DataLoad.objects.filter(name=DATASET).values_list("checksum", flat=True).first()
    spec = {"version": VERSION, "rows": rows, "seed": SEED, "dataset": dataset or ""}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def mark_current(rows: int) -> None:
    from core.models import DataLoad

    DataLoad.objects.update_or_create(
        name=MARKER, defaults={"checksum": fingerprint(rows), "summary": {"rows": rows}}
    )


def build(rows: int = ROWS, force: bool = False, folder: Path = FOLDER) -> str:
    """The export imported into the database, unless the same one already is."""
    from core.models import DataLoad

    if not force and DataLoad.objects.filter(name=MARKER, checksum=fingerprint(rows)).exists():
        return "strategy.bg history up to date (same export): reused."
    export = write_exports(folder / "full", rows)
    started = time.perf_counter()
    remove_imported()
    figures = import_once(export.consultations_path, export.comments_path)
    mark_current(rows)
    return (
        f"strategy.bg history: {export.rows:,} rows, {figures['created']:,} consultations and "
        f"{figures['comments_created']:,} comments imported, {figures['held']:,} waiting for a "
        f"municipality, {figures['skipped']} lines skipped, in "
        f"{time.perf_counter() - started:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--build", action="store_true", help="import the export once")
    action.add_argument("--measure", action="store_true", help="time the import")
    action.add_argument("--write", type=Path, metavar="FOLDER", help="only write the files")
    action.add_argument("--import-once", nargs=2, type=Path, metavar=("CONSULTATIONS", "COMMENTS"),
                        help="(bench internal) one import, printing IMPORT_JSON")  # fmt: skip
    parser.add_argument("--rows", type=int, default=ROWS, help="rows of the consultations export")
    parser.add_argument("--force", action="store_true", help="--build even if unchanged")
    parser.add_argument("--trace", action="store_true", help="--import-once under tracemalloc")
    parser.add_argument("--remove", action="store_true", help="--import-once into an empty history")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.write:
        print(json.dumps(write_exports(args.write, args.rows).as_dict(), ensure_ascii=False))
    elif args.build:
        print(build(args.rows, args.force))
    elif args.import_once:
        if args.remove:
            remove_imported()
        consultations, comments = args.import_once
        print("IMPORT_JSON " + json.dumps(import_once(consultations, comments, args.trace)))
    else:
        figures = measure(args.rows)
        print("STRATEGY_BG_JSON " + json.dumps(figures))


if __name__ == "__main__":
    main()
