"""Following and notifications: the one mechanism every app plugs into.

An app registers what can be followed (`register_followable`) and the kinds of news it sends
(`register_news_kind`); when something happens it calls `notify(subject, kind, title, url)`.
Followers of the subject (and of its parents, e.g. a settlement's municipality and province)
get an e-mail at once or an item in their daily or weekly digest, as each of them chose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import override

from accounts.enums import Frequency
from accounts.models import Follow, NotificationPreference, PendingNotification, User
from core.email import enqueue, enqueue_many, render_email

UNSUBSCRIBE_SALT = "accounts.unsubscribe"
ALL_KINDS = "*"

# A parent is given as the object itself or as (model, primary key): the latter spares a query.
ParentRef = models.Model | tuple[type[models.Model], Any]


@dataclass(frozen=True)
class NewsKind:
    key: str
    label: str | Promise


@dataclass(frozen=True)
class Followable:
    model: type[models.Model]
    follow_parents: Callable[[Any], Iterable[ParentRef]] | None = None
    label: Callable[[Any], str] = field(default=str)


_news_kinds: dict[str, NewsKind] = {}
_followables: dict[str, Followable] = {}


def register_news_kind(key: str, label: str | Promise) -> NewsKind:
    kind = NewsKind(key, label)
    _news_kinds[key] = kind
    return kind


def news_kinds() -> list[NewsKind]:
    return list(_news_kinds.values())


def get_news_kind(key: str) -> NewsKind | None:
    return _news_kinds.get(key)


def register_followable(
    model: type[models.Model],
    follow_parents: Callable[[Any], Iterable[ParentRef]] | None = None,
    label: Callable[[Any], str] = str,
) -> None:
    _followables[model._meta.label_lower] = Followable(model, follow_parents, label)


def followable_for_label(label: str) -> Followable | None:
    return _followables.get(label.lower())


def followable_for(obj: models.Model | type[models.Model]) -> Followable | None:
    return _followables.get(obj._meta.label_lower)


def target_key(obj: models.Model) -> tuple[int, str]:
    """(content type id, object id) as Follow stores them; content types are cached."""
    return ContentType.objects.get_for_model(obj).pk, str(obj.pk)


def _parent_keys(obj: models.Model) -> list[tuple[int, str]]:
    entry = followable_for(obj)
    keys = [target_key(obj)]
    if entry and entry.follow_parents:
        for parent in entry.follow_parents(obj):
            if isinstance(parent, tuple):
                model, pk = parent
                if pk is not None:
                    keys.append((ContentType.objects.get_for_model(model).pk, str(pk)))
            elif parent is not None:
                keys.append(target_key(parent))
    return keys


# --- Unsubscribe tokens ---------------------------------------------------------------------


def unsubscribe_token(user_id: int, news_kind: str) -> str:
    # Signed, so it cannot be forged; it names only an account number and a kind of news.
    return signing.dumps([user_id, news_kind], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    return user_id, kind


def unsubscribe_url(user_id: int, news_kind: str) -> str:
    path = reverse("accounts:unsubscribe", args=[unsubscribe_token(user_id, news_kind)])
    return settings.SITE_URL + path


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show an "unsubscribe" button that POSTs here."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def set_frequency(user: User, news_kind: str, frequency: str) -> None:
    keys = [k.key for k in news_kinds()] if news_kind == ALL_KINDS else [news_kind]
    for key in keys:
        NotificationPreference.objects.update_or_create(
            user=user, news_kind=key, defaults={"frequency": frequency}
        )


def frequencies_for(user: User) -> dict[str, str]:
    chosen = dict(user.notification_preferences.values_list("news_kind", "frequency"))
    return {k.key: chosen.get(k.key, NotificationPreference.DEFAULT) for k in news_kinds()}


# --- Sending --------------------------------------------------------------------------------


def language_of(user: User) -> str:
    """The language of a person's e-mail: theirs if the portal still offers it, else the
    portal's own."""
    offered = {code for code, _name in settings.LANGUAGES}
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in offered else settings.LANGUAGE_CODE


def followers(subject: models.Model, news_kind: str) -> models.QuerySet[User]:
    """Active people following the subject or one of its parents, each with `frequency` (and
    their language, read in the same query)."""
    condition = Q()
    for ct_id, object_id in _parent_keys(subject):
        condition |= Q(content_type_id=ct_id, object_id=object_id)
    follower_ids = Follow.objects.filter(condition).values("user_id")
    preference = NotificationPreference.objects.filter(
        user=OuterRef("pk"), news_kind=news_kind
    ).values("frequency")[:1]
    return (
        User.objects.filter(pk__in=follower_ids, is_active=True, deleted_at__isnull=True)
        .annotate(
            frequency=Coalesce(Subquery(preference), models.Value(NotificationPreference.DEFAULT))
        )
        .only("pk", "email", "language")
        .order_by("pk")
    )


