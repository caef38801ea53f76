"""Every benchmark target answers 2xx on the loaded territory, so `make bench` will not fail on it.

This is the cheap half of the benchmark's contract, checked in the test suite without wrk.
"""

import pytest

from bench.generate import Scale, generate
from bench.targets import BASELINE, TARGETS

pytestmark = pytest.mark.django_db


def test_the_baseline_comes_first_and_names_are_unique():
    assert TARGETS[0].name == BASELINE
    assert len({t.name for t in TARGETS}) == len(TARGETS)
    assert all(t.path.startswith("/") for t in TARGETS)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_target_answers_2xx_without_redirect(client, target):
    generate(Scale.tiny(), log=lambda _: None)
    response = client.get(target.path)
    assert 200 <= response.status_code < 300, (target.path, response.status_code)
