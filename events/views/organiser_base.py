"""Helpers of the organiser's pages (events/views/organiser.py and organiser_extras.py): the
event or 404, who may manage it, breadcrumbs, error summaries, and the organisers a person
may act for (institutions where they are staff, organisations they represent, networks their
organisation coordinates), chosen with `?organiser=institution-12`.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.enums import STAFF_ROLES, Role
from accounts.models import User
from accounts.rules import is_administrator
from core.legal_calendar import SOFIA
from core.ratelimit import ratelimit
from directory.models import Institution
from events.forms import BaseSessionFormSet, BaseStrandFormSet, Organiser
from events.models import Event
from organisations.models import Network, Organisation

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
PAGE_SIZE = 50
# One person's saves; generous for real work (approving a long list one by one), a stop for
# scripts.
write_limit = ratelimit("events-organiser", limit=300, period=3600)
ORGANISER_KINDS: dict[str, type[Model]] = {
    "institution": Institution,
    "organisation": Organisation,
    "network": Network,
}


def pk_or_404(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # the views are behind login_required


def url_or_empty(name: str, *args: Any) -> str:
    """The address of a page another part of the app provides; '' if it is not there (so the
    organiser's page never breaks because of a page it only links to)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def load_event(pk: int) -> Event:
    qs = Event.objects.select_related(
        "institution", "organisation", "network__coordinator", "programme", "strand"
    )
    return get_object_or_404(qs, pk=pk_or_404(pk))


def require_manager(request: HttpRequest, event: Event) -> None:
    """404 for a draft to those who may not see it, 403 for a public event."""
    if request.user.has_perm("events.manage_event", event):
        return
    if not event.is_public:
        raise Http404
    raise PermissionDenied


def crumbs(event: Event | None, title: str) -> list[tuple[str, str]]:
    trail = []
    index = url_or_empty("events:index")
    if index:
        trail.append((_("Events"), index))
    if event is not None:
        trail.append((event.title, reverse("events:manage", args=[event.pk])))
    trail.append((title, ""))
    return trail


def error_links(*forms: Any) -> list[tuple[str, str]]:
    """(anchor, message) of every error of these forms and formsets, for the summary."""
    links: list[tuple[str, str]] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        if isinstance(form, BaseSessionFormSet | BaseStrandFormSet):
            for error in form.non_form_errors():
                links.append(("main", str(error)))
            nested = [f for f in form.forms if f.errors]
            links.extend(error_links(*nested))
            continue
        for error in form.non_field_errors():
            links.append(("main", str(error)))
        for bound in form:
            for error in bound.errors:
                links.append((bound.id_for_label or bound.auto_id, f"{bound.label}: {error}"))
    return links


def sofia_text(value: datetime.datetime | None) -> str:
    return date_format(value.astimezone(SOFIA), "d.m.Y H:i") if value else ""


# --- organisers ------------------------------------------------------------------------------


def organiser_key(organiser: Model) -> str:
    return f"{organiser._meta.model_name}-{organiser.pk}"


def organiser_options(user: Any) -> list[Organiser]:
    """The institutions, organisations and networks `user` may organise events for: staff
    of, representative of, coordinator of (the coordinating organisation's representative).
    Three small queries; the roles come from the user's cached role keys."""
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
    options: list[Organiser] = []
    if institution_ids:
        options += list(Institution.objects.filter(pk__in=institution_ids).order_by("name_bg"))
    if organisation_ids:
        options += list(Organisation.objects.filter(pk__in=organisation_ids).order_by("name"))
        options += list(
            Network.objects.filter(coordinator_id__in=organisation_ids)
            .select_related("coordinator")
            .order_by("name")
        )
    return [o for o in options if user.has_perm("events.add_event", o)]


def chosen_organiser(request: HttpRequest) -> tuple[Organiser | None, list[Organiser]]:
    """The organiser asked for in `?organiser=institution-12` (403 if the person may not act
    for it, 404 if there is no such one), else the only one the person may act for."""
    options = organiser_options(request.user)
    raw = request.GET.get("organiser", "")
    if not raw:
        return (options[0] if len(options) == 1 else None), options
    kind, _dash, number = raw.partition("-")
    if kind not in ORGANISER_KINDS or not number.isdigit() or int(number) > MAX_ID:
        raise Http404
    found = next((o for o in options if organiser_key(o) == f"{kind}-{int(number)}"), None)
    if found is not None:
        return found, options
    model = ORGANISER_KINDS[kind]
    qs = model._default_manager.all()
    if model is Network:
        qs = qs.select_related("coordinator")
    organiser = get_object_or_404(qs, pk=int(number))
    if not request.user.has_perm("events.add_event", organiser):
        raise PermissionDenied
    return organiser, options  # type: ignore[return-value]


def choose_page(
    request: HttpRequest, options: list[Organiser], target: str, title: str
) -> HttpResponse:
    if not options and not is_administrator(request.user):
        raise PermissionDenied
    # Other parameters (a programme's prefilled title and strands) carry over to the form.
    keep = [(k, one) for k, values in request.GET.lists() if k != "organiser" for one in values]
    rows = [
        (
            f"{reverse(target)}?{urlencode([('organiser', organiser_key(o)), *keep])}",
            o,
            kind_label(o),
        )
        for o in options
    ]
    context = {"title": title, "rows": rows, "breadcrumbs": crumbs(None, title)}
    return render(request, "events/organiser/choose.html", context)


def kind_label(organiser: Model) -> str:
    if isinstance(organiser, Institution):
        return _("institution")
    if isinstance(organiser, Organisation):
        return _("organisation")
    return _("network")
