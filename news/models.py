"""News and announcements: `NewsItem` with its images (`NewsImage`) and the history of its
states (`StateChange`).

An item is published by the portal itself (no publisher field set), an institution, an
organisation or a network: at most one of the three is set (a check constraint). It changes
state only through news/services.py, which checks enums.TRANSITIONS and writes a
`StateChange` for every move. `publish_at` is the moment of publication: the planned one of a
scheduled item, the actual one of a published item. The public sees an item from that moment
(`NewsItemQuerySet.public`), whether or not the worker has marked it published yet.
"""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import markdown
from core.models import TimeStampedModel, Topic
from core.uploads import safe_name
from directory.models import Institution
from news import publishers
from news.enums import Kind, State
from organisations.enums import Visibility
from organisations.models import Network, Organisation
from territory.models import Municipality, Province

# States that show to the public once `publish_at` has passed.
LIVE_STATES = (State.PUBLISHED, State.SCHEDULED)
MAX_IMAGES = 12


class NewsItemQuerySet(models.QuerySet["NewsItem"]):
    def public(self, now: datetime.datetime | None = None) -> NewsItemQuerySet:
        """Published, and scheduled whose time has come (nothing waits on the worker); not
        of an organisation the catalogue does not show (awaiting verification, or hidden)."""
        return self.filter(
            Q(organisation__isnull=True) | Q(organisation__visibility=Visibility.PUBLIC),
            state__in=LIVE_STATES,
            publish_at__lte=now or timezone.now(),
        )

    def newest_first(self) -> NewsItemQuerySet:
        return self.order_by("-publish_at", "-pk")

    def for_list(self) -> NewsItemQuerySet:
        """What list rows show, eager-loaded: a page costs the same queries at any size."""
        return self.select_related("institution", "organisation", "network")

    def of(self, publisher: publishers.Publisher) -> NewsItemQuerySet:
        if publisher.is_portal:
            return self.filter(
                institution__isnull=True, organisation__isnull=True, network__isnull=True
            )
        return self.filter(**{f"{publisher.kind}_id": publisher.pk})

    def due(self, now: datetime.datetime | None = None) -> NewsItemQuerySet:
        """Scheduled items whose time has come: the worker publishes them."""
        return self.filter(state=State.SCHEDULED, publish_at__lte=now or timezone.now())


class NewsItem(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("title"), max_length=200)
    lead = models.TextField(
        _("lead"), max_length=600, help_text=_("One or two sentences shown in lists and feeds.")
    )
    body = models.TextField(
        _("text"), blank=True, help_text=_("Markdown: **bold**, *italics*, lists, links.")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    # The publisher: at most one of the three (none: the portal itself). Its staff,
    # representatives or coordinators write the items (news/rules.py).
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="news_items",
        verbose_name=_("institution"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="news_items",
        verbose_name=_("organisation"),
    )  # fmt: skip
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="news_items",
        verbose_name=_("network"),
    )  # fmt: skip
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="news_items", verbose_name=_("topics")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("province"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    # Set once, when the followers were told (news/notices.py): never twice for one item.
    notified_at = models.DateTimeField(_("followers notified"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(institution__isnull=True, organisation__isnull=True, network__isnull=True)
                    | Q(institution__isnull=False, organisation__isnull=True, network__isnull=True)
                    | Q(institution__isnull=True, organisation__isnull=False, network__isnull=True)
                    | Q(institution__isnull=True, organisation__isnull=True, network__isnull=False)
                ),
                name="news_at_most_one_publisher",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["scheduled", "published"]) | Q(publish_at__isnull=False),
                name="news_live_has_publish_at",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "publish_at"], name="news_state_publish_at"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:detail", args=[self.pk])

    @property
    def publisher(self) -> publishers.Publisher:
        return publishers.of(self.institution or self.organisation or self.network)

    def is_public(self, now: datetime.datetime | None = None) -> bool:
        return (
            self.state in LIVE_STATES
            and self.publish_at is not None
            and self.publish_at <= (now or timezone.now())
            and (
                self.organisation_id is None or self.organisation.visibility == Visibility.PUBLIC  # type: ignore[union-attr]
            )
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.state == State.WITHDRAWN

    @functools.cached_property
    def body_html(self) -> str:
        return markdown.render(self.body)


def image_path(instance: NewsImage, filename: str) -> str:
    return f"news/{instance.item_id}/{safe_name(filename)}"


class NewsImage(TimeStampedModel):
    """A picture of an item; its alternative text is required (WCAG 1.1.1)."""

    item = models.ForeignKey(
        NewsItem, on_delete=models.CASCADE, related_name="images", verbose_name=_("news item")
    )
    file = models.ImageField(_("image"), upload_to=image_path)
    alt = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["item", "position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.CheckConstraint(condition=~Q(alt=""), name="news_image_has_alt"),
        ]

    def __str__(self) -> str:
        return self.alt

    @property
    def url(self) -> str:
        """Served through news.views.image, with the item's permission."""
        return reverse("news:image", args=[self.item_id, self.pk])


class StateChange(models.Model):
    """One move of an item between states: who (none when the platform moved it by itself),
    when, from, to, why."""

    item = models.ForeignKey(
        NewsItem, on_delete=models.CASCADE, related_name="changes", verbose_name=_("news item")
    )
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]
        verbose_name = _("change of state")
        verbose_name_plural = _("changes of state")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_state} → {self.to_state}"
