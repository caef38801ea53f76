"""`make bench`: measure the key pages and API endpoints under concurrent load.

1. Builds (or reuses) the benchmark dataset in its own database — bench/var/bench.sqlite3,
   or PostgreSQL with --database-url — never the development database var/db.sqlite3.
2. Serves the portal with gunicorn on a free port of 127.0.0.1 (DEBUG off).
3. For each target of bench/targets.py: checks that it answers 2xx, warms it up, then drives
   it with wrk and records p50/p95 latency and requests per second.
4. Writes bench/results/<date>.md and .json, each target also relative to the bare "hello"
   view. Exits non-zero if any target answered anything but 2xx.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.targets import BASELINE, TARGETS, Target  # noqa: E402

BENCH_DIR = ROOT / "bench"
VAR = BENCH_DIR / "var"
RESULTS = BENCH_DIR / "results"
PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WRK = "wrk"


class BenchError(Exception):
    pass


@dataclass
class Measurement:
    target: Target
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float
    requests: int
    errors: dict[str, int]
    # The same page for one user at a time (wrk -c1): its own response time, without the
    # queueing that 16 connections on a small machine add to every page alike.
    p95_single_ms: float | None = None

    @property
    def failed(self) -> bool:
        return self.errors.get("status", 0) > 0 or self.errors.get("timeout", 0) > 0


def log(message: str) -> None:
    print(message, flush=True)


# --- Set-up ---------------------------------------------------------------------------------


def database_label(url: str) -> str:
    """The database as it goes into the report: engine and location, never a password."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version} ({Path(parsed.path).name})"
    host = parsed.hostname or "localhost"
    return f"PostgreSQL at {host}{parsed.path}"


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            # Development settings (no TLS redirect, plain static storage), but without
            # DEBUG, whose query log and error pages would distort every figure.
            "ENVIRONMENT": "development",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("CACHE_URL", None)  # the database cache of the benchmarked database itself
    return env


# Machine-readable lines the steps print for this script, not for the log.
HIDDEN_PREFIXES = (
    "DATASET_JSON",
    "TARGET_PATHS",
    "DOCUMENTS_JSON",
    "REPORT_JSON",
    "ASSESSMENTS_JSON",
    "BURST_JSON",
    "STRATEGY_BG_JSON",
)


def _json_line(out: str, prefix: str, step: str) -> dict[str, Any]:
    for line in out.splitlines():
        if line.startswith(prefix + " "):
            return dict(json.loads(line.removeprefix(prefix + " ")))
    raise BenchError(f"{step} printed no {prefix}")


def run_step(title: str, args: list[str], env: dict[str, str]) -> str:
    log(f"→ {title}")
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise BenchError(f"{title} failed (exit {proc.returncode})")
    for line in proc.stdout.splitlines():
        if line.strip() and not line.startswith(HIDDEN_PREFIXES):
            log(f"  {line}")
    log(f"  done in {time.perf_counter() - started:.1f} s")
    return proc.stdout


def build_dataset(env: dict[str, str], sizes: list[str], force: bool) -> dict[str, Any]:
    manage = [str(PY), "manage.py"]
    run_step("migrate", [*manage, "migrate", "--noinput", "-v", "0"], env)
    run_step("createcachetable", [*manage, "createcachetable"], env)
    run_step("load_territory", [*manage, "load_territory"], env)
    run_step("generate_directory", [*manage, "generate_directory"], env)
    gen_args = [str(PY), str(BENCH_DIR / "generate.py")]
    for size in sizes:
        name, _, value = size.partition("=")
        if not value.isdigit():
            raise BenchError(f"--size wants NAME=NUMBER, not {size!r}")
        gen_args += [f"--{name.replace('_', '-')}", value]
    if force:
        gen_args.append("--force")
    out = run_step("generate (bench/generate.py)", gen_args, env)
    if env.get("DATABASE_URL", "").startswith("postgres"):
        # Production's autovacuum keeps statistics; a server without it (as on CI machines)
        # would plan the bench's queries from none.
        analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
        run_step("analyze", [*manage, "shell", "-c", analyze], env)
    for line in out.splitlines():
        if line.startswith("DATASET_JSON "):
            return dict(json.loads(line.removeprefix("DATASET_JSON ")))
    return {}


def build_strategy_bg(env: dict[str, str], rows: int, force: bool) -> None:
    """The generated export of strategy.bg imported (reused when unchanged), before the
    server starts: the compliance targets are measured over it."""
    args = [str(PY), str(BENCH_DIR / "generate_strategy_bg.py"), "--build", "--rows", str(rows)]
    run_step(
        "strategy.bg history (bench/generate_strategy_bg.py --build)",
        args + ["--force"] * force,
        env,
    )


