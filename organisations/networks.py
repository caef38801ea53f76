"""Workflows of the networks of organisations ("family of NGOs"): membership, the work plan
with its history, joint positions and announcements to the members.

Every workflow runs in one transaction and re-reads what it changes under a lock, so two
people acting at once never leave a network half-changed. A demo network only ever takes demo
organisations and a real one only real ones: demo activity never attaches to a real entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from core import ical
from core.email import enqueue_many, render_email
from organisations.models import (
    Announcement,
    JointArea,
    JointPosition,
    Membership,
    MembershipChange,
    Network,
    Organisation,
    Signature,
    Task,
    TaskChange,
)
from territory.models import Municipality, Province

# Who did a membership step: the person signed in, or nobody (demo data, commands).
Actor = User | AnonymousUser | None

ACTIVE_STATUSES = (Task.Status.PLANNED, Task.Status.IN_PROGRESS)
# The fields of a task its history records, in the order the forms show them.
TASK_FIELDS = ("title", "area", "responsible", "starts_on", "due_on", "status", "progress", "notes")


class NetworkError(Exception):
    """A workflow refused: the message says why, in words for the person."""


def today() -> datetime.date:
    """Today in Sofia: what "overdue" is measured against."""
    return timezone.localdate()


def _recount(network: Network) -> None:
    network.members_count = network.memberships.filter(status=Membership.Status.MEMBER).count()
    Network.objects.filter(pk=network.pk).update(members_count=network.members_count)


def _check_demo(network: Network, organisation: Organisation) -> None:
    if bool(network.is_demo) != bool(organisation.is_demo):
        raise NetworkError(
            _("Demo networks take only demo organisations, and real networks only real ones.")
        )


# --- the network -----------------------------------------------------------------------------


def _set_areas(network: Network, names: Sequence[str]) -> None:
    """Keep the areas still named (their tasks stay attached), add new ones, drop the rest."""
    existing = {a.name: a for a in network.areas.all()}
    for order, name in enumerate(names, start=1):
        area = existing.pop(name, None)
        if area is None:
            JointArea.objects.create(network=network, name=name, order=order * 10)
        elif area.order != order * 10:
            area.order = order * 10
            area.save(update_fields=["order"])
    for area in existing.values():
        area.delete()


@transaction.atomic
def create_network(
    *,
    user: User,
    coordinator: Organisation,
    name: str,
    purpose: str,
    areas: Sequence[str],
    provinces: Iterable[Province] = (),
    municipalities: Iterable[Municipality] = (),
) -> Network:
    """A new network run by `coordinator`, which is its first member."""
    network = Network.objects.create(
        name=name,
        purpose=purpose,
        coordinator=coordinator,
        created_by=user,
        is_demo=coordinator.is_demo,
    )
    network.provinces.set(list(provinces))
    network.municipalities.set(list(municipalities))
    _set_areas(network, areas)
    Membership.objects.create(
        network=network,
        organisation=coordinator,
        status=Membership.Status.MEMBER,
        joined_on=today(),
    )
    _record(network, coordinator, "", Membership.Status.MEMBER, user, became_coordinator=True)
    _recount(network)
    return network


@transaction.atomic
def update_network(
    network: Network,
    *,
    name: str,
    purpose: str,
    areas: Sequence[str],
    provinces: Iterable[Province] = (),
) -> Network:
    Network.objects.select_for_update(of=("self",)).filter(pk=network.pk).first()
    network.name = name
    network.purpose = purpose
    network.save(update_fields=["name", "purpose", "updated_at"])
    network.provinces.set(list(provinces))
    _set_areas(network, areas)
    return network


# --- membership ------------------------------------------------------------------------------


def _membership(network: Network, organisation: Organisation) -> Membership | None:
    return (
        Membership.objects.select_for_update(of=("self",))
        .filter(network=network, organisation=organisation)
        .first()
    )


def _record(
    network: Network,
    organisation: Organisation,
    before: str,
    after: str,
    user: Actor,
    became_coordinator: bool = False,
) -> None:
    MembershipChange.objects.create(
        network=network,
        organisation=organisation,
        user=user if isinstance(user, User) else None,
        from_status=before,
        to_status=after,
        became_coordinator=became_coordinator,
    )


def _ask(
    network: Network,
    organisation: Organisation,
    user: Actor,
    asking: str,
    answering: str,
    repeated: str,
) -> Membership:
    """One side asks to join (an application, or an invitation); when the other side has
    already asked (`answering`), the organisation becomes a member at once."""
    _check_demo(network, organisation)
    membership = _membership(network, organisation)
    if membership is not None and membership.status == Membership.Status.MEMBER:
        raise NetworkError(_("The organisation is already a member of the network."))
    if membership is not None and membership.status == asking:
        raise NetworkError(repeated)
    if membership is None:
        membership = Membership(network=network, organisation=organisation)
    before = membership.status or ""
    joins = membership.status == answering
    membership.status = Membership.Status.MEMBER if joins else asking
    membership.joined_on = today() if joins else None
    membership.left_on = None
    membership.save()
    _record(network, organisation, before, membership.status, user)
    _recount(network)
    return membership


@transaction.atomic
def apply(network: Network, organisation: Organisation, user: Actor = None) -> Membership:
    """The organisation asks to join; an invited one joins at once (it accepts the invitation)."""
    return _ask(
        network, organisation, user, Membership.Status.APPLIED, Membership.Status.INVITED,
        _("The organisation has already applied; the coordinator decides."),
    )  # fmt: skip


@transaction.atomic
def invite(network: Network, organisation: Organisation, user: Actor = None) -> Membership:
    """The coordinator invites an organisation; one that has applied is accepted at once."""
    return _ask(
        network, organisation, user, Membership.Status.INVITED, Membership.Status.APPLIED,
        _("The organisation has already been invited."),
    )  # fmt: skip


@transaction.atomic
def accept(membership: Membership, user: Actor = None) -> Membership:
    current = Membership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
    if current.status != Membership.Status.APPLIED:
        raise NetworkError(_("Only an application can be accepted."))
    current.status = Membership.Status.MEMBER
    current.joined_on = today()
    current.save(update_fields=["status", "joined_on", "updated_at"])
    _record(current.network, current.organisation, Membership.Status.APPLIED, current.status, user)
    _recount(current.network)
    return current


@transaction.atomic
def refuse(membership: Membership, user: Actor = None) -> Membership:
    """Refuse an application, or withdraw an invitation."""
    current = Membership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
    if current.status not in (Membership.Status.APPLIED, Membership.Status.INVITED):
        raise NetworkError(_("Only an application or an invitation can be refused."))
    before = current.status
    current.status = Membership.Status.REFUSED
    current.save(update_fields=["status", "updated_at"])
    _record(current.network, current.organisation, before, current.status, user)
    return current


@transaction.atomic
def leave(membership: Membership, user: Actor = None) -> Membership:
    current = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("network")
        .get(pk=membership.pk)
    )
    if current.status != Membership.Status.MEMBER:
        raise NetworkError(_("The organisation is not a member of the network."))
    if current.network.coordinator_id == current.organisation_id:
        raise NetworkError(
            _("The coordinating organisation cannot leave: hand the coordination over first.")
        )
    current.status = Membership.Status.LEFT
    current.left_on = today()
    current.save(update_fields=["status", "left_on", "updated_at"])
    _record(current.network, current.organisation, Membership.Status.MEMBER, current.status, user)
    _recount(current.network)
    return current


@transaction.atomic
def hand_over(network: Network, organisation: Organisation, user: Actor = None) -> Network:
    """Another member organisation becomes the coordinator."""
    current = Network.objects.select_for_update(of=("self",)).get(pk=network.pk)
    if organisation.pk == current.coordinator_id:
        raise NetworkError(_("This organisation already coordinates the network."))
    if not Membership.objects.filter(
        network=current, organisation=organisation, status=Membership.Status.MEMBER
    ).exists():
        raise NetworkError(_("Only a member organisation can take over the coordination."))
    current.coordinator = organisation
    current.save(update_fields=["coordinator", "updated_at"])
    status = Membership.Status.MEMBER
    _record(current, organisation, status, status, user, became_coordinator=True)
    network.coordinator = organisation
    return current


# --- the work plan ---------------------------------------------------------------------------


def task_values(task: Task) -> dict[str, str]:
    """A task's recorded fields as text: what its history compares and keeps."""
    return {
        "title": task.title,
        "area": task.area.name if task.area_id and task.area else "",
        "responsible": task.responsible.name if task.responsible_id and task.responsible else "",
        "starts_on": task.starts_on.isoformat() if task.starts_on else "",
        "due_on": task.due_on.isoformat() if task.due_on else "",
        "status": str(task.status),
        "progress": str(task.progress),
        "notes": task.notes,
    }


