"""The pages of commitments: the list with its filters (no count of the whole table), a
commitment's page with its timeline, evidence, ratings, comments and covering reports, and
the forms of each role — recording, progress, answer, comment, rating, correction — with the
permission ladder, bad input kept in the form, and query counts that stay flat."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.enums import CommitmentSource, CommitmentStatus, CommitmentUpdateKind
from monitoring.models import Commitment, CommitmentRating, CommitmentUpdate, Document
from monitoring.services import commitments as services
from monitoring.services.common import today
from tests.clients import signed_in
from tests.factories.consultations import ConsultationFactory
from tests.factories.directory import generated
from tests.factories.monitoring import CommitmentFactory, MonitoringReportFactory
from tests.factories.organisations import OrganisationFactory, representative_of
from tests.monitoring.test_commitments_services import People, fields, make_people

pytestmark = pytest.mark.django_db

S = CommitmentStatus
DAY = datetime.timedelta(days=1)
LADDER = [
    "anonymous",
    "citizen",
    "monitor rep",
    "other rep",
    "staff",
    "other staff",
    "moderator",
    "administrator",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; user ids repeat between tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def html(response) -> str:
    return response.content.decode()


def client_of(people: People, role: str) -> Client:
    return signed_in(people[role])


def watched(people: People, **changes) -> Commitment:
    """A commitment of Plovdiv's administration recorded by the monitor's representative."""
    return services.record(
        generated("ma:PDV22"), by=people.monitor_rep, monitor=people.monitor, **fields(**changes)
    )


# --- the list --------------------------------------------------------------------------------


def test_list_sorted_by_deadline_with_status_in_words_progress_and_rating():
    later = CommitmentFactory(title="Нова библиотека", deadline=datetime.date(2027, 9, 1))
    sooner = CommitmentFactory(
        title="Ремонт на училище", deadline=datetime.date(2027, 1, 15), progress=35
    )
    Commitment.objects.filter(pk=sooner.pk).update(ratings_count=2, ratings_sum=7)
    overdue = CommitmentFactory(
        title="Велоалея", deadline=today() - 20 * DAY, status=S.OVERDUE, is_overdue=True
    )
    response = Client().get(reverse("monitoring:commitments"))
    assert response.status_code == 200
    page = html(response)
    assert page.index("Велоалея") < page.index("Ремонт на училище") < page.index("Нова библиотека")
    assert reverse("monitoring:commitment", args=[later.pk]) in page
    assert '<progress max="100" value="35"' in page
    assert "35 %" in page
    assert str(S.OVERDUE.label) in page and "tag-red" in page
    assert "3,5" in page  # the average of 7 over 2, Bulgarian decimal comma
    assert "15.01.2027" in page
    assert 'style="' not in page
    assert overdue.institution.name in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "overdue"}, {"Просрочен"}),
        ({"status": "done"}, {"Изпълнен"}),
        ({"municipality": "SOF46"}, {"Софийски"}),
        ({"province": "SFO"}, set()),
        ({"province": "PDV"}, {"Просрочен", "Изпълнен", "Програмен"}),
        ({"source_kind": "programme_measure"}, {"Програмен"}),
        ({"deadline_after": "2027-03-01"}, {"Програмен", "Софийски"}),
        (
            {"deadline_before": "2027-02-28", "deadline_after": "2026-01-01"},
            {"Просрочен", "Изпълнен"},
        ),
    ],
)
def test_list_filters(query, expected):
    plovdiv, sofia = generated("ma:PDV22"), generated("ma:SOF46")
    CommitmentFactory(title="Просрочен", institution=plovdiv, status=S.OVERDUE,
                      is_overdue=True, deadline=datetime.date(2026, 11, 1))  # fmt: skip
    CommitmentFactory(title="Изпълнен", institution=plovdiv, status=S.DONE,
                      deadline=datetime.date(2027, 2, 1))  # fmt: skip
    CommitmentFactory(title="Програмен", institution=plovdiv,
                      source_kind=CommitmentSource.PROGRAMME_MEASURE,
                      deadline=datetime.date(2027, 5, 1))  # fmt: skip
    CommitmentFactory(title="Софийски", institution=sofia, deadline=datetime.date(2027, 8, 1))
    response = Client().get(reverse("monitoring:commitments"), query)
    assert response.status_code == 200
    shown = {c.title for c in response.context["commitments"]}
    assert shown == expected


def test_list_filter_by_institution_and_empty_state():
    plovdiv = generated("ma:PDV22")
    CommitmentFactory(title="Пловдивски", institution=plovdiv)
    response = Client().get(reverse("monitoring:commitments"), {"institution": plovdiv.pk})
    assert [c.title for c in response.context["commitments"]] == ["Пловдивски"]
    # Only institutions with commitments are offered.
    assert f'<option value="{plovdiv.pk}"' in html(response)
    assert f'<option value="{generated("ma:SOF46").pk}"' not in html(response)
    response = Client().get(reverse("monitoring:commitments"), {"status": "dropped"})
    assert _("No commitment matches these filters.") in html(response)
    Commitment.objects.all().delete()
    response = Client().get(reverse("monitoring:commitments"))
    assert _("No commitments are recorded yet.") in html(response)


def test_list_bad_filter_is_shown_not_fatal():
    CommitmentFactory(title="Пловдивски")
    response = Client().get(reverse("monitoring:commitments"), {"deadline_after": "вчера"})
    assert response.status_code == 200
    assert response.context["form"].errors["deadline_after"]
    assert [c.title for c in response.context["commitments"]] == ["Пловдивски"]


def test_list_pages_without_counting(django_assert_max_num_queries):
    for n in range(30):
        CommitmentFactory(deadline=datetime.date(2027, 1, 1) + n * DAY)
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("monitoring:commitments"))
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert len(first.context["commitments"]) == 25
    assert first.context["page_obj"].has_next and not first.context["page_obj"].has_previous
    assert 'rel="next"' in html(first)
    second = client.get(reverse("monitoring:commitments"), {"page": "2"})
    assert len(second.context["commitments"]) == 5
    assert not second.context["page_obj"].has_next
    past = client.get(reverse("monitoring:commitments"), {"page": "99"})
    assert past.status_code == 200 and not past.context["commitments"]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_flat(rows, django_assert_max_num_queries):
    for n in range(rows):
        CommitmentFactory(
            institution=generated("ma:PDV22" if n % 2 else "ma:SOF46"),
            deadline=datetime.date(2027, 1, 1) + n * DAY,
        )
    client = signed_in(make_people().staff)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("monitoring:commitments"), {"province": "PDV"})
    assert response.status_code == 200


# --- a commitment's page ---------------------------------------------------------------------


def test_page_shows_everything_about_the_commitment():
    people = make_people()
    consultation = ConsultationFactory(title="Програма за детските площадки")
    commitment = watched(
        people, consultation=consultation, source_kind=CommitmentSource.CONSULTATION_REPORT
    )
    services.update_progress(
        commitment,
        status=S.IN_PROGRESS,
        progress=45,
        text="Договорът е **подписан**.",
        evidence_url="https://plovdiv.bg/dogovor",
        documents=[("Снимка на площадката", SimpleUploadedFile("a.pdf", PDF))],
        by=people.staff,
    )
    services.comment(commitment, organisation=people.monitor, text="Кога?", by=people.monitor_rep)
    services.comment(commitment, text="Юни.", by=people.staff)
    services.rate(commitment, organisation=people.monitor, rating=4, by=people.monitor_rep)
    new_deadline = today() + 400 * DAY
    commitment = services.update_progress(
        commitment,
        status=S.IN_PROGRESS,
        progress=50,
        new_deadline=new_deadline,
        deadline_reason="Обжалвана поръчка.",
        by=people.staff,
    )
    corrected = fields(
        title=commitment.title + " (поправено)",
        consultation=consultation,
        source_kind=CommitmentSource.CONSULTATION_REPORT,
    )
    del corrected["deadline"]
    services.edit(commitment, version=commitment.version, by=people.staff, **corrected)
    published = MonitoringReportFactory(
        organisation=people.monitor, title="Доклад за площадките", published_at=timezone.now()
    )
    draft = MonitoringReportFactory(organisation=people.monitor, title="Чернова на доклад")
    published.commitments.add(commitment)
    draft.commitments.add(commitment)

    response = Client().get(commitment.get_absolute_url())
    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    for text in (
        commitment.title,
        "Решение № 123 на Общинския съвет от 25.03.2026 г.",
        'href="https://plovdiv.bg/reshenie-123"',
        "25.03.2026",
        "30.06.2027",
        "Площадката е приета с протокол.",
        consultation.title,
        consultation.get_absolute_url(),
        "<strong>подписан</strong>",
        'href="https://plovdiv.bg/dogovor"',
        "Снимка на площадката",
        "Кога?",
        "Юни.",
        people.monitor.name,
        "Доклад за площадките",
        str(CommitmentUpdateKind.RECORDED.label),
        str(S.IN_PROGRESS.label),
        '<progress max="100" value="50"',
        # The timeline's details, in the reader's language.
        _("Rating: %(n)s of 5.") % {"n": 4},
        _("The deadline changes from %(old)s to %(new)s. Reason: %(reason)s")
        % {"old": "30.06.2027", "new": f"{new_deadline:%d.%m.%Y}", "reason": "Обжалвана поръчка."},
        _("Corrected: %(fields)s.") % {"fields": Commitment._meta.get_field("title").verbose_name},
    ):
        assert text in page, text
    assert "Чернова на доклад" not in page
    # People's names are never shown: the institution or the organisation acted.
    assert people.staff.get_full_name() not in page
    assert people.staff.email not in page
    # Nothing to act with for the anonymous.
    assert reverse("monitoring:commitment-progress", args=[commitment.pk]) not in page
    assert reverse("monitoring:commitment-rate", args=[commitment.pk]) not in page
    # The document's link goes through the download view (monitoring:document) once it exists.
    document = Document.objects.get(commitment=commitment)
    try:
        document_url = reverse("monitoring:document", args=[document.pk])
    except NoReverseMatch:  # the download view is another part's, maybe not built yet
        document_url = ""
    if document_url:
        assert document_url in page


def test_unknown_commitment_is_404():
    assert Client().get(reverse("monitoring:commitment", args=[999999])).status_code == 404
    assert Client().get("/monitoring/commitments/99999999999999999999999/").status_code == 404


FORMS = {
    # role: (progress form, answer form, comment form, rating form, edit link)
    "anonymous": (False, False, False, False, False),
    "citizen": (False, False, False, False, False),
    "monitor rep": (False, False, True, True, True),
    "other rep": (False, False, True, True, False),
    "staff": (True, True, False, False, True),
    "other staff": (False, False, False, False, False),
    "moderator": (False, False, False, False, False),
    "administrator": (True, True, False, False, True),
}


@pytest.mark.parametrize("role", LADDER)
def test_page_offers_each_role_its_forms(role):
    people = make_people()
    commitment = watched(people)
    response = client_of(people, role).get(commitment.get_absolute_url())
    assert response.status_code == 200
    page = html(response)
    expected = FORMS[role]
    for name, shown in zip(
        ["progress", "answer", "comment", "rate", "edit"], expected, strict=True
    ):
        url = reverse(f"monitoring:commitment-{name}", args=[commitment.pk])
        assert (url in page) is shown, (role, name)


@pytest.mark.parametrize("rows", [3, 30])
def test_page_query_count_is_flat(rows, django_assert_max_num_queries):
    people = make_people()
    commitment = watched(people)
    organisations = [OrganisationFactory() for _n in range(rows)]
    for n, organisation in enumerate(organisations):
        CommitmentRating.objects.create(
            commitment=commitment, organisation=organisation, rating=1 + n % 5
        )
        CommitmentUpdate.objects.create(
            commitment=commitment,
            kind=CommitmentUpdateKind.COMMENT,
            organisation=organisation,
            text=f"Коментар {n}",
        )
        CommitmentUpdate.objects.create(
            commitment=commitment, kind=CommitmentUpdateKind.PROGRESS, progress=n % 100
        )
        report = MonitoringReportFactory(organisation=organisation, published_at=timezone.now())
        report.commitments.add(commitment)
        Document.objects.create(commitment=commitment, title=f"Доказателство {n}", file="x.pdf")
    client = signed_in(people.monitor_rep)
    with django_assert_max_num_queries(10):
        response = client.get(commitment.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["ratings"]) == rows


# --- recording -------------------------------------------------------------------------------


def new_url(institution) -> str:
    return reverse("monitoring:commitment-new") + f"?institution={institution.pk}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("monitor rep", 200),
        ("other rep", 200),  # any organisation may monitor
        ("staff", 200),
        ("other staff", 403),
        ("moderator", 403),
        ("administrator", 200),
    ],
)
def test_who_may_open_the_form_to_record(role, status):
    people = make_people()
    response = client_of(people, role).get(new_url(generated("ma:PDV22")))
    assert response.status_code == status
    if status == 302:
        assert reverse("account_login") in response["Location"]


def form_data(**changes) -> dict:
    data = {
        "title": "Нов парк в Тракия",
        "source_kind": CommitmentSource.COUNCIL_DECISION,
        "source_reference": "Решение № 77 от 20.02.2026 г.",
        "source_date": "2026-02-20",
        "source_url": "https://plovdiv.bg/77",
        "deadline": "2027-10-31",
        "indicator": "Паркът е открит.",
        "description": "",
        "consultation": "",
    }
    data.update(changes)
    return data


def test_staff_record_through_the_form():
    people = make_people()
    response = signed_in(people.staff).post(new_url(generated("ma:PDV22")), form_data())
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == commitment.get_absolute_url()
    assert commitment.monitor is None
    assert commitment.deadline == datetime.date(2027, 10, 31)


def test_a_representative_records_for_their_organisation():
    people = make_people()
    response = signed_in(people.monitor_rep).post(
        new_url(generated("ma:PDV22")), form_data(monitor=str(people.monitor.pk))
    )
    assert response.status_code == 302
    assert Commitment.objects.get().monitor == people.monitor


def test_recording_with_bad_input_keeps_what_was_typed():
    people = make_people()
    response = signed_in(people.staff).post(
        new_url(generated("ma:PDV22")),
        form_data(
            source_date="2099-01-01", deadline="", indicator="Паркът е открит. ЕГН 7501010010"
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"source_date", "deadline", "indicator"}
    page = html(response)
    assert "Нов парк в Тракия" in page
    assert _("There is a problem") in page
    assert not Commitment.objects.exists()


def test_choose_the_institution_first():
    people = make_people()
    client = signed_in(people.staff)
    response = client.get(reverse("monitoring:commitment-new"))
    assert response.status_code == 200
    assert new_url(generated("ma:PDV22")) in html(response)
    response = client.get(reverse("monitoring:commitment-new"), {"q": "Пловдив"})
    assert new_url(generated("ma:PDV22")) in html(response)


# --- progress, answer, comment, rating, correction -------------------------------------------

ACTIONS = {
    # action: roles allowed
    "progress": {"staff", "administrator"},
    "answer": {"staff", "administrator"},
    "comment": {"monitor rep", "other rep"},
    "rate": {"monitor rep", "other rep"},
}


def action_data(action: str, people: People, role: str, commitment: Commitment) -> dict:
    organisation = people.other_organisation if role == "other rep" else people.monitor
    return {
        "progress": {"status": S.IN_PROGRESS, "progress": "30", "version": commitment.version},
        "answer": {"answer-text": "Отговор на институцията."},
        "comment": {"comment-organisation": organisation.pk, "comment-text": "Коментар."},
        "rate": {"rating-organisation": organisation.pk, "rating-rating": "4"},
    }[action]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", LADDER)
def test_permission_ladder_of_every_action(action, role):
    people = make_people()
    commitment = watched(people)
    before = commitment.updates.count()
    url = reverse(f"monitoring:commitment-{action}", args=[commitment.pk])
    response = client_of(people, role).post(url, action_data(action, people, role, commitment))
    if role in ACTIONS[action]:
        assert response.status_code == 302, html(response)[:2000]
        assert response["Location"].startswith(commitment.get_absolute_url())
        assert commitment.updates.count() == before + 1
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert commitment.updates.count() == before
        assert not CommitmentRating.objects.exists()


def test_actions_are_post_only():
    people = make_people()
    commitment = watched(people)
    client = signed_in(people.staff)
    for action in ACTIONS:
        url = reverse(f"monitoring:commitment-{action}", args=[commitment.pk])
        assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": S.DONE, "progress": "100", "done_on": "2099-01-01"}, "done_on"),
        ({"status": S.DONE, "progress": "100", "done_on": ""}, "done_on"),
        ({"status": S.IN_PROGRESS, "progress": "101"}, "progress"),
        ({"status": S.DROPPED, "progress": "0", "text": ""}, "text"),
        (
            {"status": S.IN_PROGRESS, "progress": "5", "new_deadline": "2099-01-01"},
            "deadline_reason",
        ),
        ({"status": S.IN_PROGRESS, "progress": "5", "evidence_url": "not a link"}, "evidence_url"),
        ({"status": S.OVERDUE, "progress": "5"}, "status"),
    ],
)
def test_progress_bad_input_is_shown_next_to_the_field_and_nothing_is_stored(data, field):
    people = make_people()
    commitment = watched(people)
    data = {"version": commitment.version, "text": "Напредък по договора.", **data}
    response = signed_in(people.staff).post(
        reverse("monitoring:commitment-progress", args=[commitment.pk]), data
    )
    assert response.status_code == 200
    form = response.context["progress_form"]
    assert field in form.errors
    if data.get("text"):
        assert data["text"] in html(response)  # kept
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == (S.NOT_STARTED, 0, 1)
    assert commitment.updates.count() == 1


def test_progress_with_evidence_file_and_done():
    people = make_people()
    commitment = watched(people)
    response = signed_in(people.staff).post(
        reverse("monitoring:commitment-progress", args=[commitment.pk]),
        {
            "status": S.DONE,
            "progress": "100",
            "done_on": today().isoformat(),
            "text": "Площадката е открита.",
            "evidence_title": "Протокол за приемане",
            "evidence_file": SimpleUploadedFile("protokol.pdf", PDF),
            "version": commitment.version,
        },
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.status, commitment.done_on_time) == (S.DONE, True)
    assert Document.objects.get(commitment=commitment).title == "Протокол за приемане"
    page = html(Client().get(commitment.get_absolute_url()))
    assert "Протокол за приемане" in page
    # Done is final: no more progress form.
    staff_page = html(signed_in(people.staff).get(commitment.get_absolute_url()))
    assert reverse("monitoring:commitment-progress", args=[commitment.pk]) not in staff_page


def test_a_file_that_is_not_a_document_is_refused():
    people = make_people()
    commitment = watched(people)
    response = signed_in(people.staff).post(
        reverse("monitoring:commitment-progress", args=[commitment.pk]),
        {
            "status": S.IN_PROGRESS,
            "progress": "10",
            "evidence_file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"),
            "version": commitment.version,
        },
    )
    assert response.status_code == 200
    assert "evidence_file" in response.context["progress_form"].errors
    assert not Document.objects.exists()


def test_a_stale_progress_form_is_refused_and_keeps_the_text():
    people = make_people()
    commitment = watched(people)
    services.update_progress(commitment, status=S.IN_PROGRESS, progress=10, by=people.staff)
    response = signed_in(people.staff).post(
        reverse("monitoring:commitment-progress", args=[commitment.pk]),
        {"status": S.IN_PROGRESS, "progress": "50", "text": "Моят текст.", "version": "1"},
    )
    assert response.status_code == 200
    page = html(response)
    assert "Моят текст." in page
    assert response.context["progress_form"].non_field_errors()
    assert response.context["progress_form"].data["version"] == "2"
    assert Commitment.objects.get().progress == 10


def test_rating_6_is_refused_in_the_form():
    people = make_people()
    commitment = watched(people)
    response = signed_in(people.monitor_rep).post(
        reverse("monitoring:commitment-rate", args=[commitment.pk]),
        {"rating-organisation": people.monitor.pk, "rating-rating": "6"},
    )
    assert response.status_code == 200
    assert "rating" in response.context["rating_form"].errors
    assert not CommitmentRating.objects.exists()


def test_a_representative_cannot_speak_for_another_organisation():
    people = make_people()
    commitment = watched(people)
    response = signed_in(people.other_rep).post(
        reverse("monitoring:commitment-comment", args=[commitment.pk]),
        {"comment-organisation": people.monitor.pk, "comment-text": "От чуждо име."},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["comment_form"].errors
    assert not commitment.updates.filter(kind=CommitmentUpdateKind.COMMENT).exists()


def test_a_new_rating_replaces_the_old_one_on_the_page():
    people = make_people()
    commitment = watched(people)
    client = signed_in(people.monitor_rep)
    url = reverse("monitoring:commitment-rate", args=[commitment.pk])
    client.post(url, {"rating-organisation": people.monitor.pk, "rating-rating": "2"})
    client.post(url, {"rating-organisation": people.monitor.pk, "rating-rating": "5"})
    commitment.refresh_from_db()
    assert (commitment.ratings_count, commitment.ratings_sum) == (1, 5)
    page = client.get(commitment.get_absolute_url())
    # The form shows the organisation's current rating.
    assert page.context["rating_form"].initial["rating"] == "5"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("monitor rep", 200),
        ("other rep", 403),
        ("staff", 200),
        ("other staff", 403),
        ("moderator", 403),
        ("administrator", 200),
    ],
)
def test_who_may_correct_a_commitment(role, status):
    people = make_people()
    commitment = watched(people)
    url = reverse("monitoring:commitment-edit", args=[commitment.pk])
    response = client_of(people, role).get(url)
    assert response.status_code == status
    data = form_data(title="Поправено заглавие", version=commitment.version)
    response = client_of(people, role).post(url, data)
    commitment.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert commitment.title == "Поправено заглавие"
    else:
        assert commitment.title != "Поправено заглавие"


def test_correction_keeps_the_deadline_and_refuses_a_stale_form():
    people = make_people()
    commitment = watched(people)
    url = reverse("monitoring:commitment-edit", args=[commitment.pk])
    client = signed_in(people.staff)
    response = client.post(url, form_data(deadline="2030-01-01", version="1"))
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.deadline == datetime.date(2027, 6, 30)
    response = client.post(url, form_data(title="Друго", version="1"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Commitment.objects.get().title == "Нов парк в Тракия"


def test_markdown_of_progress_is_sanitised():
    people = make_people()
    commitment = watched(people)
    services.update_progress(
        commitment,
        status=S.IN_PROGRESS,
        progress=10,
        text="Напредък <script>alert(1)</script> [връзка](javascript:alert(2))",
        by=people.staff,
    )
    page = html(Client().get(commitment.get_absolute_url()))
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page


def test_a_draft_consultation_is_not_shown():
    people = make_people()
    consultation = ConsultationFactory()
    commitment = watched(people, consultation=consultation)
    type(consultation).objects.filter(pk=consultation.pk).update(state="draft")
    page = html(Client().get(commitment.get_absolute_url()))
    assert consultation.title not in page


def test_monitor_rep_sees_link_to_cover_it_in_a_report():
    people = make_people()
    representative_of(OrganisationFactory(), people.monitor_rep)
    commitment = watched(people)
    page = html(signed_in(people.monitor_rep).get(commitment.get_absolute_url()))
    assert reverse("monitoring:report-new") + f"?commitment={commitment.pk}" in page