def resolve_targets(env: dict[str, str], targets: list[Target]) -> list[Target]:
    """Targets whose path names an object of the dataset ("{institution}") get its id from
    the benchmarked database (ids differ between databases and rebuilds)."""
    if all("{" not in t.template for t in targets):
        return targets
    out = run_step("look up the targets' paths", [str(PY), str(BENCH_DIR / "targets.py")], env)
    for line in out.splitlines():
        if line.startswith("TARGET_PATHS "):
            paths = json.loads(line.removeprefix("TARGET_PATHS "))
            return [Target(t.name, paths.get(t.name, t.template), t.note) for t in targets]
    raise BenchError("bench/targets.py printed no paths")


def time_documents(env: dict[str, str]) -> dict[str, Any]:
    """One printable directory (PDF) per unit of bench/documents.py, timed in-process."""
    out = run_step(
        "printable directories (bench/documents.py)",
        [str(PY), str(BENCH_DIR / "documents.py")],
        env,
    )
    return _json_line(out, "DOCUMENTS_JSON", "bench/documents.py")


def time_report(env: dict[str, str]) -> dict[str, Any]:
    """The consultation report (справка) of 5,000 proposals as PDF and .docx, in-process."""
    out = run_step(
        "consultation report (bench/generate_consultations.py)",
        [str(PY), str(BENCH_DIR / "generate_consultations.py")],
        env,
    )
    return _json_line(out, "REPORT_JSON", "bench/generate_consultations.py")


def time_assessments(env: dict[str, str]) -> dict[str, Any]:
    """The assessment of 10,000 answers: its indices, the re-scoring and its PDF, in-process."""
    out = run_step(
        "assessment results (bench/generate_assessments.py --measure)",
        [str(PY), str(BENCH_DIR / "generate_assessments.py"), "--measure"],
        env,
    )
    return _json_line(out, "ASSESSMENTS_JSON", "bench/generate_assessments.py")


def time_strategy_bg(env: dict[str, str], rows: int) -> dict[str, Any]:
    """The import of a generated strategy.bg export (and of a 10,000-row one, to compare
    memory), each in a process of its own, and its re-import."""
    out = run_step(
        "strategy.bg import (bench/generate_strategy_bg.py --measure)",
        [str(PY), str(BENCH_DIR / "generate_strategy_bg.py"), "--measure", "--rows", str(rows)],
        env,
    )
    return _json_line(out, "STRATEGY_BG_JSON", "bench/generate_strategy_bg.py")


def registration_burst(env: dict[str, str], base: str, database_url: str) -> dict[str, Any]:
    """200 people registering at once for 50 places through the running server."""
    args = [str(PY), str(BENCH_DIR / "registration_burst.py"), "--base-url", base]
    if database_url:
        args += ["--database-url", database_url]
    out = run_step("registration burst (bench/registration_burst.py)", args, env)
    return _json_line(out, "BURST_JSON", "bench/registration_burst.py")


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, workers: int, threads: int
) -> subprocess.Popen[bytes]:
    VAR.mkdir(parents=True, exist_ok=True)
    log_file = (VAR / "gunicorn.log").open("ab")
    args = [
        str(GUNICORN),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    log(f"→ gunicorn on 127.0.0.1:{port} ({workers} workers × {threads} threads)")
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log_file, stderr=log_file, start_new_session=True
    )


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers on TERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is a result to report, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def fetch_status(url: str, timeout: float = 30) -> int:
    try:
        with _opener.open(url, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def wait_until_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode}; see {VAR / 'gunicorn.log'}")
        try:
            if fetch_status(base + "/healthz", timeout=2) == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(f"the server did not answer /healthz within {timeout:.0f} s")


# --- Load -----------------------------------------------------------------------------------


def wrk(url: str, seconds: int, threads: int, connections: int) -> dict[str, Any]:
    args = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(BENCH_DIR / "report.lua"),
        url,
    ]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BenchError(f"wrk failed on {url}: {proc.stderr.strip() or proc.stdout.strip()}")
    report: dict[str, Any] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            report = json.loads(line.removeprefix("BENCH_JSON "))
    if report is None:
        raise BenchError(f"no report from wrk for {url}:\n{proc.stdout}")
    # wrk's own line, as a second witness of the Lua figure.
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", proc.stdout)
    if non2xx:
        report["errors"]["status"] = max(report["errors"]["status"], int(non2xx.group(1)))
    return report


