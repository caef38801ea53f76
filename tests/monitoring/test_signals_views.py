"""The pages of proposals and signals: the public list (filters, privacy, pagination without
COUNT), the tracking page for each role (a private one is a 404 to those who may not see it;
a hidden name and the address never reach public HTML), filing and logging (sign-in, the
institution step, bad input kept next to the fields with nothing stored, the honeypot, the
rate limit), and query counts that stay flat as records grow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from monitoring.enums import Channel, SignalEventKind, SignalKind, SignalStatus
from monitoring.models import Document, Signal, SignalEvent
from monitoring.services import common
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.directory import generated, staff_of
from tests.factories.monitoring import MonitoringReportFactory, SignalFactory
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

NAME = "Севдалина Атанасова Пеева"
ADDRESS = "гр. Пловдив, бул. „Скрит адрес“ 77"
EMAIL = "hidden.filer@example.org"
LIST = reverse("monitoring:signals")
FILE = reverse("monitoring:signal-file")
LOG = reverse("monitoring:signal-log")
PUBLISHED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
EGN = "7501010010"  # a valid personal number: refused in any text


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; user ids repeat between tests."""
    cache.clear()


@dataclass
class People:
    users: dict[str, User | None]

    def client(self, role: str) -> Client:
        return signed_in(self.users[role])

    def __getitem__(self, role: str) -> User:
        user = self.users[role]
        assert user is not None
        return user


@pytest.fixture
def people() -> People:
    staff = UserFactory(email="staff@plovdiv.example.bg")
    staff_of(generated("ma:PDV22"), staff)
    other_staff = UserFactory()
    staff_of(generated("ma:VAR01"), other_staff)
    ngo = OrganisationFactory()
    representative = UserFactory()
    representative_of(ngo, representative)
    other_representative = UserFactory()
    representative_of(OrganisationFactory(), other_representative)
    return People(
        users={
            "anonymous": None,
            "filer": UserFactory(email=EMAIL),
            "citizen": UserFactory(),
            "representative": representative,
            "other representative": other_representative,
            "staff": staff,
            "other staff": other_staff,
            "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
            "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
        }
    )


def _signal(people: People, **kwargs) -> Signal:
    ngo = people["representative"].role_assignments.get().scope
    fields = {
        "filer": people["filer"],
        "organisation": ngo,
        "filer_name": NAME,
        "filer_address": ADDRESS,
        "filer_email": EMAIL,
        "show_name": False,
    }
    fields.update(kwargs)
    return SignalFactory(**fields)


# --- the tracking page -----------------------------------------------------------------------

SEES_PRIVATE = {
    "anonymous": False,
    "filer": True,
    "citizen": False,
    "representative": True,  # of the organisation it was filed for
    "other representative": False,
    "staff": True,
    "other staff": False,
    "moderator": True,
    "administrator": True,
}


@pytest.mark.parametrize(("role", "sees"), SEES_PRIVATE.items())
def test_a_private_signal_is_a_404_to_those_who_may_not_see_it(people, role, sees):
    signal = _signal(people, is_public=False)
    response = people.client(role).get(signal.get_absolute_url())
    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize("role", SEES_PRIVATE)
def test_a_public_signal_hides_name_and_address(people, role):
    signal = _signal(people, is_public=True, show_name=False)
    html = people.client(role).get(signal.get_absolute_url()).content.decode()
    assert signal.title in html
    sees_name = role in ("filer", "representative", "staff", "moderator", "administrator")
    sees_contacts = role in ("filer", "representative", "staff", "administrator")
    assert (NAME in html) is sees_name
    assert (ADDRESS in html) is sees_contacts
    assert (EMAIL in html) is sees_contacts


def test_a_shown_name_is_public_but_never_the_address(people):
    signal = _signal(people, is_public=True, show_name=True, organisation=None)
    html = Client().get(signal.get_absolute_url()).content.decode()
    assert NAME in html
    assert ADDRESS not in html and EMAIL not in html