def field_label(name: str) -> str:
    """The name of a recorded field as the task form shows it."""
    labels = {
        "title": _("Title"),
        "area": _("Area of joint work"),
        "responsible": _("Responsible member organisation"),
        "starts_on": _("Start"),
        "due_on": _("Due"),
        "status": _("Status"),
        "progress": _("Progress (%)"),
        "notes": _("Notes"),
    }
    return labels.get(name, name)


def display_value(name: str, value: str) -> str:
    """A recorded value as people read it: dates as 22.11.2026, statuses in words."""
    if not value:
        return ""
    if name in ("starts_on", "due_on"):
        try:
            return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    if name == "status":
        try:
            return str(Task.Status(value).label)
        except ValueError:
            return value
    if name == "progress":
        return f"{value} %"
    return value


def diff(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: [before.get(name, ""), after.get(name, "")]
        for name in TASK_FIELDS
        if before.get(name, "") != after.get(name, "")
    }


@dataclass
class TaskConflict(Exception):
    """Someone saved the task after the form was loaded: who, when, and what now differs."""

    task: Task
    who: str
    at: Any
    rows: list[tuple[str, str, str]] = field(default_factory=list)


def _who(change: TaskChange | None) -> str:
    if change is None:
        return _("someone")
    if change.user is None:
        return _("Deleted user")
    return change.user.public_name


