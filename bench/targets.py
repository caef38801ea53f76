"""What `make bench` measures: one entry per page or endpoint, in the order of the report.

Later issues append their key pages here (a consultation, an organisation list, ...). The
first target is the bare "hello" view; every other figure is reported relative to it, so
results from different machines stay comparable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    # Absolute path with query string, on the benchmarked server. It may name an object of
    # the dataset whose id differs between databases, as "{institution}" (see PLACEHOLDERS).
    template: str
    note: str = ""

    @property
    def path(self) -> str:
        """The path to fetch; placeholders are looked up in the database (Django set up)."""
        if "{" not in self.template:
            return self.template
        return self.template.format(**{k: v() for k, v in PLACEHOLDERS.items()})

    def resolved(self) -> Target:
        """The same target with its path looked up, usable where Django is not set up."""
        return Target(self.name, self.path, self.note)


def _institution_id() -> int:
    from bench.directory_data import TARGET_INSTITUTION
    from directory.models import Institution

    found = Institution.objects.filter(generated_key=TARGET_INSTITUTION).first()
    return found.pk if found else 0


def _service_id() -> int:
    from bench.directory_data import TARGET_INSTITUTION
    from directory.models import Service

    found = (
        Service.objects.filter(institution__generated_key=TARGET_INSTITUTION).order_by("pk").first()
    )
    return found.pk if found else 0


def _url(name: str, *args: object) -> Callable[[], str]:
    """The path of a page by its URL name (looked up when the run starts, so a page renamed
    or moved keeps its target)."""

    def path() -> str:
        from django.urls import reverse

        return reverse(name, args=args)

    return path


def _request_path() -> str:
    """The showcase request of bench/generate_monitoring.py (extended, overdue, decided)."""
    from bench.generate_monitoring import REQUEST_SHOWCASE_ID

    return _url("monitoring:request", REQUEST_SHOWCASE_ID)()


# Objects whose ids are looked up in the benchmarked database when the run starts, and pages
# written by their URL names.
PLACEHOLDERS: dict[str, Callable[[], object]] = {
    "institution": _institution_id,  # Plovdiv's municipal administration, many services
    "service": _service_id,  # its first service
    "responsiveness": _url("monitoring:responsiveness"),
    "requests": _url("monitoring:requests"),
    "request": _request_path,
    # The compliance audit of consultations (issue 10).
    "compliance": _url("consultations:compliance"),
    "api_compliance": _url("api:compliance"),
}


BASELINE = "hello"

TARGETS: list[Target] = [
    Target(BASELINE, "/healthz", "bare view, no template or database: the baseline"),
    Target(
        "home",
        "/",
        "the scope's map and the blocks of what is happening now over national data "
        "(blocks cached 60 s per language and scope)",
    ),
    Target("home en", "/en/", "the same in English: its own cached blocks"),
    Target(
        "open data",
        "/api/",
        "every export with its last update (one aggregate per dataset, cached 10 min)",
    ),
    Target("province page", "/territory/provinces/PDV/", "Plovdiv province"),
    Target("municipality page", "/territory/municipalities/PDV22/", "Plovdiv municipality"),
    Target("search page", "/search/?q=plovdiv", "territorial search, grouped"),
    Target("api regions", "/api/v1/regions"),
    Target("api provinces", "/api/v1/provinces"),
    Target("api municipalities", "/api/v1/municipalities"),
    Target("api settlements", "/api/v1/settlements", "first page of 50"),
    Target("api mayoralties", "/api/v1/mayoralties"),
    Target("api search", "/api/v1/search?q=plov"),
    Target("directory search", "/directory/?q=obshtinski+savet&all=1", "whole country"),
    Target("who serves", "/directory/who-serves/?settlement=02974", "village of Bachkovo"),
    Target("api institutions", "/api/v1/institutions?province=PDV"),
    # Administrative services (bench/directory_data.py: 20,000 over the generated institutions).
    Target(
        "directory search +services",
        "/directory/?q=udostoverenie+za+naslednitsi",
        "institutions and services, Latin, a function word",
    ),
    Target("directory search broad", "/directory/?q=plovdiv", "hundreds of both kinds"),
    Target("institution page", "/directory/institutions/{institution}/", "Plovdiv, ~150 services"),
    Target("service page", "/directory/services/{service}/"),
    Target("api services", "/api/v1/services?q=udostoverenie"),
    # The catalogue of organisations (~64,000: the register + bench/generate_organisations.py).
    Target("catalogue search", "/organisations/?q=chitalishte+plovdiv", "by relevance, facets"),
    Target(
        "catalogue facets",
        "/organisations/?q=sdruzhenie&field=education&province=PDV&sort=name",
        "words + two facets",
    ),
    Target("catalogue all", "/organisations/?all=1", "whole country, facets over every entry"),
    Target("organisation page", "/organisations/900001/", "full profile (SHOWCASE_ID)"),
    Target("api organisations", "/api/v1/organisations?province=PDV"),
    Target("api organisation", "/api/v1/organisations/900001"),
    # Public consultations (bench/generate_consultations.py: 10,000 over the institutions,
    # and two showcases with fixed ids: 10,000 comments and 10 comments).
    Target("consultation list", "/consultations/", "the portal's scope, newest first"),
    Target("consultation list q", "/consultations/?q=naredba+parkirane", "words, Latin"),
    Target("consultation 10k comments", "/consultations/900001/", "first page of comments"),
    Target("consultation 10 comments", "/consultations/900002/", "to compare with the above"),
    Target("api consultations", "/api/v1/consultations"),
    Target("api consultation comments", "/api/v1/consultations/900001/comments"),
    # Events (bench/generate_events.py: 50,000 over ±2 years, a fiftieth more in 2026-12;
    # the event page is SHOWCASE_ID, a training with its programme).
    Target("event list", "/events/", "upcoming events in the portal's scope"),
    Target("event calendar", "/events/calendar/?month=2026-12", "a month of ~2,000 events"),
    Target("event page", "/events/900101/", "a training with sessions (SHOWCASE_ID)"),
    Target("api events", "/api/v1/events"),
    Target("api events month", "/api/v1/events?from=2026-12-01&to=2026-12-31"),
    # Monitoring (bench/generate_monitoring.py: 200,000 information requests over every
    # generated institution, 20,000 proposals and signals, 5,000 commitments; issue 7's goal
    # is p95 < 100 ms). Pages by URL name; the request page is REQUEST_SHOWCASE_ID.
    Target("responsiveness dashboard", "{responsiveness}", "ranking of the stored index"),
    Target("request list", "{requests}", "first page, newest first"),
    Target(
        "request list filtered",
        "{requests}?municipality=PDV22&status=registered",
        "one municipality and a status",
    ),
    Target("request page", "{request}", "registered, overdue, decided (REQUEST_SHOWCASE_ID)"),
    Target("api information requests", "/api/v1/information-requests", "first page"),
    # Capacity assessment (bench/generate_assessments.py: one published campaign, CAMPAIGN_ID,
    # with 10,000 answers over every municipality; its results are cached per campaign
    # version, as the app runs them).
    Target("assessment report", "/assessments/900001/", "indices, map, training needs"),
    Target(
        "assessment municipality",
        "/assessments/900001/municipalities/PDV22/",
        "Plovdiv: indices by respondent type",
    ),
    Target("api assessments", "/api/v1/assessments", "published campaigns with every group"),
    Target("assessment indices csv", "/assessments/900001/indices.csv", "every group shown"),
    # The library (bench/generate_library.py: 20,000 publications, a quarter with an attached
    # file's text; 5000001 is a handbook with chapters and a file).
    Target("library search", "/library/?q=konsultatsii+obshtina", "full text over 20,000, facets"),
    Target("library facets", "/library/?type=handbook&audience=ngos", "two facets"),
    Target("publication page", "/library/5000001/", "a handbook with chapters and a file"),
    Target("handbook chapter", "/library/5000001/contents/glava-1/"),
    Target("api publications", "/api/v1/publications?q=byudzhet"),
    # The compliance audit over the history of strategy.bg (bench/generate_strategy_bg.py: a
    # generated export of 50,000 rows, ~33,000 consultations, imported before the server
    # starts) and the platform's own consultations.
    Target("compliance dashboard", "{compliance}", "by institution, every source"),
    Target(
        "compliance by municipality",
        "{compliance}?by=municipality&source=strategy.bg",
        "the imported history by municipality",
    ),
    Target("api compliance", "{api_compliance}?source=strategy.bg", "the dashboard's aggregates"),
]


def main() -> None:
    """`python bench/targets.py`: every target's path, looked up in DATABASE_URL's database."""
    import json
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print("TARGET_PATHS " + json.dumps({t.name: t.path for t in TARGETS}, ensure_ascii=False))


if __name__ == "__main__":
    main()