def test_the_tracking_page_shows_deadline_timeline_answer_and_reports(people):
    signal = _signal(
        people,
        status=SignalStatus.ANSWERED,
        outcome="accepted",
        decided_on=date(2026, 11, 20),
        communicated_on=date(2026, 11, 23),
        answer="Ще поставим **20 пейки**.",
        answered_on_time=True,
        days_to_answer=50,
    )
    SignalEvent.objects.create(
        signal=signal, kind=SignalEventKind.ANSWERED, on=date(2026, 11, 20), to_status="answered"
    )
    SignalEvent.objects.create(
        signal=signal,
        kind=SignalEventKind.NOTE,
        on=date(2026, 11, 21),
        note="Вътрешна бележка",
        is_public=False,
    )
    report = MonitoringReportFactory(published_at=PUBLISHED)
    report.signals.add(signal)
    draft = MonitoringReportFactory(title="Чернова на доклад")
    draft.signals.add(signal)
    html = Client().get(signal.get_absolute_url()).content.decode()
    assert "<strong>20 пейки</strong>" in html  # the answer's Markdown
    assert _("There is no appeal against the decision on a proposal (АПК, Art. 118).") in html
    assert _("On time") in html
    assert report.title in html and "Чернова на доклад" not in html
    assert "Вътрешна бележка" not in html  # staff only
    staff_html = people.client("staff").get(signal.get_absolute_url()).content.decode()
    assert "Вътрешна бележка" in staff_html


def test_anonymous_and_stale_say_no_deadline_runs(people):
    anonymous = _signal(people, filer_name="", filer_address="", is_anonymous=True, due_on=None)
    html = Client().get(anonymous.get_absolute_url()).content.decode()
    assert _("Accepted as feedback, no legal deadline.") in html
    assert _("No statutory deadline runs") in html
    stale = _signal(people, kind=SignalKind.SIGNAL, is_stale=True, due_on=None)
    html = Client().get(stale.get_absolute_url()).content.decode()
    assert _("About acts more than 2 years old.") in html


def test_overdue_is_shown_in_words(people):
    signal = _signal(people, is_overdue=True, due_on=date(2026, 12, 1))
    html = Client().get(signal.get_absolute_url()).content.decode()
    assert _("Overdue: the deadline was %(day)s") % {"day": "01.12.2026"} in html


ACTIONS = {
    "anonymous": set(),
    "filer": {"withdraw", "visibility"},
    "citizen": set(),
    "representative": {"withdraw", "visibility"},
    "other representative": set(),
    "staff": {"register", "no-proceedings", "extend", "forward", "document"},
    "other staff": set(),
    "moderator": set(),
    "administrator": {"register", "no-proceedings", "extend", "forward", "document"},
}


@pytest.mark.parametrize(("role", "actions"), ACTIONS.items())
def test_actions_offered_to_each_role(people, role, actions):
    signal = _signal(
        people,
        status=SignalStatus.SUBMITTED,
        registered_on=None,
        registration_number="",
        due_on=common.today() + timedelta(days=30),
    )
    html = people.client(role).get(signal.get_absolute_url()).content.decode()
    for name in (
        "register",
        "no-proceedings",
        "extend",
        "forward",
        "document",
        "answer",
        "withdraw",
        "visibility",
    ):
        url = reverse(f"monitoring:signal-{name}", args=[signal.pk])
        assert (f'href="{url}"' in html) is (name in actions), name


def test_forwarding_in_time_is_said(people):
    signal = _signal(people, status=SignalStatus.FORWARDED, forwarded_to_name="РЗИ – Пловдив")
    SignalEvent.objects.create(
        signal=signal,
        kind=SignalEventKind.FORWARDED,
        on=date(2026, 10, 12),
        to_status="forwarded",
        details={"in_time": False},
    )
    html = Client().get(signal.get_absolute_url()).content.decode()
    assert "РЗИ – Пловдив" in html
    assert "12.10.2026" in html and "08.10.2026" in html  # received 1.10 + 7 days


