"""Consultations: RSS and Atom feeds of the open consultations (the whole portal, one
institution, one municipality) and a calendar (iCalendar, RFC 5545) of their closing dates.

Feeds are public and read-only (GET and HEAD only). The calendar's UIDs are stable per
consultation, so a subscribed calendar updates an event when a period is extended.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consultations.enums import PUBLIC_STATES, State
from consultations.models import Consultation
from consultations.notices import consultation_url
from core import ical
from core.legal_calendar import SOFIA
from directory.models import Institution
from territory.models import Municipality

FEED_ITEMS = 50
CALENDAR_ITEMS = 500
# The calendar keeps the closing dates of the last weeks too, so a subscriber's calendar
# does not lose an event the day after it.
CALENDAR_PAST_DAYS = 60
MUNICIPALITY_CODE = "<str:code>"


def _institution(pk: int) -> Institution:
    return get_object_or_404(Institution, pk=pk)


def _municipality(code: str) -> Municipality:
    # Official codes only (PDV22): anything else cannot exist and never reaches the database.
    if not (len(code) == 5 and code[:3].isascii() and code[:3].isupper() and code[3:].isdigit()):
        raise Http404
    return get_object_or_404(Municipality, pk=code)


def open_consultations(scope: Institution | Municipality | None) -> QuerySet[Consultation]:
    qs = Consultation.objects.open().select_related("institution")
    if isinstance(scope, Institution):
        qs = qs.filter(institution=scope)
    elif isinstance(scope, Municipality):
        qs = qs.filter(municipality=scope)
    return qs


class OpenConsultationsFeed(Feed):
    """RSS 2.0 of the open consultations, newest first."""

    description_template = "consultations/feeds/description.html"

    def get_object(self, request: HttpRequest, **kwargs: Any) -> Institution | Municipality | None:
        if "pk" in kwargs:
            return _institution(kwargs["pk"])
        if "code" in kwargs:
            return _municipality(kwargs["code"])
        return None

    def title(self, obj: Institution | Municipality | None) -> str:
        if isinstance(obj, Institution):
            return _("Open public consultations: %(name)s") % {"name": obj.name_bg}
        if isinstance(obj, Municipality):
            return _("Open public consultations in the municipality of %(name)s") % {
                "name": obj.name_bg
            }
        return _("Open public consultations")

    def link(self, obj: Institution | Municipality | None) -> str:
        if isinstance(obj, Institution):
            return obj.get_absolute_url()
        if isinstance(obj, Municipality):
            return obj.get_absolute_url()
        return "/consultations/"

    def description(self, obj: Institution | Municipality | None) -> str:
        return _("Drafts open for comments on the portal, with the last day for comments.")

    def items(self, obj: Institution | Municipality | None) -> list[Consultation]:
        return list(open_consultations(obj).order_by("-opens_at", "-pk")[:FEED_ITEMS])

    def item_link(self, item: Consultation) -> str:
        return consultation_url(item)

    def item_guid(self, item: Consultation) -> str:
        return f"consultation-{item.pk}@{ical.host()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Consultation) -> datetime.datetime | None:
        return item.opens_at

    def item_updateddate(self, item: Consultation) -> datetime.datetime:
        return item.updated_at

    def item_author_name(self, item: Consultation) -> str:
        return item.institution.name_bg

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["closes_at"] = kwargs["item"].closes_at
        return context


class OpenConsultationsAtom(OpenConsultationsFeed):
    feed_type = Atom1Feed
    subtitle = OpenConsultationsFeed.description


# --- The calendar of closing dates ----------------------------------------------------------


def closing_calendar(consultations: list[Consultation], name: str) -> str:
    """An all-day event on each consultation's last day for comments (core.ical)."""
    events = []
    for c in consultations:
        assert c.closes_on is not None  # noqa: S101 - filtered by the query
        details = [
            c.institution.name_bg,
            _("Last day for comments: %(day)s, until 23:59.") % {"day": f"{c.closes_on:%d.%m.%Y}"},
        ]
        events.append(
            ical.DayEvent(
                uid=f"consultation-{c.pk}-closes",
                day=c.closes_on,
                summary=_("Last day for comments: %(title)s") % {"title": c.title},
                description="\n".join(details),
                url=ical.absolute(consultation_url(c)),
                last_modified=c.updated_at,
                sequence=c.version,
                cancelled=c.state == State.WITHDRAWN,
            )
        )
    return ical.calendar(name, "consultations", events)


def calendar_consultations(scope: Institution | Municipality | None) -> list[Consultation]:
    since = timezone.now().astimezone(SOFIA).date() - datetime.timedelta(days=CALENDAR_PAST_DAYS)
    qs = Consultation.objects.filter(
        state__in=PUBLIC_STATES, closes_on__isnull=False, closes_on__gte=since
    ).select_related("institution")
    if isinstance(scope, Institution):
        qs = qs.filter(institution=scope)
    elif isinstance(scope, Municipality):
        qs = qs.filter(municipality=scope)
    return list(qs.order_by("closes_on", "pk")[:CALENDAR_ITEMS])


def _calendar_response(scope: Institution | Municipality | None, filename: str) -> HttpResponse:
    feed = OpenConsultationsFeed()
    body = closing_calendar(calendar_consultations(scope), feed.title(scope))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


@require_http_methods(["GET", "HEAD"])
def calendar(request: HttpRequest) -> HttpResponse:
    return _calendar_response(None, "consultations")


@require_http_methods(["GET", "HEAD"])
def institution_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    return _calendar_response(_institution(pk), f"consultations-institution-{pk}")


@require_http_methods(["GET", "HEAD"])
def municipality_calendar(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(code)
    return _calendar_response(municipality, f"consultations-{municipality.pk}")


rss = require_http_methods(["GET", "HEAD"])(OpenConsultationsFeed())
atom = require_http_methods(["GET", "HEAD"])(OpenConsultationsAtom())

urlpatterns = [
    path("feeds/rss/", rss, name="feed-rss"),
    path("feeds/atom/", atom, name="feed-atom"),
    path("feeds/calendar.ics", calendar, name="calendar"),
    path("feeds/institution/<int:pk>/rss/", rss, name="feed-institution-rss"),
    path("feeds/institution/<int:pk>/atom/", atom, name="feed-institution-atom"),
    path("feeds/institution/<int:pk>/calendar.ics", institution_calendar,
         name="calendar-institution"),
    path(f"feeds/municipality/{MUNICIPALITY_CODE}/rss/", rss, name="feed-municipality-rss"),
    path(f"feeds/municipality/{MUNICIPALITY_CODE}/atom/", atom, name="feed-municipality-atom"),
    path(f"feeds/municipality/{MUNICIPALITY_CODE}/calendar.ics", municipality_calendar,
         name="calendar-municipality"),
]  # fmt: skip
