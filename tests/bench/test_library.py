"""The bench's library: publications made in bulk, found through the search by the words of
their attached files' text, rebuilt in place; and the pages the library's targets would
measure answer 2xx on the generated data."""

import random

import pytest
from django.test import Client

from bench import generate
from bench.generate_library import FIRST_ID, SHOWCASE_ID, make
from library.models import Chapter, Publication, PublicationFile

pytestmark = pytest.mark.django_db

# The targets to add to bench/targets.py (see library/README.md): checked here until then.
TARGET_PATHS = [
    "/library/?q=konsultatsii+obshtina",
    "/library/?type=handbook&audience=ngos",
    f"/library/{SHOWCASE_ID}/",
    f"/library/{SHOWCASE_ID}/contents/glava-1/",
    "/api/v1/publications?q=byudzhet",
    "/api/v1/search?q=konsultatsii",
]


def run(total: int) -> str:
    ctx = generate.Context(generate.Scale.tiny(), random.Random(1), lambda _: None)
    return make(ctx, total)


def test_publications_are_made_and_searchable_then_rebuilt_in_place():
    summary = run(60)
    assert summary.startswith("60 publications")
    ours = Publication.objects.filter(pk__gte=FIRST_ID)
    assert ours.count() == 60 and ours.filter(state="published").count() == 60
    assert PublicationFile.objects.filter(publication_id=SHOWCASE_ID).exists()
    assert Chapter.objects.filter(publication_id=SHOWCASE_ID).exists()
    found = Client().get("/library/", {"q": "konsultatsii"})
    assert found.status_code == 200 and found.context["page_obj"].paginator.count > 0
    run(40)
    assert Publication.objects.filter(pk__gte=FIRST_ID).count() == 40


@pytest.mark.parametrize("path", TARGET_PATHS)
def test_the_library_targets_answer_2xx(path):
    run(30)
    response = Client().get(path)
    assert 200 <= response.status_code < 300, (path, response.status_code)


def test_the_registered_generator_follows_the_scale():
    from bench.generate_library import library

    scale = generate.Scale.tiny()
    summary = library(generate.Context(scale, random.Random(1), lambda _: None))
    expected = getattr(scale, "publications", 2 * scale.consultations)
    assert summary.startswith(f"{expected} publications")
