"""GET /api/v1/publications with its filters, one publication (404 for a draft), and the
library in /api/v1/search; queries flat as the library grows."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Topic
from library import services, textract
from library.enums import PublicationType, State
from tests.factories.library import ChapterFactory, GoodPracticeFactory, PublicationFactory
from tests.library.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/publications"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_list_and_filters():
    topic = Topic.objects.create(slug="uchastie", name_bg="Участие")
    a = PublicationFactory(type=PublicationType.HANDBOOK, year=2025, for_ngos=True)
    a.topics.add(topic)
    b = PublicationFactory(type=PublicationType.GUIDE, year=2026, title="Ръководство за съветници")
    PublicationFactory(state=State.DRAFT, published_at=None)
    data = Client().get(URL).json()
    assert data["count"] == 2
    item = next(i for i in data["items"] if i["id"] == a.pk)
    assert item["topics"] == ["uchastie"] and set(item["audience"]) == {"citizens", "ngos"}
    assert item["url"].endswith(f"/library/{a.pk}/")
    assert _ids(Client().get(URL, {"type": "guide"})) == [b.pk]
    assert _ids(Client().get(URL, {"topic": "uchastie"})) == [a.pk]
    assert _ids(Client().get(URL, {"audience": "ngos"})) == [a.pk]
    assert _ids(Client().get(URL, {"year": 2026})) == [b.pk]
    assert _ids(Client().get(URL, {"q": "rakovodstvo"})) == [b.pk]
    assert _ids(Client().get(URL, {"q": "съветниците"})) == [b.pk]
    assert Client().get(URL, {"type": "novel"}).status_code == 422
    assert Client().get(URL, {"audience": "aliens"}).status_code == 422
    assert Client().get(URL, {"year": 3000}).status_code == 422


def test_one_publication_and_drafts_are_404():
    case = GoodPracticeFactory()
    p = case.publication
    ChapterFactory(publication=p, anchor="uvod")
    data = Client().get(f"{URL}/{p.pk}").json()
    assert data["good_practice"]["country"] == "Франция"
    assert data["good_practice"]["sources"] == ["Официален сайт https://example.org/budget"]
    assert data["chapters"][0]["url"].endswith(f"/library/{p.pk}/contents/uvod/")
    assert data["pdf_url"].endswith(f"/library/{p.pk}/handbook.pdf")
    draft = PublicationFactory(state=State.DRAFT, published_at=None)
    assert Client().get(f"{URL}/{draft.pk}").status_code == 404
    assert Client().get(f"{URL}/99999999").status_code == 404
    assert Client().get(f"{URL}/0").status_code == 422


def test_publications_are_in_the_search_by_the_words_of_their_files():
    p = PublicationFactory(title="Доклад")
    file = upload("d.pdf", pdf_bytes("Скрита дума: водопровод."))
    text, pages = textract.extract(file, "pdf")
    services.add_file(p, file, kind="pdf", text=text, pages=pages, title="", by=None)
    data = Client().get("/api/v1/search", {"q": "vodoprovod"}).json()
    groups = {g["type"]: g for g in data["groups"]}
    assert [i["id"] for i in groups["library.publication"]["items"]] == [str(p.pk)]
    only = (
        Client().get("/api/v1/search", {"q": "водопровода", "type": "library.publication"}).json()
    )
    assert only["groups"][0]["count"] == 1


def test_list_queries_stay_flat(django_assert_max_num_queries):
    topic = Topic.objects.create(slug="t", name_bg="Т")
    for _n in range(3):
        PublicationFactory().topics.add(topic)
    with django_assert_max_num_queries(3) as few:
        Client().get(URL)
    for _n in range(27):
        PublicationFactory().topics.add(topic)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(Client().get(URL).json()["items"]) == 30


values = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.text(max_size=30),
    st.sampled_from(["", " ", "handbook", "ngos", "2026", "наръчник", "%", "'", "\x00", "a-b"]),
)


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(["type", "topic", "audience", "year", "q", "page", "page_size"]),
        values,
        max_size=4,
    )
)
def test_the_list_never_fails_with_a_server_error(client, params):
    response = client.get(URL, params)
    assert response.status_code in {200, 422}, (params, response.content[:300])
    if response.status_code == 200:
        assert set(response.json()) == {"count", "items"}


def test_a_nul_byte_in_the_topic_is_refused_before_the_database(client):
    assert client.get(URL, {"topic": "\x00"}).status_code == 422
