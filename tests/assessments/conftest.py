"""The cache keys questionnaire structures and results by primary key and revision: a test
rolled back hands its keys to the next one, so each test starts with an empty cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
