"""The benchmark's dataset: a registry of generators that fill the database at national scale.

Run by bench/run.py as `python bench/generate.py [--users N] [--force]` with DATABASE_URL
pointing at the benchmark's own database. Each generator is a function decorated with
`@generator(name, version=..., order=...)` that takes a `Context` and returns a one-line
summary of what it made. A generator must be idempotent: it first removes what an earlier
run of itself created, so the dataset can be rebuilt in place when a version changes.

The dataset is rebuilt only when its fingerprint (the generators' names and versions and the
sizes in `Scale`) differs from the one stored after the last build; otherwise it is reused.
Adding a size: add a field to `Scale` (it becomes a `--name` option and part of the
fingerprint). Adding a generator: write a decorated function below (or in a module imported
at the end of this file).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

# Bump when the framework itself changes in a way that invalidates existing datasets.
FORMAT_VERSION = 1
# Name of the core.DataLoad row that records the fingerprint of the built dataset.
MARKER = "bench-dataset"
# Generated people get addresses in a reserved domain (RFC 2606): never a real mailbox.
EMAIL_DOMAIN = "bench.invalid"
SEED = 2026


@dataclass
class Scale:
    """How much of each thing to generate (DESIGN.md §7 gives the national-scale figures)."""

    users: int = 5_000
    organisations: int = 60_000
    services: int = 20_000  # administrative services (bench/directory_data.py)
    consultations: int = 10_000  # public consultations (bench/generate_consultations.py)
    consultation_comments: int = 10_000  # comments of the one big consultation
    report_proposals: int = 5_000  # proposals in the published report that is timed
    events: int = 50_000  # events (bench/generate_events.py)
    information_requests: int = 200_000  # monitoring (bench/generate_monitoring.py)
    signals: int = 20_000  # proposals and signals (bench/generate_monitoring.py)
    commitments: int = 5_000  # commitments (bench/generate_monitoring.py)
    assessment_responses: int = 10_000  # one campaign's answers (bench/generate_assessments.py)
    publications: int = 20_000  # the library (bench/generate_library.py)

    @classmethod
    def tiny(cls) -> Scale:
        """Sizes for the test suite: every generator runs, in well under a second."""
        return cls(
            users=25,
            organisations=60,
            services=60,
            consultations=30,
            consultation_comments=40,
            report_proposals=20,
            events=40,
            information_requests=60,
            signals=20,
            commitments=10,
            assessment_responses=30,
            publications=30,
        )


@dataclass
class Context:
    scale: Scale
    rng: random.Random
    log: Callable[[str], None]


@dataclass(frozen=True)
class Generator:
    name: str
    version: int
    order: int
    func: Callable[[Context], str]


_registry: dict[str, Generator] = {}


def generator(
    name: str, *, version: int = 1, order: int = 100
) -> Callable[[Callable[[Context], str]], Callable[[Context], str]]:
    """Register a generator; bump `version` whenever what it generates changes."""

    def register(func: Callable[[Context], str]) -> Callable[[Context], str]:
        _registry[name] = Generator(name, version, order, func)
        return func

    return register


def generators() -> list[Generator]:
    return sorted(_registry.values(), key=lambda g: (g.order, g.name))


def fingerprint(scale: Scale) -> str:
    spec = {
        "format": FORMAT_VERSION,
        "generators": [[g.name, g.version] for g in generators()],
        "scale": asdict(scale),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def is_current(scale: Scale) -> bool:
    from core.models import DataLoad

    return DataLoad.objects.filter(name=MARKER, checksum=fingerprint(scale)).exists()


def generate(
    scale: Scale, *, force: bool = False, log: Callable[[str], None] = print, seed: int = SEED
) -> list[tuple[str, str]] | None:
    """Run every generator in order; None when the dataset is already current."""
    from django.db import transaction

    from core.models import DataLoad

    if not force and is_current(scale):
        log("Dataset up to date (same generators and sizes): reused.")
        return None
    made: list[tuple[str, str]] = []
    for gen in generators():
        started = time.perf_counter()
        # Each generator has its own seeded random source, so adding one does not change
        # what the others generate.
        ctx = Context(scale, random.Random(seed + zlib.crc32(gen.name.encode())), log)
        with transaction.atomic():
            summary = gen.func(ctx)
        log(f"  {gen.name} (v{gen.version}): {summary} in {time.perf_counter() - started:.1f} s")
        made.append((gen.name, summary))
    DataLoad.objects.update_or_create(
        name=MARKER,
        defaults={
            "checksum": fingerprint(scale),
            "summary": {"scale": asdict(scale), "made": dict(made)},
        },
    )
    return made


def dataset_counts() -> dict[str, int]:
    """What the benchmarked database holds, for the report."""
    from django.contrib.auth import get_user_model

    from core.models import SearchEntry
    from territory.models import Mayoralty, Municipality, Province, Settlement

    return {
        "provinces": Province.objects.count(),
        "municipalities": Municipality.objects.count(),
        "settlements": Settlement.objects.count(),
        "mayoralties": Mayoralty.objects.count(),
        "users": get_user_model().objects.count(),
        "search_entries": SearchEntry.objects.count(),
    }


# --- Generators -----------------------------------------------------------------------------

FIRST_NAMES = [
    "Мария", "Иван", "Елена", "Георги", "Йорданка", "Димитър", "Десислава", "Николай",
    "Цветелина", "Петър", "Радостина", "Христо", "Гергана", "Стоян", "Милена", "Тодор",
    "Вяра", "Атанас", "Снежана", "Костадин",
]  # fmt: skip
LAST_NAMES = [
    ("Иванов", "Иванова"), ("Петров", "Петрова"), ("Георгиев", "Георгиева"),
    ("Димитров", "Димитрова"), ("Стоянов", "Стоянова"), ("Тодоров", "Тодорова"),
    ("Николов", "Николова"), ("Христов", "Христова"), ("Колев", "Колева"),
    ("Маринов", "Маринова"), ("Ангелов", "Ангелова"), ("Попов", "Попова"),
]  # fmt: skip
FEMALE = {"Мария", "Елена", "Йорданка", "Десислава", "Цветелина", "Радостина", "Гергана",
          "Милена", "Вяра", "Снежана"}  # fmt: skip


@generator("portal_scope", order=10)
def portal_scope(ctx: Context) -> str:
    """The portal serves the South Central region as it was when the project began (6 provinces)."""
    from territory.models import PlanningRegion, PortalScope

    region = PlanningRegion.objects.get(code="BG42")
    provinces = list(region.provinces_on(datetime.date(2007, 12, 31))) or list(
        region.provinces_on()
    )
    scope = PortalScope.current()
    scope.name_bg = "Южен централен район"
    scope.name_en = "South Central region"
    scope.save()
    scope.provinces.set(provinces)
    scope.municipalities.clear()
    return f"{len(provinces)} provinces ({', '.join(sorted(p.code for p in provinces))})"


@generator("users", order=20)
def users(ctx: Context) -> str:
    """Fictional people with unusable passwords (they never sign in), created in bulk."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    user_model.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    # One unusable password for all: hashing 5,000 real passwords would take minutes.
    password = make_password(None)
    batch = []
    for i in range(ctx.scale.users):
        first = ctx.rng.choice(FIRST_NAMES)
        male, female = ctx.rng.choice(LAST_NAMES)
        batch.append(
            user_model(
                email=f"user{i:06d}@{EMAIL_DOMAIN}",
                first_name=first,
                last_name=female if first in FEMALE else male,
                password=password,
            )
        )
    user_model.objects.bulk_create(batch, batch_size=1000)
    return f"{len(batch):,} users"


