"""Who publishes an item: the portal itself, an institution, an organisation or a network.

`Publisher` gives the four one face (name, key, stream address) so that views, feeds, rules
and templates need not ask which it is. Keys are written as events write organisers:
"portal", "institution-12", "organisation-5", "network-3" (URLs, the API's `publisher`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from directory.models import Institution
from news.enums import PublisherKind
from organisations.models import Network, Organisation

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404, never a database error

MODELS: dict[str, type[Model]] = {
    PublisherKind.INSTITUTION: Institution,
    PublisherKind.ORGANISATION: Organisation,
    PublisherKind.NETWORK: Network,
}
# The URL name of each kind's own stream (its feeds add "-rss" and "-atom").
STREAM_URL_NAMES: dict[str, str] = {
    PublisherKind.PORTAL: "news:portal",
    PublisherKind.INSTITUTION: "news:institution",
    PublisherKind.ORGANISATION: "news:organisation",
    PublisherKind.NETWORK: "news:network",
}


@dataclass(frozen=True)
class Publisher:
    kind: str
    obj: Any = None  # None for the portal

    @property
    def is_portal(self) -> bool:
        return self.kind == PublisherKind.PORTAL

    @property
    def pk(self) -> int | None:
        return None if self.obj is None else int(self.obj.pk)

    @property
    def key(self) -> str:
        return self.kind if self.obj is None else f"{self.kind}-{self.obj.pk}"

    @property
    def name(self) -> str:
        if self.obj is None:
            return str(settings.PORTAL_NAME)
        if isinstance(self.obj, Institution):
            return self.obj.name
        if isinstance(self.obj, Organisation):
            return self.obj.display_name
        return str(self.obj.name)

    @property
    def kind_label(self) -> str:
        return str(PublisherKind(self.kind).label)

    def url_args(self) -> list[int]:
        return [] if self.obj is None else [int(self.obj.pk)]

    @property
    def stream_url(self) -> str:
        return reverse(STREAM_URL_NAMES[self.kind], args=self.url_args())

    def feed_url(self, fmt: str) -> str:
        return reverse(f"{STREAM_URL_NAMES[self.kind]}-{fmt}", args=self.url_args())

    @property
    def page_url(self) -> str:
        """The publisher's own page (its directory or catalogue entry); the stream for the
        portal."""
        return self.stream_url if self.obj is None else str(self.obj.get_absolute_url())

    def field_values(self) -> dict[str, Any]:
        """The item's publisher fields for this publisher (all None for the portal)."""
        values: dict[str, Any] = {"institution": None, "organisation": None, "network": None}
        if self.obj is not None:
            values[self.kind] = self.obj
        return values

    def __str__(self) -> str:
        return self.name


PORTAL = Publisher(PublisherKind.PORTAL)


def of(obj: Model | None) -> Publisher:
    if obj is None:
        return PORTAL
    for kind, model in MODELS.items():
        if isinstance(obj, model):
            return Publisher(kind, obj)
    raise TypeError(f"Not a publisher: {obj!r}")


def parse_key(key: str) -> tuple[str, int | None]:
    """("portal", None) or ("institution", 12) from a key; ValueError for anything else."""
    if key == PublisherKind.PORTAL:
        return PublisherKind.PORTAL, None
    kind, dash, number = key.partition("-")
    if not dash or kind not in MODELS or not number.isdigit() or number.startswith("0"):
        raise ValueError(key)
    pk = int(number)
    if pk > MAX_ID:
        raise ValueError(key)
    return kind, pk


def load(kind: str, pk: int | None) -> Publisher | None:
    """The publisher of that kind and id if it exists and has public pages, else None.
    An organisation still awaiting verification (or hidden) publishes nothing publicly."""
    if kind == PublisherKind.PORTAL:
        return PORTAL
    model = MODELS.get(kind)
    if model is None or pk is None or pk > MAX_ID:
        return None
    qs = Organisation.objects.public() if model is Organisation else model._default_manager.all()
    if model is Network:
        qs = qs.select_related("coordinator")
    obj = qs.filter(pk=pk).first()
    return None if obj is None else Publisher(kind, obj)


def stream_title(publisher: Publisher) -> str:
    if publisher.is_portal:
        return str(_("News of the portal"))
    return str(_("News of %(name)s")) % {"name": publisher.name}
