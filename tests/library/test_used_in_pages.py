"""The pages of a consultation, an event and an assessment campaign list the library's
publications used in them (library/templatetags/library_links.py), published ones only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from consultations.enums import State as State_
from library.enums import State
from library.models import Publication, PublicationUse
from tests.assessments.helpers import make_campaign, make_form
from tests.factories.consultations import ConsultationFactory
from tests.factories.events import EventFactory
from tests.factories.library import PublicationFactory

pytestmark = pytest.mark.django_db


def _uses(**target) -> tuple[Publication, Publication]:
    shown = PublicationFactory(title="Наръчник за гражданско участие")
    draft = PublicationFactory(
        title="Чернова за вътрешна употреба", state=State.DRAFT, published_at=None
    )
    for publication in (shown, draft):
        PublicationUse.objects.create(publication=publication, **target)
    return shown, draft


def _check(url: str, shown: Publication, draft: Publication) -> None:
    page = Client().get(url).content.decode()
    assert _("From the library") in page
    assert shown.title in page and reverse("library:detail", args=[shown.pk]) in page
    assert draft.title not in page


def test_a_consultation_lists_the_publications_used_in_it():
    consultation = ConsultationFactory(state=State_.OPEN)
    _check(
        reverse("consultations:detail", args=[consultation.pk]), *_uses(consultation=consultation)
    )


def test_an_event_lists_the_publications_used_in_it():
    event = EventFactory()
    _check(reverse("events:detail", args=[event.pk]), *_uses(event=event))


def test_a_campaign_lists_the_publications_used_in_it():
    campaign = make_campaign(make_form())
    _check(reverse("assessments:campaign", args=[campaign.pk]), *_uses(campaign=campaign))


def test_nothing_is_said_where_no_publication_is_used():
    consultation = ConsultationFactory(state=State_.OPEN)
    page = Client().get(reverse("consultations:detail", args=[consultation.pk])).content.decode()
    assert _("From the library") not in page
