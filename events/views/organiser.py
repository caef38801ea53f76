"""Events: the organiser's pages (see events/rules.py for who organises).

Create an event for an institution, organisation or network one works for, edit it with its
sessions (optimistic locking on `Event.version`: a stale form is refused with the difference
shown, nothing is overwritten), publish or cancel it, and run it from its page: the counts,
the registrations by state with approval, the waiting list in order, and the links to the
pages of attendance, exports, feedback and certificates (events/views/attendance.py and
after.py). Programmes (series with strands and targets) are created and edited here too;
invitations, materials and minutes are in events/views/organiser_extras.py, the shared
helpers in organiser_base.py.

State changes go through events/services.py. A draft is 404 for those who may not manage it
(it is not public); a public event's organiser pages are 403 for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from consultations.models import Consultation
from events import notices, services
from events.enums import Audience, Format, Kind, RegistrationState, State
from events.forms import (
    EVENT_FIELDS,
    MOMENTS,
    BaseSessionFormSet,
    BaseStrandFormSet,
    CancelEventForm,
    DecideForm,
    EventForm,
    Organiser,
    ProgrammeForm,
    capacity_message,
    event_values,
    session_formset,
    set_organiser,
    strand_formset,
)
from events.models import Event, Programme, Registration
from events.views import organiser_extras
from events.views.organiser_base import (
    PAGE_SIZE,
    choose_page,
    chosen_organiser,
    crumbs,
    error_links,
    kind_label,
    load_event,
    pk_or_404,
    require_manager,
    sofia_text,
    url_or_empty,
    user_of,
    write_limit,
)

STATE_ORDER = [
    RegistrationState.PENDING,
    RegistrationState.CONFIRMED,
    RegistrationState.WAITING,
    RegistrationState.DECLINED,
    RegistrationState.CANCELLED,
]


@dataclass
class Conflict:
    """Someone saved the event after the form was loaded: when, and what differs."""

    at: Any
    who: str = ""
    rows: list[tuple[str, str, str]] = field(default_factory=list)


# --- create and edit an event ----------------------------------------------------------------


def _render_form(
    request: HttpRequest,
    form: EventForm,
    sessions: BaseSessionFormSet,
    event: Event | None,
    options: list[Organiser] | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    title = _("Edit the event") if event else _("New event")
    context = {
        "form": form,
        "sessions": sessions,
        "event": event,
        "organiser": form.organiser,
        "organiser_kind": kind_label(form.organiser),
        "other_organisers": options is not None and len(options) > 1,
        "conflict": conflict,
        "title": title,
        "error_links": error_links(form, sessions) if form.is_bound else [],
        "breadcrumbs": crumbs(event, title),
    }
    return render(request, "events/organiser/event_form.html", context)


def _validate(form: EventForm, sessions: BaseSessionFormSet) -> bool:
    """Both valid; the sessions' days checked against the event's days as typed."""
    valid = form.is_valid()
    starts, ends = form.cleaned_data.get("starts_at"), form.cleaned_data.get("ends_at")
    if starts and ends and ends > starts:
        sessions.days = Event(starts_at=starts, ends_at=ends).days
    return sessions.is_valid() and valid


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    organiser, options = chosen_organiser(request)
    if organiser is None:
        return choose_page(request, options, "events:new", _("New event"))
    event = Event()
    set_organiser(event, organiser)
    _for_consultation(request, event)
    if request.method != "POST":
        form = EventForm(instance=event, organiser=organiser)
        return _render_form(request, form, session_formset(event), None, options)
    form = EventForm(request.POST, instance=event, organiser=organiser)
    sessions = session_formset(event, request.POST)
    if not _validate(form, sessions):
        return _render_form(request, form, sessions, None, options)
    with transaction.atomic():
        form.apply(event)
        event.state = State.DRAFT
        event.created_by = user_of(request)
        event.save()
        event.topics.set(form.cleaned_data["topics"])
        sessions.instance = event
        sessions.save()
    messages.success(
        request, _("The event is saved as a draft. Check it, then publish it to open it.")
    )
    return redirect("events:manage", event.pk)


def _for_consultation(request: HttpRequest, event: Event) -> None:
    """`?consultation=<id>` (the link on a consultation's staff page): a public hearing of
    that consultation, when the organiser is the institution that owns it."""
    raw = request.GET.get("consultation", "")
    if not raw.isdigit() or len(raw) > 18 or not event.institution_id:
        return
    consultation = Consultation.objects.filter(
        pk=int(raw), institution_id=event.institution_id
    ).first()
    if consultation is None:
        return
    event.consultation = consultation
    event.kind = Kind.PUBLIC_HEARING
    event.title = (_("Public hearing: %(title)s") % {"title": consultation.title})[:300]


def _display(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return sofia_text(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    if name == "topics":
        return ", ".join(sorted(str(t) for t in value))
    if name == "settlement":
        return f"{value.type_abbr} {value.name_bg}"
    choices = {"kind": Kind, "audience": Audience, "format": Format}
    if name in choices:
        return str(choices[name](value).label)
    return str(value)


def _verbose(name: str) -> str:
    return str(getattr(Event._meta.get_field(name), "verbose_name", name))


def _labels(form: EventForm) -> dict[str, str]:
    labels = {name: _verbose(name) for name in EVENT_FIELDS}
    labels.update(
        {name: str(form.fields[name].label) for name in EVENT_FIELDS if name in form.fields}
    )
    for model_name, _day, _time in MOMENTS:
        labels[model_name] = _verbose(model_name)
    labels["settlement"] = str(form.fields["settlement"].label)
    labels["topics"] = str(form.fields["topics"].label)
    labels["sessions"] = _("Programme")
    return labels


@transaction.atomic
def _save_edit(
    request: HttpRequest, pk: int, form: EventForm, sessions: BaseSessionFormSet
) -> tuple[Event, Conflict | None, bool]:
    current = (
        Event.objects.select_for_update(of=("self",))
        .select_related("institution", "organisation", "network__coordinator", "settlement")
        .get(pk=pk)
    )
    saved_values = event_values(current, list(current.sessions.all()))
    yours_values = {**form.values(), "sessions": sessions.lines()}
    saved = {name: _display(name, value) for name, value in saved_values.items()}
    yours = {name: _display(name, yours_values.get(name)) for name in saved}
    changed = [name for name in saved if saved[name] != yours[name]]
    if not changed:
        return current, None, False
    if form.cleaned_data.get("version") != current.version:
        labels = _labels(form)
        rows = [(labels[n], saved[n], yours[n]) for n in changed]
        # Who saved is not recorded on the event (no history of its edits); the include's
        # wording without a name speaks of a consultation, so the role is named instead.
        who = _("another person managing this event")
        return current, Conflict(at=current.updated_at, who=who, rows=rows), False
    capacity = yours_values.get("capacity")
    # Read again under the row's lock: registrations confirmed since the form was checked.
    if capacity is not None and capacity < current.confirmed_count:
        form.add_error("capacity", capacity_message(current.confirmed_count))
        return current, None, False
    form.apply(current)
    current.version += 1
    current.save()
    current.topics.set(form.cleaned_data["topics"])
    sessions.instance = current
    sessions.save()
    return current, None, True


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    if event.state == State.CANCELLED:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect("events:manage", event.pk)
    organiser = event.organiser
    if request.method != "POST":
        form = EventForm(instance=event, organiser=organiser)
        return _render_form(request, form, session_formset(event), event)
    form = EventForm(request.POST, instance=event, organiser=organiser)
    sessions = session_formset(event, request.POST)
    if not _validate(form, sessions):
        return _render_form(request, form, sessions, event)
    before = services.when_and_where(event)
    current, conflict, changed = _save_edit(request, event.pk, form, sessions)
    if form.errors:  # refused under the lock (fewer places than people confirmed)
        return _render_form(request, form, sessions, event)
    if conflict is not None:
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = EventForm(data, instance=current, organiser=organiser)
        sessions = session_formset(current, data)
        _validate(form, sessions)
        return _render_form(request, form, sessions, current, conflict=conflict)
    if changed:
        # More places (or no limit now): the waiting list moves up, in order, each told.
        services.fill_places(current, by=user_of(request))
        told = 0
        if services.when_and_where(current) != before:
            told = services.tell_about_change(current)
        if told:
            messages.success(
                request,
                ngettext(
                    "Saved. The person registered was told of the new time or place.",
                    "Saved. The %(n)d people registered were told of the new time or place.",
                    told,
                )
                % {"n": told},
            )
        else:
            messages.success(request, _("Saved."))
    else:
        messages.info(request, _("Nothing changed, so nothing was saved."))
    return redirect("events:manage", current.pk)


# --- publish and cancel ----------------------------------------------------------------------


@login_required
@write_limit
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    if event.state != State.DRAFT:
        messages.error(request, _("Only a draft can be published."))
        return redirect("events:manage", event.pk)
    try:
        services.publish(event, by=user_of(request))
    except services.RegistrationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Published: the event is on the portal."))
    return redirect("events:manage", event.pk)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def cancel_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    if event.state == State.CANCELLED:
        messages.info(request, _("The event is already cancelled."))
        return redirect("events:manage", event.pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_event(event, by=user_of(request), reason=form.cleaned_data["reason"])
        except services.RegistrationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The event is cancelled; everyone registered is told by e-mail.")
            )
        return redirect("events:manage", event.pk)
    title = _("Cancel the event")
    context = {
        "event": event,
        "form": form,
        "title": title,
        "error_links": error_links(form),
        "breadcrumbs": crumbs(event, title),
    }
    return render(request, "events/organiser/cancel.html", context)


# --- the organiser's page of an event --------------------------------------------------------


def _state_param(request: HttpRequest, counts: dict[str, int]) -> str:
    raw = request.GET.get("state", "")
    if raw in RegistrationState.values:
        return raw
    if counts.get(RegistrationState.PENDING):
        return str(RegistrationState.PENDING)
    return str(RegistrationState.CONFIRMED)


def _links(event: Event) -> list[tuple[str, str]]:
    """The organiser's other pages of this event (those that apply to it)."""
    names = []
    if event.audience == Audience.INVITATION:
        names.append(("events:invite", _("Invitations")))
    names += [
        ("events:attendance", _("Attendance: check people in")),
        ("events:attendance-report", _("Attendance report")),
        ("events:participants-csv", _("List of participants (CSV)")),
        ("events:attendance-sheet", _("Attendance sheet for signing (PDF)")),
        ("events:materials", _("Materials")),
        ("events:minutes", _("Summary or minutes")),
        ("events:feedback-results", _("Feedback from participants")),
    ]
    if event.kind == Kind.TRAINING:
        names.append(("events:certificates", _("Certificates")))
    links = [(url_or_empty(name, event.pk), label) for name, label in names]
    return [(url, label) for url, label in links if url]


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    counts = dict.fromkeys(RegistrationState.values, 0)
    for row in (
        Registration.objects.filter(event=event).order_by().values("state").annotate(n=Count("pk"))
    ):
        counts[row["state"]] = row["n"]
    state = _state_param(request, counts)
    rows = Registration.objects.filter(event=event, state=state).only(
        "pk", "event_id", "state", "code", "name", "organisation_name", "position",
        "accessibility_needs", "answer", "created_at", "waiting_since",
    )  # fmt: skip
    if state == RegistrationState.WAITING:
        rows = rows.order_by("waiting_since", "pk")
    else:
        rows = rows.order_by("created_at", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [
        (s, RegistrationState(s).label, counts[s], f"?{urlencode({'state': s})}")
        for s in STATE_ORDER
    ]
    context = {
        "event": event,
        "organiser": event.organiser,
        "counts": counts,
        "state": state,
        "state_label": RegistrationState(state).label,
        "tabs": tabs,
        "page_obj": page,
        "first_position": page.start_index(),
        "decidable": state in (RegistrationState.PENDING, RegistrationState.WAITING),
        "links": _links(event),
        "public_url": url_or_empty("events:detail", event.pk),
        "when": notices.format_when(event),
        "breadcrumbs": crumbs(None, event.title),
    }
    return render(request, "events/organiser/manage.html", context)


@login_required
@write_limit
@require_POST
def decide(request: HttpRequest, code: str) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.select_related(
            "event__institution", "event__organisation", "event__network__coordinator"
        ),
        code=code[:12],
    )
    # The code is the key of the cancel link: to anyone but its holder and the organiser the
    # registration does not exist (no answer that tells a valid code from an invalid one).
    if not request.user.has_perm("events.view_registration", registration):
        raise Http404
    if not request.user.has_perm("events.decide_registration", registration):
        raise PermissionDenied
    event = registration.event
    form = DecideForm(request.POST)
    back = reverse("events:manage", args=[event.pk])
    state = request.POST.get("state", "")
    if state in RegistrationState.values:
        back += f"?{urlencode({'state': state})}"
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to decline."))
        return redirect(back)
    by = user_of(request)
    try:
        if form.cleaned_data["decision"] == "approve":
            result = services.approve(registration, by=by)
            if result.state == RegistrationState.CONFIRMED:
                messages.success(request, _("%(name)s is confirmed.") % {"name": result.name})
            else:
                messages.info(
                    request,
                    _("No place is left: %(name)s is on the waiting list.") % {"name": result.name},
                )
        else:
            result = services.decline(registration, by=by, reason=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s is declined.") % {"name": result.name})
    except services.RegistrationError as exc:
        messages.error(request, str(exc))
    return redirect(back)


# --- programmes ------------------------------------------------------------------------------


def _programme_page(
    request: HttpRequest,
    form: ProgrammeForm,
    strands: BaseStrandFormSet,
    organiser: Organiser,
    programme: Programme | None,
    options: list[Organiser] | None = None,
) -> HttpResponse:
    title = _("Edit the programme") if programme else _("New programme")
    context = {
        "form": form,
        "strands": strands,
        "programme": programme,
        "organiser": organiser,
        "organiser_kind": kind_label(organiser),
        "other_organisers": options is not None and len(options) > 1,
        "public_url": url_or_empty("events:programme", programme.pk) if programme else "",
        "title": title,
        "error_links": error_links(form, strands) if form.is_bound else [],
        "breadcrumbs": crumbs(None, title),
    }
    return render(request, "events/organiser/programme_form.html", context)


def _save_programme(form: ProgrammeForm, strands: BaseStrandFormSet) -> Programme:
    with transaction.atomic():
        programme = form.save()
        position = 0
        for strand_form in strands.forms:
            data = getattr(strand_form, "cleaned_data", None) or {}
            if not data:  # an empty row left as it was
                continue
            if data.get("DELETE"):
                if strand_form.instance.pk:
                    strand_form.instance.delete()
                continue
            strand = strand_form.save(commit=False)
            strand.programme = programme
            strand.position = position  # the order on the form is the order of the strands
            strand.save()
            position += 1
    return programme


def _after_programme(programme: Programme) -> HttpResponse:
    public = url_or_empty("events:programme", programme.pk)
    return redirect(public or reverse("events:programme-edit", args=[programme.pk]))


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    organiser, options = chosen_organiser(request)
    if organiser is None:
        return choose_page(request, options, "events:programme-new", _("New programme"))
    programme = Programme()
    set_organiser(programme, organiser)
    if request.method != "POST":
        # An assessment's training needs link here with a title and strands to start from.
        form = ProgrammeForm(instance=programme, initial={"title": request.GET.get("title", "")})
        strands = strand_formset(programme, titles=request.GET.getlist("strand")[:10])
        return _programme_page(request, form, strands, organiser, None, options)
    form = ProgrammeForm(request.POST, instance=programme)
    strands = strand_formset(programme, request.POST)
    if not (form.is_valid() & strands.is_valid()):
        return _programme_page(request, form, strands, organiser, None, options)
    programme = _save_programme(form, strands)
    messages.success(request, _("The programme is saved. Now add its events to its strands."))
    return _after_programme(programme)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Programme.objects.select_related("institution", "organisation", "network__coordinator")
    programme = get_object_or_404(qs, pk=pk_or_404(pk))
    # A programme is public from the start (it has no draft): others get 403.
    if not request.user.has_perm("events.manage_event", programme):
        raise PermissionDenied
    organiser: Organiser = programme.institution or programme.organisation or programme.network  # type: ignore[assignment]
    if request.method != "POST":
        form = ProgrammeForm(instance=programme)
        return _programme_page(request, form, strand_formset(programme), organiser, programme)
    form = ProgrammeForm(request.POST, instance=programme)
    strands = strand_formset(programme, request.POST)
    if not (form.is_valid() & strands.is_valid()):
        return _programme_page(request, form, strands, organiser, programme)
    _save_programme(form, strands)
    messages.success(request, _("Saved."))
    return _after_programme(programme)


urlpatterns = [
    path("new/", new, name="new"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/publish/", publish, name="publish"),
    path("<int:pk>/cancel/", cancel_event, name="cancel-event"),
    path("<int:pk>/manage/", manage, name="manage"),
    path("registrations/<str:code>/decide/", decide, name="decide"),
    path("programmes/new/", programme_new, name="programme-new"),
    path("programmes/<int:pk>/edit/", programme_edit, name="programme-edit"),
    *organiser_extras.urlpatterns,
]
