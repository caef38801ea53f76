"""The workflow of information requests (monitoring/services/requests.py): every transition
with its deadline on real Bulgarian dates (holidays included), the limits of the law, the
timeline, the e-mails as the SMTP server receives them, and the daily check."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from monitoring.enums import (
    AccessForm,
    Channel,
    DocumentKind,
    ExtensionReason,
    RefusalGround,
    RequestEventKind,
    RequestStatus,
)
from monitoring.models import InformationRequest, RequestEvent
from monitoring.services import requests as services
from monitoring.services.common import MonitoringError, StaleVersion
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.monitoring import InformationRequestFactory
from tests.monitoring import test_requests_support as support
from tests.monitoring.test_requests_support import (
    D,
    docx,
    pdf,
    statutory_fields,
)

pytestmark = pytest.mark.django_db

# The shared fixtures (a module of their own: tests/conftest.py is not this part's).
clock = support.clock
fresh_cache = support.fresh_cache
media = support.media
people = support.people


def filed(people, **changes) -> InformationRequest:
    return services.file(people.plovdiv, by=people["requester"], **statutory_fields(**changes))


def registered(people, clock, on: str = "2026-12-03") -> InformationRequest:
    """Filed and registered on `on` (today stays as it was)."""
    saved, clock.today = clock.today, D(on)
    req = filed(people)
    clock.today = saved
    return services.register(req, number="94-00-1", registered_on=D(on), by=people["staff"])


def kinds(req: InformationRequest) -> list[str]:
    return list(req.events.order_by("at", "pk").values_list("kind", flat=True))


# --- filing ----------------------------------------------------------------------------------


def test_filing_sends_the_four_fields_to_the_institution_and_a_link_to_the_requester(
    people, mailbox
):
    req = filed(people, access_form=AccessForm.PAPER)
    assert req.status == RequestStatus.SUBMITTED
    assert req.filed_on == D("2026-12-06")
    # 6.12 + 14 = 20.12, a Sunday → Monday 21.12.
    assert req.due_on == D("2026-12-21")
    assert req.channel == Channel.PLATFORM and req.requester == people["requester"]
    assert kinds(req) == [RequestEventKind.FILED, RequestEventKind.SENT]

    official = mailbox.to(people.plovdiv.email)
    staff = mailbox.to(people["staff"].email)
    assert len(official) == 1 and len(staff) == 1
    body = mailbox.body(official[0])
    for statutory in (
        "Мария Иванова Петрова",  # т. 1
        "Моля, предоставете копия на договорите",  # т. 2
        str(AccessForm.PAPER.label),  # т. 3
        "ул. „Тестова“ 1",  # т. 4
    ):
        assert statutory in body
    assert req.get_absolute_url() in body
    # One message per address: staff never see each other's addresses.
    assert people["staff"].email not in str(official[0]["To"])

    mine = mailbox.to("maria.requester@example.org")
    assert len(mine) == 1
    text = mailbox.body(mine[0])
    assert f"http://testserver{req.get_absolute_url()}" in text or req.get_absolute_url() in text
    # Nothing of other people: not the staff's nor the institution's addresses.
    assert people["staff"].email not in text and people.plovdiv.email not in text


def test_filing_on_behalf_of_an_organisation_needs_its_representative(people):
    with pytest.raises(MonitoringError):
        services.file(
            people.plovdiv,
            by=people["requester"],
            organisation=people.organisation,
            **statutory_fields(),
        )
    assert not InformationRequest.objects.exists()
    req = services.file(
        people.plovdiv,
        by=people["representative"],
        organisation=people.organisation,
        **statutory_fields(show_name=True),
    )
    assert req.public_name == people.organisation.name


# --- logging ---------------------------------------------------------------------------------


def test_logging_a_request_filed_on_pitay_with_its_registration(people, mailbox):
    req = services.log(
        people.plovdiv,
        by=people["requester"],
        requester=people["requester"],
        channel=Channel.PITAY,
        filed_on=D("2026-12-01"),
        external_reference="ЗДОИ-2026-123",
        registration_number="94-00-7",
        registered_on=D("2026-12-02"),
        **statutory_fields(),
    )
    assert req.status == RequestStatus.REGISTERED
    assert req.due_on == D("2026-12-16")
    assert not req.is_overdue
    assert kinds(req) == [RequestEventKind.LOGGED, RequestEventKind.REGISTERED]
    # Nothing is sent: the institution has it already.
    assert mailbox.messages == []


def test_staff_log_a_request_of_someone_without_an_account(people):
    req = services.log(
        people.plovdiv,
        by=people["staff"],
        requester=None,
        channel=Channel.IN_PERSON,
        filed_on=D("2026-12-04"),
        **statutory_fields(requester_email=""),
    )
    assert req.requester is None and req.created_by == people["staff"]
    with pytest.raises(PermissionDenied):
        services.log(
            people.plovdiv,
            by=people["other staff"],
            requester=None,
            channel=Channel.POST,
            filed_on=D("2026-12-04"),
            **statutory_fields(),
        )
    with pytest.raises(PermissionDenied):  # a citizen logs only their own
        services.log(
            people.plovdiv,
            by=people["citizen"],
            requester=people["requester"],
            channel=Channel.POST,
            filed_on=D("2026-12-04"),
            **statutory_fields(),
        )


@pytest.mark.parametrize(
    ("filed_on", "registered_on"),
    [("2026-12-07", None), ("2026-12-01", "2026-12-07"), ("2026-12-03", "2026-12-02")],
)
def test_logging_refuses_future_dates_and_a_registration_before_the_filing(
    people, filed_on, registered_on
):
    with pytest.raises(MonitoringError):
        services.log(
            people.plovdiv,
            by=people["requester"],
            requester=people["requester"],
            channel=Channel.EMAIL,
            filed_on=D(filed_on),
            registration_number="1" if registered_on else "",
            registered_on=D(registered_on) if registered_on else None,
            **statutory_fields(),
        )
    assert not InformationRequest.objects.exists()


def test_a_request_logged_past_its_deadline_is_overdue_at_once(people, mailbox):
    req = services.log(
        people.plovdiv,
        by=people["requester"],
        requester=people["requester"],
        channel=Channel.POST,
        filed_on=D("2026-11-02"),
        registration_number="12",
        registered_on=D("2026-11-02"),
        **statutory_fields(),
    )
    assert req.is_overdue and req.overdue_since == D("2026-11-17")
    assert RequestEventKind.OVERDUE in kinds(req)


# --- registration and the 14 days ------------------------------------------------------------


def test_registration_sets_the_deadline_with_real_holidays(people, clock):
    req = filed(people)
    clock.today = D("2026-12-10")
    req = services.register(
        req, number="94-00-1", registered_on=D("2026-12-10"), by=people["staff"], version=1
    )
    # 24.12 + Christmas 24–26 and 28.12 (КТ чл. 154): due on Tuesday 29.12.2026.
    assert req.status == RequestStatus.REGISTERED
    assert req.due_on == D("2026-12-29")
    assert req.version == 2
    event = req.events.get(kind=RequestEventKind.REGISTERED)
    assert event.on == D("2026-12-10") and event.by == people["staff"]
    assert (event.from_status, event.to_status) == ("submitted", "registered")
    assert event.details == {"number": "94-00-1", "due_on": "2026-12-29"}


def test_registration_refuses_bad_dates_others_and_stale_pages(people, clock):
    req = filed(people)
    with pytest.raises(MonitoringError):
        services.register(req, number="1", registered_on=D("2026-12-07"), by=people["staff"])
    with pytest.raises(MonitoringError):
        services.register(req, number="1", registered_on=D("2026-12-05"), by=people["staff"])
    for role in ("requester", "other staff", "moderator"):
        with pytest.raises(PermissionDenied):
            services.register(req, number="1", registered_on=D("2026-12-06"), by=people[role])
    services.register(req, number="1", registered_on=D("2026-12-06"), by=people["staff"])
    with pytest.raises(StaleVersion):
        services.forward(req, on=D("2026-12-06"), note="", to_name="МРРБ", by=people["staff"],
                         version=1)  # fmt: skip
    with pytest.raises(MonitoringError):  # not twice
        services.register(req, number="2", registered_on=D("2026-12-06"), by=people["staff"])
    req.refresh_from_db()
    assert req.registration_number == "1" and req.status == RequestStatus.REGISTERED


# --- clarification ---------------------------------------------------------------------------


def test_clarification_stops_the_deadline_and_restarts_the_14_days(people, clock, mailbox):
    req = registered(people, clock)
    mailbox.clear()
    req = services.ask_clarification(
        req, on=D("2026-12-04"), note="Кои договори: за пътища или за тротоари?",
        by=people["staff"],
    )  # fmt: skip
    assert req.status == RequestStatus.CLARIFICATION
    assert req.due_on is None
    assert req.clarification_due_on == D("2027-01-04")  # 3.1.2027 is a Sunday
    [message] = mailbox.to("maria.requester@example.org")
    assert "Кои договори" in mailbox.body(message)
    assert req.get_absolute_url() in mailbox.body(message)

    clock.today = D("2026-12-18")
    mailbox.clear()
    req = services.clarify(req, text="За пътищата.", by=people["requester"])
    assert req.status == RequestStatus.REGISTERED
    assert req.clarified_on == D("2026-12-18")
    # 18.12 + 14 = 1.1.2027, a holiday → Monday 4.1.2027.
    assert req.due_on == D("2027-01-04")
    assert mailbox.to(people["staff"].email)
    assert not mailbox.to("maria.requester@example.org")


def test_only_the_requester_clarifies_and_only_in_time(people, clock):
    req = registered(people, clock)
    services.ask_clarification(req, on=D("2026-12-04"), note="Уточнете.", by=people["staff"])
    with pytest.raises(PermissionDenied):
        services.clarify(req, text="x", by=people["citizen"])
    clock.today = D("2027-01-05")
    with pytest.raises(MonitoringError):
        services.clarify(req, text="Късно.", by=people["requester"])


def test_a_clarification_not_given_in_time_lapses(people, clock, mailbox):
    req = registered(people, clock)
    services.ask_clarification(req, on=D("2026-12-04"), note="Уточнете.", by=people["staff"])
    assert services.check_deadlines(D("2027-01-04")) == 0  # the last day itself
    mailbox.clear()
    assert services.check_deadlines(D("2027-01-05")) == 1
    req.refresh_from_db()
    assert req.status == RequestStatus.NO_CONSIDERATION
    lapsed = req.events.get(kind=RequestEventKind.LAPSED)
    assert lapsed.on == D("2027-01-05") and lapsed.by is None
    assert len(mailbox.to("maria.requester@example.org")) == 1
    assert services.check_deadlines(D("2027-01-05")) == 0


# --- extension -------------------------------------------------------------------------------


def test_extension_for_a_large_volume_once_with_a_notice(people, clock, mailbox):
    req = registered(people, clock, on="2026-12-03")
    assert req.due_on == D("2026-12-17")
    mailbox.clear()
    req = services.extend(
        req, reason=ExtensionReason.LARGE_VOLUME, days=10, note="Над 300 договора.",
        by=people["staff"],
    )  # fmt: skip
    # 3.12 + 24 days = 27.12, a Sunday → 29.12 (28.12 is a day off).
    assert req.due_on == D("2026-12-29")
    assert (req.extension_reason, req.extension_days) == ("large_volume", 10)
    [notice] = mailbox.to("maria.requester@example.org")
    assert str(ExtensionReason.LARGE_VOLUME.label) in mailbox.body(notice)
    with pytest.raises(MonitoringError, match="10"):
        services.extend(
            req, reason=ExtensionReason.THIRD_PARTY, days=3, note="", by=people["staff"]
        )


@pytest.mark.parametrize(
    ("reason", "days", "ok"),
    [
        (ExtensionReason.LARGE_VOLUME, 10, True),
        (ExtensionReason.LARGE_VOLUME, 11, False),
        (ExtensionReason.THIRD_PARTY, 14, True),
        (ExtensionReason.THIRD_PARTY, 15, False),
        (ExtensionReason.LARGE_VOLUME, 0, False),
    ],
)
def test_extension_limits_by_reason(people, clock, reason, days, ok):
    req = registered(people, clock)
    if ok:
        services.extend(req, reason=reason, days=days, note="", by=people["staff"])
    else:
        with pytest.raises(MonitoringError):
            services.extend(req, reason=reason, days=days, note="", by=people["staff"])
        req.refresh_from_db()
        assert req.extension_days == 0 and req.due_on == D("2026-12-17")


@override_settings(MONITORING_ZDOI_VOLUME_EXTENSION_DAYS=5)
def test_extension_limit_comes_from_the_settings(people, clock):
    req = registered(people, clock)
    with pytest.raises(MonitoringError, match="5"):
        services.extend(
            req, reason=ExtensionReason.LARGE_VOLUME, days=6, note="", by=people["staff"]
        )
    req = services.extend(
        req, reason=ExtensionReason.LARGE_VOLUME, days=5, note="", by=people["staff"]
    )
    assert req.due_on == D("2026-12-22")


# --- forwarding ------------------------------------------------------------------------------


def test_forwarding_to_an_institution_of_the_directory_files_it_there(people, clock, mailbox):
    req = registered(people, clock)
    regional = generated("oa:PDV")
    mailbox.clear()
    req = services.forward(
        req, on=D("2026-12-04"), note="Информацията е в областната администрация.",
        by=people["staff"], to_institution=regional,
    )  # fmt: skip
    assert req.status == RequestStatus.FORWARDED and req.forwarded_to == regional
    new = InformationRequest.objects.get(forwarded_from=req)
    assert new.institution == regional and new.status == RequestStatus.SUBMITTED
    assert new.filed_on == D("2026-12-04") and new.due_on == D("2026-12-18")
    assert (new.requester, new.requester_name, new.is_public) == (
        req.requester, req.requester_name, req.is_public,
    )  # fmt: skip
    assert new.municipality_id is None and new.province_id == "PDV"
    assert len(mailbox.to(regional.email)) == 1
    [notice] = mailbox.to("maria.requester@example.org")
    assert new.get_absolute_url() in mailbox.body(notice)
    assert regional.name in mailbox.body(notice)


def test_forwarding_to_a_body_outside_the_directory(people, clock):
    req = registered(people, clock)
    with pytest.raises(MonitoringError):
        services.forward(req, on=D("2026-12-04"), note="", by=people["staff"])
    with pytest.raises(MonitoringError):
        services.forward(
            req, on=D("2026-12-04"), note="", by=people["staff"], to_institution=people.plovdiv
        )
    req = services.forward(req, on=D("2026-12-04"), note="", by=people["staff"], to_name="НАП")
    assert (
        req.forwarded_to_name == "НАП"
        and not InformationRequest.objects.filter(forwarded_from=req).exists()
    )


# --- decision --------------------------------------------------------------------------------


def test_a_refusal_on_time_with_its_ground_and_the_appeal_route(people, clock, mailbox, media):
    req = registered(people, clock)
    mailbox.clear()
    req = services.decide(
        req, outcome=RequestStatus.REFUSED, decided_on=D("2026-12-05"),
        answer="Отказ: **търговска тайна** на изпълнителя.", by=people["staff"],
        refusal_ground=RefusalGround.THIRD_PARTY,
        documents=[(pdf(), "Решение № 5", DocumentKind.DECISION)],
    )  # fmt: skip
    assert req.status == RequestStatus.REFUSED
    assert req.answered_on_time is True and req.days_to_answer == 2
    assert not req.is_overdue
    assert req.documents.get().title == "Решение № 5"
    [message] = mailbox.to("maria.requester@example.org")
    body = mailbox.body(message)
    assert req.get_absolute_url() in body
    assert "pitay.government.bg/help-section/help-appeal" in body
    assert "21.12.2026" in body  # 5.12 + 14 days = 19.12, a Saturday


def test_a_late_decision_is_marked_late_and_clears_overdue(people, clock):
    req = registered(people, clock, on="2026-11-16")  # due 30.11
    assert req.is_overdue
    req = services.decide(
        req, outcome=RequestStatus.GRANTED, decided_on=D("2026-12-04"), answer="Приложено.",
        by=people["staff"],
    )  # fmt: skip
    assert req.answered_on_time is False and req.days_to_answer == 18
    assert not req.is_overdue and req.overdue_since is None


@pytest.mark.parametrize(
    ("outcome", "ground", "decided_on"),
    [
        (RequestStatus.REFUSED, "", "2026-12-05"),  # a refusal needs its ground
        (RequestStatus.GRANTED, RefusalGround.SECRET, "2026-12-05"),  # no ground for a grant
        (RequestStatus.GRANTED, "", "2026-12-02"),  # before the registration (3.12)
        (RequestStatus.GRANTED, "", "2026-12-07"),  # in the future
        (RequestStatus.FORWARDED, "", "2026-12-05"),  # not an outcome
    ],
)
def test_bad_decisions_are_refused_and_nothing_changes(people, clock, outcome, ground, decided_on):
    req = registered(people, clock)
    with pytest.raises(MonitoringError):
        services.decide(
            req, outcome=outcome, decided_on=D(decided_on), answer="", refusal_ground=ground,
            by=people["staff"],
        )  # fmt: skip
    req.refresh_from_db()
    assert req.status == RequestStatus.REGISTERED and req.decided_on is None
    assert not req.events.filter(kind=RequestEventKind.DECIDED).exists()


def test_no_decision_before_registration(people):
    req = filed(people)
    with pytest.raises(MonitoringError):
        services.decide(
            req, outcome=RequestStatus.GRANTED, decided_on=D("2026-12-06"), answer="",
            by=people["staff"],
        )  # fmt: skip
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED


def test_partial_access_may_give_a_ground(people, clock):
    req = registered(people, clock)
    req = services.decide(
        req, outcome=RequestStatus.PARTIAL, decided_on=D("2026-12-06"), answer="Частично.",
        refusal_ground=RefusalGround.SECRET, by=people["staff"],
    )  # fmt: skip
    assert req.refusal_ground == RefusalGround.SECRET


# --- the requester ---------------------------------------------------------------------------


def test_withdrawal_and_visibility_are_the_requesters(people, clock, mailbox):
    req = filed(people)
    with pytest.raises(PermissionDenied):
        services.withdraw(req, by=people["staff"])
    with pytest.raises(PermissionDenied):
        services.set_visibility(req, is_public=False, show_name=True, by=people["citizen"])
    req = services.set_visibility(req, is_public=False, show_name=True, by=people["requester"])
    assert (req.is_public, req.show_name) == (False, True)
    note = req.events.get(kind=RequestEventKind.NOTE)
    assert note.is_public is False
    mailbox.clear()
    req = services.withdraw(req, by=people["requester"], note="Получих я другаде.")
    assert req.status == RequestStatus.WITHDRAWN
    assert mailbox.to(people["staff"].email)
    with pytest.raises(MonitoringError):
        services.withdraw(req, by=people["requester"])


# --- documents -------------------------------------------------------------------------------


def test_a_redacted_copy_is_public_and_the_original_private(people, clock, media):
    req = registered(people, clock)
    document = services.add_document(
        req, upload=pdf("original.pdf"), title="Договор", kind=DocumentKind.RELEASED,
        by=people["staff"], redacted_upload=pdf("redacted.pdf", b"%PDF-1.4 redacted"),
    )  # fmt: skip
    assert document.is_redacted and document.is_public
    assert "private" in document.original.name and "private" not in document.file.name
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 redacted"


def test_staff_replace_a_public_file_by_a_redacted_one_later(people, clock, media):
    req = registered(people, clock)
    document = services.add_document(
        req, upload=pdf("dogovor.pdf"), title="Договор", kind=DocumentKind.RELEASED,
        by=people["staff"],
    )  # fmt: skip
    assert not document.is_redacted
    with pytest.raises(PermissionDenied):
        services.redact(document, redacted_upload=pdf("r.pdf"), by=people["requester"])
    document = services.redact(
        document, redacted_upload=pdf("r.pdf", b"%PDF-1.4 clean"), by=people["staff"]
    )
    document.refresh_from_db()
    assert document.is_redacted
    with document.original.open("rb") as handle:
        assert handle.read() == pdf().read()
    with document.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 clean"


def test_the_requester_may_attach_what_they_received_but_not_to_others(people, clock, media):
    req = registered(people, clock)
    document = services.add_document(
        req, upload=docx(), title="Отговор", kind=DocumentKind.DECISION, by=people["requester"]
    )
    assert document.uploaded_by == people["requester"]
    with pytest.raises(PermissionDenied):
        services.add_document(
            req, upload=pdf(), title="x", kind=DocumentKind.OTHER, by=people["citizen"]
        )


# --- the daily check -------------------------------------------------------------------------


def test_the_daily_check_marks_overdue_once_and_tells_both_sides_once(people, clock, mailbox):
    req = registered(people, clock)  # due 17.12
    mailbox.clear()
    assert services.check_deadlines(D("2026-12-17")) == 0
    assert services.check_deadlines(D("2026-12-18")) == 1
    req.refresh_from_db()
    assert req.is_overdue and req.overdue_since == D("2026-12-18")
    overdue = req.events.get(kind=RequestEventKind.OVERDUE)
    # One month after the deadline 17.12 → 17.1.2027 is a Sunday → 18.1.2027.
    assert overdue.details["appeal_by"] == "2027-01-18"
    [to_requester] = mailbox.to("maria.requester@example.org")
    body = mailbox.body(to_requester)
    assert "18.01.2027" in body and "help-appeal" in body
    assert people["staff"].email not in body
    assert len(mailbox.to(people["staff"].email)) == 1
    assert len(mailbox.to(people.plovdiv.email)) == 1

    mailbox.clear()
    assert services.check_deadlines(D("2026-12-18")) == 0
    assert services.check_deadlines(D("2026-12-19")) == 0
    assert mailbox.messages == []
    assert req.events.filter(kind=RequestEventKind.OVERDUE).count() == 1


def test_the_daily_check_skips_what_does_not_wait_for_the_body(people, clock):
    base = {"due_on": D("2026-11-16")}
    InformationRequestFactory(status=RequestStatus.GRANTED, **base)
    InformationRequestFactory(status=RequestStatus.CLARIFICATION, due_on=None)
    InformationRequestFactory(status=RequestStatus.WITHDRAWN, **base)
    InformationRequestFactory(status=RequestStatus.REGISTERED, is_overdue=True, **base)
    assert services.check_deadlines(D("2026-12-06")) == 0


def _queries_for(n: int, day) -> int:
    for i in range(n):
        InformationRequestFactory(
            due_on=D("2026-11-16"), requester_email=f"r{i}@example.org",
        )  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        assert services.check_deadlines(day) == n
    return len(captured)


def test_the_daily_check_runs_a_fixed_number_of_queries_per_record(people, clock):
    two = _queries_for(2, D("2026-12-06"))
    four = _queries_for(4, D("2026-12-07"))
    eight = _queries_for(8, D("2026-12-08"))
    # Linear in the records marked (their update and event, and whatever the save hooks of
    # other parts cost), with the institution's addresses and the index once per run.
    per_record = (four - two) / 2
    assert eight - four == 4 * per_record
    assert per_record <= 10


def test_filing_reaches_each_address_of_the_institution_separately(people, mailbox):
    staff = UserFactory()
    staff_of(people.plovdiv, staff)
    req = filed(people)
    assert len(mailbox.to(staff.email)) == 1
    assert RequestEvent.objects.filter(request=req, kind=RequestEventKind.SENT).get().details == {
        "recipients": 3
    }