if __name__ != "__main__":
    # Generators of other modules register in the importable module bench.generate; run as a
    # script, this file imports itself as that module (at the end), which brings them then.
    import bench.directory_data  # the "directory_services" generator
    import bench.generate_assessments  # the "assessments" generator
    import bench.generate_consultations  # the "consultations" generator
    import bench.generate_events  # the "events" generator
    import bench.generate_library  # the "library" generator
    import bench.generate_monitoring  # the "monitoring" generator
    import bench.generate_organisations  # noqa: F401  (the "organisations" generator)

# --- Command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    parser = argparse.ArgumentParser(description="Generate the benchmark dataset.")
    defaults = Scale()
    for f in fields(Scale):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=int, default=getattr(defaults, f.name)
        )
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings

    if Path(str(settings.DATABASES["default"]["NAME"])).resolve() == root / "var" / "db.sqlite3":
        print("Refusing to generate into the development database var/db.sqlite3.", file=sys.stderr)
        return 2
    scale = Scale(**{f.name: getattr(args, f.name) for f in fields(Scale)})
    print(f"Generating the benchmark dataset: {asdict(scale)}")
    generate(scale, force=args.force)
    print("DATASET_JSON " + json.dumps(dataset_counts()))
    return 0


if __name__ == "__main__":
    # Run through the importable module, so generators registered from other modules (which
    # import bench.generate) land in the same registry as the ones here.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.generate import main as _main

    sys.exit(_main())
