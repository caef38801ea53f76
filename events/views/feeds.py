"""Calendars of events (iCalendar, RFC 5545, written by core.ical) that people subscribe to:
all public events, those of one municipality or one organiser, one person's registrations,
and one event's .ics to add to a calendar.

Each event keeps the UID "event-<pk>" and its `version` as SEQUENCE, so a subscribed calendar
updates it when the organiser changes it and shows it cancelled when it is. Times are written
in UTC (core.ical), right across daylight-saving changes. The personal feed's address holds a
token signed with the site's key (django.core.signing) of the person's id only — no personal
data — and a wrong token is a 404. Feeds are read-only (GET and HEAD).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core import ical
from directory.models import Institution
from events import notices, selectors
from events.enums import ACTIVE_REGISTRATION_STATES, RegistrationState
from events.models import Event, Registration
from organisations.models import Network, Organisation
from territory.models import Municipality

# A subscriber's calendar keeps what happened in the last months, not only what is to come.
PAST_DAYS = 90
MAX_ITEMS = 2000
PERSONAL_SALT = "events.personal-feed"
FEED_FIELDS = (*selectors.ROW_FIELDS, "address", "online_url", "updated_at", "version")
ORGANISERS: dict[str, type[Institution] | type[Organisation] | type[Network]] = {
    "institution": Institution,
    "organisation": Organisation,
    "network": Network,
}


def personal_token(user: User) -> str:
    """The key of a person's feed: their id, signed (the same every time, so the address a
    calendar subscribed to keeps working)."""
    return signing.Signer(salt=PERSONAL_SALT).sign(str(user.pk))


def _person(token: str) -> User:
    try:
        pk = signing.Signer(salt=PERSONAL_SALT).unsign(token)
    except signing.BadSignature:
        raise Http404 from None
    if not pk.isdigit():
        raise Http404
    user = User.objects.filter(pk=int(pk), is_active=True, deleted_at__isnull=True).first()
    if user is None:
        raise Http404
    return user


def _rows(qs: QuerySet[Event]) -> QuerySet[Event]:
    return selectors.for_rows(qs).only(*FEED_FIELDS)


def feed_events(qs: QuerySet[Event] | None = None) -> list[Event]:
    """Public events that end from PAST_DAYS ago on, in order (one query)."""
    since = timezone.now() - datetime.timedelta(days=PAST_DAYS)
    qs = Event.objects.public() if qs is None else qs.filter(state__in=selectors.PUBLIC_STATES)
    return list(_rows(qs.filter(ends_at__gte=since)).order_by("starts_at", "pk")[:MAX_ITEMS])


def _response(name: str, events: Iterable[ical.DayEvent], filename: str) -> HttpResponse:
    body = ical.calendar(name, "events", events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


def _title(scope: str) -> str:
    return _("%(scope)s · %(portal)s") % {"scope": scope, "portal": settings.PORTAL_NAME}


@require_http_methods(["GET", "HEAD"])
def feed(request: HttpRequest) -> HttpResponse:
    events = [notices.day_event(e) for e in feed_events()]
    return _response(_title(_("Events")), events, "events")


def _municipality(code: str) -> Municipality:
    # Official codes only (PDV22): anything else cannot exist and never reaches the database.
    if not (len(code) == 5 and code[:3].isascii() and code[:3].isupper() and code[3:].isdigit()):
        raise Http404
    return get_object_or_404(Municipality, pk=code)


@require_http_methods(["GET", "HEAD"])
def municipality_feed(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _municipality(code)
    events = [
        notices.day_event(e) for e in feed_events(Event.objects.filter(municipality=municipality))
    ]
    name = _("Events in the municipality of %(name)s") % {"name": municipality.name}
    return _response(_title(name), events, f"events-{municipality.pk}")


@require_http_methods(["GET", "HEAD"])
def organiser_feed(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = ORGANISERS.get(kind)
    if model is None or pk > 2**62:
        raise Http404
    # An organisation still awaiting verification (or hidden) has no public pages, nor a feed.
    candidates = Organisation.objects.public() if model is Organisation else model.objects.all()
    organiser = get_object_or_404(candidates, pk=pk)
    events = [notices.day_event(e) for e in feed_events(Event.objects.filter(**{kind: organiser}))]
    name = _("Events of %(name)s") % {"name": selectors.organiser_name_of(organiser)}
    return _response(_title(name), events, f"events-{kind}-{pk}")


@require_http_methods(["GET", "HEAD"])
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = _person(token)
    since = timezone.now() - datetime.timedelta(days=PAST_DAYS)
    registrations = (
        Registration.objects.filter(
            user=user,
            state__in=ACTIVE_REGISTRATION_STATES,
            event__state__in=selectors.PUBLIC_STATES,
            event__ends_at__gte=since,
        )
        .select_related(
            "event",
            "event__institution",
            "event__organisation",
            "event__network",
            "event__settlement",
        )
        .order_by("event__starts_at", "pk")[:MAX_ITEMS]
    )
    events = [
        notices.day_event(
            r.event,
            online_url=r.event.online_url if r.state == RegistrationState.CONFIRMED else "",
        )
        for r in registrations
    ]
    return _response(_title(_("My events")), events, "my-events")


@require_http_methods(["GET", "HEAD"])
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > 2**62:
        raise Http404
    event = selectors.event_for_page(pk)
    if event is None or not request.user.has_perm("events.view_event", event):
        raise Http404
    # The online link only for those who may see it on the page.
    online = (
        event.online_url if request.user.has_perm("events.view_participant_area", event) else ""
    )
    return _response(
        event.title,
        [notices.day_event(event, online_url=online)],
        f"event-{event.pk}",
    )


urlpatterns = [
    path("feed.ics", feed, name="feed"),
    path("feed/municipalities/<str:code>.ics", municipality_feed, name="feed-municipality"),
    path("feed/<str:kind>/<int:pk>.ics", organiser_feed, name="feed-organiser"),
    path("feed/personal/<str:token>.ics", personal_feed, name="feed-personal"),
    path("<int:pk>/event.ics", event_ics, name="event-ics"),
]
