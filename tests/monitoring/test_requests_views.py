"""The pages of information requests: the public list (filters, privacy, pages without a
total, flat queries), filing and logging (the institution step, the four fields, bad input,
the honeypot, the rate limit), the tracking page for each rung of the ladder (private
requests, hidden names, the address and e-mail never public, the appeal route) and the steps
of the institution and of the requester."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring.enums import (
    DocumentKind,
    RefusalGround,
    RequestEventKind,
    RequestStatus,
)
from monitoring.models import Document, InformationRequest, RequestEvent
from monitoring.services import requests as services
from tests.factories.monitoring import InformationRequestFactory, MonitoringReportFactory
from tests.monitoring import test_requests_support as support
from tests.monitoring.test_requests_support import (
    LADDER,
    D,
    exe,
    pdf,
    statutory_fields,
)

pytestmark = pytest.mark.django_db

# The shared fixtures (a module of their own: tests/conftest.py is not this part's).
clock = support.clock
fresh_cache = support.fresh_cache
media = support.media
people = support.people

LIST = reverse("monitoring:requests")
FILE = reverse("monitoring:request-file")
LOG = reverse("monitoring:request-log")
HIDDEN_NAME = "Радослава Скритова Тайнова"
ADDRESS = "ул. „Незнайна“ 77, ет. 3"
EMAIL = "hidden.person@example.org"


def act_url(req: InformationRequest, action: str) -> str:
    return reverse("monitoring:request-action", args=[req.pk, action])


def private_request(people, **kw) -> InformationRequest:
    return InformationRequestFactory(
        requester=people["requester"],
        requester_name=HIDDEN_NAME,
        correspondence_address=ADDRESS,
        requester_email=EMAIL,
        is_public=False,
        **kw,
    )


def public_request(people, **kw) -> InformationRequest:
    kw.setdefault("requester", people["requester"])
    kw.setdefault("requester_name", HIDDEN_NAME)
    kw.setdefault("show_name", False)
    return InformationRequestFactory(correspondence_address=ADDRESS, requester_email=EMAIL, **kw)


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_public_requests_newest_first_with_tags(people):
    old = public_request(people, title="Бюджет за 2025 г.", filed_on=D("2026-10-01"))
    new = public_request(
        people, title="Договори за паркове", filed_on=D("2026-12-01"), due_on=D("2026-12-15")
    )
    html = people.client("anonymous").get(LIST).content.decode()
    assert html.index(new.title) < html.index(old.title)
    assert _("Registered, in progress") in html
    assert "15.12.2026" in html  # the deadline tag
    assert people.plovdiv.name in html
    # Never the requester's hidden name, address or e-mail.
    for secret in (HIDDEN_NAME, ADDRESS, EMAIL):
        assert secret not in html


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("requester", True),
        ("citizen", False),
        ("representative", False),
        ("staff", True),
        ("other staff", False),
        ("moderator", True),
        ("administrator", True),
    ],
)
def test_private_requests_are_listed_only_to_those_who_may_see_them(people, role, sees):
    private_request(people, title="Заплати на кмета")
    html = people.client(role).get(LIST).content.decode()
    assert ("Заплати на кмета" in html) is sees


def test_a_private_request_filed_for_an_organisation_is_listed_to_its_representatives(people):
    private_request(people, title="Субсидии за читалища", organisation=people.organisation)
    assert "Субсидии за читалища" in people.client("representative").get(LIST).content.decode()


def test_the_filters(people):
    sofia = public_request(people, title="Столична заявка", institution=people.sofia)
    refused = public_request(people, title="Отказана заявка", status=RequestStatus.REFUSED)
    overdue = public_request(people, title="Просрочена заявка", is_overdue=True)
    client = people.client("anonymous")

    def titles(**query) -> set[str]:
        html = client.get(LIST, query).content.decode()
        return {t for t in (sofia.title, refused.title, overdue.title) if t in html}

    assert titles(institution=people.sofia.pk) == {sofia.title}
    assert titles(municipality="SOF46") == {sofia.title}
    assert titles(province="PDV") == {refused.title, overdue.title}
    assert titles(status="refused") == {refused.title}
    assert titles(overdue="on") == {overdue.title}
    assert titles(q="отказана") == {refused.title}
    # Too short: a message next to the field, and the list unfiltered.
    response = client.get(LIST, {"q": "от"})
    assert _("Write at least 3 letters.") in response.content.decode()


def test_the_list_pages_without_counting(people):
    for i in range(23):
        public_request(people, title=f"Заявка номер {i:02d}")
    client = people.client("anonymous")
    first = client.get(LIST).content.decode()
    assert "Заявка номер 22" in first and "Заявка номер 02" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "Заявка номер 02" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get(LIST, {"page": "x"}).status_code == 200


def test_the_empty_list_says_what_to_do(people):
    html = people.client("anonymous").get(LIST).content.decode()
    assert _("No requests have been published yet.") in html
    assert FILE in html


def _list_queries(people, django_assert_max_num_queries, n: int, role: str) -> None:
    for _i in range(n):
        public_request(people)
        private_request(people)
    client = people.client(role)
    client.get(LIST)  # warm the session and the content types
    with django_assert_max_num_queries(12):
        assert client.get(LIST, {"municipality": "PDV22"}).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_the_list_runs_a_fixed_number_of_queries(people, django_assert_max_num_queries, n, role):
    _list_queries(people, django_assert_max_num_queries, n, role)


# --- filing ----------------------------------------------------------------------------------


def test_filing_needs_signing_in(people):
    response = people.client("anonymous").get(FILE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_institution_is_chosen_first(people):
    client = people.client("requester")
    html = client.get(FILE).content.decode()
    assert 'name="municipality"' in html
    html = client.get(FILE, {"municipality": "PDV22"}).content.decode()
    assert f"?institution={people.plovdiv.pk}" in html
    assert client.get(FILE, {"institution": "abc"}).status_code == 404
    assert client.get(FILE, {"institution": 10**9}).status_code == 404


def _form(**changes) -> dict[str, object]:
    data = statutory_fields(**changes)
    return {
        k: v for k, v in {**data, "show_name": "on" if data["show_name"] else "",
                          "is_public": "on" if data["is_public"] else ""}.items() if v != ""
    }  # fmt: skip


def test_filing_happy_path(people, mailbox):
    client = people.client("requester")
    url = f"{FILE}?institution={people.plovdiv.pk}"
    form = client.get(url).content.decode()
    assert 'name="website"' in form and 'class="hp-field"' in form
    assert 'name="on_behalf"' not in form  # represents nobody
    response = client.post(url, _form())
    req = InformationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == req.get_absolute_url()
    assert req.requester == people["requester"] and req.status == RequestStatus.SUBMITTED
    assert mailbox.to(people.plovdiv.email) and mailbox.to("maria.requester@example.org")


def test_filing_on_behalf_of_an_organisation(people):
    client = people.client("representative")
    url = f"{FILE}?institution={people.plovdiv.pk}"
    assert 'name="on_behalf"' in client.get(url).content.decode()
    client.post(url, _form(on_behalf=str(people.organisation.pk), show_name=True))
    req = InformationRequest.objects.get()
    assert req.organisation == people.organisation
    # Someone else's organisation is not a choice.
    response = people.client("citizen").post(url, _form(on_behalf=str(people.organisation.pk)))
    assert InformationRequest.objects.count() == 2
    assert InformationRequest.objects.latest("pk").organisation is None
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "Моля за данни. Моето ЕГН е 7501020018."}, "description"),
        ({"requester_name": ""}, "requester_name"),
        ({"correspondence_address": ""}, "correspondence_address"),
        ({"title": ""}, "title"),
        ({"access_form": "fax"}, "access_form"),
    ],
)
def test_bad_filings_are_refused_next_to_the_field_and_keep_what_was_typed(people, changes, field):
    url = f"{FILE}?institution={people.plovdiv.pk}"
    response = people.client("requester").post(url, _form(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'id="id_{field}_error"', html)
    assert 'class="error-summary"' in html
    assert "ул. „Тестова“ 1" in html or field == "correspondence_address"
    assert not InformationRequest.objects.exists()


def test_the_honeypot_and_the_rate_limit(people, mailbox):
    client = people.client("requester")
    url = f"{FILE}?institution={people.plovdiv.pk}"
    for _i in range(10):
        response = client.post(url, _form(website="http://spam.example"))
        assert response.status_code == 200
    assert not InformationRequest.objects.exists() and mailbox.messages == []
    assert client.post(url, _form()).status_code == 429


# --- logging ---------------------------------------------------------------------------------


def _log_form(**changes) -> dict[str, object]:
    data = {
        "channel": "pitay",
        "filed_on": "2026-12-01",
        "external_reference": "PAI-1",
        "registration_number": "94-00-9",
        "registered_on": "2026-12-02",
        **_form(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_logging_a_request_filed_elsewhere(people, mailbox):
    client = people.client("requester")
    url = f"{LOG}?institution={people.plovdiv.pk}"
    assert 'name="someone_else"' not in client.get(url).content.decode()
    response = client.post(url, _log_form())
    req = InformationRequest.objects.get()
    assert response["Location"] == req.get_absolute_url()
    assert (req.channel, req.registered_on, req.due_on) == (
        "pitay", D("2026-12-02"), D("2026-12-16"),
    )  # fmt: skip
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"filed_on": "2026-12-07"}, "filed_on"),
        ({"registered_on": "2026-11-30"}, "registered_on"),
        ({"registered_on": ""}, "registered_on"),
        ({"channel": "platform"}, "channel"),
    ],
)
def test_bad_logs_are_refused_next_to_the_field(people, changes, field):
    url = f"{LOG}?institution={people.plovdiv.pk}"
    response = people.client("requester").post(url, _log_form(**changes))
    assert re.search(rf'id="id_{field}_error"', response.content.decode())
    assert not InformationRequest.objects.exists()


def test_staff_log_for_someone_without_an_account(people):
    client = people.client("staff")
    url = f"{LOG}?institution={people.plovdiv.pk}"
    assert 'name="someone_else"' in client.get(url).content.decode()
    client.post(url, _log_form(someone_else="on", channel="in_person"))
    assert InformationRequest.objects.get().requester is None
    # Staff of another institution log only their own requests there.
    people.client("other staff").post(url, _log_form(someone_else="on"))
    assert InformationRequest.objects.latest("pk").requester == people["other staff"]


# --- the tracking page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", LADDER)
def test_a_private_request_is_a_404_to_those_who_may_not_see_it(people, role):
    req = private_request(people)
    status = people.client(role).get(req.get_absolute_url()).status_code
    allowed = role in ("requester", "staff", "moderator", "administrator")
    assert status == (200 if allowed else 404)


@pytest.mark.parametrize("role", LADDER)
def test_the_name_address_and_email_are_never_public(people, role):
    req = public_request(people)
    html = people.client(role).get(req.get_absolute_url()).content.decode()
    identity = role in ("requester", "staff", "moderator", "administrator")
    for secret in (HIDDEN_NAME, ADDRESS, EMAIL):
        assert (secret in html) is identity, (role, secret)


def test_a_shown_name_is_public_but_never_the_address(people):
    req = public_request(people, show_name=True)
    html = people.client("anonymous").get(req.get_absolute_url()).content.decode()
    assert HIDDEN_NAME in html and ADDRESS not in html and EMAIL not in html


def test_the_tracking_page_shows_the_deadline_timeline_answer_and_documents(people, media):
    req = services.file(people.plovdiv, by=people["requester"], **statutory_fields())
    req = services.register(
        req, number="94-00-1", registered_on=D("2026-12-06"), by=people["staff"]
    )
    services.add_document(
        req, upload=pdf(), title="Публичен файл", kind=DocumentKind.OTHER, by=people["staff"]
    )
    services.add_document(
        req, upload=pdf(), title="Чака заличаване", kind=DocumentKind.OTHER, by=people["staff"],
        is_public=False,
    )  # fmt: skip
    RequestEvent.objects.create(
        request=req, kind=RequestEventKind.NOTE, on=D("2026-12-06"), note="Вътрешна бележка",
        is_public=False,
    )  # fmt: skip
    html = people.client("anonymous").get(req.get_absolute_url()).content.decode()
    assert "21.12.2026" in html  # 6.12 + 14 = 20.12, a Sunday
    assert _("for the institution's decision (ЗДОИ чл. 28)") in html
    assert str(RequestEventKind.REGISTERED.label) in html
    assert "Публичен файл" in html and "Чака заличаване" not in html
    assert "Вътрешна бележка" not in html
    staff = people.client("staff").get(req.get_absolute_url()).content.decode()
    assert "Чака заличаване" in staff and "Вътрешна бележка" in staff
    assert act_url(req, "decide") in staff and act_url(req, "decide") not in html


def test_the_answer_is_rendered_markdown_without_html(people):
    req = public_request(
        people, status=RequestStatus.GRANTED, decided_on=D("2026-12-01"),
        answer="**Предоставяме** данните. <script>alert(1)</script>",
    )  # fmt: skip
    html = people.client("anonymous").get(req.get_absolute_url()).content.decode()
    assert "<strong>Предоставяме</strong>" in html and "<script>alert" not in html


def test_after_a_refusal_the_appeal_route_and_its_deadline(people):
    req = public_request(
        people, status=RequestStatus.REFUSED, decided_on=D("2026-12-01"),
        refusal_ground=RefusalGround.SECRET,
    )  # fmt: skip
    html = people.client("anonymous").get(req.get_absolute_url()).content.decode()
    assert "pitay.government.bg/help-section/help-appeal" in html
    assert "15.12.2026" in html  # 1.12 + 14
    assert str(RefusalGround.SECRET.label) in html


def test_after_silence_the_appeal_against_a_tacit_refusal(people):
    req = public_request(people, due_on=D("2026-11-16"), is_overdue=True)
    html = people.client("anonymous").get(req.get_absolute_url()).content.decode()
    assert "help-appeal" in html and "16.12.2026" in html  # 16.11 + 1 month
    granted = public_request(people, status=RequestStatus.GRANTED, decided_on=D("2026-11-10"))
    assert (
        "help-appeal"
        not in people.client("anonymous").get(granted.get_absolute_url()).content.decode()
    )


def test_the_reports_that_cover_it(people):
    from django.utils import timezone

    req = public_request(people)
    published = MonitoringReportFactory(published_at=timezone.now())
    draft = MonitoringReportFactory()
    published.requests.add(req)
    draft.requests.add(req)
    html = people.client("anonymous").get(req.get_absolute_url()).content.decode()
    assert published.title in html and draft.title not in html


def _detail_queries(people, django_assert_max_num_queries, n: int, role: str) -> None:
    from django.utils import timezone

    req = public_request(people)
    for i in range(n):
        RequestEvent.objects.create(request=req, kind=RequestEventKind.NOTE, on=D("2026-12-01"),
                                    note=f"Бележка {i}")  # fmt: skip
        Document.objects.create(request=req, title=f"Файл {i}", file=f"monitoring/x{i}.pdf")
        report = MonitoringReportFactory(published_at=timezone.now())
        report.requests.add(req)
    client = people.client(role)
    client.get(req.get_absolute_url())
    with django_assert_max_num_queries(14):
        assert client.get(req.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_the_tracking_page_runs_a_fixed_number_of_queries(
    people, django_assert_max_num_queries, n, role
):
    _detail_queries(people, django_assert_max_num_queries, n, role)


# --- the steps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "public", "private"),
    [
        ("anonymous", 302, 302),
        ("requester", 403, 403),
        ("citizen", 403, 404),
        ("representative", 403, 404),
        ("staff", 200, 200),
        ("other staff", 403, 404),
        ("moderator", 403, 403),
        ("administrator", 200, 200),
    ],
)
def test_the_institutions_steps_ladder(people, role, public, private):
    """Those who may not see a private request get a 404, those who see it but may not act
    a 403, the anonymous the sign-in page."""
    req = public_request(people, status=RequestStatus.SUBMITTED, registered_on=None)
    assert people.client(role).get(act_url(req, "register")).status_code == public
    hidden = private_request(people)
    assert people.client(role).get(act_url(hidden, "decide")).status_code == private


@pytest.mark.parametrize(
    ("role", "status"),
    [("requester", 200), ("citizen", 403), ("staff", 403), ("administrator", 403)],
)
def test_the_requesters_steps_ladder(people, role, status):
    req = public_request(people)
    assert people.client(role).get(act_url(req, "withdraw")).status_code == status
    assert people.client(role).get(act_url(req, "visibility")).status_code == status


def test_unknown_steps_are_404(people):
    req = public_request(people)
    assert people.client("staff").get(act_url(req, "delete")).status_code == 404


def test_staff_register_extend_and_decide_through_the_pages(people, mailbox, media):
    req = services.file(people.plovdiv, by=people["requester"], **statutory_fields())
    client = people.client("staff")
    response = client.post(
        act_url(req, "register"),
        {"version": req.version, "number": "94-00-3", "registered_on": "2026-12-06"},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.REGISTERED and req.due_on == D("2026-12-21")
    client.post(
        act_url(req, "extend"),
        {"version": req.version, "reason": "third_party", "days": "14", "note": "Питаме фирмата."},
    )
    req.refresh_from_db()
    assert req.extension_days == 14 and req.due_on == D("2027-01-04")
    response = client.post(
        act_url(req, "decide"),
        {
            "version": req.version, "outcome": "granted", "decided_on": "2026-12-06",
            "answer": "Вижте приложения файл.", "document": pdf(), "document_title": "Решение",
        },
    )  # fmt: skip
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.GRANTED and req.documents.get().title == "Решение"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "refused", "decided_on": "2026-12-04"}, "refusal_ground"),
        ({"outcome": "granted", "decided_on": "2026-12-07"}, "decided_on"),
        ({"outcome": "granted", "decided_on": "2026-12-02"}, "decided_on"),  # before 3.12
        ({"outcome": "granted", "decided_on": "2026-12-04", "document": "exe"}, "document"),
        ({"outcome": "granted", "decided_on": "2026-12-04",
          "answer": "ЕГН на служителя: 7501020018"}, "answer"),
    ],
)  # fmt: skip
def test_bad_decisions_are_refused_next_to_the_field(people, media, data, field):
    req = public_request(people, registered_on=D("2026-12-03"), filed_on=D("2026-12-03"))
    data = {"version": req.version, "answer": "Текстът остава.", **data}
    if data.get("document") == "exe":
        data["document"] = exe()
    response = people.client("staff").post(act_url(req, "decide"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'id="id_{field}_error"', html), field
    if field != "answer":
        assert "Текстът остава." in html
    req.refresh_from_db()
    assert req.status == RequestStatus.REGISTERED and not req.documents.exists()


def test_a_decision_before_registration_is_not_offered(people):
    req = public_request(people, status=RequestStatus.SUBMITTED, registered_on=None)
    client = people.client("staff")
    assert act_url(req, "decide") not in client.get(req.get_absolute_url()).content.decode()
    response = client.post(
        act_url(req, "decide"),
        {"version": req.version, "outcome": "granted", "decided_on": "2026-12-04"},
    )
    assert response.status_code == 409
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED


def test_a_stale_page_is_told_and_keeps_what_was_typed(people):
    req = public_request(people, status=RequestStatus.SUBMITTED, registered_on=None)
    old_version = req.version
    services.forward(req, on=D("2026-12-06"), note="", to_name="НАП", by=people["staff"])
    response = people.client("administrator").post(
        act_url(req, "register"),
        {"version": old_version, "number": "77", "registered_on": "2026-12-06"},
    )
    # Forwarded meanwhile: the step is no longer possible.
    assert response.status_code == 409
    req2 = public_request(people)
    InformationRequest.objects.filter(pk=req2.pk).update(version=5)
    response = people.client("staff").post(
        act_url(req2, "ask-clarification"),
        {"version": 1, "on": "2026-12-06", "note": "Какво точно?"},
    )
    html = response.content.decode()
    assert "Какво точно?" in html and 'value="5"' in html
    req2.refresh_from_db()
    assert req2.status == RequestStatus.REGISTERED


def test_the_requester_clarifies_withdraws_and_hides(people, mailbox):
    req = public_request(people, registered_on=D("2026-12-03"), filed_on=D("2026-12-03"))
    services.ask_clarification(req, on=D("2026-12-04"), note="Уточнете.", by=people["staff"])
    req.refresh_from_db()
    client = people.client("requester")
    assert 'name="on"' not in client.get(act_url(req, "clarify")).content.decode()
    client.post(act_url(req, "clarify"), {"version": req.version, "text": "За 2025 г."})
    req.refresh_from_db()
    assert req.status == RequestStatus.REGISTERED and req.due_on == D("2026-12-21")
    client.post(act_url(req, "visibility"), {"version": req.version, "show_name": "on"})
    req.refresh_from_db()
    assert (req.is_public, req.show_name) == (False, True)
    assert people.client("anonymous").get(req.get_absolute_url()).status_code == 404
    client.post(act_url(req, "withdraw"), {"version": req.version})
    req.refresh_from_db()
    assert req.status == RequestStatus.WITHDRAWN


def test_uploads_of_the_wrong_type_are_refused(people, media):
    req = public_request(people)
    response = people.client("staff").post(
        act_url(req, "document"),
        {"version": req.version, "title": "Файл", "kind": "other", "upload": exe()},
    )
    assert re.search(r'id="id_upload_error"', response.content.decode())
    assert not Document.objects.exists()
    response = people.client("staff").post(
        act_url(req, "document"),
        {"version": req.version, "title": "Файл", "kind": "other", "upload": pdf(),
         "redacted": pdf("r.pdf"), "is_public": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Document.objects.get().is_redacted


def test_staff_redact_a_document_through_the_page(people, media):
    req = public_request(people)
    document = services.add_document(
        req, upload=pdf(), title="Договор", kind=DocumentKind.RELEASED, by=people["staff"]
    )
    url = reverse("monitoring:request-redact", args=[req.pk, document.pk])
    assert people.client("requester").get(url).status_code == 403
    response = people.client("staff").post(
        url, {"version": req.version, "redacted": pdf("r.pdf"), "is_public": "on"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_redacted
