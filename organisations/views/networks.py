"""Networks of organisations ("family of NGOs"): the public pages (network, plan as a table
and a timeline, its history, joint positions with their signatories, the iCal feed of the
deadlines) and the members' and coordinator's actions.

Permissions (organisations/rules.py): a verified representative creates a network for an
organisation they represent; the coordinator (a representative of the coordinating
organisation) or an administrator runs it; representatives of members sign positions and may
leave; announcements are for the members only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core import markdown
from core.ratelimit import ratelimit
from organisations import networks as services
from organisations import timeline as plan_timeline
from organisations.enums import Visibility
from organisations.models import (
    Announcement,
    JointPosition,
    Membership,
    MembershipChange,
    Network,
    Organisation,
    Signature,
    Task,
    TaskChange,
)
from organisations.network_forms import (
    AnnouncementForm,
    NetworkForm,
    NewNetworkForm,
    OrganisationChoiceForm,
    PositionForm,
    TaskForm,
)
from organisations.selectors import applicable_ids, represented_ids

MAX_ID = 2**62  # beyond it SQLite overflows: an unknown id is a 404
LIST_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50
INVITE_RESULTS = 20

write_limit = ratelimit("networks-write", limit=120, period=3600)
announce_limit = ratelimit("networks-announce", limit=10, period=3600)


# --- helpers ---------------------------------------------------------------------------------


def _pk(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404
    return pk


def _network(pk: int) -> Network:
    return get_object_or_404(Network.objects.select_related("coordinator"), pk=_pk(pk))


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _crumbs(network: Network | None, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    crumbs = [(_("Networks of organisations"), reverse("organisations:networks"))]
    if network is not None:
        crumbs.append((network.name, network.get_absolute_url()))
    crumbs.extend(rest)
    return crumbs


def _md(text: str) -> str:
    return mark_safe(markdown.render(text))  # noqa: S308 - rendered and sanitised by nh3


def _error_links(form: Any) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = [("main", str(e)) for e in form.non_field_errors()]
    for bound in form:
        for error in bound.errors:
            links.append((bound.id_for_label, f"{bound.label}: {error}"))
    return links


def _members(network: Network) -> list[Membership]:
    return list(
        network.memberships.filter(status=Membership.Status.MEMBER)
        .select_related("organisation__settlement__municipality")
        .order_by("organisation__name", "pk")
    )


def _plan_tasks(network: Network) -> list[Task]:
    return list(
        network.tasks.select_related("area", "responsible").order_by("due_on", "starts_on", "pk")
    )


def _positions(network: Network) -> list[JointPosition]:
    signatures = Signature.objects.select_related("organisation").order_by("signed_at", "pk")
    return list(
        network.positions.filter(published_at__isnull=False)
        .prefetch_related(Prefetch("signatures", queryset=signatures))
        .order_by("-published_at", "-pk")
    )


def _actions(request: HttpRequest, network: Network) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {"manage": False, "apply": False, "member": False, "members_area": False}
    manage = user.has_perm("organisations.change_network", network)
    member = user.has_perm("organisations.leave_network", network)
    return {
        "manage": manage,
        "apply": user.has_perm("organisations.apply_to_network", network),
        "member": member,
        "members_area": manage
        or member
        or user.has_perm("organisations.view_network_members_area", network),
    }


# --- the list and the network ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def network_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        Network.objects.select_related("coordinator")
        .annotate(areas_count=Count("areas", distinct=True))
        .order_by("name", "pk")
    )
    page = Paginator(queryset, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/networks/list.html",
        {
            "page_obj": page,
            "networks": page.object_list,
            "can_create": request.user.has_perm("organisations.add_network"),
            "breadcrumbs": [(_("Networks of organisations"), "")],
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def network_create(request: HttpRequest) -> HttpResponse:
    _require(request, "organisations.add_network")
    ids = represented_ids(request.user)
    form = NewNetworkForm(request.POST or None, organisation_ids=ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        network = services.create_network(
            user=request.user,  # type: ignore[arg-type]
            coordinator=data["coordinator"],
            name=data["name"],
            purpose=data["purpose"],
            areas=data["areas"],
            provinces=data["provinces"],
        )
        messages.success(request, _("The network has been created."))
        return redirect(network)
    return render(
        request,
        "organisations/networks/form.html",
        {
            "form": form,
            "network": None,
            "error_links": _error_links(form) if form.is_bound else [],
            "breadcrumbs": _crumbs(None, (_("New network"), "")),
        },
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def network_edit(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    _require(request, "organisations.change_network", network)
    if request.method == "POST":
        form = NetworkForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.update_network(
                network,
                name=data["name"],
                purpose=data["purpose"],
                areas=data["areas"],
                provinces=data["provinces"],
            )
            messages.success(request, _("The network has been saved."))
            return redirect(network)
    else:
        form = NetworkForm(initial=NetworkForm.initial_for(network))
    return render(
        request,
        "organisations/networks/form.html",
        {
            "form": form,
            "network": network,
            "error_links": _error_links(form) if form.is_bound else [],
            "breadcrumbs": _crumbs(network, (_("Edit"), "")),
        },
    )


@require_http_methods(["GET", "HEAD"])
def network(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    tasks = _plan_tasks(network)
    today = services.today()
    overdue = [t for t in tasks if t.is_overdue(today)]
    upcoming = [t for t in tasks if t.status in services.ACTIVE_STATUSES and t.due_on >= today]
    return render(
        request,
        "organisations/networks/detail.html",
        {
            "network": network,
            "purpose_html": _md(network.purpose),
            "areas": list(network.areas.all()),
            "provinces": list(network.provinces.all()),
            "members": _members(network),
            "positions": _positions(network),
            "tasks_count": len(tasks),
            "done_count": sum(1 for t in tasks if t.status == Task.Status.DONE),
            "overdue": overdue,
            "upcoming": upcoming[:5],
            "today": today,
            "actions": _actions(request, network),
            "breadcrumbs": _crumbs(None, (network.name, "")),
        },
    )


# --- membership ------------------------------------------------------------------------------


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def network_apply(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    _require(request, "organisations.apply_to_network", network)
    ids = applicable_ids(request.user, network)
    form = OrganisationChoiceForm(request.POST or None, organisation_ids=ids)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.apply(network, form.cleaned_data["organisation"], request.user)
        except services.NetworkError as error:
            form.add_error("organisation", str(error))
        else:
            if membership.status == Membership.Status.MEMBER:
                messages.success(request, _("You accepted the invitation: welcome to the network."))
            else:
                messages.success(
                    request, _("The application has been sent. The coordinator will decide.")
                )
            return redirect(network)
    invited = set(
        network.memberships.filter(
            organisation_id__in=ids, status=Membership.Status.INVITED
        ).values_list("organisation_id", flat=True)
    )
    return render(
        request,
        "organisations/networks/apply.html",
        {
            "network": network,
            "form": form,
            "invited": invited,
            "error_links": _error_links(form) if form.is_bound else [],
            "breadcrumbs": _crumbs(network, (_("Apply to join"), "")),
        },
    )


def _invite_candidates(network: Network, query: str) -> list[Organisation]:
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    taken = network.memberships.filter(
        status__in=[Membership.Status.MEMBER, Membership.Status.INVITED]
    ).values("organisation_id")
    return list(
        Organisation.objects.filter(visibility=Visibility.PUBLIC, is_demo=network.is_demo)
        .filter(Q(name__icontains=query) | Q(eik=query))
        .exclude(pk__in=taken)
        .select_related("settlement")
        .order_by("name", "pk")[:INVITE_RESULTS]
    )


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def network_members(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    user = request.user
    manage = user.has_perm("organisations.change_network", network)
    member = user.has_perm("organisations.leave_network", network)
    if not (manage or member):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("accept", "refuse", "handover", "invite") and not manage:
                raise PermissionDenied
            if action in ("accept", "refuse"):
                membership = get_object_or_404(
                    Membership.objects.select_related("organisation"),
                    pk=_pk(int(request.POST.get("membership") or 0)),
                    network=network,
                )
                if action == "accept":
                    services.accept(membership, request.user)
                    messages.success(
                        request,
                        _("„%(name)s“ is now a member.") % {"name": membership.organisation.name},
                    )
                else:
                    services.refuse(membership, request.user)
                    messages.success(request, _("Refused."))
            elif action in ("invite", "handover"):
                organisation = get_object_or_404(
                    Organisation, pk=_pk(int(request.POST.get("organisation") or 0))
                )
                if action == "invite":
                    result = services.invite(network, organisation, request.user)
                    if result.status == Membership.Status.MEMBER:
                        text = _("„%(name)s“ had applied and is now a member.")
                    else:
                        text = _("„%(name)s“ has been invited.")
                    messages.success(request, text % {"name": organisation.name})
                else:
                    services.hand_over(network, organisation, request.user)
                    messages.success(
                        request,
                        _("„%(name)s“ now coordinates the network.") % {"name": organisation.name},
                    )
                    return redirect(network)
            elif action == "leave":
                ids = represented_ids(user)
                membership = get_object_or_404(
                    Membership,
                    pk=_pk(int(request.POST.get("membership") or 0)),
                    network=network,
                    organisation_id__in=ids,
                )
                services.leave(membership, request.user)
                messages.success(request, _("Your organisation has left the network."))
                return redirect(network)
            else:
                raise Http404
        except ValueError as error:
            raise Http404 from error
        except services.NetworkError as error:
            messages.error(request, str(error))
        return redirect("organisations:network-members", pk=network.pk)

    memberships = list(
        network.memberships.exclude(status=Membership.Status.REFUSED)
        .select_related("organisation__settlement")
        .order_by("organisation__name", "pk")
    )
    mine = represented_ids(user)
    query = request.GET.get("q", "") if manage else ""
    return render(
        request,
        "organisations/networks/members.html",
        {
            "network": network,
            "manage": manage,
            "members": [m for m in memberships if m.status == Membership.Status.MEMBER],
            "applications": [m for m in memberships if m.status == Membership.Status.APPLIED],
            "invitations": [m for m in memberships if m.status == Membership.Status.INVITED],
            "former": [m for m in memberships if m.status == Membership.Status.LEFT],
            "mine": [
                m
                for m in memberships
                if m.organisation_id in mine and m.status == Membership.Status.MEMBER
            ],
            "query": query,
            "candidates": _invite_candidates(network, query) if manage else [],
            "breadcrumbs": _crumbs(network, (_("Members"), "")),
        },
    )


# --- the work plan ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def network_plan(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    view = request.GET.get("view", "timeline")
    if view not in ("timeline", "table"):
        view = "timeline"
    tasks = _plan_tasks(network)
    today = services.today()
    drawing = None
    if view == "timeline" and tasks:
        title = _("Work plan of „%(name)s“: timeline") % {"name": network.name}
        drawing = plan_timeline.render_svg(plan_timeline.build(tasks, today), "plan", title)
    rows = [{"task": t, "overdue": t.is_overdue(today)} for t in tasks]
    return render(
        request,
        "organisations/networks/plan.html",
        {
            "network": network,
            "rows": rows,
            "view": view,
            "drawing": drawing,
            "today": today,
            "overdue_count": sum(1 for r in rows if r["overdue"]),
            "manage": request.user.has_perm("organisations.change_network", network),
            "breadcrumbs": _crumbs(network, (_("Work plan"), "")),
        },
    )


@require_http_methods(["GET", "HEAD"])
def network_plan_ics(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    body = services.plan_calendar(network, _plan_tasks(network))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="network-{network.pk}-plan.ics"'
    return response


def _render_task(
    request: HttpRequest,
    network: Network,
    form: TaskForm,
    task: Task | None,
    conflict: services.TaskConflict | None = None,
) -> HttpResponse:
    title = _("Edit the task") if task else _("New task")
    return render(
        request,
        "organisations/networks/task_form.html",
        {
            "network": network,
            "task": task,
            "form": form,
            "conflict": conflict,
            "page_title": title,
            "error_links": _error_links(form) if form.is_bound else [],
            "breadcrumbs": _crumbs(
                network,
                (_("Work plan"), reverse("organisations:network-plan", args=[network.pk])),
                (title, ""),
            ),
        },
    )


def _task_data(form: TaskForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.TASK_FIELDS}


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    _require(request, "organisations.change_network", network)
    form = TaskForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        services.save_task(
            user=request.user,  # type: ignore[arg-type]
            network=network,
            task=None,
            data=_task_data(form),
        )
        messages.success(request, _("The task has been added to the work plan."))
        return redirect("organisations:network-plan", pk=network.pk)
    return _render_task(request, network, form, None)


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("network__coordinator"), pk=_pk(pk))
    network = task.network
    _require(request, "organisations.change_network", network)
    if request.method != "POST":
        return _render_task(
            request, network, TaskForm(initial=TaskForm.initial_for(task), network=network), task
        )
    form = TaskForm(request.POST, network=network)
    if not form.is_valid():
        return _render_task(request, network, form, task)
    try:
        saved = services.save_task(
            user=request.user,  # type: ignore[arg-type]
            network=network,
            task=task,
            data=_task_data(form),
            version=form.cleaned_data.get("version"),
        )
    except services.TaskConflict as conflict:
        data = request.POST.copy()
        data["version"] = str(conflict.task.version)
        return _render_task(
            request, network, TaskForm(data, network=network), conflict.task, conflict
        )
    if saved.version == task.version:
        messages.info(request, _("Nothing changed, so nothing was saved."))
    else:
        messages.success(request, _("The task has been saved."))
    return redirect("organisations:network-plan", pk=network.pk)


MEMBERSHIP_HISTORY_SHOWN = 100


@require_http_methods(["GET", "HEAD"])
def network_history(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    queryset = (
        TaskChange.objects.filter(network=network).select_related("user").order_by("-at", "-pk")
    )
    page = Paginator(queryset, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = []
    for change in page.object_list:
        rows = [
            (
                services.field_label(name),
                services.display_value(name, str(pair[0])),
                services.display_value(name, str(pair[1])),
            )
            for name, pair in (change.changes or {}).items()
            if name in services.TASK_FIELDS and isinstance(pair, list) and len(pair) == 2
        ]
        entries.append({"change": change, "rows": rows})
    membership_changes = (
        MembershipChange.objects.filter(network=network)
        .select_related("organisation", "user")
        .order_by("-at", "-pk")[:MEMBERSHIP_HISTORY_SHOWN]
    )
    return render(
        request,
        "organisations/networks/history.html",
        {
            "network": network,
            "page_obj": page,
            "entries": entries,
            "membership_changes": membership_changes,
            "breadcrumbs": _crumbs(network, (_("History of the work plan"), "")),
        },
    )


# --- joint positions -------------------------------------------------------------------------


@login_required
@write_limit
@require_http_methods(["GET", "POST"])
def position_create(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    _require(request, "organisations.change_network", network)
    form = PositionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        attachment = form.cleaned_data.get("attachment")
        if attachment:
            from core.uploads import safe_name

            attachment.name = safe_name(attachment.name)
        position = services.publish_position(
            user=request.user,  # type: ignore[arg-type]
            network=network,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            attachment=attachment,
        )
        messages.success(request, _("The position has been published."))
        return redirect("organisations:position", pk=position.pk)
    return render(
        request,
        "organisations/networks/position_form.html",
        {
            "network": network,
            "form": form,
            "error_links": _error_links(form) if form.is_bound else [],
            "breadcrumbs": _crumbs(network, (_("New joint position"), "")),
        },
    )


def _position(pk: int) -> JointPosition:
    return get_object_or_404(
        JointPosition.objects.select_related("network__coordinator").filter(
            published_at__isnull=False
        ),
        pk=_pk(pk),
    )


def _unsigned_ids(request: HttpRequest, position: JointPosition) -> set[int]:
    from organisations.selectors import represented_member_ids

    if not request.user.is_authenticated:
        return set()
    ids = represented_member_ids(request.user, position.network)
    signed = set(position.signatures.values_list("organisation_id", flat=True))
    return ids - signed


@require_http_methods(["GET", "HEAD"])
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = _position(pk)
    unsigned = _unsigned_ids(request, position)
    form = OrganisationChoiceForm(organisation_ids=unsigned) if unsigned else None
    return _render_position(request, position, form)


def _render_position(
    request: HttpRequest, position: JointPosition, form: OrganisationChoiceForm | None
) -> HttpResponse:
    network = position.network
    return render(
        request,
        "organisations/networks/position.html",
        {
            "network": network,
            "position": position,
            "body_html": _md(position.body),
            "signatures": list(
                position.signatures.select_related("organisation").order_by("signed_at", "pk")
            ),
            "form": form,
            "error_links": _error_links(form) if form is not None and form.is_bound else [],
            "breadcrumbs": _crumbs(network, (position.title, "")),
        },
    )


@login_required
@write_limit
@require_POST
def position_sign(request: HttpRequest, pk: int) -> HttpResponse:
    position = _position(pk)
    _require(request, "organisations.sign_position", position)
    unsigned = _unsigned_ids(request, position)
    form = OrganisationChoiceForm(request.POST, organisation_ids=unsigned)
    if form.is_valid():
        try:
            services.sign(position, form.cleaned_data["organisation"], request.user)  # type: ignore[arg-type]
        except services.NetworkError as error:
            form.add_error("organisation", str(error))
        else:
            messages.success(
                request,
                _("„%(name)s“ has co-signed the position.")
                % {"name": form.cleaned_data["organisation"].name},
            )
            return redirect("organisations:position", pk=position.pk)
    return _render_position(request, position, form)


# --- announcements ---------------------------------------------------------------------------


@login_required
@announce_limit
@require_http_methods(["GET", "POST"])
def network_announce(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    _require(request, "organisations.change_network", network)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        announcement = services.announce(
            user=request.user,  # type: ignore[arg-type]
            network=network,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
        messages.success(
            request,
            ngettext(
                "The announcement has been sent to %(n)d representative of member organisations.",
                "The announcement has been sent to %(n)d representatives of member organisations.",
                announcement.recipients_count,
            )
            % {"n": announcement.recipients_count},
        )
        return redirect("organisations:network-announcements", pk=network.pk)
    return render(
        request,
        "organisations/networks/announce.html",
        {
            "network": network,
            "form": form,
            "error_links": _error_links(form) if form.is_bound else [],
            "breadcrumbs": _crumbs(network, (_("Announcement to the members"), "")),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def network_announcements(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(pk)
    _require(request, "organisations.view_network_members_area", network)
    queryset = Announcement.objects.filter(network=network).select_related("sent_by")
    page = Paginator(queryset.order_by("-sent_at", "-pk"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/networks/announcements.html",
        {
            "network": network,
            "page_obj": page,
            "announcements": page.object_list,
            "manage": request.user.has_perm("organisations.change_network", network),
            "breadcrumbs": _crumbs(network, (_("Announcements to the members"), "")),
        },
    )


urlpatterns = [
    path("networks/", network_list, name="networks"),
    path("networks/new/", network_create, name="network-create"),
    path("networks/<int:pk>/", network, name="network"),
    path("networks/<int:pk>/edit/", network_edit, name="network-edit"),
    path("networks/<int:pk>/apply/", network_apply, name="network-apply"),
    path("networks/<int:pk>/members/", network_members, name="network-members"),
    path("networks/<int:pk>/plan/", network_plan, name="network-plan"),
    path("networks/<int:pk>/plan.ics", network_plan_ics, name="network-plan-ics"),
    path("networks/<int:pk>/tasks/new/", task_create, name="task-create"),
    path("tasks/<int:pk>/edit/", task_edit, name="task-edit"),
    path("networks/<int:pk>/history/", network_history, name="network-history"),
    path("networks/<int:pk>/positions/new/", position_create, name="position-create"),
    path("positions/<int:pk>/", position_detail, name="position"),
    path("positions/<int:pk>/sign/", position_sign, name="position-sign"),
    path("networks/<int:pk>/announce/", network_announce, name="network-announce"),
    path("networks/<int:pk>/announcements/", network_announcements, name="network-announcements"),
]
