"""The steps on a proposal or signal, through its pages: who may take each (the staff of its
institution and administrators handle it; the filer and their organisation's representatives
withdraw it and choose what is public; everyone else gets a 404), each step's happy path,
bad input shown next to the field with nothing changed, an old page refused, and a step not
possible in the current state."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from monitoring.enums import SignalEventKind, SignalKind, SignalStatus
from monitoring.models import Signal
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.monitoring import SignalFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def people():
    staff = UserFactory(email="staff@plovdiv.example.bg")
    staff_of(generated("ma:PDV22"), staff)
    other_staff = UserFactory()
    staff_of(generated("ma:VAR01"), other_staff)
    ngo = OrganisationFactory()
    representative = UserFactory()
    representative_of(ngo, representative)
    return {
        "anonymous": None,
        "filer": UserFactory(email="filer@example.org"),
        "citizen": UserFactory(),
        "representative": representative,
        "staff": staff,
        "other staff": other_staff,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
        "ngo": ngo,
    }


def _signal(people, **kwargs) -> Signal:
    fields = {
        "filer": people["filer"],
        "filer_email": "filer@example.org",
        "organisation": people["ngo"],
        "is_public": True,
        "status": SignalStatus.SUBMITTED,
        "registration_number": "",
        "registered_on": None,
        "received_on": date(2026, 11, 20),
        "due_on": date(2027, 1, 20),
    }
    fields.update(kwargs)
    return SignalFactory(**fields)


def _url(name: str, signal: Signal) -> str:
    return reverse(f"monitoring:signal-{name}", args=[signal.pk])


HANDLERS = {"staff", "administrator"}
FILERS = {"filer", "representative"}
ROLES = [
    "anonymous",
    "filer",
    "citizen",
    "representative",
    "staff",
    "other staff",
    "moderator",
    "administrator",
]


@pytest.mark.parametrize("step", ["register", "no-proceedings", "extend", "forward", "document"])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_institution_handles_it(people, step, role):
    signal = _signal(people)
    response = signed_in(people[role]).get(_url(step, signal))
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == (200 if role in HANDLERS else 404)


@pytest.mark.parametrize("step", ["withdraw", "visibility"])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_filer_withdraws_and_chooses_what_is_public(people, step, role):
    signal = _signal(people)
    response = signed_in(people[role]).get(_url(step, signal))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in FILERS else 404)


def test_a_private_signal_step_is_a_404_to_another_institution(people):
    signal = _signal(people, is_public=False)
    assert signed_in(people["other staff"]).post(_url("register", signal)).status_code == 404
    assert signed_in(people["citizen"]).post(_url("withdraw", signal)).status_code == 404


def test_posting_without_permission_changes_nothing(people):
    signal = _signal(people)
    data = {"version": signal.version, "number": "1", "registered_on": "2026-11-20"}
    for role in ("filer", "citizen", "other staff", "moderator"):
        assert signed_in(people[role]).post(_url("register", signal), data).status_code == 404
    assert Signal.objects.get().status == SignalStatus.SUBMITTED


# --- each step -------------------------------------------------------------------------------


def test_register(people, mailbox):
    signal = _signal(people)
    client = signed_in(people["staff"])
    response = client.post(
        _url("register", signal),
        {"version": signal.version, "number": "94-00-8", "registered_on": "2026-11-23"},
    )
    assert response.status_code == 302 and response["Location"] == signal.get_absolute_url()
    signal.refresh_from_db()
    assert signal.status == SignalStatus.REGISTERED and signal.registration_number == "94-00-8"
    assert len(mailbox.to("filer@example.org")) == 1
    # Not possible any more: back to the page with a message.
    response = client.get(_url("register", signal), follow=True)
    assert _("This step is not possible in the record's current state.") in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"number": "", "registered_on": "2026-11-23"}, "number"),
        ({"number": "1", "registered_on": "2026-11-19"}, "registered_on"),  # before the receipt
        ({"number": "1", "registered_on": "2099-01-01"}, "registered_on"),
        ({"number": "1", "registered_on": "32.13.2026"}, "registered_on"),
    ],
)
def test_register_bad_input(people, data, field):
    signal = _signal(people)
    response = signed_in(people["staff"]).post(
        _url("register", signal), {"version": signal.version, **data}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'href="#id_{field}"' in response.content.decode()
    assert Signal.objects.get().status == SignalStatus.SUBMITTED


def test_an_old_page_is_refused_and_shows_the_current_state(people):
    signal = _signal(people)
    old = signal.version
    Signal.objects.filter(pk=signal.pk).update(version=old + 1)
    response = signed_in(people["staff"]).post(
        _url("no-proceedings", signal),
        {"version": old, "ground": "other", "reason": "Извън компетентност."},
    )
    assert response.status_code == 200
    assert response.context["form"]["version"].value() == str(old + 1)
    assert response.context["form"].non_field_errors()
    assert Signal.objects.get().status == SignalStatus.SUBMITTED


def test_no_proceedings(people):
    signal = _signal(people, is_anonymous=True, due_on=None, filer_name="", filer_address="")
    client = signed_in(people["staff"])
    page = client.get(_url("no-proceedings", signal))
    assert page.context["form"]["ground"].value() == "anonymous"  # suggested
    response = client.post(
        _url("no-proceedings", signal),
        {"version": signal.version, "ground": "anonymous", "reason": "Без име и адрес."},
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NO_PROCEEDINGS
    assert "Без име и адрес." in signal.events.get().note


def test_extend(people, mailbox):
    signal = _signal(people)
    client = signed_in(people["staff"])
    page = client.get(_url("extend", signal)).content.decode()
    assert 'value="7"' not in page and 'value="6"' in page and 'value="2"' not in page
    response = client.post(
        _url("extend", signal),
        {"version": signal.version, "months": "6", "on": "2026-12-01", "note": "Заповед № 3."},
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.extended_months == 6 and signal.due_on == date(2027, 5, 20)
    assert "20.05.2027" in mailbox.body(mailbox.to("filer@example.org")[0])
    # At 6 months nothing is left to extend: the step is no longer offered.
    html = client.get(signal.get_absolute_url()).content.decode()
    assert f'href="{_url("extend", signal)}"' not in html


def test_extend_bad_input(people):
    signal = _signal(people)
    response = signed_in(people["staff"]).post(
        _url("extend", signal),
        {"version": signal.version, "months": "9", "on": "2026-11-19", "note": ""},
    )
    errors = response.context["form"].errors
    assert {"months", "on", "note"} <= set(errors)
    assert Signal.objects.get().extended_months is None


def test_a_signal_cannot_be_extended(people):
    signal = _signal(people, kind=SignalKind.SIGNAL, event_on=date(2026, 11, 1))
    response = signed_in(people["staff"]).get(_url("extend", signal))
    assert response.status_code == 302


def test_forward_to_the_directory(people, mailbox):
    signal = _signal(people)
    regional = generated("oa:PDV")
    client = signed_in(people["staff"])
    page = client.get(_url("forward", signal)).content.decode()
    assert f'<option value="{regional.pk}">' in page
    assert f'<option value="{signal.institution_id}">' not in page  # not to itself
    assert "27.11.2026" in page  # forward by: 7 days from the receipt
    sofia = client.get(_url("forward", signal), {"municipality": "SOF46"}).content.decode()
    assert f'<option value="{generated("ma:SOF46").pk}">' in sofia
    response = client.post(
        _url("forward", signal),
        {"version": signal.version, "to": str(regional.pk), "on": "2026-11-25", "note": ""},
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.FORWARDED
    new = Signal.objects.get(forwarded_from=signal)
    assert new.institution == regional
    html = Client().get(signal.get_absolute_url()).content.decode()
    assert new.get_absolute_url() in html
    # The staff of the body it was forwarded to see a private one too.
    Signal.objects.filter(pk=signal.pk).update(is_public=False)
    regional_staff = UserFactory()
    staff_of(regional, regional_staff)
    assert signed_in(regional_staff).get(signal.get_absolute_url()).status_code == 200


def test_forward_bad_input(people):
    signal = _signal(people)
    client = signed_in(people["staff"])
    nowhere = client.post(_url("forward", signal), {"version": signal.version, "on": "2026-11-25"})
    assert "to" in nowhere.context["form"].errors
    both = client.post(
        _url("forward", signal),
        {
            "version": signal.version,
            "to": str(generated("oa:PDV").pk),
            "to_name": "РЗИ",
            "on": "2026-11-19",
        },
    )
    assert {"to_name", "on"} <= set(both.context["form"].errors)
    assert Signal.objects.count() == 1


def test_answer(people, mailbox):
    signal = _signal(
        people,
        status=SignalStatus.REGISTERED,
        registration_number="1",
        registered_on=date(2026, 11, 21),
    )
    client = signed_in(people["staff"])
    response = client.post(
        _url("answer", signal),
        {
            "version": signal.version,
            "outcome": "partly",
            "decided_on": "2026-12-01",
            "answer": "Ще бъде **обсъдено**.",
        },
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ANSWERED and signal.answered_on_time is True
    assert signal.communicated_on == date(2026, 12, 1)
    assert "обсъдено" in mailbox.body(mailbox.to("filer@example.org")[0])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decided_on": "2026-11-20"}, "decided_on"),  # before the registration (21.11)
        ({"answer": ""}, "answer"),
        ({"outcome": ""}, "outcome"),
        ({"communicated_on": "2026-11-30"}, "communicated_on"),  # before the decision
        ({"answer": "ЕГН на служителя: 7501010010"}, "answer"),
    ],
)
def test_answer_bad_input(people, data, field):
    signal = _signal(
        people,
        status=SignalStatus.REGISTERED,
        registration_number="1",
        registered_on=date(2026, 11, 21),
    )
    post = {
        "version": signal.version,
        "outcome": "accepted",
        "decided_on": "2026-12-01",
        "answer": "Да.",
        **data,
    }
    response = signed_in(people["staff"]).post(_url("answer", signal), post)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Signal.objects.get().status == SignalStatus.REGISTERED


def test_add_a_document(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    signal = _signal(people)
    client = signed_in(people["staff"])
    response = client.post(
        _url("document", signal),
        {
            "version": signal.version,
            "title": "Решение № 15",
            "kind": "decision",
            "is_public": "on",
            "file": SimpleUploadedFile("r.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert signal.documents.get().title == "Решение № 15"
    refused = client.post(
        _url("document", signal),
        {
            "version": signal.version + 1,
            "title": "Скрипт",
            "kind": "other",
            "file": SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>"),
        },
    )
    assert "file" in refused.context["form"].errors
    assert signal.documents.count() == 1


def test_withdraw(people, mailbox):
    signal = _signal(people)
    response = signed_in(people["representative"]).post(
        _url("withdraw", signal), {"version": signal.version, "note": ""}
    )
    assert response.status_code == 302
    assert Signal.objects.get().status == SignalStatus.WITHDRAWN
    assert len(mailbox.to(generated("ma:PDV22").email)) == 1


def test_visibility(people):
    signal = _signal(people, is_public=True, show_name=False)
    client = signed_in(people["filer"])
    response = client.post(_url("visibility", signal), {"version": signal.version})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert not signal.is_public and not signal.show_name
    assert Client().get(signal.get_absolute_url()).status_code == 404
    note = signal.events.get(kind=SignalEventKind.NOTE)
    assert not note.is_public
    html = client.get(signal.get_absolute_url()).content.decode()
    assert note.note not in html  # the staff's record, not the public timeline
