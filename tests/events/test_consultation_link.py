"""A consultation's page lists the events linked to it (events/templatetags/event_links.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.enums import Kind, State
from tests.factories.consultations import ConsultationFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


def test_published_and_cancelled_events_show_drafts_do_not() -> None:
    consultation = ConsultationFactory(with_draft=False)
    hearing = EventFactory(
        kind=Kind.PUBLIC_HEARING, title="Публично обсъждане на наредбата", consultation=consultation
    )
    called_off = EventFactory(
        title="Отменена среща", consultation=consultation, state=State.CANCELLED
    )
    draft = EventFactory(title="Чернова на среща", consultation=consultation, state=State.DRAFT)
    elsewhere = EventFactory(title="Среща по друга тема")
    html = Client().get(reverse("consultations:detail", args=[consultation.pk])).content.decode()
    assert hearing.get_absolute_url() in html and hearing.title in html
    assert called_off.get_absolute_url() in html
    assert draft.title not in html and elsewhere.title not in html


def test_one_query_however_many_events() -> None:
    consultation = ConsultationFactory(with_draft=False)
    url = reverse("consultations:detail", args=[consultation.pk])
    client = Client()

    def count(n: int) -> int:
        for _ in range(n):
            EventFactory(consultation=consultation, with_sessions=False)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count(1) == count(20)


def test_the_consultation_staff_page_starts_a_hearing_event_for_it() -> None:
    from tests.clients import signed_in
    from tests.factories.accounts import UserFactory
    from tests.factories.directory import generated, staff_of

    consultation = ConsultationFactory(with_draft=False)
    other = ConsultationFactory(with_draft=False, institution=generated("ma:PDV01"))
    official = UserFactory()
    staff_of(consultation.institution, official)
    client = signed_in(official)
    staff_page = client.get(reverse("consultations:staff", args=[consultation.pk])).content
    key = f"institution-{consultation.institution_id}"
    link = f"{reverse('events:new')}?organiser={key}&amp;consultation={consultation.pk}"
    assert link.encode() in staff_page
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial.get("consultation") == consultation.pk
    assert form.initial.get("kind") == Kind.PUBLIC_HEARING
    assert consultation.title in form.initial.get("title", "")
    # Another institution's consultation is not taken over.
    url = f"{reverse('events:new')}?organiser={key}&consultation={other.pk}"
    form = client.get(url).context["form"]
    assert not form.initial.get("consultation")
