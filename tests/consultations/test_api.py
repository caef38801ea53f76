"""GET /api/v1/consultations, /consultations/{id}, /{id}/comments and /{id}/report."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.enums import Decision, Kind, ReportFormat, State
from consultations.models import Article, Comment, ProposalGroup, ReportFile
from core.models import Topic
from directory.models import Institution
from organisations.models import Organisation
from tests.factories.accounts import UserFactory
from tests.factories.consultations import CommentFactory, ConsultationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/consultations"


def ok(client, url=URL, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def ids(body):
    return [item["id"] for item in body["items"]]


def test_list_shows_public_consultations_only(client):
    open_ = ConsultationFactory()
    closed = ConsultationFactory(state=State.CLOSED)
    draft = ConsultationFactory(state=State.DRAFT)
    scheduled = ConsultationFactory(state=State.SCHEDULED)
    body = ok(client)
    assert set(body) == {"count", "items"}
    assert {open_.pk, closed.pk} <= set(ids(body))
    assert draft.pk not in ids(body) and scheduled.pk not in ids(body)
    item = next(i for i in body["items"] if i["id"] == open_.pk)
    assert item["institution"]["name"] == open_.institution.name_bg
    assert item["institution"]["url"] == f"/directory/institutions/{open_.institution_id}/"
    assert item["municipality"] == "PDV22" and item["province"] == "PDV"
    assert item["state"] == "open" and item["kind"] == "ordinance"
    assert item["url"].endswith(f"/consultations/{open_.pk}/")
    assert "T23:59:59" in item["closes_at"]


def test_filters(client):
    topic = Topic.objects.create(slug="api-test-topic", name_bg="Тема")
    sofia = Institution.objects.filter(municipality_id="SOF46").first()
    a = ConsultationFactory(title="Наредба за тротинетките")
    a.topics.add(topic)
    b = ConsultationFactory(
        state=State.CLOSED, kind=Kind.BUDGET, institution=sofia, municipality_id="SOF46",
        province_id="SOF", title="Бюджет 2027",
    )  # fmt: skip
    assert ids(ok(client, state="closed")) == [b.pk] or b.pk in ids(ok(client, state="closed"))
    assert a.pk not in ids(ok(client, state="closed"))
    assert ids(ok(client, institution=sofia.pk, kind="budget")) == [b.pk]
    assert ids(ok(client, municipality="SOF46", kind="budget")) == [b.pk]
    assert ids(ok(client, topic="api-test-topic")) == [a.pk]
    assert ids(ok(client, q="тротинетки")) in ([a.pk], [])  # prefix search may differ
    assert a.pk in ids(ok(client, q="тротинетк"))
    assert b.pk not in ids(ok(client, q="тротинетк"))
    assert ok(client, topic="no-such-topic")["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"state": "draft"},
        {"state": "scheduled"},
        {"state": "x"},
        {"kind": "law"},
        {"institution": "0"},
        {"institution": "abc"},
        {"municipality": "PDV2"},
        {"municipality": "\x00"},
        {"topic": "Bad Slug"},
        {"q": "x" * 201},
        {"q": "a\x00b"},
        {"page_size": "501"},
    ],
)
def test_bad_parameters_are_422_with_a_message(client, params):
    response = client.get(URL, params)
    assert response.status_code == 422
    assert response.json()["message"]


def test_list_query_count_is_flat(client):
    topic = Topic.objects.create(slug="flat-topic", name_bg="Тема")
    for _ in range(3):
        ConsultationFactory(with_draft=False).topics.add(topic)
    few = queries(client, URL, page_size=100)
    for _ in range(27):
        ConsultationFactory(with_draft=False).topics.add(topic)
    assert queries(client, URL, page_size=100) == few


def test_detail_with_articles(client):
    c = ConsultationFactory()
    article = Article.objects.get(version__consultation=c, label="Чл. 3")
    CommentFactory(consultation=c, article=article)
    Article.objects.filter(pk=article.pk).update(comments_count=1)
    body = ok(client, f"{URL}/{c.pk}")
    labels = [a["label"] for a in body["articles"]]
    assert "Чл. 1" in labels and "Чл. 1, ал. 2" in labels and "§ 1" in labels
    row = next(a for a in body["articles"] if a["label"] == "Чл. 3")
    assert row["anchor"] == "chl-3" and "шумът" in row["text"] and row["comments_count"] == 1
    assert body["version"] == 1
    assert body["comments_url"] == f"{URL}/{c.pk}/comments"
    assert body["report_url"] is None
    assert "contact_email" not in body


@pytest.mark.parametrize("state", [State.DRAFT, State.SCHEDULED])
def test_unpublished_consultations_are_404_everywhere(client, state):
    c = ConsultationFactory(state=state)
    for suffix in ("", "/comments", "/report"):
        response = client.get(f"{URL}/{c.pk}{suffix}")
        assert response.status_code == 404, suffix
        assert response.json()["detail"]


@pytest.mark.parametrize("bad", ["0", "-1", "x", str(2**64)])
def test_bad_ids(client, bad):
    assert client.get(f"{URL}/{bad}").status_code in {404, 422}


def test_comments_show_visible_ones_without_personal_data(client):
    c = ConsultationFactory()
    article = Article.objects.get(version__consultation=c, label="Чл. 2")
    org = Organisation.objects.first()
    person = UserFactory(email="secret-person@example.org")
    shown = CommentFactory(
        consultation=c, article=article, author=person, organisation=org,
        display_name="И. П.", is_proposal=True, proposed_wording="Нов текст на чл. 2.",
    )  # fmt: skip
    reply = CommentFactory(consultation=c, parent=shown, author=person, display_name="И. П.")
    hidden = CommentFactory(consultation=c, hidden_at=timezone.now(), hidden_reason="обиди")
    body = ok(client, f"{URL}/{c.pk}/comments")
    assert body["count"] == 2
    assert [i["id"] for i in body["items"]] == [shown.pk, reply.pk]
    first = body["items"][0]
    assert first["display_name"] == "И. П." and first["organisation"] == org.name
    assert first["article"] == "Чл. 2" and first["proposed_wording"] == "Нов текст на чл. 2."
    assert body["items"][1]["parent"] == shown.pk
    raw = client.get(f"{URL}/{c.pk}/comments").content.decode()
    assert "secret-person" not in raw and "author" not in raw
    assert str(hidden.pk) not in [str(i["id"]) for i in body["items"]]


def test_comments_query_count_is_flat(client):
    c = ConsultationFactory()
    article = Article.objects.filter(version__consultation=c, commentable=True).first()
    org = Organisation.objects.first()
    for _ in range(3):
        CommentFactory(consultation=c, article=article, organisation=org)
    few = queries(client, f"{URL}/{c.pk}/comments")
    for _ in range(27):
        CommentFactory(consultation=c, article=article, organisation=org)
    assert queries(client, f"{URL}/{c.pk}/comments") == few


def _answered(state):
    c = ConsultationFactory(state=State.CLOSED)
    article = Article.objects.get(version__consultation=c, label="Чл. 3")
    group = ProposalGroup.objects.create(
        consultation=c, article=article, order=1, decision=Decision.NOT_ACCEPTED,
        reasons="Противоречи на закона.",
    )  # fmt: skip
    CommentFactory(
        consultation=c, article=article, group=group, display_name="М. Г.",
        text="Да отпадне забраната.", is_proposal=True,
    )  # fmt: skip
    CommentFactory(consultation=c, group=group, display_name="Петър Иванов", text="Съгласен.")
    if state != State.CLOSED:
        c.state = state
        c.report_published_at = timezone.now()
        c.save()
    return c


def test_report_is_404_until_published(client):
    c = _answered(State.CLOSED)
    assert client.get(f"{URL}/{c.pk}/report").status_code == 404


def test_report_rows_after_publication(client):
    c = _answered(State.REPORT_PUBLISHED)
    body = ok(client, f"{URL}/{c.pk}/report")
    (row,) = body["rows"]  # one answer covers both proposals
    assert row.pop("decision_label")  # in Bulgarian once the translations are compiled
    assert row == {
        "number": 1,
        "article": "Чл. 3",
        "participants": ["М. Г.", "Петър Иванов"],
        "proposals": ["Да отпадне забраната.", "Съгласен."],
        "proposed_wordings": [],
        "count": 2,
        "decision": "not_accepted",
        "reasons": "Противоречи на закона.",
    }
    # No file made yet: no URLs.
    assert body["pdf"] is None and body["docx"] is None
    assert ok(client, f"{URL}/{c.pk}")["report_url"] == f"{URL}/{c.pk}/report"
    assert "@" not in client.get(f"{URL}/{c.pk}/report").content.decode()


def test_report_file_urls_only_for_current_files(client):
    from consultations import report

    c = _answered(State.REPORT_PUBLISHED)
    done = ReportFile.Status.DONE
    ReportFile.objects.create(consultation=c, format=ReportFormat.DOCX, fingerprint="old",
                              status=done)  # fmt: skip
    made = ReportFile.objects.create(consultation=c, format=ReportFormat.PDF, status=done,
                                     fingerprint=report.fingerprint(c))  # fmt: skip
    body = ok(client, f"{URL}/{c.pk}/report")
    assert body["pdf"] == f"/consultations/{c.pk}/report/file/{made.pk}/"
    assert body["docx"] is None  # made from older data: not offered


def test_a_hidden_proposal_is_not_in_the_public_report(client):
    c = _answered(State.REPORT_PUBLISHED)
    Comment.objects.filter(consultation=c, display_name="М. Г.").update(hidden_at=timezone.now())
    (row,) = ok(client, f"{URL}/{c.pk}/report")["rows"]
    assert row["participants"] == ["Петър Иванов"]


def test_report_query_count_is_flat(client):
    c = _answered(State.REPORT_PUBLISHED)
    group = c.groups.get()
    few = queries(client, f"{URL}/{c.pk}/report")
    for i in range(30):
        CommentFactory(consultation=c, group=group, text=f"Предложение {i}")
    assert queries(client, f"{URL}/{c.pk}/report") == few


def test_the_schema_lists_the_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/consultations",
        "/api/v1/consultations/{id}",
        "/api/v1/consultations/{id}/comments",
        "/api/v1/consultations/{id}/report",
    ):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/consultations"]["get"]["parameters"]}
    assert {"state", "institution", "municipality", "kind", "topic", "q", "page"} <= params


FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
values = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "open", "draft", "ordinance", "PDV22", "education", "%", "'", "\x00", "наредба"]
    ),
)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["state", "institution", "municipality", "kind", "topic", "q", "page", "page_size"]
        ),
        values,
        max_size=4,
    )
)
def test_filters_never_fail_with_a_server_error(client, params):
    response = client.get(URL, params)
    assert response.status_code in {200, 422}, (params, response.content[:300])
    body = response.json()
    if response.status_code == 422:
        assert body["message"]
    else:
        assert set(body) == {"count", "items"}


def test_dates_are_iso(client):
    c = ConsultationFactory(closes_on=datetime.date(2030, 1, 31))
    item = ok(client, f"{URL}/{c.pk}")
    assert item["closes_on"] == "2030-01-31"