def _detail_queries(people, rows: int) -> int:
    signal = _signal(people, is_public=True)
    for n in range(rows):
        SignalEvent.objects.create(signal=signal, kind=SignalEventKind.NOTE, on=date(2026, 11, 1))
        Document.objects.create(signal=signal, title=f"Документ {n}", file=f"x/{n}.pdf")
        MonitoringReportFactory(published_at=PUBLISHED).signals.add(signal)
    client = people.client("staff")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(signal.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_tracking_page_queries_do_not_grow(people):
    assert _detail_queries(people, 3) == _detail_queries(people, 30)


def test_an_unknown_or_huge_id_is_a_404(people):
    assert Client().get(reverse("monitoring:signal", args=[999999])).status_code == 404
    assert Client().get(f"{LIST}{2**63}/").status_code == 404


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_what_each_may_see(people):
    public = _signal(people, title="Публично предложение", is_public=True)
    private = _signal(people, title="Лично предложение", is_public=False)
    elsewhere = SignalFactory(
        title="Чуждо лично", is_public=False, institution=generated("ma:VAR01")
    )
    expected = {
        "anonymous": {public},
        "filer": {public, private},
        "citizen": {public},
        "representative": {public, private},
        "staff": {public, private},
        "other staff": {public, elsewhere},
        "moderator": {public, private, elsewhere},
    }
    for role, shown in expected.items():
        html = people.client(role).get(LIST).content.decode()
        for signal in (public, private, elsewhere):
            assert (signal.title in html) is (signal in shown), (role, signal.title)


def test_the_list_filters(people):
    proposal = _signal(people, title="Предложение за парка", is_public=True)
    signal = _signal(
        people,
        title="Сигнал за строеж",
        kind=SignalKind.SIGNAL,
        is_public=True,
        is_overdue=True,
        institution=generated("ma:SOF46"),
    )
    answered = _signal(
        people, title="Отговорено за пейките", is_public=True, status=SignalStatus.ANSWERED
    )

    def shown(**params):
        html = Client().get(LIST, params).content.decode()
        return {s.title for s in (proposal, signal, answered) if s.title in html}

    assert shown(kind="signal") == {signal.title}
    assert shown(municipality="PDV22") == {proposal.title, answered.title}
    assert shown(province="SOF") == {signal.title}
    assert shown(institution=generated("ma:SOF46").pk) == {signal.title}
    assert shown(status="answered") == {answered.title}
    assert shown(overdue="on") == {signal.title}
    assert shown(kind="nonsense") == {proposal.title, signal.title, answered.title}


def test_the_list_pages_without_counting(people):
    for n in range(27):
        _signal(
            people,
            title=f"Предложение номер {n:02d}",
            is_public=True,
            received_on=date(2026, 10, 1) + timedelta(days=n),
        )
    with CaptureQueriesContext(connection) as queries:
        first = Client().get(LIST)
    assert not any("COUNT(" in q["sql"].upper() for q in queries)
    html = first.content.decode()
    assert "Предложение номер 26" in html and "Предложение номер 01" not in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    second = Client().get(LIST, {"page": 2}).content.decode()
    assert "Предложение номер 01" in second and 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_the_empty_list_says_what_to_do(people):
    html = Client().get(LIST).content.decode()
    assert _("No proposals or signals are published yet.") in html
    assert f'href="{FILE}"' in html
    html = Client().get(LIST, {"kind": "signal"}).content.decode()
    assert _("Nothing matches these filters.") in html


def _list_queries(people, rows: int) -> int:
    Signal.objects.all().delete()
    for n in range(rows):
        _signal(people, title=f"Ред {n}", is_public=True, is_anonymous=n % 2 == 0)
    client = people.client("staff")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, {"municipality": "PDV22"}).status_code == 200
    return len(queries)


def test_the_list_queries_do_not_grow(people):
    assert _list_queries(people, 3) == _list_queries(people, 30)


# --- filing ----------------------------------------------------------------------------------


