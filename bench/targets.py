"""What `make bench` measures: one entry per page or endpoint, in the order of the report.

Later issues append their key pages here (a consultation, an organisation list, ...). The
first target is the bare "hello" view; every other figure is reported relative to it, so
results from different machines stay comparable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    path: str  # absolute path with query string, on the benchmarked server
    note: str = ""


BASELINE = "hello"

TARGETS: list[Target] = [
    Target(BASELINE, "/healthz", "bare view, no template or database: the baseline"),
    Target("home", "/", "home page with the portal scope"),
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
]
