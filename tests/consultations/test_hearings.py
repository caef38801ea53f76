"""Deleting a public hearing: possible until it starts, for those who manage the
consultation; one that took place stays in the record."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import Hearing
from tests.clients import signed_in
from tests.consultations.test_staff import ALLOWED, people
from tests.factories.consultations import ConsultationFactory
from tests.factories.directory import generated

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _hearing(days: int) -> Hearing:
    c = ConsultationFactory(with_draft=False)
    starts = timezone.now() + datetime.timedelta(days=days)
    return Hearing.objects.create(consultation=c, starts_at=starts, place="Зала „Съединение“")


def test_a_future_hearing_is_deleted_by_those_who_manage_it() -> None:
    plovdiv = generated("ma:PDV22")
    for role, user in people(plovdiv).items():
        hearing = _hearing(days=5)
        url = reverse("consultations:hearing-delete", args=[hearing.pk])
        response = signed_in(user).post(url)
        if role in ALLOWED:
            assert response.status_code == 302, role
            assert response["Location"] == reverse(
                "consultations:staff", args=[hearing.consultation_id]
            )
            assert not Hearing.objects.filter(pk=hearing.pk).exists(), role
        else:
            assert response.status_code == 403, role
            assert Hearing.objects.filter(pk=hearing.pk).exists(), role


def test_anonymous_is_sent_to_sign_in_and_get_is_refused() -> None:
    hearing = _hearing(days=5)
    url = reverse("consultations:hearing-delete", args=[hearing.pk])
    response = Client().post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    staff = people(generated("ma:PDV22"))["staff"]
    assert signed_in(staff).get(url).status_code == 405
    assert Hearing.objects.filter(pk=hearing.pk).exists()


def test_a_hearing_that_took_place_stays() -> None:
    hearing = _hearing(days=-2)
    staff = people(generated("ma:PDV22"))["staff"]
    client = signed_in(staff)
    edit = reverse("consultations:hearing-edit", args=[hearing.pk])
    assert reverse("consultations:hearing-delete", args=[hearing.pk]) not in (
        client.get(edit).content.decode()
    )
    response = client.post(reverse("consultations:hearing-delete", args=[hearing.pk]))
    assert response.status_code == 302 and response["Location"] == edit
    assert Hearing.objects.filter(pk=hearing.pk).exists()
    future = _hearing(days=3)
    page = client.get(reverse("consultations:hearing-edit", args=[future.pk])).content.decode()
    assert reverse("consultations:hearing-delete", args=[future.pk]) in page


def test_an_unknown_hearing_is_404() -> None:
    staff = people(generated("ma:PDV22"))["staff"]
    url = reverse("consultations:hearing-delete", args=[987654])
    assert signed_in(staff).post(url).status_code == 404
