"""Reading news: the public streams with their filters, the item's page, what a person may
publish for, and the newest items for the home page."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.functions import Cast

from accounts.enums import STAFF_ROLES, Role
from accounts.rules import is_administrator
from core import search as search_index
from directory.models import Institution
from news import publishers
from news.enums import PublisherKind
from news.models import NewsItem
from news.publishers import PORTAL, Publisher
from organisations.models import Network, Organisation

SEARCH_KIND = "news"

PUBLISHER_KIND_FILTERS: dict[str, Q] = {
    PublisherKind.PORTAL: Q(
        institution__isnull=True, organisation__isnull=True, network__isnull=True
    ),
    PublisherKind.INSTITUTION: Q(institution__isnull=False),
    PublisherKind.ORGANISATION: Q(organisation__isnull=False),
    PublisherKind.NETWORK: Q(network__isnull=False),
}


def matching(qs: QuerySet[NewsItem], q: str) -> QuerySet[NewsItem]:
    """Items whose entry in the site's search index matches `q` (Cyrillic or Latin, word
    prefixes, Bulgarian word forms); the title otherwise (when search is not registered)."""
    if search_index.get_kind(SEARCH_KIND) is None:
        return qs.filter(title__icontains=q)
    ids = (
        search_index.matching(q, kind=SEARCH_KIND)
        .order_by()
        .annotate(oid=Cast("object_id", IntegerField()))
        .values("oid")
    )
    return qs.filter(pk__in=ids)


def stream(
    publisher: Publisher | None = None, filters: dict[str, Any] | None = None
) -> QuerySet[NewsItem]:
    """Public items, newest first: all of them, or one publisher's; `filters` from the
    stream's form: q, publisher (a kind), topic (a slug)."""
    filters = filters or {}
    base = NewsItem.objects.public().for_list().newest_first()
    if publisher is not None:
        base = base.of(publisher)
    qs: QuerySet[NewsItem] = base
    kind = filters.get("publisher")
    if kind in PUBLISHER_KIND_FILTERS:
        qs = qs.filter(PUBLISHER_KIND_FILTERS[kind])
    if filters.get("topic"):
        qs = qs.filter(topics__slug=filters["topic"])
    q = str(filters.get("q") or "").strip()
    if q:
        qs = matching(qs, q)
    return qs


def latest_for_home(limit: int = 5) -> list[NewsItem]:
    """The newest public items for the home page (one query, publishers joined)."""
    return list(NewsItem.objects.public().for_list().newest_first()[:limit])


def item_for_page(pk: int) -> NewsItem | None:
    if pk > publishers.MAX_ID:
        return None
    return (
        NewsItem.objects.select_related(
            "institution", "organisation", "network__coordinator", "municipality", "province"
        )
        .prefetch_related("topics", "images")
        .filter(pk=pk)
        .first()
    )


def publisher_options(user: Any) -> list[Publisher]:
    """The publishers `user` may write for: the portal (administrators), institutions where
    they are staff, organisations they represent, networks their organisation coordinates.
    Three small queries at most; the roles come from the user's cached role keys."""
    if not getattr(user, "is_authenticated", False):
        return []
    keys = user.active_role_keys()
    institution_ct = ContentType.objects.get_for_model(Institution).pk
    organisation_ct = ContentType.objects.get_for_model(Organisation).pk
    institution_ids = {
        int(sid)
        for role, ct, sid in keys
        if role in STAFF_ROLES and ct == institution_ct and sid.isdigit()
    }
    organisation_ids = {
        int(sid)
        for role, ct, sid in keys
        if role == Role.ORGANISATION_REPRESENTATIVE and ct == organisation_ct and sid.isdigit()
    }
    options: list[Publisher] = [PORTAL] if is_administrator(user) else []
    if institution_ids:
        options += [
            Publisher(PublisherKind.INSTITUTION, i)
            for i in Institution.objects.filter(pk__in=institution_ids).order_by("name_bg")
        ]
    if organisation_ids:
        options += [
            Publisher(PublisherKind.ORGANISATION, o)
            for o in Organisation.objects.filter(pk__in=organisation_ids).order_by("name")
        ]
        options += [
            Publisher(PublisherKind.NETWORK, n)
            for n in Network.objects.filter(coordinator_id__in=organisation_ids)
            .select_related("coordinator")
            .order_by("name")
        ]
    return [p for p in options if user.has_perm("news.publish_for", p)]


def writes_news(user: Any) -> bool:
    """Whether `user` may write for some publisher, from the cached role keys alone (no query
    beyond them): for the link to their news on the streams."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = {*STAFF_ROLES, Role.ORGANISATION_REPRESENTATIVE}
    return bool(is_administrator(user)) or any(key[0] in roles for key in user.active_role_keys())


def managed_items(options: list[Publisher]) -> QuerySet[NewsItem]:
    """Every item (any state) of these publishers, newest change first."""
    condition = Q(pk__in=[])
    for p in options:
        condition |= (
            PUBLISHER_KIND_FILTERS[PublisherKind.PORTAL]
            if p.is_portal
            else Q(**{f"{p.kind}_id": p.pk})
        )
    return NewsItem.objects.filter(condition).for_list().order_by("-updated_at", "-pk")
