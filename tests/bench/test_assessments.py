"""The bench's capacity assessment: a published campaign whose answers are scored as at
submission, and the measurement of its indices, re-scoring and PDF that run.py reports."""

import json
import random

import pytest

from assessments.enums import CampaignState, ResponseState
from assessments.models import Campaign, Response
from assessments.scoring import OVERALL, score, shown_questions
from assessments.selectors import structure_of
from bench import generate
from bench.generate_assessments import CAMPAIGN_ID, assessments, measure
from bench.run import Measurement, write_results
from bench.targets import TARGETS

pytestmark = pytest.mark.django_db


def run(responses: int) -> str:
    scale = generate.Scale.tiny()
    scale.assessment_responses = responses
    return assessments(generate.Context(scale, random.Random(1), lambda _: None))


def test_the_campaign_is_published_with_answers_scored_as_at_submission():
    run(40)
    campaign = Campaign.objects.get(pk=CAMPAIGN_ID)
    assert campaign.state == CampaignState.PUBLISHED and campaign.min_group_size == 5
    assert campaign.questionnaires.count() == 3
    responses = list(Response.objects.filter(campaign=campaign))
    assert len(responses) == 40
    assert {r.state for r in responses} == {ResponseState.SUBMITTED}
    assert {r.respondent_type for r in responses} == {"administration", "council", "organisation"}
    # Every municipality at least once (the first 40 here), Plovdiv's among them.
    assert len({r.municipality_id for r in responses}) == 40
    assert "PDV22" in {r.municipality_id for r in responses}
    hidden = 0
    for r in responses:
        structure = structure_of(r.questionnaire)
        shown = shown_questions(structure, r.answers)
        assert {int(k) for k in r.answers} <= shown  # nothing answered that was not shown
        scored = {q.id for q in structure.questions if q.dimension and q.id in shown}
        assert scored <= {int(k) for k in r.answers}  # every scored question shown: answered
        hidden += len(structure.questions) - len(shown)
        assert r.scores == score(structure, r.answers) and OVERALL in r.scores
    assert hidden > 0  # some conditional questions were not shown


def test_a_rebuild_replaces_the_campaign_under_a_new_results_version():
    run(10)
    before = Campaign.objects.get(pk=CAMPAIGN_ID).results_version
    run(12)
    assert Response.objects.filter(campaign_id=CAMPAIGN_ID).count() == 12
    assert Campaign.objects.get(pk=CAMPAIGN_ID).results_version > before


def test_the_targets_name_the_generated_campaign():
    paths = [t.template for t in TARGETS if t.name.startswith("assessment")]
    assert paths and all(f"/{CAMPAIGN_ID}/" in p for p in paths)


def test_the_measurement_and_its_table(tmp_path):
    run(30)
    figures = measure()
    assert figures["responses"] == 30
    assert figures["index"]["queries"] <= 3 and figures["index"]["groups"] > 30
    assert figures["rescore"]["disagreeing"] == 0
    assert figures["pdf"]["pages"] >= 1 and figures["pdf"]["bytes"] > 1000

    hello = Measurement(TARGETS[0], 1.0, 2.0, 3.0, 1000.0, 10000, {})
    machine = {"cpu_count": 2, "cpu_model": "x", "python": "3.11", "platform": "linux",
               "database": "SQLite", "load_average_at_start": 0.1,
               "load_average_at_end": 0.2}  # fmt: skip
    settings = {"workers": 2, "threads": 4, "wrk_threads": 2, "connections": 16,
                "duration_s": 10, "warmup_s": 2}  # fmt: skip
    md, js = write_results(tmp_path, [hello], machine, settings, {}, assessments=figures)
    text = md.read_text(encoding="utf-8")
    assert "(30 answers)" in text and "| index computation |" in text
    assert f"{figures['pdf']['pages']} pages" in text
    assert json.loads(js.read_text(encoding="utf-8"))["assessments"]["responses"] == 30