def save_task(
    *,
    user: User,
    network: Network,
    task: Task | None,
    data: dict[str, Any],
    version: int | None = None,
) -> Task:
    """Create or change a task and record the change (who, when, before → after).

    `version` is the one the form was loaded at: if someone saved in between and the two
    versions differ, nothing is written and `TaskConflict` says what differs.
    """
    with transaction.atomic():
        if task is None:
            current = Task(network=network)
            before: dict[str, str] = {}
        else:
            current = (
                Task.objects.select_for_update(of=("self",))
                .select_related("area", "responsible")
                .get(pk=task.pk, network=network)
            )
            before = task_values(current)
        old_due = current.due_on
        for name in TASK_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        after = task_values(current)
        if task is None:
            changes = {name: ["", value] for name, value in after.items() if value}
        else:
            changes = diff(before, after)
        if task is not None and version is not None and version != current.version and changes:
            last = (
                TaskChange.objects.filter(task=current)
                .select_related("user")
                .order_by("-at", "-pk")
                .first()
            )
            rows = [
                (field_label(name), display_value(name, pair[0]), display_value(name, pair[1]))
                for name, pair in changes.items()
            ]
            raise TaskConflict(
                task=Task.objects.get(pk=current.pk),
                who=_who(last),
                at=last.at if last else current.updated_at,
                rows=rows,
            )
        if task is not None and not changes:
            return current
        if current.due_on != old_due or current.status not in ACTIVE_STATUSES:
            # A new deadline may become overdue again: the coordinators hear of it then.
            current.overdue_notified_at = None
        if task is not None:
            current.version += 1
        current.save()
        TaskChange.objects.create(
            task=current,
            network=network,
            subject=current.title[:300],
            user=user,
            action="created" if task is None else "changed",
            changes=changes,
        )
        Network.objects.filter(pk=network.pk).update(updated_at=timezone.now())
        return current


def overdue_tasks(network: Network, on: datetime.date | None = None) -> list[Task]:
    return list(
        network.tasks.filter(status__in=ACTIVE_STATUSES, due_on__lt=on or today()).select_related(
            "responsible"
        )
    )


# --- people to write to ----------------------------------------------------------------------


def representatives(organisation_ids: Iterable[int]) -> list[User]:
    """The active people who represent these organisations, each once."""
    ids = [str(i) for i in organisation_ids]
    if not ids:
        return []
    ct = ContentType.objects.get_for_model(Organisation)
    user_ids = (
        RoleAssignment.objects.active()
        .filter(role=Role.ORGANISATION_REPRESENTATIVE, scope_type=ct, scope_id__in=ids)
        .values("user_id")
    )
    return list(
        User.objects.filter(pk__in=user_ids, is_active=True, deleted_at__isnull=True)
        .exclude(email="")
        .order_by("pk")
    )


def member_ids(network: Network) -> list[int]:
    return list(
        network.memberships.filter(status=Membership.Status.MEMBER).values_list(
            "organisation_id", flat=True
        )
    )


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


