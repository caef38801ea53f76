"""The workflow of commitments (monitoring/services/commitments.py): recording by staff and by
monitors, progress with its transitions (done on time or late, dropped with a reason, a new
deadline kept in the timeline), comments and answers, ratings whose counters stay exact when
an organisation changes its rating, and the daily check of deadlines (idempotent, one e-mail
per person through the real SMTP server, queries that do not grow)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from accounts.enums import Role
from accounts.models import User
from consultations.enums import State
from monitoring.enums import CommitmentSource, CommitmentStatus, CommitmentUpdateKind
from monitoring.models import Commitment, CommitmentRating, CommitmentUpdate
from monitoring.services import commitments as services
from monitoring.services.common import MonitoringError, StaleVersion, today
from organisations.models import Organisation
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.consultations import ConsultationFactory
from tests.factories.directory import generated, staff_of
from tests.factories.monitoring import CommitmentFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

S = CommitmentStatus
K = CommitmentUpdateKind
D = datetime.date.fromisoformat
DAY = datetime.timedelta(days=1)
FUTURE = "The date cannot be in the future."
STARTED = "A commitment with progress has started: choose “In progress” or “Done”."
NOT_POSSIBLE = "This step is not possible in the record's current state."


@dataclass
class People:
    """One person for each rung of the ladder, around Plovdiv's municipal administration
    and the organisation `monitor`."""

    monitor: Organisation
    other_organisation: Organisation
    citizen: User
    monitor_rep: User
    other_rep: User
    staff: User
    other_staff: User
    moderator: User
    administrator: User

    def __getitem__(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role.replace(" ", "_"))


def make_people() -> People:
    monitor = OrganisationFactory(name="Сдружение „Прозрачен Пловдив“")
    other = OrganisationFactory(name="Фондация „Друга“")
    monitor_rep = UserFactory(email="monitor@ngo.example.org")
    representative_of(monitor, monitor_rep)
    other_rep = UserFactory(email="other@ngo.example.org")
    representative_of(other, other_rep)
    staff = UserFactory(email="staff@plovdiv.example.org")
    staff_of(generated("ma:PDV22"), staff)
    other_staff = UserFactory(email="staff@sofia.example.org")
    staff_of(generated("ma:SOF46"), other_staff)
    return People(
        monitor=monitor,
        other_organisation=other,
        citizen=UserFactory(email="citizen@example.org"),
        monitor_rep=monitor_rep,
        other_rep=other_rep,
        staff=staff,
        other_staff=other_staff,
        moderator=RoleAssignmentFactory(role=Role.MODERATOR).user,
        administrator=RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    )


def fields(**changes) -> dict:
    values = {
        "title": "Ремонт на детската площадка в парк „Лаута“",
        "source_kind": CommitmentSource.COUNCIL_DECISION,
        "source_reference": "Решение № 123 на Общинския съвет от 25.03.2026 г.",
        "source_date": D("2026-03-25"),
        "source_url": "https://plovdiv.bg/reshenie-123",
        "deadline": D("2027-06-30"),
        "indicator": "Площадката е приета с протокол.",
        "description": "Подмяна на настилката и съоръженията.",
    }
    values.update(changes)
    return values


def fresh(commitment: Commitment) -> Commitment:
    return Commitment.objects.get(pk=commitment.pk)


# --- recording -------------------------------------------------------------------------------


def test_staff_record_a_commitment_not_started_with_a_timeline_row():
    people = make_people()
    plovdiv = generated("ma:PDV22")
    commitment = services.record(plovdiv, by=people.staff, **fields())
    assert commitment.status == S.NOT_STARTED
    assert commitment.progress == 0
    assert commitment.monitor is None
    assert commitment.recorded_by == people.staff
    # The institution's territory is copied for the lists' filters.
    assert commitment.municipality_id == plovdiv.municipality_id
    assert commitment.province_id is not None
    (row,) = commitment.updates.all()
    assert (row.kind, row.from_status, row.to_status, row.by) == (
        K.RECORDED,
        "",
        S.NOT_STARTED,
        people.staff,
    )


def test_a_representative_records_it_as_a_monitor():
    people = make_people()
    commitment = services.record(
        generated("ma:PDV22"), by=people.monitor_rep, monitor=people.monitor, **fields()
    )
    assert commitment.monitor == people.monitor
    assert commitment.updates.get().organisation == people.monitor


@pytest.mark.parametrize(
    ("role", "monitor", "allowed"),
    [
        ("citizen", None, False),
        ("monitor rep", None, False),  # a representative records only as a monitor
        ("monitor rep", "monitor", True),
        ("other rep", "monitor", False),  # not for an organisation one does not represent
        ("staff", None, True),
        ("other staff", None, False),
        ("moderator", None, False),
        ("administrator", None, True),
    ],
)
def test_who_may_record(role, monitor, allowed):
    people = make_people()
    organisation = people.monitor if monitor else None
    if allowed:
        services.record(generated("ma:PDV22"), by=people[role], monitor=organisation, **fields())
        assert Commitment.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.record(
                generated("ma:PDV22"), by=people[role], monitor=organisation, **fields()
            )
        assert not Commitment.objects.exists()


def test_only_a_published_consultation_of_the_same_institution_is_linked():
    people = make_people()
    own = ConsultationFactory(institution=generated("ma:PDV22"))
    commitment = services.record(
        generated("ma:PDV22"),
        by=people.staff,
        **fields(source_kind=CommitmentSource.CONSULTATION_REPORT, consultation=own),
    )
    assert commitment.consultation == own
    draft = ConsultationFactory(institution=generated("ma:PDV22"), state=State.DRAFT)
    elsewhere = ConsultationFactory(institution=generated("ma:SOF46"))
    for consultation in (draft, elsewhere):
        with pytest.raises(MonitoringError):
            services.record(
                generated("ma:PDV22"), by=people.staff, **fields(consultation=consultation)
            )
    assert Commitment.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"title": "  "},
        {"deadline": None},
        {"source_date": today() + DAY},
        {"source_url": "javascript:alert(1)"},
        {"source_kind": "rumour"},
    ],
)
def test_recording_refuses_bad_input(bad):
    people = make_people()
    with pytest.raises(MonitoringError):
        services.record(generated("ma:PDV22"), by=people.staff, **fields(**bad))
    assert not Commitment.objects.exists()


# --- progress --------------------------------------------------------------------------------


def recorded(people: People, **changes) -> Commitment:
    return services.record(generated("ma:PDV22"), by=people.staff, **fields(**changes))


def test_progress_then_done_on_time():
    people = make_people()
    commitment = recorded(people)
    commitment = services.update_progress(
        commitment,
        status=S.IN_PROGRESS,
        progress=40,
        text="Обявена е обществена поръчка.",
        evidence_url="https://plovdiv.bg/op/1",
        by=people.staff,
        version=commitment.version,
    )
    assert (commitment.status, commitment.progress, commitment.version) == (S.IN_PROGRESS, 40, 2)
    commitment = services.update_progress(
        commitment, status=S.DONE, progress=90, done_on=today(), by=people.staff
    )
    assert commitment.status == S.DONE
    assert commitment.progress == 100  # done is complete, whatever was typed
    assert commitment.done_on == today()
    assert commitment.done_on_time is True
    rows = list(commitment.updates.values_list("kind", "from_status", "to_status", "progress"))
    assert rows == [
        (K.RECORDED, "", S.NOT_STARTED, 0),
        (K.PROGRESS, S.NOT_STARTED, S.IN_PROGRESS, 40),
        (K.PROGRESS, S.IN_PROGRESS, S.DONE, 100),
    ]
    assert commitment.updates.all()[1].evidence_url == "https://plovdiv.bg/op/1"
    # Done is final.
    with pytest.raises(MonitoringError):
        services.update_progress(commitment, status=S.IN_PROGRESS, progress=50, by=people.staff)


def test_done_after_the_deadline_is_late():
    people = make_people()
    commitment = recorded(people, deadline=today() - 10 * DAY)
    commitment = services.update_progress(
        commitment, status=S.DONE, progress=100, done_on=today() - DAY, by=people.staff
    )
    assert commitment.done_on_time is False
    on_the_day = recorded(people, deadline=today() - 10 * DAY)
    on_the_day = services.update_progress(
        on_the_day, status=S.DONE, progress=100, done_on=today() - 10 * DAY, by=people.staff
    )
    assert on_the_day.done_on_time is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": S.DONE, "progress": 100, "done_on": today() + DAY}, FUTURE),
        (
            {"status": S.DONE, "progress": 100},
            "Give the date on which the commitment was fulfilled.",
        ),
        ({"status": S.IN_PROGRESS, "progress": 101}, "Progress is a percentage from 0 to 100."),
        ({"status": S.IN_PROGRESS, "progress": -1}, "Progress is a percentage from 0 to 100."),
        (
            {"status": S.DROPPED, "progress": 10, "text": "   "},
            "Say why the commitment is dropped.",
        ),
        ({"status": S.NOT_STARTED, "progress": 20}, STARTED),
        ({"status": S.OVERDUE, "progress": 20}, NOT_POSSIBLE),
        (
            {"status": S.IN_PROGRESS, "progress": 20, "evidence_url": "ftp://x.org/a"},
            "Enter a web address starting with http:// or https://.",
        ),
    ],
)
def test_bad_progress_is_refused_and_nothing_is_saved(change, message):
    people = make_people()
    commitment = recorded(people)
    with pytest.raises(MonitoringError) as error:
        services.update_progress(commitment, by=people.staff, **change)
    assert str(error.value) == gettext(message)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == (S.NOT_STARTED, 0, 1)
    assert commitment.updates.count() == 1


def test_dropping_needs_a_reason_and_is_final():
    people = make_people()
    commitment = recorded(people)
    commitment = services.update_progress(
        commitment, status=S.DROPPED, progress=0, text="Няма финансиране.", by=people.staff
    )
    assert commitment.status == S.DROPPED
    assert "Няма финансиране." in commitment.updates.last().text
    with pytest.raises(MonitoringError):
        services.update_progress(commitment, status=S.IN_PROGRESS, progress=5, by=people.staff)


def test_a_new_deadline_with_its_reason_is_kept_in_the_timeline():
    people = make_people()
    commitment = recorded(people, deadline=D("2027-06-30"))
    new = today() + 200 * DAY
    commitment = services.update_progress(
        commitment,
        status=S.IN_PROGRESS,
        progress=10,
        new_deadline=new,
        deadline_reason="Обжалване на поръчката.",
        by=people.staff,
    )
    assert commitment.deadline == new
    change = commitment.updates.last().deadline_change
    assert change == (D("2027-06-30"), new, "Обжалване на поръчката.")
    for bad in (
        {"new_deadline": today() + 300 * DAY},  # no reason
        {"new_deadline": today() - DAY, "deadline_reason": "x"},  # in the past
        {"new_deadline": new, "deadline_reason": "x"},  # the same
    ):
        with pytest.raises(MonitoringError):
            services.update_progress(
                commitment, status=S.IN_PROGRESS, progress=20, by=people.staff, **bad
            )
    assert fresh(commitment).deadline == new


def test_a_stale_form_is_refused():
    people = make_people()
    commitment = recorded(people)
    services.update_progress(
        commitment, status=S.IN_PROGRESS, progress=10, by=people.staff, version=1
    )
    with pytest.raises(StaleVersion):
        services.update_progress(
            commitment, status=S.IN_PROGRESS, progress=30, by=people.staff, version=1
        )
    assert fresh(commitment).progress == 10


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("citizen", False),
        ("monitor rep", False),
        ("other rep", False),
        ("staff", True),
        ("other staff", False),
        ("moderator", False),
        ("administrator", True),
    ],
)
def test_who_may_report_progress(role, allowed):
    people = make_people()
    commitment = services.record(
        generated("ma:PDV22"), by=people.monitor_rep, monitor=people.monitor, **fields()
    )
    if allowed:
        services.update_progress(commitment, status=S.IN_PROGRESS, progress=5, by=people[role])
        assert fresh(commitment).progress == 5
    else:
        with pytest.raises(PermissionDenied):
            services.update_progress(commitment, status=S.IN_PROGRESS, progress=5, by=people[role])
        assert fresh(commitment).progress == 0


# --- editing ---------------------------------------------------------------------------------


def test_edit_corrects_and_says_what_changed():
    people = make_people()
    commitment = services.record(
        generated("ma:PDV22"), by=people.monitor_rep, monitor=people.monitor, **fields()
    )
    values = fields(title="Ремонт на площадката в Лаута")
    del values["deadline"]
    edited = services.edit(commitment, version=1, by=people.monitor_rep, **values)
    assert edited.title == "Ремонт на площадката в Лаута"
    assert edited.version == 2
    row = edited.updates.last()
    assert row.kind == K.PROGRESS and row.organisation == people.monitor
    assert row.details == {"corrected": ["title"]}
    assert row.corrected_labels == str(Commitment._meta.get_field("title").verbose_name)
    with pytest.raises(StaleVersion):
        services.edit(commitment, version=1, by=people.staff, **values)
    with pytest.raises(PermissionDenied):
        services.edit(edited, version=2, by=people.other_rep, **values)


# --- comments and ratings --------------------------------------------------------------------


def test_comments_of_monitors_and_answers_of_the_institution():
    people = make_people()
    commitment = recorded(people)
    c = services.comment(
        commitment, organisation=people.other_organisation, text="Кога?", by=people.other_rep
    )
    a = services.comment(commitment, text="През пролетта.", by=people.staff)
    assert (c.kind, c.organisation) == (K.COMMENT, people.other_organisation)
    assert (a.kind, a.organisation) == (K.ANSWER, None)
    with pytest.raises(PermissionDenied):  # not their organisation
        services.comment(commitment, organisation=people.monitor, text="x", by=people.other_rep)
    for role in ("citizen", "other staff", "moderator", "monitor rep"):
        with pytest.raises(PermissionDenied):  # an answer is the institution's
            services.comment(commitment, text="x", by=people[role])
    with pytest.raises(MonitoringError):
        services.comment(commitment, organisation=people.monitor, text="  ", by=people.monitor_rep)
    assert commitment.updates.count() == 3


def test_ratings_one_per_organisation_replaced_and_counted_exactly():
    people = make_people()
    commitment = recorded(people)
    services.rate(commitment, organisation=people.monitor, rating=4, by=people.monitor_rep)
    services.rate(commitment, organisation=people.other_organisation, rating=2, by=people.other_rep)
    c = fresh(commitment)
    assert (c.ratings_count, c.ratings_sum, c.average_rating) == (2, 6, 3.0)
    services.rate(commitment, organisation=people.monitor, rating=5, by=people.monitor_rep)
    c = fresh(commitment)
    assert (c.ratings_count, c.ratings_sum) == (2, 7)
    assert CommitmentRating.objects.get(organisation=people.monitor).rating == 5
    assert c.updates.filter(kind=K.RATING).count() == 3
    assert c.updates.filter(kind=K.RATING).last().details == {"rating": 5}


def test_rating_recounts_under_the_lock_so_drifted_counters_are_repaired():
    # Two ratings saved at once each add to the counters they read; the service recounts the
    # rows inside the locked transaction instead, so whatever the counters said, they end exact.
    people = make_people()
    commitment = recorded(people)
    CommitmentRating.objects.create(commitment=commitment, organisation=people.monitor, rating=3)
    Commitment.objects.filter(pk=commitment.pk).update(ratings_count=7, ratings_sum=1)
    services.rate(commitment, organisation=people.other_organisation, rating=5, by=people.other_rep)
    c = fresh(commitment)
    assert (c.ratings_count, c.ratings_sum) == (2, 8)


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused(rating):
    people = make_people()
    commitment = recorded(people)
    with pytest.raises(MonitoringError):
        services.rate(commitment, organisation=people.monitor, rating=rating, by=people.monitor_rep)
    assert not CommitmentRating.objects.exists()
    assert fresh(commitment).ratings_count == 0


@pytest.mark.parametrize("role", ["citizen", "staff", "moderator", "administrator", "other rep"])
def test_only_a_representative_rates_for_their_organisation(role):
    people = make_people()
    commitment = recorded(people)
    with pytest.raises(PermissionDenied):
        services.rate(commitment, organisation=people.monitor, rating=3, by=people[role])
    assert not CommitmentRating.objects.exists()


# --- the daily check -------------------------------------------------------------------------


def test_overdue_check_marks_once_and_mails_each_person_once(mailbox):
    people = make_people()
    yesterday = today() - DAY
    watched = services.record(
        generated("ma:PDV22"),
        by=people.monitor_rep,
        monitor=people.monitor,
        **fields(title="Наблюдаван ангажимент", deadline=yesterday),
    )
    services.update_progress(watched, status=S.IN_PROGRESS, progress=30, by=people.staff)
    plain = recorded(people, title="Неначенат ангажимент", deadline=today() - 5 * DAY)
    future = recorded(people, title="Бъдещ ангажимент", deadline=today())
    done = recorded(people, deadline=today() - 5 * DAY)
    services.update_progress(
        done, status=S.DONE, progress=100, done_on=today() - 6 * DAY, by=people.staff
    )
    elsewhere = services.record(
        generated("ma:SOF46"), by=people.other_staff, **fields(deadline=today() + 10 * DAY)
    )
    mailbox.clear()

    assert services.check_deadlines(today()) == 2

    for c, before in ((watched, S.IN_PROGRESS), (plain, S.NOT_STARTED)):
        c = fresh(c)
        assert (c.status, c.is_overdue, c.version) == (S.OVERDUE, True, c.version)
        row = c.updates.last()
        assert (row.kind, row.from_status, row.to_status, row.by) == (
            K.OVERDUE,
            before,
            S.OVERDUE,
            None,
        )
    assert fresh(future).status == S.NOT_STARTED
    assert fresh(done).status == S.DONE
    assert fresh(elsewhere).status == S.NOT_STARTED

    # One message to the staff listing both, one to the monitor's representative listing theirs.
    to_staff = mailbox.to("staff@plovdiv.example.org")
    to_monitor = mailbox.to("monitor@ngo.example.org")
    assert len(to_staff) == 1 and len(to_monitor) == 1
    assert len(mailbox.messages) == 2
    staff_text = mailbox.body(to_staff[0])
    assert "Наблюдаван ангажимент" in staff_text and "Неначенат ангажимент" in staff_text
    assert f"/monitoring/commitments/{plain.pk}/" in staff_text
    monitor_text = mailbox.body(to_monitor[0])
    assert "Наблюдаван ангажимент" in monitor_text
    assert "Неначенат ангажимент" not in monitor_text
    assert not mailbox.to("staff@sofia.example.org")
    assert not mailbox.to("other@ngo.example.org")

    # Idempotent: nothing more to mark, nothing more sent.
    assert services.check_deadlines(today()) == 0
    assert len(mailbox.messages) == 2
    assert CommitmentUpdate.objects.filter(kind=K.OVERDUE).count() == 2


def test_overdue_stays_until_done_dropped_or_a_later_deadline():
    people = make_people()
    commitment = recorded(people, deadline=today() - 3 * DAY)
    services.check_deadlines(today())
    commitment = fresh(commitment)
    # Progress alone does not clear it.
    commitment = services.update_progress(
        commitment, status=S.IN_PROGRESS, progress=60, by=people.staff
    )
    assert (commitment.status, commitment.is_overdue, commitment.progress) == (
        S.OVERDUE,
        True,
        60,
    )
    # A deadline that has not passed does.
    commitment = services.update_progress(
        commitment,
        status=S.IN_PROGRESS,
        progress=70,
        new_deadline=today() + 30 * DAY,
        deadline_reason="Удължен договор.",
        by=people.staff,
    )
    assert (commitment.status, commitment.is_overdue) == (S.IN_PROGRESS, False)

    late = recorded(people, deadline=today() - 3 * DAY)
    services.check_deadlines(today())
    late = services.update_progress(
        fresh(late), status=S.DONE, progress=100, done_on=today(), by=people.staff
    )
    assert (late.status, late.is_overdue, late.done_on_time) == (S.DONE, False, False)


def _overdue_batch(n: int, people: People) -> None:
    for i in range(n):
        CommitmentFactory(
            institution=generated("ma:PDV22" if i % 2 else "ma:SOF46"),
            deadline=today() - DAY,
            status=S.IN_PROGRESS,
            monitor=people.monitor if i % 3 == 0 else None,
        )


def test_overdue_check_queries_do_not_grow_with_the_commitments():
    people = make_people()
    counts = []
    for n in (3, 30):
        Commitment.objects.all().delete()
        _overdue_batch(n, people)
        with CaptureQueriesContext(connection) as queries:
            assert services.check_deadlines(today()) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