def _form(**changes):
    data = {
        "kind": "proposal",
        "title": "Велоалея по бул. „Марица“",
        "description": "Предлагам велоалея по целия булевард.",
        "filer_name": NAME,
        "filer_address": ADDRESS,
        "filer_email": EMAIL,
        "is_public": "on",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_filing_requires_sign_in(people):
    response = Client().get(FILE)
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().post(f"{FILE}?institution={generated().pk}", _form()).status_code == 302
    assert not Signal.objects.exists()


def test_the_institution_step(people):
    client = people.client("citizen")
    html = client.get(FILE).content.decode()
    assert 'name="municipality"' in html and 'name="institution"' not in html
    html = client.get(FILE, {"municipality": "PDV22"}).content.decode()
    assert f'<option value="{generated("ma:PDV22").pk}">' in html
    assert f'<option value="{generated("oa:PDV").pk}">' in html  # serves the province
    assert client.get(FILE, {"institution": "999999"}).status_code == 404


def test_filing_a_proposal(people, mailbox):
    plovdiv = generated("ma:PDV22")
    client = people.client("filer")
    page = client.get(FILE, {"institution": plovdiv.pk}).content.decode()
    assert "111" in page  # the consequence of leaving name and address empty
    assert f'value="{EMAIL}"' in page  # the account's address, for notices
    response = client.post(f"{FILE}?institution={plovdiv.pk}", _form())
    signal = Signal.objects.get()
    assert response.status_code == 302 and response["Location"] == signal.get_absolute_url()
    assert signal.filer == people["filer"] and signal.is_public and not signal.is_anonymous
    assert signal.status == SignalStatus.SUBMITTED and signal.due_on is not None
    assert len(mailbox.to(plovdiv.email)) == 1 and len(mailbox.to(EMAIL)) == 1


def test_filing_anonymously_on_purpose(people):
    plovdiv = generated("ma:PDV22")
    client = people.client("filer")
    response = client.post(
        f"{FILE}?institution={plovdiv.pk}", _form(filer_name="", filer_address=""), follow=True
    )
    signal = Signal.objects.get()
    assert signal.is_anonymous and signal.due_on is None
    assert _("Accepted as feedback, no legal deadline.") in response.content.decode()


def test_filing_for_a_represented_organisation(people):
    ngo = people["representative"].role_assignments.get().scope
    client = people.client("representative")
    url = f"{FILE}?institution={generated().pk}"
    assert ngo.display_name in client.get(url).content.decode()
    client.post(url, _form(organisation=str(ngo.pk)))
    assert Signal.objects.get().organisation == ngo
    other = OrganisationFactory()
    response = client.post(url, _form(organisation=str(other.pk)))
    assert response.status_code == 200 and Signal.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"description": ""}, "description"),
        ({"kind": ""}, "kind"),
        ({"filer_address": ""}, "filer_address"),  # a name without an address
        ({"filer_name": ""}, "filer_name"),
        ({"description": f"Моето ЕГН е {EGN}."}, "description"),
        ({"filer_address": f"ЕГН {EGN}, Пловдив"}, "filer_address"),
        ({"kind": "signal"}, "event_on"),  # a signal needs the date of the acts
        (
            {"kind": "signal", "event_on": (common.today() + timedelta(days=2)).isoformat()},
            "event_on",
        ),
        ({"filer_email": "not-an-address"}, "filer_email"),
        ({"title": "x" * 301}, "title"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(people, changes, field):
    client = people.client("filer")
    data = _form(**changes)
    response = client.post(f"{FILE}?institution={generated().pk}", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'href="#id_{field}' in html
    # What was typed is kept.
    for name in ("title", "description", "filer_name", "filer_address"):
        if data.get(name):
            assert escape(data[name]) in html, name
    assert not Signal.objects.exists()


def test_the_honeypot_keeps_nothing(people, mailbox):
    client = people.client("filer")
    response = client.post(
        f"{FILE}?institution={generated().pk}", _form(website="http://spam.example")
    )
    assert response.status_code == 302
    assert not Signal.objects.exists() and mailbox.messages == []


def test_filing_is_rate_limited(people):
    client = people.client("filer")
    url = f"{FILE}?institution={generated().pk}"
    codes = [client.post(url, _form(title="")).status_code for _n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


# --- logging one filed elsewhere -------------------------------------------------------------


def _log_form(**changes):
    data = {
        "channel": Channel.IN_PERSON,
        "received_on": "2026-11-02",
        "registration_number": "94-00-3",
        "registered_on": "2026-11-03",
    }
    data.update(changes)
    return _form(**data)


def test_a_citizen_logs_their_own(people, mailbox):
    plovdiv = generated("ma:PDV22")
    client = people.client("filer")
    response = client.post(f"{LOG}?institution={plovdiv.pk}", _log_form())
    signal = Signal.objects.get()
    assert response.status_code == 302
    assert signal.filer == people["filer"] and signal.created_by == people["filer"]
    assert signal.status == SignalStatus.REGISTERED and signal.registration_number == "94-00-3"
    assert signal.received_on == date(2026, 11, 2)
    assert not mailbox.to(plovdiv.email)  # filed elsewhere: not sent again


def test_staff_log_for_someone_who_filed_on_paper(people):
    plovdiv = generated("ma:PDV22")
    client = people.client("staff")
    page = client.get(LOG, {"institution": plovdiv.pk}).content.decode()
    assert f'value="{people["staff"].email}"' not in page  # not the official's address
    client.post(f"{LOG}?institution={plovdiv.pk}", _log_form(filer_email="", channel="post"))
    signal = Signal.objects.get()
    assert signal.filer is None and signal.created_by == people["staff"]
    assert signal.channel == Channel.POST


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "platform"}, "channel"),
        ({"received_on": ""}, "received_on"),
        ({"received_on": (common.today() + timedelta(days=1)).isoformat()}, "received_on"),
        ({"registered_on": "2026-11-01"}, "registered_on"),  # before the receipt
        ({"registered_on": ""}, "registered_on"),  # a number without a date
        ({"kind": "signal", "event_on": "2026-11-10"}, "event_on"),  # after the receipt
    ],
)
def test_bad_logging_is_refused_next_to_the_field(people, changes, field):
    client = people.client("filer")
    response = client.post(f"{LOG}?institution={generated().pk}", _log_form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Signal.objects.exists()
