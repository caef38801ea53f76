from collections.abc import Callable

from django.http import HttpResponse
from django.urls import URLPattern, path

from news import feeds, views

app_name = "news"

# Each stream's feeds sit beside it: <stream>feed.rss and <stream>feed.atom, named
# "<stream's name>-rss" and "-atom" (news.publishers.Publisher.feed_url).
STREAMS: list[tuple[str, str | None, str, Callable[..., HttpResponse]]] = [
    ("", None, "index", views.index),
    ("portal/", "portal", "portal", views.portal),
    ("institutions/<int:pk>/", "institution", "institution", views.institution),
    ("organisations/<int:pk>/", "organisation", "organisation", views.organisation),
    ("networks/<int:pk>/", "network", "network", views.network),
]

urlpatterns: list[URLPattern] = []
for prefix, kind, name, view in STREAMS:
    urlpatterns += [
        path(prefix, view, name=name),
        path(f"{prefix}feed.rss", feeds.view(kind, "rss"), name=f"{name}-rss"),
        path(f"{prefix}feed.atom", feeds.view(kind, "atom"), name=f"{name}-atom"),
    ]

urlpatterns += [
    path("<int:pk>/", views.detail, name="detail"),
    # Writing
    path("manage/", views.manage, name="manage"),
    path("new/", views.new, name="new"),
    path("<int:pk>/manage/", views.manage_item, name="manage-item"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unschedule/", views.unschedule, name="unschedule"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/images/", views.images, name="images"),
    path("<int:pk>/images/<int:image_pk>/", views.image, name="image"),
    path("<int:pk>/images/<int:image_pk>/delete/", views.image_delete, name="image-delete"),
]