def measure(base: str, target: Target, args: argparse.Namespace) -> Measurement:
    url = base + target.path
    status = fetch_status(url)
    if not 200 <= status < 300:
        raise BenchError(f"{target.name}: {target.path} answered {status}, not 2xx")
    if args.warmup > 0:
        wrk(url, args.warmup, args.wrk_threads, args.connections)
    report = wrk(url, args.duration, args.wrk_threads, args.connections)
    m = Measurement(
        target=target,
        p50_ms=report["p50_us"] / 1000,
        p95_ms=report["p95_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        rps=report["rps"],
        requests=report["requests"],
        errors=report["errors"],
    )
    if args.single_user > 0:
        # A slow page leaves requests queued when the 16 connections stop, and the one-user
        # run would start behind them: one plain request comes back once they are served.
        fetch_status(url)
        single = wrk(url, args.single_user, 1, 1)
        m.p95_single_ms = single["p95_us"] / 1000
    flag = "  FAILED" if m.failed else ""
    alone = f"  (1 user: p95 {m.p95_single_ms:.1f} ms)" if m.p95_single_ms is not None else ""
    log(
        f"  {target.name:<20} p50 {m.p50_ms:7.1f} ms  p95 {m.p95_ms:7.1f} ms  "
        f"{m.rps:8.1f} req/s{alone}{flag}"
    )
    return m


# --- Report ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_results(
    results_dir: Path,
    measurements: list[Measurement],
    machine: dict[str, Any],
    settings: dict[str, Any],
    dataset: dict[str, Any],
    documents: dict[str, Any] | None = None,
    report: dict[str, Any] | None = None,
    burst: dict[str, Any] | None = None,
    assessments: dict[str, Any] | None = None,
    strategy_bg: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    today = datetime.date.today().isoformat()
    hello = next((m for m in measurements if m.target.name == BASELINE), None)
    hello_rps = hello.rps if hello and hello.rps else None

    def ratio(m: Measurement) -> float | None:
        return round(m.rps / hello_rps, 3) if hello_rps else None

    data = {
        "date": today,
        "machine": machine,
        "settings": settings,
        "dataset": dataset,
        "targets": [
            {
                "name": m.target.name,
                "url": m.target.path,
                "p50_ms": round(m.p50_ms, 2),
                "p95_ms": round(m.p95_ms, 2),
                "p99_ms": round(m.p99_ms, 2),
                "p95_single_user_ms": (
                    None if m.p95_single_ms is None else round(m.p95_single_ms, 2)
                ),
                "rps": round(m.rps, 1),
                "ratio_to_hello": ratio(m),
                "requests": m.requests,
                "errors": m.errors,
            }
            for m in measurements
        ],
        "documents": documents or {},
        "consultation_report": report or {},
        "assessments": assessments or {},
        "strategy_bg": strategy_bg or {},
        "registration_burst": burst or {},
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    json_path = results_dir / f"{today}.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    lines = [
        f"# Benchmark {today}",
        "",
        f"- machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), "
        f"Python {machine['python']}, {machine['platform']}",
        f"- database: {machine['database']}",
        f"- 1-minute load average at start / end: {machine['load_average_at_start']} / "
        f"{machine['load_average_at_end']} (the run itself adds about 3 on the end figure; "
        "anything else running skews the results)",
        f"- server: gunicorn, {settings['workers']} workers × {settings['threads']} threads, "
        "DEBUG off, on the same machine as the load generator",
        f"- load: wrk -t{settings['wrk_threads']} -c{settings['connections']}, "
        f"{settings['warmup_s']} s warm-up then {settings['duration_s']} s per target",
        "- dataset: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in dataset.items()),
        "",
        "| target | URL | p50 ms | p95 ms | req/s | ratio to hello | p95 ms, 1 user |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in measurements:
        r = ratio(m)
        alone = "—" if m.p95_single_ms is None else f"{m.p95_single_ms:.1f}"
        lines.append(
            f"| {m.target.name} | `{m.target.path}` | {m.p50_ms:.1f} | {m.p95_ms:.1f} | "
            f"{m.rps:.0f} | {'—' if r is None else f'{r:.2f}'} | {alone} |"
        )
    if documents:
        lines += [
            "",
            "Printable directories (PDF, WeasyPrint, one at a time, nothing else loading the "
            "server):",
            "",
            "| unit | seconds | CPU s | data + HTML s | pages | KB | queries |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for code, d in documents.items():
            lines.append(
                f"| {code} | {d['seconds']:.1f} | {d['cpu_seconds']:.1f} | "
                f"{d['data_and_html']:.1f} | {d['pages']} | {d['bytes'] // 1024} | {d['queries']} |"
            )
    if report:
        lines += [
            "",
            "The consultation report (справка) of bench/generate_consultations.py, in-process:",
            "",
            "| format | proposals | seconds | CPU s | pages | KB | queries |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, r in report.items():
            lines.append(
                f"| {name} | {r['proposals']:,} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                f"{r['pages']} | {r['bytes'] // 1024} | {r['queries']} |"
            )
    if assessments:
        lines += assessment_lines(assessments)
    if strategy_bg:
        lines += strategy_bg_lines(strategy_bg)
    if burst:
        lines += [
            "",
            f"Registration burst (bench/registration_burst.py): {burst['people']} people "
            f"registering at the same instant for {burst['confirmed']} places took "
            f"{burst['seconds']} s (p50 {burst.get('p50_ms', '—')} ms, p95 {burst['p95_ms']} ms a "
            f"registration, queueing for 8 server threads included); {burst['confirmed']} "
            f"confirmed, {burst['waiting']} waiting: {'as expected' if burst['ok'] else 'WRONG'}.",
        ]
    failed = [m for m in measurements if m.failed]
    if failed:
        lines += ["", "**Failed** (non-2xx responses or timeouts): "]
        lines += [f"- {m.target.name}: {m.errors}" for m in failed]
    lines += [
        "",
        "p95 ms, 1 user = the same page under one connection (wrk -c1): its own response time,",
        "without the queueing that many connections on few cores add to every page alike.",
        "",
        "Ratio to hello = the target's requests per second / those of the bare `/healthz` view",
        "on the same server in the same run: the share of the server's raw capacity the page",
        "leaves. Compare ratios across machines, absolute figures only within one machine.",
        "",
    ]
    md_path = results_dir / f"{today}.md"
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return md_path, json_path


def assessment_lines(a: dict[str, Any]) -> list[str]:
    """The table of bench/generate_assessments.py --measure."""
    index, rescore, pdf = a["index"], a["rescore"], a["pdf"]
    goals = a.get("goals", {})

    def goal(key: str) -> str:
        return f"< {goals[key]} s" if key in goals else "—"

    return [
        "",
        f"The capacity assessment of bench/generate_assessments.py ({a['responses']:,} answers), "
        "in-process, from a cold cache:",
        "",
        "| step | seconds | CPU s | queries | goal | what |",
        "| --- | ---: | ---: | ---: | --- | --- |",
        f"| index computation | {index['seconds']:.2f} | {index['cpu_seconds']:.2f} | "
        f"{index['queries']} | {goal('index_seconds')} | assessments.results.compute: "
        f"{index['groups']:,} groups, {index['groups_shown']:,} shown |",
        f"| re-scoring | {rescore['seconds']:.2f} | {rescore['cpu_seconds']:.2f} | "
        f"{rescore['queries']} | — | every response from its answers; "
        f"{rescore['disagreeing']} disagree with the stored scores |",
        f"| PDF report | {pdf['seconds']:.1f} | {pdf['cpu_seconds']:.1f} | {pdf['queries']} | "
        f"{goal('pdf_seconds')} | render_report_pdf: {pdf['pages']} pages, "
        f"{pdf['bytes'] // 1024:,} KB, data + HTML {pdf['data_and_html']:.1f} s |",
    ]


def strategy_bg_lines(s: dict[str, Any]) -> list[str]:
    """The table of bench/generate_strategy_bg.py --measure."""
    goals = s.get("goals", {})
    seconds_goal = goals.get("import_seconds")
    ratio_goal = goals.get("memory_ratio")

    def row(step: str, r: dict[str, Any], goal: str, what: str) -> str:
        peak = r.get("python_peak_mb")
        return (
            f"| {step} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['queries']:,} | "
            f"{'—' if peak is None else f'{peak:.1f}'} | "
            f"{r['rss_growth_mb']:.1f} | {goal} | {what} |"
        )

    def made(r: dict[str, Any]) -> str:
        return (
            f"{r['created']:,} consultations and {r['comments_created']:,} comments created, "
            f"{r['updated'] + r['comments_updated']:,} updated, {r['held']:,} waiting for a "
            f"municipality, {r['skipped']:,} lines skipped"
        )

    ratio = s.get("memory_ratio")
    flat = (
        "—"
        if ratio is None or ratio_goal is None
        else ("flat" if ratio <= ratio_goal else "NOT flat")
    )
    small, full, again = s["small"], s["full"], s["reimport"]
    return [
        "",
        f"The import of a generated strategy.bg export (bench/generate_strategy_bg.py: "
        f"{s['rows']:,} rows, {s['consultations']:,} consultations, {s['comment_rows']:,} "
        f"comments, {s['bytes'] // 1024:,} KB), each run in a fresh process into an empty "
        "history (memory: a run under tracemalloc; seconds and queries: a run without it):",
        "",
        "| import | seconds | CPU s | queries | Python peak MB | peak RSS + MB | goal | what |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        row(f"{small['rows']:,} rows", small, "—", made(small)),
        row(
            f"{full['rows']:,} rows",
            full,
            f"< {seconds_goal} s" if seconds_goal else "—",
            made(full),
        ),
        row("the same again", again, "0 created, 0 updated", made(again)),
        "",
        f"Memory with {full['rows'] / max(small['rows'], 1):.0f}× the rows: "
        f"{'—' if ratio is None else f'{ratio:.2f}'}× the Python peak "
        f"(goal ≤ {ratio_goal}×: {flat}).",
    ]


# --- Main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="database to build and serve (default: sqlite in bench/var/bench.sqlite3)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--single-user",
        type=int,
        default=5,
        help="seconds of one-connection load per target after the main run (0: skip)",
    )
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--size",
        action="append",
        default=[],
        metavar="NAME=N",
        help="dataset size for bench/generate.py, e.g. --size users=20000 (repeatable)",
    )
    parser.add_argument("--rebuild", action="store_true", help="regenerate the dataset")
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        help="folder for <date>.md and <date>.json (default: bench/results; use another one "
        "for trial runs)",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated target names (hello is always measured)"
    )
    parser.add_argument(
        "--strategy-bg-rows",
        type=int,
        default=50_000,
        help="rows of the generated strategy.bg export imported and timed",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    VAR.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{VAR / 'bench.sqlite3'}"
    parsed = urlparse(database_url)
    if (
        parsed.scheme.startswith("sqlite")
        and Path(parsed.path).resolve() == ROOT / "var" / "db.sqlite3"
    ):
        log("Refusing to benchmark the development database var/db.sqlite3.")
        return 2
    targets = TARGETS
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")} | {BASELINE}
        targets = [t for t in TARGETS if t.name in wanted]
    started = time.monotonic()
    # Other work on the machine skews every figure; the report records how busy it was.
    load_at_start = os.getloadavg()[0]
    env = server_env(database_url)
    try:
        dataset = build_dataset(env, args.size, args.rebuild)
        build_strategy_bg(env, args.strategy_bg_rows, args.rebuild)
        targets = resolve_targets(env, targets)
        documents = {} if args.only else time_documents(env)
        report = {} if args.only else time_report(env)
        assessments = {} if args.only else time_assessments(env)
        strategy_bg = {} if args.only else time_strategy_bg(env, args.strategy_bg_rows)
    except BenchError as exc:
        log(f"ERROR: {exc}")
        return 1

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, args.workers, args.threads)
    measurements: list[Measurement] = []
    try:
        wait_until_up(base, server)
        log(f"→ load: {len(targets)} targets, {args.warmup} s + {args.duration} s each")
        for target in targets:
            measurements.append(measure(base, target, args))
        burst = {} if args.only else registration_burst(env, base, database_url)
    except BenchError as exc:
        log(f"ERROR: {exc}")
        return 1
    finally:
        stop_server(server)

    machine = {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "database": database_label(database_url),
        "load_average_at_start": round(load_at_start, 2),
        "load_average_at_end": round(os.getloadavg()[0], 2),
    }
    settings = {
        "workers": args.workers,
        "threads": args.threads,
        "wrk_threads": args.wrk_threads,
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
    }
    md_path, json_path = write_results(
        args.output,
        measurements,
        machine,
        settings,
        dataset,
        documents,
        report,
        burst,
        assessments,
        strategy_bg,
    )
    log(f"\n{md_path.read_text(encoding='utf-8')}")
    log(f"Results: {md_path}, {json_path}")
    log(f"Total time: {time.monotonic() - started:.0f} s")
    failed = [m.target.name for m in measurements if m.failed]
    if failed:
        log(f"FAILED: non-2xx responses or timeouts on: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