def notify(
    subject: models.Model,
    news_kind: str,
    title: str,
    url: str,
    summary: str = "",
) -> dict[str, int]:
    """Tell everyone who follows `subject` (or its parents) about a piece of news.

    The number of queries does not grow with the number of followers: one query finds them
    with their preference, one bulk insert queues the digest items, and immediate e-mails go
    out as a few batched tasks. Returns how many people got each treatment.
    """
    if news_kind not in _news_kinds:
        raise ValueError(f"Unknown kind of news: {news_kind!r}")
    absolute_url = url if url.startswith(("http://", "https://")) else settings.SITE_URL + url
    kind = _news_kinds[news_kind]
    pending: list[PendingNotification] = []
    messages: list[dict[str, Any]] = []
    now = timezone.now()
    counts = {Frequency.IMMEDIATE: 0, Frequency.DAILY: 0, Frequency.WEEKLY: 0, Frequency.OFF: 0}
    # Digest items are stored in the portal's language (the caller's words, which are data);
    # the frame of each e-mail is written in the person's language.
    with override(settings.LANGUAGE_CODE):
        stored_title, stored_summary = str(title)[:300], str(summary)
    for person in followers(subject, news_kind):
        frequency = person.frequency  # type: ignore[attr-defined]
        counts[frequency] = counts.get(frequency, 0) + 1
        if frequency == Frequency.IMMEDIATE:
            with override(language_of(person)):
                link = unsubscribe_url(person.pk, news_kind)
                messages.append(
                    render_email(
                        person.email,
                        str(title),
                        "accounts/email/notification",
                        {
                            "title": title,
                            "url": absolute_url,
                            "summary": summary,
                            "kind": kind,
                            "unsubscribe_url": link,
                            "preferences_url": settings.SITE_URL + reverse("accounts:profile"),
                        },
                        unsubscribe_headers(link),
                    )
                )
        elif frequency in (Frequency.DAILY, Frequency.WEEKLY):
            pending.append(
                PendingNotification(
                    user_id=person.pk,
                    news_kind=news_kind,
                    frequency=frequency,
                    title=stored_title,
                    url=absolute_url[:500],
                    summary=stored_summary,
                    created_at=now,
                )
            )
    if pending:
        PendingNotification.objects.bulk_create(pending, batch_size=500)
    if messages:
        enqueue_many(messages)
    return {str(k): v for k, v in counts.items()}


def send_digest(user: User, frequency: str) -> int:
    """Send one person's digest of the given frequency; returns the number of items sent.

    One transaction per person: the items are marked sent together with queuing the e-mail,
    so a failure leaves them for the next run rather than losing or doubling them.
    """
    with transaction.atomic():
        items = list(
            PendingNotification.objects.select_for_update()
            .filter(user=user, frequency=frequency)
            .unsent()
            .order_by("news_kind", "created_at", "id")
        )
        if not items:
            return 0
        groups: dict[str, list[PendingNotification]] = {}
        for item in items:
            groups.setdefault(item.news_kind, []).append(item)
        with override(language_of(user)):
            sections = [
                {
                    "kind": _news_kinds.get(key) or NewsKind(key, key),
                    "items": group,
                    "unsubscribe_url": unsubscribe_url(user.pk, key),
                }
                for key, group in groups.items()
            ]
            link = unsubscribe_url(user.pk, ALL_KINDS)
            enqueue(
                render_email(
                    user.email,
                    None,
                    "accounts/email/digest",
                    {
                        "frequency": frequency,
                        "daily": frequency == Frequency.DAILY,
                        "sections": sections,
                        "count": len(items),
                        "unsubscribe_url": link,
                        "preferences_url": settings.SITE_URL + reverse("accounts:profile"),
                    },
                    unsubscribe_headers(link),
                )
            )
        PendingNotification.objects.filter(pk__in=[i.pk for i in items]).update(
            sent_at=timezone.now()
        )
    return len(items)


def send_digests(frequency: str) -> tuple[int, int]:
    """Send every digest of this frequency; returns (people, items)."""
    user_ids = (
        PendingNotification.objects.unsent()
        .filter(frequency=frequency, user__is_active=True, user__deleted_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    people = items = 0
    people_due = User.objects.filter(pk__in=list(user_ids)).only("pk", "email", "language")
    for user in people_due.iterator():
        sent = send_digest(user, frequency)
        if sent:
            people += 1
            items += sent
    return people, items


def following_keys(user: User) -> set[tuple[int, str]]:
    """Everything a person follows, as (content type id, object id): one query."""
    return set(user.follows.values_list("content_type_id", "object_id"))


def follows_with_targets(user: User) -> list[tuple[Follow, models.Model | None]]:
    """A person's follows with the followed objects: one query per kind of object."""
    follows = list(user.follows.select_related("content_type"))
    by_type: dict[int, list[str]] = {}
    for f in follows:
        by_type.setdefault(f.content_type_id, []).append(f.object_id)
    objects: dict[tuple[int, str], models.Model] = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            objects[(ct_id, str(obj.pk))] = obj
    return [(f, objects.get((f.content_type_id, f.object_id))) for f in follows]
