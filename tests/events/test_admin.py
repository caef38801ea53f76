"""Admin of events: every changelist and change page opens for a superuser; history is
read-only; certificates are revoked, never deleted."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from events.enums import RegistrationState
from events.models import (
    Attendance,
    Certificate,
    Feedback,
    Invitation,
    Material,
    Programme,
    RegistrationChange,
    Strand,
)
from tests.factories.events import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client, settings):
    # Administrators normally need a second factor (accounts.middleware); not under test here.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RequireTwoFactor" not in m]
    return admin_client


@pytest.fixture
def objects(territory):
    programme = Programme.objects.create(title="Обучения за НПО", is_demo=True)
    strand = Strand.objects.create(programme=programme, title="Партньорства", target_people=20)
    event = EventFactory(programme=programme, strand=strand)
    registration = RegistrationFactory(event=event, name="Мария Демирева")
    change = RegistrationChange.objects.create(
        registration=registration, to_state=RegistrationState.CONFIRMED
    )
    attendance = Attendance.objects.create(registration=registration, day=event.days[0])
    feedback = Feedback.objects.create(registration=registration, rating=5, usefulness=4)
    certificate = Certificate.objects.create(
        registration=registration, code="ABCDEFGH23", name=registration.name,
        event_title=event.title, first_day=event.days[0], last_day=event.days[-1], hours=16,
        organiser_name=str(event.organiser),
    )  # fmt: skip
    material = Material.objects.create(
        event=event, title="Презентация", url="https://example.org/p"
    )
    invitation = Invitation.objects.create(event=event, email="pokana@example.org", code="INV123")
    return {
        "event": event,
        "programme": programme,
        "registration": registration,
        "registrationchange": change,
        "attendance": attendance,
        "feedback": feedback,
        "certificate": certificate,
        "material": material,
        "invitation": invitation,
    }


MODELS = [
    "event", "programme", "registration", "registrationchange", "attendance", "feedback",
    "certificate", "material", "invitation",
]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_page_open(staff, objects, model):
    obj = objects[model]
    assert staff.get(f"/admin/events/{model}/").status_code == 200
    response = staff.get(f"/admin/events/{model}/{obj.pk}/change/")
    assert response.status_code == 200, model


@pytest.mark.parametrize("model", ["event", "programme", "material"])
def test_add_pages_open(staff, objects, model):
    assert staff.get(f"/admin/events/{model}/add/").status_code == 200


def test_event_page_has_sessions_inline_and_read_only_counters(staff, objects):
    html = staff.get(f"/admin/events/event/{objects['event'].pk}/change/").content.decode()
    assert "sessions-TOTAL_FORMS" in html
    assert 'name="confirmed_count"' not in html and 'name="state"' not in html
    html = staff.get(f"/admin/events/programme/{objects['programme'].pk}/change/").content
    assert b"strands-TOTAL_FORMS" in html


@pytest.mark.parametrize("model", ["registrationchange", "attendance", "feedback"])
def test_history_is_read_only(staff, objects, model):
    obj = objects[model]
    assert staff.get(f"/admin/events/{model}/add/").status_code == 403
    assert b'name="_save"' not in staff.get(f"/admin/events/{model}/{obj.pk}/change/").content
    assert staff.post(f"/admin/events/{model}/{obj.pk}/delete/").status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_registration_state_cannot_be_edited_or_deleted(staff, objects):
    registration = objects["registration"]
    html = staff.get(f"/admin/events/registration/{registration.pk}/change/").content.decode()
    assert 'name="state"' not in html and 'name="name"' in html
    assert staff.post(f"/admin/events/registration/{registration.pk}/delete/").status_code == 403
    assert staff.get("/admin/events/registration/add/").status_code == 403


def test_revoking_certificates(staff, objects):
    certificate = objects["certificate"]
    response = staff.post(
        "/admin/events/certificate/",
        {"action": "revoke", "_selected_action": [certificate.pk]},
        follow=True,
    )
    assert response.status_code == 200
    certificate.refresh_from_db()
    first = certificate.revoked_at
    assert first is not None and timezone.now() - first < datetime.timedelta(minutes=1)
    # Revoking again keeps the first time.
    staff.post(
        "/admin/events/certificate/", {"action": "revoke", "_selected_action": [certificate.pk]}
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at == first
    assert staff.post(f"/admin/events/certificate/{certificate.pk}/delete/").status_code == 403
