"""The workflow of proposals and signals (monitoring/services/signals.py), through the
services on the real database and the real SMTP test server: every transition, the АПК
deadlines (2 months with month ends and holidays, the extension to 6 and not beyond, 7 days to
forward and to communicate), anonymous and stale filings that start no deadline and are never
overdue, and the daily overdue check run twice."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from monitoring import legal
from monitoring.enums import (
    Channel,
    DocumentKind,
    SignalEventKind,
    SignalKind,
    SignalOutcome,
    SignalStatus,
)
from monitoring.models import Signal
from monitoring.services import common
from monitoring.services import signals as services
from monitoring.services.common import MonitoringError, StaleVersion
from tests.factories.accounts import UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db
D = date.fromisoformat
NAME = "Георги Димитров Колев"
ADDRESS = "гр. Пловдив, ул. „Тестова“ 2"


@pytest.fixture
def plovdiv():
    return generated("ma:PDV22")


@pytest.fixture
def staff(plovdiv):
    user = UserFactory(email="official@plovdiv.example.bg")
    staff_of(plovdiv, user)
    return user


@pytest.fixture
def citizen():
    return UserFactory(email="filer@example.org")


def _file(institution, by, **kwargs):
    fields = {
        "kind": SignalKind.PROPOSAL,
        "title": "Повече пейки в парка",
        "description": "Предлагам да се поставят още пейки по алеите.",
        "filer_name": NAME,
        "filer_address": ADDRESS,
        "filer_email": by.email,
    }
    fields.update(kwargs)
    return services.file(institution, by=by, **fields)


def _log(institution, by, received_on, **kwargs):
    fields = {
        "filer": by,
        "kind": SignalKind.PROPOSAL,
        "title": "Ремонт на тротоара",
        "description": "Предлагам ремонт на тротоара пред училището.",
        "channel": Channel.IN_PERSON,
        "received_on": received_on,
        "filer_name": NAME,
        "filer_address": ADDRESS,
        "filer_email": by.email,
    }
    fields.update(kwargs)
    return services.log(institution, by=by, **fields)


def _kinds(signal):
    return list(signal.events.values_list("kind", flat=True))


# --- filing ----------------------------------------------------------------------------------


def test_filing_counts_under_apk_and_is_sent(plovdiv, staff, citizen, mailbox):
    signal = _file(plovdiv, citizen)
    today = common.today()
    assert signal.status == SignalStatus.SUBMITTED
    assert signal.received_on == today
    assert signal.due_on == legal.signal_due_on(SignalKind.PROPOSAL, today)
    assert not signal.is_anonymous and not signal.is_stale
    assert signal.is_public is False  # the filer chooses to publish
    assert signal.municipality_id == "PDV22" and signal.province_id == "PDV"
    assert _kinds(signal) == [SignalEventKind.FILED]
    # The filing goes to the official address and to the staff; the filer gets the link.
    to_institution = mailbox.to(plovdiv.email)
    assert len(to_institution) == 1
    body = mailbox.body(to_institution[0])
    assert NAME in body and ADDRESS in body and "Повече пейки" in body
    assert len(mailbox.to(staff.email)) == 1
    confirmation = mailbox.to(citizen.email)
    assert len(confirmation) == 1
    assert f"/monitoring/signals/{signal.pk}/" in mailbox.body(confirmation[0])


def test_without_name_or_address_it_is_feedback_without_deadline(plovdiv, citizen, mailbox):
    for name, address in (("", ""), (NAME, ""), ("", ADDRESS)):
        signal = _file(plovdiv, citizen, filer_name=name, filer_address=address)
        assert signal.is_anonymous
        assert signal.due_on is None
        assert not signal.starts_legal_deadline
        assert "111" in signal.events.get().note  # the timeline says why
    assert "111" in mailbox.body(mailbox.to(citizen.email)[0])


def test_a_signal_about_acts_over_two_years_old_is_flagged(plovdiv, citizen):
    today = common.today()
    old = today.replace(year=today.year - 2) - timedelta(days=1)
    stale = _file(plovdiv, citizen, kind=SignalKind.SIGNAL, event_on=old)
    assert stale.is_stale and stale.due_on is None and not stale.is_anonymous
    recent = _file(plovdiv, citizen, kind=SignalKind.SIGNAL, event_on=today - timedelta(days=30))
    assert not recent.is_stale
    assert recent.due_on == legal.signal_due_on(SignalKind.SIGNAL, today)
    # A proposal has no date of acts: it is never stale.
    proposal = _file(plovdiv, citizen, kind=SignalKind.PROPOSAL, event_on=old)
    assert proposal.event_on is None and not proposal.is_stale


def test_filing_for_an_organisation_one_does_not_represent_is_refused(plovdiv, citizen):
    ngo = OrganisationFactory()
    with pytest.raises(MonitoringError):
        _file(plovdiv, citizen, organisation=ngo)
    assert not Signal.objects.exists()
    representative_of(ngo, citizen)
    assert _file(plovdiv, citizen, organisation=ngo).organisation == ngo


def test_an_institution_without_addresses_still_gets_the_record(citizen, mailbox):
    council = generated("mc:PDV22")  # no e-mail in the directory, no staff
    signal = _file(council, citizen)
    assert signal.events.get().details["sent_to"] == 0
    assert signal.events.get().note == gettext(
        "The institution has no e-mail address in the directory: deliver it yourself and add "
        "the registration number here when you get one."
    )
    assert len(mailbox.messages) == 1  # the confirmation only


# --- the deadline ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "received", "due"),
    [
        # 31.10.2026 is a Saturday: the last day moves to Monday 2.11.
        (SignalKind.PROPOSAL, "2026-08-31", "2026-11-02"),
        (SignalKind.PROPOSAL, "2026-09-30", "2026-11-30"),
        (SignalKind.SIGNAL, "2026-10-05", "2026-12-07"),  # 5.12 is a Saturday
    ],
)
def test_logged_deadline_counts_from_the_receipt(plovdiv, citizen, kind, received, due):
    extra = {"event_on": D(received) - timedelta(days=3)} if kind == SignalKind.SIGNAL else {}
    signal = _log(plovdiv, citizen, D(received), kind=kind, **extra)
    assert signal.due_on == D(due)
    # Registered weeks later: АПК counts from the receipt, so the deadline stays.
    registered = services.register(
        signal,
        number="94-00-1",
        registered_on=D(received) + timedelta(days=20),
        by=None,
        version=signal.version,
    )
    assert registered.due_on == D(due)
    assert registered.registration_number == "94-00-1"


def test_logging_with_the_number_registers_at_once(plovdiv, staff, mailbox):
    signal = services.log(
        plovdiv,
        by=staff,
        filer=None,
        kind=SignalKind.SIGNAL,
        title="Незаконно строителство",
        description="Строеж без разрешение.",
        channel=Channel.POST,
        received_on=D("2026-11-02"),
        event_on=D("2026-10-20"),
        registration_number="94-Ж-12",
        registered_on=D("2026-11-03"),
        filer_name=NAME,
        filer_address=ADDRESS,
        filer_email="paper@example.org",
    )
    assert signal.status == SignalStatus.REGISTERED
    assert signal.filer is None and signal.created_by == staff
    assert signal.channel == Channel.POST
    assert _kinds(signal) == [SignalEventKind.LOGGED, SignalEventKind.REGISTERED]
    assert signal.events.get(kind=SignalEventKind.LOGGED).on == D("2026-11-02")
    # Logged, not filed: the institution is not sent it again; the filer learns the link.
    assert not mailbox.to(plovdiv.email)
    assert len(mailbox.to("paper@example.org")) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"channel": Channel.PLATFORM},
        {"received_on": common.today() + timedelta(days=1)},
        {"registration_number": "1"},  # without its date
        {"registration_number": "1", "registered_on": D("2026-08-01")},  # before the receipt
        {"kind": SignalKind.SIGNAL, "event_on": D("2026-09-10")},  # acts after the receipt
    ],
)
def test_bad_logging_is_refused_and_nothing_stored(plovdiv, citizen, changes):
    with pytest.raises(MonitoringError):
        _log(plovdiv, citizen, changes.pop("received_on", D("2026-09-01")), **changes)
    assert not Signal.objects.exists()


# --- the institution's steps -----------------------------------------------------------------


def test_register_only_once_and_not_before_the_receipt(plovdiv, citizen, staff, mailbox):
    signal = _log(plovdiv, citizen, D("2026-11-20"))
    with pytest.raises(MonitoringError):
        services.register(
            signal, number="1", registered_on=D("2026-11-19"), by=staff, version=signal.version
        )
    mailbox.clear()
    done = services.register(
        signal, number="94-00-7", registered_on=D("2026-11-23"), by=staff, version=signal.version
    )
    assert done.status == SignalStatus.REGISTERED and done.registered_on == D("2026-11-23")
    assert done.version == signal.version + 1
    assert "94-00-7" in mailbox.body(mailbox.to(citizen.email)[0])
    with pytest.raises(MonitoringError):
        services.register(
            done, number="2", registered_on=D("2026-11-24"), by=staff, version=done.version
        )


def test_an_old_version_is_refused(plovdiv, citizen, staff):
    signal = _log(plovdiv, citizen, D("2026-11-20"))
    services.register(
        signal, number="1", registered_on=D("2026-11-20"), by=staff, version=signal.version
    )
    with pytest.raises(StaleVersion):
        services.no_proceedings(signal, reason="Анонимен", by=staff, version=signal.version)
    assert Signal.objects.get().status == SignalStatus.REGISTERED


def test_no_proceedings(plovdiv, citizen, staff, mailbox):
    signal = _file(plovdiv, citizen, filer_name="", filer_address="")
    with pytest.raises(MonitoringError):
        services.no_proceedings(signal, reason="  ", by=staff, version=signal.version)
    mailbox.clear()
    done = services.no_proceedings(
        signal, reason="Анонимен сигнал.", ground="anonymous", by=staff, version=signal.version
    )
    assert done.status == SignalStatus.NO_PROCEEDINGS
    event = done.events.get(kind=SignalEventKind.NO_PROCEEDINGS)
    assert event.note == "Анонимен сигнал." and event.details == {"ground": "anonymous"}
    assert "Анонимен сигнал." in mailbox.body(mailbox.to(citizen.email)[0])


def test_extension_of_a_proposal_up_to_six_months_and_not_beyond(plovdiv, citizen, staff, mailbox):
    signal = _log(plovdiv, citizen, D("2026-11-20"))
    assert signal.due_on == D("2027-01-20")
    for months in (2, 7):  # not longer than now; not beyond 6
        with pytest.raises(MonitoringError):
            services.extend(
                signal,
                months=months,
                note="Заповед",
                on=D("2026-12-01"),
                by=staff,
                version=signal.version,
            )
    mailbox.clear()
    four = services.extend(
        signal,
        months=4,
        note="Заповед № 12 на кмета",
        on=D("2026-12-01"),
        by=staff,
        version=signal.version,
    )
    assert four.due_on == D("2027-03-22")  # 20.03.2027 is a Saturday
    assert four.extended_months == 4
    notice = mailbox.body(mailbox.to(citizen.email)[0])
    assert "22.03.2027" in notice and "20.01.2027" in notice
    six = services.extend(
        four, months=6, note="Още проверки", on=D("2026-12-02"), by=staff, version=four.version
    )
    assert six.due_on == D("2027-05-20")
    event = six.events.filter(kind=SignalEventKind.EXTENDED).last()
    assert event.details == {"months": 6, "due_on": "2027-05-20", "previous_due_on": "2027-03-22"}
    with pytest.raises(MonitoringError):  # 6 is the most
        services.extend(six, months=6, note="x", on=D("2026-12-03"), by=staff, version=six.version)


def test_only_a_proposal_with_a_running_deadline_is_extended(plovdiv, citizen, staff):
    signal = _log(
        plovdiv, citizen, D("2026-11-20"), kind=SignalKind.SIGNAL, event_on=D("2026-11-01")
    )
    anonymous = _log(plovdiv, citizen, D("2026-11-20"), filer_name="", filer_address="")
    late = _log(plovdiv, citizen, D("2026-09-01"))  # its term ended on 2.11.2026
    for item in (signal, anonymous, late):
        with pytest.raises(MonitoringError):
            services.extend(
                item, months=4, note="x", on=D("2026-12-01"), by=staff, version=item.version
            )
        assert Signal.objects.get(pk=item.pk).extended_months is None


def test_forward_to_an_institution_in_the_directory(plovdiv, citizen, staff, mailbox):
    regional = generated("oa:PDV")
    signal = _log(plovdiv, citizen, D("2026-11-20"))
    mailbox.clear()
    done = services.forward(
        signal,
        to=regional,
        on=D("2026-11-25"),
        note="Компетентна е областта.",
        by=staff,
        version=signal.version,
    )
    assert done.status == SignalStatus.FORWARDED and done.forwarded_to == regional
    event = done.events.get(kind=SignalEventKind.FORWARDED)
    assert event.details["in_time"] is True and event.details["forward_due_on"] == "2026-11-27"
    new = Signal.objects.get(forwarded_from=done)
    assert new.institution == regional and new.status == SignalStatus.SUBMITTED
    assert new.received_on == D("2026-11-25")
    assert new.due_on == legal.signal_due_on(SignalKind.PROPOSAL, D("2026-11-25"))
    assert new.filer == citizen and new.filer_address == ADDRESS
    assert len(mailbox.to(regional.email)) == 1
    notice = mailbox.body(mailbox.to(citizen.email)[0])
    assert f"/monitoring/signals/{new.pk}/" in notice


def test_forward_late_to_a_body_not_in_the_directory(plovdiv, citizen, staff):
    signal = _log(plovdiv, citizen, D("2026-11-20"))
    with pytest.raises(MonitoringError):  # nowhere
        services.forward(signal, on=D("2026-11-30"), by=staff, version=signal.version)
    with pytest.raises(MonitoringError):  # to itself
        services.forward(signal, to=plovdiv, on=D("2026-11-30"), by=staff, version=signal.version)
    done = services.forward(
        signal,
        to_name="Министерство на здравеопазването",
        on=D("2026-11-30"),
        by=staff,
        version=signal.version,
    )
    assert done.forwarded_to is None
    assert done.forwarded_to_name == "Министерство на здравеопазването"
    assert done.events.get(kind=SignalEventKind.FORWARDED).details["in_time"] is False
    assert Signal.objects.count() == 1


def test_answer_on_time(plovdiv, citizen, staff, mailbox):
    signal = _log(
        plovdiv, citizen, D("2026-09-30"), registration_number="5", registered_on=D("2026-10-01")
    )
    mailbox.clear()
    done = services.answer(
        signal,
        outcome=SignalOutcome.ACCEPTED,
        decided_on=D("2026-11-30"),
        communicated_on=D("2026-12-04"),
        answer="Предложението е **прието**.",
        by=staff,
        version=signal.version,
    )
    assert done.status == SignalStatus.ANSWERED
    assert done.answered_on_time is True
    assert done.days_to_answer == 61
    assert not done.is_overdue
    body = mailbox.body(mailbox.to(citizen.email)[0])
    assert "Предложението е **прието**." in body and "118" in body  # no appeal


@pytest.mark.parametrize(
    ("decided", "communicated", "on_time"),
    [
        # Received 1.09.2026: due 2.11 (1.11 is a Sunday); 7 days to communicate.
        ("2026-11-02", "2026-11-09", True),  # both on the last day
        ("2026-11-03", "2026-11-03", False),  # decided after the deadline
        ("2026-11-02", "2026-11-10", False),  # communicated after the 7 days
    ],
)
def test_answer_on_time_or_late(plovdiv, citizen, staff, decided, communicated, on_time):
    signal = _log(
        plovdiv, citizen, D("2026-09-01"), registration_number="5", registered_on=D("2026-09-01")
    )
    assert signal.due_on == D("2026-11-02")
    done = services.answer(
        signal,
        outcome=SignalOutcome.REJECTED,
        decided_on=D(decided),
        communicated_on=D(communicated),
        answer="Не се приема.",
        by=staff,
        version=signal.version,
    )
    assert done.answered_on_time is on_time


def test_answer_refusals(plovdiv, citizen, staff):
    submitted = _log(plovdiv, citizen, D("2026-11-02"))
    kwargs = {"outcome": SignalOutcome.ACCEPTED, "answer": "Да.", "by": staff}
    with pytest.raises(MonitoringError):  # not registered yet
        services.answer(submitted, decided_on=D("2026-11-20"), version=submitted.version, **kwargs)
    registered = services.register(
        submitted, number="1", registered_on=D("2026-11-03"), by=staff, version=submitted.version
    )
    bad = [
        {"decided_on": D("2026-11-01")},  # before the receipt
        {"decided_on": D("2026-11-02")},  # before the registration
        {"decided_on": common.today() + timedelta(days=1)},
        {"decided_on": D("2026-11-20"), "communicated_on": D("2026-11-19")},
        {"decided_on": D("2026-11-20"), "answer": "  "},
        {"decided_on": D("2026-11-20"), "outcome": "maybe"},
    ]
    for changes in bad:
        with pytest.raises(MonitoringError):
            services.answer(registered, version=registered.version, **{**kwargs, **changes})
    assert Signal.objects.get().status == SignalStatus.REGISTERED


def test_an_anonymous_answer_is_not_judged_on_time(plovdiv, citizen, staff):
    signal = _log(
        plovdiv,
        citizen,
        D("2026-11-02"),
        filer_name="",
        registration_number="1",
        registered_on=D("2026-11-02"),
    )
    done = services.answer(
        signal,
        outcome=SignalOutcome.PARTLY,
        decided_on=D("2026-11-10"),
        answer="Взето е предвид.",
        by=staff,
        version=signal.version,
    )
    assert done.answered_on_time is None and done.days_to_answer == 8


# --- the filer's steps -----------------------------------------------------------------------


def test_withdraw_tells_the_institution(plovdiv, citizen, staff, mailbox):
    signal = _file(plovdiv, citizen)
    mailbox.clear()
    done = services.withdraw(signal, note="Проблемът е решен.", by=citizen, version=signal.version)
    assert done.status == SignalStatus.WITHDRAWN
    assert len(mailbox.to(plovdiv.email)) == 1 and len(mailbox.to(staff.email)) == 1
    with pytest.raises(MonitoringError):
        services.withdraw(done, by=citizen, version=done.version)


def test_visibility_is_recorded_for_the_staff_only(plovdiv, citizen):
    signal = _file(plovdiv, citizen)
    done = services.set_visibility(
        signal, is_public=True, show_name=True, by=citizen, version=signal.version
    )
    assert done.is_public and done.show_name
    note = done.events.get(kind=SignalEventKind.NOTE)
    assert note.is_public is False
    same = services.set_visibility(
        done, is_public=True, show_name=True, by=citizen, version=done.version
    )
    assert same.version == done.version  # nothing changed, nothing recorded


def test_add_document_with_a_redacted_copy(plovdiv, citizen, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    signal = _file(plovdiv, citizen)
    pdf = b"%PDF-1.4\n%test\n"
    document = services.add_document(
        signal,
        SimpleUploadedFile("Решение 15.pdf", pdf, content_type="application/pdf"),
        redacted=SimpleUploadedFile("zacherneno.pdf", pdf, content_type="application/pdf"),
        title="Решение № 15",
        kind=DocumentKind.DECISION,
        by=staff,
        version=signal.version,
    )
    assert document.signal == signal and document.is_redacted
    assert document.original.name.startswith(f"monitoring/private/signals/{signal.pk}/")
    assert signal.events.filter(kind=SignalEventKind.NOTE, is_public=True).exists()
    assert io.BytesIO(document.file.read()).getvalue() == pdf


# --- the daily check -------------------------------------------------------------------------


def test_overdue_is_marked_once_and_told_once(plovdiv, citizen, staff, mailbox):
    late = _log(plovdiv, citizen, D("2026-08-31"))  # due 2.11.2026
    waiting = _log(plovdiv, citizen, D("2026-11-20"))  # due 20.01.2027
    anonymous = _log(plovdiv, citizen, D("2026-08-31"), filer_name="", filer_address="")
    stale = _log(
        plovdiv, citizen, D("2026-08-31"), kind=SignalKind.SIGNAL, event_on=D("2024-08-01")
    )
    answered = _log(
        plovdiv, citizen, D("2026-08-31"), registration_number="1", registered_on=D("2026-08-31")
    )
    services.answer(
        answered,
        outcome=SignalOutcome.ACCEPTED,
        decided_on=D("2026-10-01"),
        answer="Да.",
        by=staff,
        version=answered.version,
    )
    mailbox.clear()
    assert services.check_deadlines(D("2026-12-06")) == 1
    late.refresh_from_db()
    assert late.is_overdue and late.overdue_since == D("2026-11-03")
    assert late.events.filter(kind=SignalEventKind.OVERDUE).count() == 1
    for other in (waiting, anonymous, stale, answered):
        other.refresh_from_db()
        assert not other.is_overdue
    assert len(mailbox.to(citizen.email)) == 1
    assert len(mailbox.to(staff.email)) == 1
    assert "/monitoring/signals/" in mailbox.body(mailbox.to(staff.email)[0])
    # The next run (and the next day's) finds nothing new and sends nothing.
    mailbox.clear()
    assert services.check_deadlines(D("2026-12-06")) == 0
    assert services.check_deadlines(D("2026-12-07")) == 0
    assert mailbox.messages == []
    assert late.events.filter(kind=SignalEventKind.OVERDUE).count() == 1


def test_the_answer_clears_overdue(plovdiv, citizen, staff):
    late = _log(
        plovdiv, citizen, D("2026-08-31"), registration_number="1", registered_on=D("2026-08-31")
    )
    services.check_deadlines(D("2026-12-06"))
    late.refresh_from_db()
    done = services.answer(
        late,
        outcome=SignalOutcome.PARTLY,
        decided_on=D("2026-11-20"),
        answer="Частично.",
        by=staff,
        version=late.version,
    )
    assert not done.is_overdue and done.answered_on_time is False
    assert done.overdue_since == D("2026-11-03")  # the history stays


def _overdue_queries(citizen, per_institution):
    institutions = [generated("ma:PDV22"), generated("ma:SOF46")]
    for n in range(per_institution):
        for institution in institutions:
            _log(institution, citizen, D("2026-08-31"), title=f"Предложение {n}")
    with CaptureQueriesContext(connection) as queries:
        assert services.check_deadlines(D("2026-12-06")) == 2 * per_institution
    return len(queries)


def test_overdue_check_queries_do_not_grow(citizen, staff):
    # Lock, update, insert, the staff's addresses, then the index of each institution.
    few = _overdue_queries(citizen, 2)
    Signal.objects.all().delete()
    assert _overdue_queries(citizen, 15) == few
