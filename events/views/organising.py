"""The organiser's own list: every event (drafts included) and programme of the institutions,
organisations and networks a person may organise for, with the ways to start a new one. It is
how an organiser finds a draft again after leaving its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from directory.models import Institution
from events.models import Event, Programme
from events.views.organiser_base import PAGE_SIZE, organiser_key, organiser_options
from organisations.models import Network, Organisation


def _of(options: list) -> Q:  # type: ignore[type-arg]
    """Events or programmes whose organiser is one of `options`."""
    ids: dict[type, list[int]] = {Institution: [], Organisation: [], Network: []}
    for o in options:
        ids[type(o)].append(o.pk)
    return (
        Q(institution_id__in=ids[Institution])
        | Q(organisation_id__in=ids[Organisation])
        | Q(network_id__in=ids[Network])
    )


@login_required
def organising(request: HttpRequest) -> HttpResponse:
    options = organiser_options(request.user)
    page_obj = None
    programmes: list[Programme] = []
    if options:
        events = (
            Event.objects.filter(_of(options))
            .select_related("institution", "organisation", "network")
            .only(
                "pk", "title", "kind", "state", "starts_at", "confirmed_count", "waiting_count",
                "pending_count", "capacity", "institution__name_bg", "institution__name_en",
                "organisation__name", "organisation__name_en", "organisation__legal_form",
                "network__name",
            )
            .order_by("-starts_at", "-pk")
        )  # fmt: skip
        page_obj = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        programmes = list(Programme.objects.filter(_of(options)).order_by("-created_at")[:50])
    return render(
        request,
        "events/organiser/organising.html",
        {
            "options": [(organiser_key(o), o) for o in options],
            "page_obj": page_obj,
            "events": list(page_obj.object_list) if page_obj else [],
            "programmes": programmes,
            "breadcrumbs": [(_("Events"), "/events/"), (_("Events you organise"), "")],
        },
    )


urlpatterns: list[URLPattern] = [path("organising/", organising, name="organising")]
