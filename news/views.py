"""Pages of the news app.

Public: the common stream (`index`: every published item, newest first, filtered by the kind
of publisher, topic and words), each publisher's own stream (`portal`, `institution`,
`organisation`, `network`) and the item (`detail`). Writing (signed in, news/rules.py): the
list of one's items and publishers (`manage`), a new item for a publisher chosen with
`?publisher=institution-12` (`new`), and on each item its page of actions (`manage-item`),
`edit`, `schedule`, `publish`, `unschedule`, `withdraw` and `images`. Every write is one
transaction and rate-limited per person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import uploads
from core.ratelimit import ratelimit
from news import publishers, selectors, services
from news.enums import EDITABLE_STATES, PublisherKind, State
from news.forms import NewsImageForm, NewsItemForm, ScheduleForm, StreamFilterForm, WithdrawForm
from news.models import MAX_IMAGES, NewsImage, NewsItem
from news.publishers import Publisher

PAGE_SIZE = 20
# One person's saves; generous for real work, a stop for scripts.
write_limit = ratelimit("news-write", limit=120, period=3600)
upload_limit = ratelimit("news-upload", limit=60, period=3600)


def may_publish_for(request: HttpRequest, publisher: Publisher) -> bool:
    # django-rules takes any object; the stubs expect a model.
    return bool(request.user.has_perm("news.publish_for", publisher))  # type: ignore[arg-type]


# --- Public pages ---------------------------------------------------------------------------


def _stream_page(request: HttpRequest, publisher: Publisher | None) -> HttpResponse:
    form = StreamFilterForm(request.GET or None, with_publisher=publisher is None)
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.stream(publisher, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if publisher is None:
        title = _("News and announcements")
        feeds = (reverse("news:index-rss"), reverse("news:index-atom"))
        crumbs = [(title, "")]
    else:
        title = publishers.stream_title(publisher)
        feeds = (publisher.feed_url("rss"), publisher.feed_url("atom"))
        crumbs = [(_("News and announcements"), reverse("news:index")), (publisher.name, "")]
    may_write = may_publish_for(request, publisher or publishers.PORTAL)
    return render(
        request,
        "news/index.html",
        {
            "title": title,
            "publisher": publisher,
            "form": form,
            "filtered": bool(filters),
            "page_obj": page,
            "items": list(page.object_list),
            "rss_url": feeds[0],
            "atom_url": feeds[1],
            "write_url": (
                f"{reverse('news:new')}?{urlencode({'publisher': publisher.key})}"
                if publisher is not None and may_write
                else ""
            ),
            "writes_news": selectors.writes_news(request.user),
            "breadcrumbs": crumbs,
        },
    )


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    return _stream_page(request, None)


@require_http_methods(["GET", "HEAD"])
def portal(request: HttpRequest) -> HttpResponse:
    return _stream_page(request, publishers.PORTAL)


def _publisher_stream(kind: str) -> Any:
    @require_http_methods(["GET", "HEAD"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        publisher = publishers.load(kind, pk)
        if publisher is None:
            raise Http404
        return _stream_page(request, publisher)

    view.__name__ = f"{kind}_stream"
    return view


institution = _publisher_stream(PublisherKind.INSTITUTION)
organisation = _publisher_stream(PublisherKind.ORGANISATION)
network = _publisher_stream(PublisherKind.NETWORK)


def _load(pk: int) -> NewsItem:
    item = selectors.item_for_page(pk)
    if item is None:
        raise Http404
    return item


@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _load(pk)
    if not request.user.has_perm("news.view_item", item):
        raise Http404  # not yet public: as if it did not exist
    publisher = item.publisher
    return render(
        request,
        "news/detail.html",
        {
            "item": item,
            "publisher": publisher,
            "images": list(item.images.all()),
            "topics": list(item.topics.all()),
            "is_public": item.is_public(),
            "may_manage": request.user.has_perm("news.manage_item", item),
            "rss_url": publisher.feed_url("rss"),
            "atom_url": publisher.feed_url("atom"),
            "breadcrumbs": [
                (_("News and announcements"), reverse("news:index")),
                (publisher.name, publisher.stream_url),
                (item.title, ""),
            ],
        },
    )


# --- Writing --------------------------------------------------------------------------------


def _crumbs(item: NewsItem | None, title: str) -> list[tuple[str, str]]:
    trail = [
        (_("News and announcements"), reverse("news:index")),
        (_("Your news"), reverse("news:manage")),
    ]
    if item is not None:
        trail.append((item.title, reverse("news:manage-item", args=[item.pk])))
    trail.append((title, ""))
    return trail


def _managed(request: HttpRequest, pk: int) -> NewsItem:
    """The item if the person may manage it: 404 if it is not public, 403 if it is."""
    item = _load(pk)
    if request.user.has_perm("news.manage_item", item):
        return item
    if item.is_public() or item.is_withdrawn:
        raise PermissionDenied
    raise Http404


def _chosen_publisher(request: HttpRequest, options: list[Publisher]) -> Publisher | None:
    """The publisher of `?publisher=institution-12`: 404 if there is none such, 403 if the
    person may not write for it; else the only one they may write for, if only one."""
    raw = request.GET.get("publisher", "")
    if not raw:
        return options[0] if len(options) == 1 else None
    try:
        kind, pk = publishers.parse_key(raw)
    except ValueError:
        raise Http404 from None
    found = next((p for p in options if p.key == raw), None)
    if found is not None:
        return found
    publisher = publishers.load(kind, pk)
    if publisher is None:
        raise Http404
    if not may_publish_for(request, publisher):
        raise PermissionDenied
    return publisher


CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


@require_http_methods(["GET", "HEAD"])
def image(request: HttpRequest, pk: int, image_pk: int) -> HttpResponseBase:
    """An image of an item the person may see (uploads are not served as static files: a
    draft's pictures stay with those who write it). Its type is read from its first bytes."""
    if pk > publishers.MAX_ID or image_pk > publishers.MAX_ID:
        raise Http404
    found = (
        NewsImage.objects.select_related("item__institution", "item__organisation", "item__network")
        .filter(pk=image_pk, item_id=pk)
        .first()
    )
    if found is None or not request.user.has_perm("news.view_item", found.item):
        raise Http404
    if found.item.is_withdrawn and not request.user.has_perm("news.manage_item", found.item):
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    kind = uploads.sniff(handle)  # type: ignore[arg-type]
    response = FileResponse(
        handle, content_type=CONTENT_TYPES.get(kind, "application/octet-stream")
    )
    public = found.item.is_public()
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def manage(request: HttpRequest) -> HttpResponse:
    options = selectors.publisher_options(request.user)
    if not options:
        raise PermissionDenied
    page = Paginator(selectors.managed_items(options), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(f"{reverse('news:new')}?{urlencode({'publisher': p.key})}", p) for p in options]
    return render(
        request,
        "news/manage.html",
        {
            "rows": rows,
            "page_obj": page,
            "items": list(page.object_list),
            "breadcrumbs": [
                (_("News and announcements"), reverse("news:index")),
                (_("Your news"), ""),
            ],
        },
    )


def _form_page(
    request: HttpRequest, form: NewsItemForm, publisher: Publisher, item: NewsItem | None
) -> HttpResponse:
    title = _("Edit the item") if item is not None else _("Write news or an announcement")
    return render(
        request,
        "news/item_form.html",
        {
            "form": form,
            "item": item,
            "publisher": publisher,
            "title": title,
            "breadcrumbs": _crumbs(item, title),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    options = selectors.publisher_options(request.user)
    publisher = _chosen_publisher(request, options)
    if publisher is None:
        if not options:
            raise PermissionDenied
        return redirect("news:manage")
    form = NewsItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save(commit=False)
            for name, value in publisher.field_values().items():
                setattr(item, name, value)
            item.created_by = request.user
            item.save()
            form.save_m2m()
        messages.success(
            request,
            _("The draft is saved. Add images, then publish it or schedule its publication."),
        )
        return redirect("news:manage-item", item.pk)
    return _form_page(request, form, publisher, None)


@login_required
@require_http_methods(["GET", "HEAD"])
def manage_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    return render(
        request,
        "news/manage_item.html",
        {
            "item": item,
            "publisher": item.publisher,
            "images": list(item.images.all()),
            "changes": list(item.changes.select_related("by").order_by("at", "pk")),
            "is_public": item.is_public(),
            "editable": item.state in EDITABLE_STATES,
            "schedule_form": ScheduleForm(
                initial={"publish_at": item.publish_at} if item.state == State.SCHEDULED else None
            ),
            "breadcrumbs": _crumbs(None, item.title),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    if item.state not in EDITABLE_STATES:
        messages.error(request, _("A withdrawn item cannot be changed."))
        return redirect("news:manage-item", item.pk)
    form = NewsItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("The changes are saved."))
        return redirect("news:manage-item", item.pk)
    return _form_page(request, form, item.publisher, item)


def _state_page(
    request: HttpRequest, item: NewsItem, template: str, form: Any, title: str
) -> HttpResponse:
    return render(
        request,
        template,
        {"item": item, "form": form, "title": title, "breadcrumbs": _crumbs(item, title)},
    )


def _move(request: HttpRequest, move: Callable[[], Any], done: str) -> None:
    """One move of an item's state: the service's refusal or `done` as the page's message."""
    try:
        move()
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _move(
            request,
            lambda: services.schedule(item, form.cleaned_data["publish_at"], by=request.user),
            _("The item will be published at the time you chose."),
        )
        return redirect("news:manage-item", item.pk)
    return _state_page(request, item, "news/schedule.html", form, _("Schedule the publication"))


@login_required
@write_limit
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    try:
        item = services.publish_now(item, by=request.user)
    except services.TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("news:manage-item", item.pk)
    messages.success(request, _("The item is published; its followers are told."))
    return redirect(item.get_absolute_url())


@login_required
@write_limit
@require_POST
def unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    _move(
        request,
        lambda: services.unschedule(item, by=request.user),
        _("The publication is cancelled; the item is a draft again."),
    )
    return redirect("news:manage-item", item.pk)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _move(
            request,
            lambda: services.withdraw(item, form.cleaned_data["reason"], by=request.user),
            _("The item is withdrawn; its page now gives the reason."),
        )
        return redirect("news:manage-item", item.pk)
    return _state_page(request, item, "news/withdraw.html", form, _("Withdraw the item"))


@login_required
@upload_limit
@require_http_methods(["GET", "POST"])
def images(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    if item.state not in EDITABLE_STATES:
        messages.error(request, _("A withdrawn item cannot be changed."))
        return redirect("news:manage-item", item.pk)
    form = NewsImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = NewsItem.objects.select_for_update().get(pk=item.pk)
            count = locked.images.count()
            if count >= MAX_IMAGES:
                form.add_error(None, _("An item has at most %(n)d images.") % {"n": MAX_IMAGES})
            else:
                image = form.save(commit=False)
                image.item = locked
                top = locked.images.aggregate(top=Max("position"))["top"]
                image.position = (top or 0) + 1
                image.save()
        if not form.errors:
            messages.success(request, _("The image is added."))
            return redirect("news:images", item.pk)
    title = _("Images")
    return render(
        request,
        "news/images.html",
        {
            "item": item,
            "form": form,
            "images": list(item.images.all()),
            "title": title,
            "breadcrumbs": _crumbs(item, title),
        },
    )


@login_required
@write_limit
@require_POST
def image_delete(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    item = _managed(request, pk)
    if image_pk > publishers.MAX_ID:
        raise Http404
    image = NewsImage.objects.filter(item=item, pk=image_pk).first()
    if image is None:
        raise Http404
    with transaction.atomic():
        image.delete()
    image.file.delete(save=False)
    messages.success(request, _("The image is removed."))
    return redirect("news:images", item.pk)
