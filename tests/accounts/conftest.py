from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories.accounts import PASSWORD, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def login(client: Client) -> Callable[..., object]:
    """Sign in through allauth's real form (so allauth records the authentication)."""

    def _login(person, password: str = PASSWORD, c: Client | None = None):
        c = c or client
        return c.post("/accounts/login/", {"login": person.email, "password": password})

    return _login


@pytest.fixture
def province(db):
    from territory.models import Province

    return Province.objects.order_by("code").first()


@pytest.fixture
def settlement(db):
    from territory.models import Settlement

    return Settlement.objects.select_related("municipality__province").order_by("ekatte").first()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters and TOTP replay marks live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