# --- joint positions -------------------------------------------------------------------------


@transaction.atomic
def publish_position(
    *, user: User, network: Network, title: str, body: str, attachment: Any = None
) -> JointPosition:
    position = JointPosition(
        network=network, title=title, body=body, created_by=user, published_at=timezone.now()
    )
    if attachment:
        position.attachment = attachment
    position.save()
    return position


@transaction.atomic
def sign(position: JointPosition, organisation: Organisation, user: User) -> Signature:
    """A member organisation co-signs, through one of its representatives."""
    if not Membership.objects.filter(
        network_id=position.network_id, organisation=organisation, status=Membership.Status.MEMBER
    ).exists():
        raise NetworkError(_("Only member organisations can sign the network's positions."))
    if Signature.objects.filter(position=position, organisation=organisation).exists():
        raise NetworkError(_("The organisation has already signed this position."))
    return Signature.objects.create(position=position, organisation=organisation, signed_by=user)


# --- announcements ---------------------------------------------------------------------------


@transaction.atomic
def announce(*, user: User, network: Network, subject: str, body: str) -> Announcement:
    """One e-mail to every representative of every member organisation."""
    people = representatives(member_ids(network))
    announcement = Announcement.objects.create(
        network=network, subject=subject, body=body, sent_by=user, recipients_count=len(people)
    )
    url = _absolute(reverse("organisations:network-announcements", args=[network.pk]))
    with override(settings.LANGUAGE_CODE):
        messages = [
            render_email(
                person.email,
                f"{network.name}: {subject}",
                "organisations/email/network_announcement",
                {
                    "network": network,
                    "announcement": announcement,
                    "sender": user.public_name,
                    "url": url,
                },
            )
            for person in people
        ]
    if messages:
        enqueue_many(messages)
    return announcement


# --- overdue tasks ---------------------------------------------------------------------------


def notify_overdue(on: datetime.date | None = None) -> int:
    """Tell each network's coordinators, once per task, about tasks that became overdue.

    One e-mail per coordinator representative and network, listing its newly overdue tasks.
    Returns the number of tasks newly reported.
    """
    on = on or today()
    reported = 0
    network_ids = (
        Task.objects.filter(
            status__in=ACTIVE_STATUSES, due_on__lt=on, overdue_notified_at__isnull=True
        )
        .values_list("network_id", flat=True)
        .distinct()
    )
    for network_id in list(network_ids):
        with transaction.atomic():
            network = Network.objects.select_related("coordinator").get(pk=network_id)
            tasks = list(
                Task.objects.select_for_update(of=("self",))
                .filter(
                    network=network,
                    status__in=ACTIVE_STATUSES,
                    due_on__lt=on,
                    overdue_notified_at__isnull=True,
                )
                .select_related("responsible")
                .order_by("due_on", "pk")
            )
            if not tasks:
                continue
            people = representatives([network.coordinator_id])
            url = _absolute(reverse("organisations:network-plan", args=[network.pk]))
            with override(settings.LANGUAGE_CODE):
                messages = [
                    render_email(
                        person.email,
                        None,
                        "organisations/email/network_overdue",
                        {"network": network, "tasks": tasks, "url": url, "today": on},
                    )
                    for person in people
                ]
            Task.objects.filter(pk__in=[t.pk for t in tasks]).update(
                overdue_notified_at=timezone.now()
            )
            if messages:
                enqueue_many(messages)
            reported += len(tasks)
    return reported


# --- the plan's deadlines as a calendar (RFC 5545) -------------------------------------------


def plan_calendar(network: Network, tasks: Iterable[Task]) -> str:
    """The deadlines of the work plan: an all-day event on each task's due date (core.ical);
    a cancelled task is sent as a cancelled event."""
    plan_url = ical.absolute(reverse("organisations:network-plan", args=[network.pk]))
    events = []
    for task in tasks:
        details = [str(task.get_status_display()), f"{task.progress} %"]
        if task.responsible_id and task.responsible:
            details.append(task.responsible.name)
        if task.notes:
            details.append(task.notes)
        events.append(
            ical.DayEvent(
                uid=f"network-task-{task.pk}",
                day=task.due_on,
                summary=task.title,
                description="\n".join(details),
                url=plan_url + f"#task-{task.pk}",
                last_modified=task.updated_at,
                sequence=task.version,
                cancelled=task.status == Task.Status.CANCELLED,
            )
        )
    return ical.calendar(network.name, "networks", events)
