"""Events: the organiser's pages around an event: invitations (for an invitation-only event),
materials (files and links, for everyone or for confirmed participants only) with the
download that checks who may have a file, and the summary or minutes.

Files are served through `material_download`, never by their /media/ address, so a file for
participants only is given only to those events/rules.py lets see the participants' area.
"""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core import markdown
from events import services
from events.enums import Audience, MaterialVisibility, State
from events.forms import InvitationsForm, MaterialForm, MinutesForm
from events.models import Event, Invitation, Material
from events.views.organiser_base import (
    PAGE_SIZE,
    crumbs,
    error_links,
    load_event,
    pk_or_404,
    require_manager,
    user_of,
    write_limit,
)

# --- invitations -----------------------------------------------------------------------------


def _invitations_page(request: HttpRequest, event: Event, form: InvitationsForm) -> HttpResponse:
    rows = (
        Invitation.objects.filter(event=event)
        .select_related("used_by")
        .only("pk", "event_id", "email", "created_at", "used_by__state", "used_by__name")
        .order_by("-created_at", "-pk")
    )
    title = _("Invitations")
    context = {
        "event": event,
        "form": form,
        "page_obj": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "title": title,
        "error_links": error_links(form),
        "breadcrumbs": crumbs(event, title),
    }
    return render(request, "events/organiser/invitations.html", context)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    if event.audience != Audience.INVITATION:
        messages.info(
            request,
            _("Invitations are for events open by invitation only; anyone the event is for "
              "may register for this one."),
        )  # fmt: skip
        return redirect("events:manage", event.pk)
    form = InvitationsForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _invitations_page(request, event, form)
    if event.state != State.PUBLISHED:
        form.add_error(
            "emails",
            _("Publish the event first: the invitation's link leads to its registration.")
            if event.state == State.DRAFT
            else _("The event is cancelled."),
        )
        return _invitations_page(request, event, form)
    emails: list[str] = form.cleaned_data["emails"]
    try:
        sent = services.invite(event, emails, by=user_of(request))
    except services.RegistrationError as exc:
        form.add_error("emails", str(exc))
        return _invitations_page(request, event, form)
    skipped = len(emails) - len(sent)
    text = ngettext("%(n)d invitation is sent.", "%(n)d invitations are sent.", len(sent)) % {
        "n": len(sent)
    }
    if skipped:
        text += " " + ngettext(
            "%(n)d address was already invited.", "%(n)d addresses were already invited.", skipped
        ) % {"n": skipped}
    messages.success(request, text)
    return redirect("events:invite", event.pk)


# --- materials -------------------------------------------------------------------------------


def _materials_page(request: HttpRequest, event: Event, form: MaterialForm) -> HttpResponse:
    title = _("Materials")
    context = {
        "event": event,
        "form": form,
        "materials": list(event.materials.all()),
        "title": title,
        "error_links": error_links(form),
        "breadcrumbs": crumbs(event, title),
    }
    return render(request, "events/organiser/materials.html", context)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def materials(request: HttpRequest, pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    material = Material(event=event, added_by=user_of(request))
    if request.method != "POST":
        return _materials_page(request, event, MaterialForm(instance=material))
    form = MaterialForm(request.POST, request.FILES, instance=material)
    if not form.is_valid():
        return _materials_page(request, event, form)
    form.save()
    messages.success(request, _("The material is added."))
    return redirect("events:materials", event.pk)


@login_required
@write_limit
@require_POST
def material_delete(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    material = get_object_or_404(Material, pk=pk_or_404(material_pk), event=event)
    stored = material.file.name or ""
    storage = material.file.storage
    material.delete()
    if stored:  # the file goes once the row is gone for good
        transaction.on_commit(lambda: storage.delete(stored))
    messages.success(request, _("The material is removed."))
    return redirect("events:materials", event.pk)


def material_download(request: HttpRequest, pk: int, material_pk: int) -> HttpResponseBase:
    event = load_event(pk)
    if not request.user.has_perm("events.view_event", event):
        raise Http404
    material = get_object_or_404(Material, pk=pk_or_404(material_pk), event=event)
    if material.visibility == MaterialVisibility.PARTICIPANTS and not request.user.has_perm(
        "events.view_participant_area", event
    ):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    if not material.file:
        raise Http404  # a link: the pages link to it directly
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=os.path.basename(material.file.name or "file")
    )
    if material.visibility == MaterialVisibility.PARTICIPANTS:
        response["Cache-Control"] = "private, no-store"
    return response


# --- minutes ---------------------------------------------------------------------------------


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    event = load_event(pk)
    require_manager(request, event)
    if request.method != "POST":
        form = MinutesForm(initial={"minutes": event.minutes})
    else:
        form = MinutesForm(request.POST)
        action = request.POST.get("action", "")
        if form.is_valid() and action in ("save", "publish"):
            with transaction.atomic():
                row = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
                row.minutes = form.cleaned_data["minutes"]
                if action == "publish":
                    row.minutes_published_at = timezone.now()
                row.save(update_fields=["minutes", "minutes_published_at", "updated_at"])
            if action == "publish":
                messages.success(request, _("The minutes are published on the event's page."))
            elif row.minutes_published_at:
                messages.success(request, _("Saved: the published minutes are changed."))
            else:
                messages.success(request, _("Saved; not published yet."))
            return redirect("events:minutes", event.pk)
    preview = ""
    if form.is_bound and form.is_valid() and request.POST.get("action") == "preview":
        preview = markdown.render(form.cleaned_data["minutes"])
    title = _("Summary or minutes")
    context = {
        "event": event,
        "form": form,
        "preview": preview,
        "title": title,
        "error_links": error_links(form),
        "breadcrumbs": crumbs(event, title),
    }
    return render(request, "events/organiser/minutes.html", context)


urlpatterns = [
    path("<int:pk>/invitations/", invite, name="invite"),
    path("<int:pk>/materials/", materials, name="materials"),
    path("<int:pk>/materials/<int:material_pk>/delete/", material_delete, name="material-delete"),
    path("<int:pk>/materials/<int:material_pk>/", material_download, name="material"),
    path("<int:pk>/minutes/", minutes, name="minutes"),
]
