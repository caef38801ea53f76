"""Events: what the public sees and does — the list with its filters, the month calendar, an
event's page, registering, one's own registration (its state, place on the waiting list,
history, cancelling), "my registrations" and a programme's progress against its targets.

Pages run a fixed number of queries however many events there are (events/selectors.py).
A draft is a 404 for everyone but its organiser (rules.py: view_event). The workflow itself
— who may register, places, the waiting list, e-mails — is events/services.py's: these views
show its answers (registration_refusal, RegistrationError) to the person.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core import ical
from core.i18n import localized
from core.legal_calendar import SOFIA
from core.models import Topic
from core.ratelimit import ratelimit
from core.widgets import ListSelect, PlainTextInput
from directory.models import Institution
from events import selectors, services
from events.enums import (
    ACTIVE_REGISTRATION_STATES,
    Kind,
    MaterialVisibility,
    RegistrationState,
)
from events.models import Certificate, Event, Material, Programme, Registration
from events.registration_forms import RegistrationForm
from events.views.feeds import personal_token
from organisations.models import Network, Organisation
from organisations.selectors import represented_ids
from territory.models import Municipality, Province

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
LIST_PAGE_SIZE = 20
MINE_PAGE_SIZE = 20
CODE = re.compile(r"^[A-Z0-9]{4,12}$")

# Registering writes and sends e-mail; cancelling by code is also guarded against guessing.
write_limit = ratelimit("events-register", limit=30, period=3600)
cancel_limit = ratelimit("events-cancel", limit=30, period=3600, methods=("GET", "HEAD", "POST"))


# --- helpers ---------------------------------------------------------------------------------


def _pk(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def _event(request: HttpRequest, pk: int) -> Event:
    """The event, or a 404 for a draft to anyone but its organiser."""
    event = selectors.event_for_page(_pk(pk))
    if event is None or not request.user.has_perm("events.view_event", event):
        raise Http404
    return event


def _registration(code: str) -> Registration:
    if not CODE.match(code or ""):
        raise Http404
    return get_object_or_404(
        Registration.objects.select_related("event", "event__institution", "organisation"),
        code=code,
    )


def _crumbs(event: Event | None, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    crumbs = [(_("Events"), reverse("events:index"))]
    if event is not None:
        crumbs.append((event.title, event.get_absolute_url()))
    crumbs.extend(rest)
    return crumbs


def _moment(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(SOFIA)
    return _("%(date)s, %(time)s h") % {"date": f"{local:%d.%m.%Y}", "time": f"{local:%H:%M}"}


# --- the list and the calendar ---------------------------------------------------------------


def _places() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The provinces' and the municipalities' (code, name) in name order, from plain values:
    the 265 municipalities as model instances cost a tenth of the list's time. The names as
    core.i18n.localized gives them, the language looked up once."""
    english = localized("", "en") == "en"
    provinces = [
        (code, en if english and en else bg)
        for code, bg, en in Province.objects.order_by("name_bg").values_list(
            "code", "name_bg", "name_en"
        )
    ]
    municipalities = [
        (code, en if english and en else bg)
        for code, bg, en in Municipality.objects.order_by("name_bg", "code").values_list(
            "code", "name_bg", "name_en"
        )
    ]
    return provinces, municipalities


class FilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, max_length=200, widget=PlainTextInput
    )
    when = forms.ChoiceField(
        label=gettext_lazy("When"),
        required=False,
        choices=[("upcoming", gettext_lazy("coming up")), ("past", gettext_lazy("past"))],
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, widget=ListSelect)
    # ListSelect: hundreds of municipalities and organisers through Django's option template
    # would cost most of the page.
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False, widget=ListSelect)
    municipality = forms.ChoiceField(
        label=gettext_lazy("Municipality"), required=False, widget=ListSelect
    )
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False, widget=ListSelect)
    organiser = forms.ChoiceField(
        label=gettext_lazy("Organiser"), required=False, widget=ListSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        choice = lambda name: cast(forms.ChoiceField, self.fields[name])  # noqa: E731
        choice("kind").choices = everything + list(Kind.choices)
        provinces, municipalities = _places()
        choice("province").choices = everything + provinces
        choice("municipality").choices = everything + municipalities
        choice("topic").choices = everything + [(t.slug, t.name) for t in Topic.objects.all()]
        choice("organiser").choices = everything + self._organisers()

    def _organisers(self) -> list[tuple[str, str]]:
        """Those who organise public events in the chosen municipality or province
        (selectors.public_organisers; the whole region's thousands would make a list nobody
        can use), plus one asked for by a link from its own page even if it has none yet,
        so the filter shows what was asked."""
        area = str(self.data.get("municipality") or self.data.get("province") or "")
        if area and area.isalnum() and len(area) <= 8:
            found = selectors.public_organisers(area)
        else:
            found = []
            self.fields["organiser"].help_text = _(
                "Choose a province or municipality and press “Show”: its organisers are listed."
            )
        asked = selectors.parse_organiser(str(self.data.get("organiser") or ""))
        if asked and f"{asked[0]}-{asked[1]}" not in {value for value, _label in found}:
            # An organisation still awaiting verification has no public name yet.
            candidates = {
                "institution": Institution.objects.all(),
                "organisation": Organisation.objects.public(),
                "network": Network.objects.all(),
            }[asked[0]]
            obj = candidates.filter(pk=asked[1]).first()
            if obj is not None:
                found.append((f"{asked[0]}-{asked[1]}", selectors.organiser_name_of(obj)))
        return found

    def filters(self) -> dict[str, Any]:
        """What was chosen, without the fields that are wrong (shown with their message)."""
        self.is_valid()
        data = dict(self.cleaned_data)
        data["organiser"] = selectors.parse_organiser(data.get("organiser") or "")
        return data


class CalendarForm(FilterForm):
    month = forms.RegexField(
        label=gettext_lazy("Month"),
        required=False,
        regex=r"^\d{4}-\d{2}$",
        help_text=gettext_lazy("Year and month, e.g. 2026-12."),
        error_messages={"invalid": gettext_lazy("Write the month as year-month, e.g. 2026-12.")},
    )
    field_order = ["month"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["when"]

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data.get("month")
        if not value:
            return None
        year, month = int(value[:4]), int(value[5:])
        if not (1 <= month <= 12 and selectors.MIN_YEAR <= year <= selectors.MAX_YEAR):
            raise forms.ValidationError(_("There is no such month. Write it as, e.g., 2026-12."))
        return year, month


def _keeping(request: HttpRequest, name: str, *, drop: tuple[str, ...]) -> str:
    """The other view of the events (list or calendar) with the same filters."""
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    encoded = query.urlencode()
    return reverse(name) + (f"?{encoded}" if encoded else "")


def _chosen(filters: dict[str, Any], *, ignore: tuple[str, ...] = ()) -> bool:
    return any(v for k, v in filters.items() if k not in ignore and k not in ("when", "month"))


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.listed(filters), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    events = selectors.decorate(list(page.object_list))
    past = filters.get("when") == "past"
    return render(
        request,
        "events/public/index.html",
        {
            "form": form,
            "page_obj": page,
            "events": events,
            "past": past,
            "filtered": _chosen(filters),
            "calendar_url": _keeping(request, "events:calendar", drop=("page", "when")),
            "feed_url": reverse("events:feed"),
            "breadcrumbs": [(_("Events"), "")],
        },
    )


def _month_table(key: str, month: selectors.Month, title: str) -> SafeString:
    """The month's table (a busy month has a hundred links in it), rendered once and kept with
    the month under `key` (selectors.month_key: the lists' version, the filters and the day)
    for each language."""
    table_key = f"{key}:table:{get_language() or 'bg'}"
    table: str | None = cache.get(table_key)
    if table is None:
        weekdays = [(WEEKDAYS[n], WEEKDAYS_ABBR[n]) for n in range(7)]
        context = {"month": month, "title": title, "weekdays": weekdays}
        table = render_to_string("events/public/_month_table.html", context)
        cache.set(table_key, table, selectors.LISTS_CACHE_SECONDS)
    return mark_safe(table)  # noqa: S308 - rendered by the template above, autoescaped


@require_http_methods(["GET", "HEAD"])
def calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    today = selectors.now_in_sofia().date()
    year, month = filters.get("month") or (today.year, today.month)
    key = selectors.month_key(year, month, filters)
    shown = selectors.month_of(year, month, filters, key)
    page_obj = Paginator(selectors.month_list(year, month, filters), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page_obj.paginator.count = shown.count  # counted by month_of: no COUNT query
    listed_events = selectors.decorate(list(page_obj.object_list))
    name = str(MONTHS[month])
    # Bulgarian writes month names in lower case inside a sentence ("декември 2026 г.").
    if (get_language() or "bg").startswith("bg"):
        name = name.lower()
    title = _("%(month)s %(year)d") % {"month": name, "year": year}
    return render(
        request,
        "events/public/calendar.html",
        {
            "form": form,
            "month": shown,
            "month_table": _month_table(key, shown, title),
            "page_obj": page_obj,
            "events": listed_events,
            "title": title,
            "previous_month": shown.previous if year > selectors.MIN_YEAR or month > 1 else "",
            "next_month": shown.next if year < selectors.MAX_YEAR or month < 12 else "",
            "filtered": _chosen(filters),
            "list_url": _keeping(request, "events:index", drop=("month",)),
            "breadcrumbs": _crumbs(None, (_("Calendar"), "")),
        },
    )


# --- an event --------------------------------------------------------------------------------


def _materials(request: HttpRequest, event: Event, participant_area: bool) -> list[Material]:
    visible = [MaterialVisibility.EVERYONE]
    if participant_area:
        visible.append(MaterialVisibility.PARTICIPANTS)
    return list(event.materials.filter(visibility__in=visible).order_by("created_at", "pk"))


def _action(request: HttpRequest, event: Event, mine: Registration | None) -> dict[str, Any]:
    """The page's one primary action: register, or why not."""
    status = selectors.registration_status(event)
    invitation = request.GET.get("invitation", "")[:64]
    register_url = reverse("events:register", args=[event.pk])
    if invitation:
        register_url += "?" + urlencode({"invitation": invitation})
    if mine is not None and mine.state in ACTIVE_REGISTRATION_STATES:
        return {"may_register": False, "refusal": "", "register_url": register_url}
    if not request.user.is_authenticated:
        return {
            "may_register": False,
            "refusal": "" if status.open else status.text,
            "sign_in_url": f"{reverse('account_login')}?{urlencode({'next': register_url})}",
            "register_url": register_url,
        }
    refusal = services.registration_refusal(
        event,
        request.user,  # type: ignore[arg-type]
        invitation_code=invitation,
    )
    return {"may_register": not refusal, "refusal": refusal, "register_url": register_url}


@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    user = request.user
    participant_area = user.has_perm("events.view_participant_area", event)
    mine = selectors.own_registration(event, user)
    position = selectors.waiting_position(mine) if mine is not None else None
    return render(
        request,
        "events/public/detail.html",
        {
            "event": event,
            "organiser": event.organiser,
            "organiser_name": selectors.organiser_name(event),
            "status": selectors.registration_status(event),
            "when": selectors.when_text(event.starts_at, event.ends_at),
            "place": selectors.place_text(event),
            "opens": _moment(event.registration_opens_at),
            "closes": _moment(event.registration_closes_at),
            "days": selectors.programme_days(event),
            "topics": list(event.topics.all()),
            "materials": _materials(request, event, participant_area),
            "participant_area": participant_area,
            "can_manage": user.has_perm("events.manage_event", event),
            "mine": mine,
            "position": position,
            "consultation_public": bool(event.consultation and event.consultation.is_public),
            "not_published": not event.is_public,
            "breadcrumbs": _crumbs(None, (event.title, "")),
            **_action(request, event, mine),
        },
    )


# --- registering -----------------------------------------------------------------------------


def _represented(user: Any) -> list[Organisation]:
    ids = represented_ids(user)
    if not ids:
        return []
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


def _registered_message(registration: Registration) -> str:
    if registration.state == RegistrationState.CONFIRMED:
        return _(
            "You are registered. We have sent a confirmation with your registration code to "
            "your e-mail."
        )
    if registration.state == RegistrationState.WAITING:
        position = selectors.waiting_position(registration) or 1
        return _(
            "The event is full: you are number %(n)d on the waiting list. If a place frees "
            "up, you get it in that order and we tell you by e-mail."
        ) % {"n": position}
    if registration.state == RegistrationState.PENDING:
        return _(
            "Your registration has been received and awaits the organiser's approval. We will "
            "tell you by e-mail."
        )
    return _("Your registration has been recorded.")


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    user = request.user
    invitation = request.GET.get("invitation", "")[:64]
    mine = selectors.own_registration(event, user)
    if mine is not None and mine.state in ACTIVE_REGISTRATION_STATES:
        messages.info(request, _("You are already registered for this event."))
        return redirect("events:registration", code=mine.code)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        event=event,
        organisations=_represented(user),
        initial={"name": getattr(user, "get_full_name", lambda: "")() or ""},
    )
    refusal = ""
    if request.method == "POST":
        # The services check everything again at this moment (window, places, audience).
        if form.is_spam():
            form.add_error(None, _("The registration could not be accepted."))
        elif form.is_valid():
            try:
                registration = services.register(
                    event,
                    user,  # type: ignore[arg-type]
                    form.answers(),
                    invitation_code=invitation,
                )
            except services.RegistrationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _registered_message(registration))
                return redirect("events:registration", code=registration.code)
    else:
        refusal = services.registration_refusal(
            event,
            user,  # type: ignore[arg-type]
            invitation_code=invitation,
        )
    return render(
        request,
        "events/public/register.html",
        {
            "event": event,
            "form": form,
            "refusal": refusal,
            "when": selectors.when_text(event.starts_at, event.ends_at),
            "place": selectors.place_text(event),
            "status": selectors.registration_status(event),
            "action": request.get_full_path(),
            "breadcrumbs": _crumbs(event, (_("Register"), "")),
        },
    )


# --- one's registration ----------------------------------------------------------------------


def _history(registration: Registration) -> list[dict[str, Any]]:
    rows = []
    for change in registration.changes.select_related("by").order_by("at", "pk"):
        if change.by_id is None:
            who = _("the platform")
        elif change.by_id == registration.user_id:
            who = registration.name
        else:
            who = _("the organiser")
        rows.append(
            {
                "at": _moment(change.at),
                "from": _state_label(change.from_state),
                "to": _state_label(change.to_state),
                "who": who,
                "reason": change.reason,
            }
        )
    return rows


def _state_label(state: str) -> str:
    return str(RegistrationState(state).label) if state in RegistrationState.values else ""


@login_required
@require_http_methods(["GET", "HEAD"])
def registration(request: HttpRequest, code: str) -> HttpResponse:
    reg = _registration(code)
    if not request.user.has_perm("events.view_registration", reg):
        raise Http404
    event = reg.event
    now = timezone.now()
    ended = event.ends_at < now
    certificate = (
        Certificate.objects.filter(registration=reg, revoked_at__isnull=True).first()
        if reg.state == RegistrationState.CONFIRMED
        else None
    )
    # The feedback form is the participant's own, once, after an event they attended.
    feedback_open = bool(
        ended
        and reg.state == RegistrationState.CONFIRMED
        and reg.user_id == request.user.pk
        and reg.attendances.exists()
        and not _has_feedback(reg)
    )
    return render(
        request,
        "events/public/registration.html",
        {
            "registration": reg,
            "event": event,
            "when": selectors.when_text(event.starts_at, event.ends_at),
            "place": selectors.place_text(event),
            "state_label": _state_label(reg.state),
            "position": selectors.waiting_position(reg),
            "history": _history(reg),
            "active": reg.state in ACTIVE_REGISTRATION_STATES and not ended,
            "certificate": certificate,
            "feedback_open": feedback_open,
            "show_online": reg.state == RegistrationState.CONFIRMED and bool(event.online_url),
            "is_owner": reg.user_id == request.user.pk,
            "breadcrumbs": _crumbs(event, (_("Registration %(code)s") % {"code": reg.code}, "")),
        },
    )


def _has_feedback(reg: Registration) -> bool:
    try:
        reg.feedback  # noqa: B018 - the reverse one-to-one raises when there is none
    except type(reg).feedback.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False
    return True


@cancel_limit
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_registration(request: HttpRequest, code: str) -> HttpResponse:
    """The link in e-mails: the code is the key, no signing in needed."""
    reg = _registration(code)
    event = reg.event
    cancellable = reg.state in ACTIVE_REGISTRATION_STATES and event.ends_at >= timezone.now()
    if request.method == "POST" and cancellable:
        by = request.user if request.user.is_authenticated else None
        try:
            services.cancel_registration(reg, by=by)  # type: ignore[arg-type]
        except services.RegistrationError as error:
            messages.error(request, str(error))
            return redirect("events:cancel-registration", code=reg.code)
        messages.success(
            request,
            _("Your registration for “%(title)s” has been cancelled.") % {"title": event.title},
        )
        if request.user.has_perm("events.view_registration", reg):
            return redirect("events:registration", code=reg.code)
        return redirect(event.get_absolute_url() if event.is_public else reverse("events:index"))
    return render(
        request,
        "events/public/cancel.html",
        {
            "registration": reg,
            "event": event,
            "when": selectors.when_text(event.starts_at, event.ends_at),
            "state_label": _state_label(reg.state),
            "cancellable": cancellable,
            "breadcrumbs": _crumbs(
                event if event.is_public else None, (_("Cancel a registration"), "")
            ),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def mine(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    user = cast(User, request.user)
    rows = Registration.objects.filter(user=user).select_related(
        "event", "event__institution", "event__organisation", "event__network", "event__settlement"
    )
    coming = list(
        rows.filter(state__in=ACTIVE_REGISTRATION_STATES, event__ends_at__gte=now).order_by(
            "event__starts_at", "pk"
        )
    )
    earlier = rows.exclude(pk__in=[r.pk for r in coming]).order_by("-event__starts_at", "-pk")
    page = Paginator(earlier, MINE_PAGE_SIZE).get_page(request.GET.get("page"))
    for reg in [*coming, *page.object_list]:
        reg.when_text = selectors.when_text(reg.event.starts_at, reg.event.ends_at)  # type: ignore[attr-defined]
        reg.state_label = _state_label(reg.state)  # type: ignore[attr-defined]
    feed = reverse("events:feed-personal", args=[personal_token(user)])
    return render(
        request,
        "events/public/mine.html",
        {
            "coming": coming,
            "page_obj": page,
            "earlier": page.object_list,
            "feed_url": ical.absolute(feed),
            "breadcrumbs": _crumbs(None, (_("My registrations"), "")),
        },
    )


# --- a programme -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    prog = get_object_or_404(
        Programme.objects.select_related("institution", "organisation", "network"), pk=_pk(pk)
    )
    organiser = prog.institution or prog.organisation or prog.network
    progress = selectors.programme_progress(prog)
    return render(
        request,
        "events/public/programme.html",
        {
            "programme": prog,
            "organiser": organiser,
            "organiser_name": selectors.organiser_name_of(organiser) if organiser else "",
            "progress": progress,
            "unassigned": [e for e in progress.events if e.strand_id is None],
            "breadcrumbs": _crumbs(None, (prog.title, "")),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("calendar/", calendar, name="calendar"),
    path("mine/", mine, name="mine"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/register/", register, name="register"),
    path("registrations/<str:code>/", registration, name="registration"),
    path("registrations/<str:code>/cancel/", cancel_registration, name="cancel-registration"),
    path("programmes/<int:pk>/", programme, name="programme"),
]
