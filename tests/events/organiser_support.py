"""Shared set-up of the organiser's tests: signing in past the second factor, the ladder of
people, the three kinds of organiser, a valid event form."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from core.legal_calendar import SOFIA
from events.enums import Audience, Format, Kind, State
from events.models import Event
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory, representative_of


def organiser_of(event: Event) -> User:
    """A new person who organises `event`: staff, representative or coordinator."""
    user = UserFactory()
    if event.institution_id:
        staff_of(event.institution, user)
    elif event.organisation_id:
        representative_of(event.organisation, user)
    else:
        representative_of(event.network.coordinator, user)
    return user


def ladder(event: Event) -> dict[str, User]:
    """Everyone on the ladder except the anonymous visitor, for `event`."""
    other_staff = UserFactory()
    staff_of(generated("ma:PDV01"), other_staff)
    unrelated = UserFactory()
    representative_of(OrganisationFactory(), unrelated)
    registrant = RegistrationFactory(event=event).user
    return {
        "citizen": UserFactory(),
        "registrant": registrant,
        "staff of another institution": other_staff,
        "representative of another organisation": unrelated,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "organiser": organiser_of(event),
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }


ALLOWED = {"organiser", "administrator"}


def organisation_event(**kwargs: object) -> Event:
    return EventFactory(institution=None, organisation=OrganisationFactory(), **kwargs)


def network_event(**kwargs: object) -> Event:
    return EventFactory(institution=None, network=NetworkFactory(), **kwargs)


def draft(**kwargs: object) -> Event:
    return EventFactory(state=State.DRAFT, published_at=None, **kwargs)


def sofia_today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def in_days(n: int) -> datetime.date:
    return sofia_today() + datetime.timedelta(days=n)


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def event_data(**changes: object) -> dict[str, object]:
    """A valid event form: a two-day training in Plovdiv in 20 days, 20 places, one session."""
    first, second = in_days(20), in_days(21)
    data: dict[str, object] = {
        "kind": Kind.TRAINING,
        "title": "Обучение: застъпнически кампании",
        "description": "Две дни упражнения за **представители на НПО**.",
        "starts_on": first.isoformat(),
        "starts_time": "09:30",
        "ends_on": second.isoformat(),
        "ends_time": "17:00",
        "format": Format.IN_PERSON,
        "venue": "Зала „Съединение“",
        "address": "пл. „Стефан Стамболов“ 1",
        "province": "PDV",
        "municipality": "PDV22",
        "settlement": "56784",
        "online_url": "",
        "capacity": "20",
        "audience": Audience.EVERYONE,
        "registration_opens_on": "",
        "registration_opens_time": "",
        "registration_closes_on": in_days(19).isoformat(),
        "registration_closes_time": "18:00",
        "ask_organisation": "on",
        "ask_accessibility": "on",
        "free_question": "",
        "hours": "16",
        "programme": "",
        "strand": "",
        "related_network": "",
        **management("sessions", total=1),
        "sessions-0-day": first.isoformat(),
        "sessions-0-starts": "09:30",
        "sessions-0-ends": "12:30",
        "sessions-0-title": "Какво е застъпничество",
        "sessions-0-speakers": "Мария Иванова",
    }
    data.update(changes)
    return data


def edit_data(event: Event, **changes: object) -> dict[str, object]:
    """The edit form of `event` as the page shows it (its sessions as the first rows), with
    `changes` on top."""
    local_start = event.starts_at.astimezone(SOFIA)
    local_end = event.ends_at.astimezone(SOFIA)
    sessions = list(event.sessions.all())
    data = event_data(
        kind=event.kind,
        title=event.title,
        description=event.description,
        starts_on=local_start.date().isoformat(),
        starts_time=local_start.strftime("%H:%M"),
        ends_on=local_end.date().isoformat(),
        ends_time=local_end.strftime("%H:%M"),
        format=event.format,
        venue=event.venue,
        address=event.address,
        province=event.province_id or "",
        municipality=event.municipality_id or "",
        settlement=event.settlement_id or "",
        capacity="" if event.capacity is None else str(event.capacity),
        audience=event.audience,
        hours="" if event.hours is None else str(event.hours),
        version=str(event.version),
    )
    for name in ("registration_opens", "registration_closes"):
        moment = getattr(event, f"{name}_at")
        local = moment.astimezone(SOFIA) if moment else None
        data[f"{name}_on"] = local.date().isoformat() if local else ""
        data[f"{name}_time"] = local.strftime("%H:%M") if local else ""
    data.pop("ask_organisation", None)
    data.pop("ask_accessibility", None)
    for name in ("requires_approval", "ask_organisation", "ask_position", "ask_accessibility"):
        if getattr(event, name):
            data[name] = "on"
    for key in [k for k in data if k.startswith("sessions-")]:
        del data[key]
    data.update(management("sessions", total=len(sessions), initial=len(sessions)))
    for n, session in enumerate(sessions):
        data.update(
            {
                f"sessions-{n}-id": str(session.pk),
                f"sessions-{n}-event": str(event.pk),
                f"sessions-{n}-day": session.day.isoformat(),
                f"sessions-{n}-starts": session.starts.strftime("%H:%M"),
                f"sessions-{n}-ends": session.ends.strftime("%H:%M") if session.ends else "",
                f"sessions-{n}-title": session.title,
                f"sessions-{n}-speakers": session.speakers,
            }
        )
    data.update(changes)
    return data


def field_block(html: str, name: str) -> str:
    """The `.field` block of the input named `name` (where its error message must be)."""
    match = re.search(
        r'<div class="field[^"]*">(?:(?!<div class="field).)*?name="' + re.escape(name) + '"',
        html,
        re.S,
    )
    assert match, f"no field {name}"
    return match.group(0)
