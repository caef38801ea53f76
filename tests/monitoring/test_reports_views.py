"""The pages of monitoring reports: the published ones newest first, a report's page (a
draft only for its writers, moderators and administrators; only public covered items;
Markdown sanitised), writing, correcting and publishing with the permission ladder, bad
input kept in the form, and query counts that stay flat."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models import Document, MonitoringReport
from monitoring.services import commitments as services
from tests.clients import signed_in
from tests.factories.monitoring import (
    CommitmentFactory,
    InformationRequestFactory,
    MonitoringReportFactory,
    SignalFactory,
)
from tests.factories.organisations import OrganisationFactory
from tests.monitoring.test_commitments_services import People, make_people

# The set-up of the commitments' pages (its autouse fixtures apply here too: a fresh cache for
# the rate limits, files under a temporary MEDIA_ROOT).
from tests.monitoring.test_commitments_views import (  # noqa: F401
    LADDER,
    PDF,
    _fresh_cache,
    _media,
    client_of,
    html,
)

pytestmark = pytest.mark.django_db


def draft_of(people: People, **changes) -> MonitoringReport:
    values = {"title": "Доклад за прозрачността", "body": "## Констатации\n\nТекст."}
    values.update(changes)
    return services.create_report(people.monitor, by=people.monitor_rep, **values)


# --- the list --------------------------------------------------------------------------------


def test_list_shows_published_reports_newest_first():
    now = timezone.now()
    older = MonitoringReportFactory(
        title="По-стар доклад", published_at=now - datetime.timedelta(days=30)
    )
    newer = MonitoringReportFactory(
        title="По-нов доклад", summary="Кратко резюме.", published_at=now
    )
    MonitoringReportFactory(title="Чернова")
    response = Client().get(reverse("monitoring:reports"))
    assert response.status_code == 200
    page = html(response)
    assert page.index("По-нов доклад") < page.index("По-стар доклад")
    assert "Чернова" not in page
    assert "Кратко резюме." in page
    assert newer.organisation.name in page and older.get_absolute_url() in page


def test_list_empty_state():
    response = Client().get(reverse("monitoring:reports"))
    assert _("No monitoring report is published yet.") in html(response)


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_flat(rows, django_assert_max_num_queries):
    for _n in range(rows):
        MonitoringReportFactory(published_at=timezone.now())
    with django_assert_max_num_queries(2):
        response = Client().get(reverse("monitoring:reports"))
    assert len(response.context["reports"]) == min(rows, 20)


# --- a report's page -------------------------------------------------------------------------


VIEW_DRAFT = {"monitor rep", "moderator", "administrator"}


@pytest.mark.parametrize("role", LADDER)
def test_a_draft_is_seen_only_by_its_writers_moderators_and_administrators(role):
    people = make_people()
    report = draft_of(people)
    response = client_of(people, role).get(report.get_absolute_url())
    assert response.status_code == (200 if role in VIEW_DRAFT else 404)
    services.publish_report(report, by=people.monitor_rep)
    assert client_of(people, role).get(report.get_absolute_url()).status_code == 200


def test_the_page_lists_public_items_only_and_sanitises_the_text():
    people = make_people()
    commitment = CommitmentFactory(title="Ремонт на площад")
    public_request = InformationRequestFactory(title="Публично заявление")
    hidden_later = InformationRequestFactory(title="Скрито по-късно заявление")
    signal = SignalFactory(title="Сигнал за дупка")
    report = draft_of(
        people,
        body="Текст <script>alert('x')</script> и **удебелен** [връзка](javascript:alert(1))",
        commitments=[commitment],
        requests=[public_request, hidden_later],
        signals=[signal],
        attachments=[("Таблица с данни", SimpleUploadedFile("t.pdf", PDF))],
    )
    services.publish_report(report, by=people.monitor_rep)
    type(hidden_later).objects.filter(pk=hidden_later.pk).update(is_public=False)
    page = html(Client().get(report.get_absolute_url()))
    assert page.count("<h1") == 1
    assert "<script>alert" not in page
    assert 'href="javascript' not in page
    assert "<strong>удебелен</strong>" in page
    assert "Ремонт на площад" in page and commitment.get_absolute_url() in page
    assert "Публично заявление" in page
    assert "Скрито по-късно заявление" not in page
    assert "Сигнал за дупка" in page
    assert "Таблица с данни" in page
    assert people.monitor.name in page
    # The commitment's page links back to the report.
    assert report.get_absolute_url() in html(Client().get(commitment.get_absolute_url()))


@pytest.mark.parametrize("rows", [3, 30])
def test_page_query_count_is_flat(rows, django_assert_max_num_queries):
    people = make_people()
    report = draft_of(people)
    services.publish_report(report, by=people.monitor_rep)
    for n in range(rows):
        report.commitments.add(CommitmentFactory())
        report.requests.add(InformationRequestFactory())
        report.signals.add(SignalFactory())
        Document.objects.create(report=report, title=f"Приложение {n}", file="x.pdf")
    with django_assert_max_num_queries(6):
        response = Client().get(report.get_absolute_url())
    assert len(response.context["commitments"]) == rows


# --- writing, correcting, publishing ---------------------------------------------------------


def new_url(people: People) -> str:
    return reverse("monitoring:report-new") + f"?organisation={people.monitor.pk}"


WRITERS = {"monitor rep", "administrator"}


@pytest.mark.parametrize("role", LADDER)
def test_who_may_write_a_report(role):
    people = make_people()
    response = client_of(people, role).get(new_url(people))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in WRITERS else 403)
    response = client_of(people, role).post(new_url(people), {"title": "Доклад", "body": "Текст."})
    assert MonitoringReport.objects.exists() is (role in WRITERS)


def test_writing_and_publishing_through_the_pages():
    people = make_people()
    commitment = CommitmentFactory()
    request = InformationRequestFactory()
    client = signed_in(people.monitor_rep)
    response = client.post(
        new_url(people),
        {
            "title": "Доклад за 2026 г.",
            "summary": "Резюме.",
            "body": "## Изводи\n\nТекст.",
            "commitments": f"{commitment.pk}",
            "requests": f"№{request.pk}",
            "signals": "",
            "attachment": SimpleUploadedFile("doklad.pdf", PDF),
            "attachment_title": "Пълен доклад",
        },
    )
    report = MonitoringReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert list(report.commitments.all()) == [commitment]
    assert list(report.requests.all()) == [request]
    assert report.documents.get().title == "Пълен доклад"
    page = html(client.get(report.get_absolute_url()))
    assert reverse("monitoring:report-publish", args=[report.pk]) in page
    response = client.post(
        reverse("monitoring:report-publish", args=[report.pk]), {"version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.published_at is not None
    # Published: no publish button, and no way to unpublish; a correction keeps it published.
    page = html(client.get(report.get_absolute_url()))
    assert reverse("monitoring:report-publish", args=[report.pk]) not in page
    edit = reverse("monitoring:report-edit", args=[report.pk])
    form = client.get(edit).context["form"]
    assert "remove" not in form.fields
    response = client.post(
        edit,
        {
            "title": "Доклад за 2026 г. (поправен)",
            "body": "Поправен текст.",
            "commitments": str(commitment.pk),
            "version": report.version,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.published_at is not None and report.title.endswith("(поправен)")
    assert list(report.requests.all()) == []


def test_writing_with_a_private_request_keeps_the_form_and_stores_nothing():
    people = make_people()
    private = InformationRequestFactory(is_public=False, title="Частно заявление")
    response = signed_in(people.monitor_rep).post(
        new_url(people),
        {
            "title": "Моят доклад",
            "body": "Текстът, който написах.",
            "requests": str(private.pk),
            "commitments": "12a",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"requests", "commitments"}
    page = html(response)
    assert "Текстът, който написах." in page and "Моят доклад" in page
    # A private request is as unknown as one that does not exist: its title is not told.
    assert "Частно заявление" not in page
    assert not MonitoringReport.objects.exists()


def test_a_wrong_file_type_is_refused():
    people = make_people()
    response = signed_in(people.monitor_rep).post(
        new_url(people),
        {"title": "Доклад", "body": "Текст.", "attachment": SimpleUploadedFile("a.pdf", b"GIF89a")},
    )
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    assert not MonitoringReport.objects.exists()


def test_prefilled_from_a_commitments_page_and_choosing_the_organisation():
    people = make_people()
    commitment = CommitmentFactory()
    client = signed_in(people.monitor_rep)
    # One organisation: straight to its form, with the commitment proposed.
    response = client.get(reverse("monitoring:report-new") + f"?commitment={commitment.pk}")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.context["form"].initial["commitments"] == str(commitment.pk)
    # Two organisations: choose first.
    second = OrganisationFactory()
    from tests.factories.organisations import representative_of

    representative_of(second, people.monitor_rep)
    response = signed_in(people.monitor_rep).get(reverse("monitoring:report-new"))
    assert response.status_code == 200
    assert f"organisation={second.pk}" in html(response)
    # Nobody to write for: told how to become a representative.
    response = signed_in(people.citizen).get(reverse("monitoring:report-new"))
    assert response.status_code == 200
    assert reverse("organisations:index") in html(response)


@pytest.mark.parametrize("role", LADDER)
def test_who_may_publish_and_edit(role):
    people = make_people()
    report = draft_of(people)
    client = client_of(people, role)
    publish = client.post(reverse("monitoring:report-publish", args=[report.pk]))
    edit = client.get(reverse("monitoring:report-edit", args=[report.pk]))
    report.refresh_from_db()
    if role in WRITERS:
        assert publish.status_code == 302 and report.published_at is not None
        assert edit.status_code == 200
    elif role == "anonymous":
        assert publish.status_code == 302 and report.published_at is None
        assert edit.status_code == 302
    else:
        # A draft is not there for them (404); the moderator sees it but may not change it.
        expected = 403 if role == "moderator" else 404
        assert publish.status_code == expected and edit.status_code == expected
        assert report.published_at is None


def test_a_stale_edit_is_refused_and_keeps_the_text():
    people = make_people()
    report = draft_of(people)
    services.edit_report(report, version=1, by=people.monitor_rep, title="Друг", body="Друг.")
    response = signed_in(people.monitor_rep).post(
        reverse("monitoring:report-edit", args=[report.pk]),
        {"title": "Моето заглавие", "body": "Моят текст.", "version": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Моят текст." in html(response)
    report.refresh_from_db()
    assert report.title == "Друг"
