"""The demo news: portal items, an announcement of a real municipality's administration, an
item of a fictional demo organisation and of a demo network; marked demo, nobody notified,
idempotent, refused in production."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from news import selectors
from news.enums import State
from news.models import NewsImage, NewsItem, StateChange
from tests.factories.accounts import UserFactory
from tests.factories.news import NewsItemFactory
from tests.factories.organisations import NetworkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_load_demo_news_is_marked_believable_and_idempotent(client, mailbox):
    admin = UserFactory(email="admin@demo.eregion.bg")
    staff = UserFactory(email="sluzhitel@demo.eregion.bg")
    organisation = OrganisationFactory(is_demo=True)
    network = NetworkFactory(coordinator=organisation)
    call_command("load_demo_news", verbosity=0)
    items = list(NewsItem.objects.order_by("pk"))
    assert len(items) == 7
    assert all(i.is_demo and i.notified_at for i in items)
    assert mailbox.messages == []
    announcement = next(i for i in items if i.institution_id)
    assert announcement.institution.generated_key == "ma:PDV22"  # a real municipality's
    assert announcement.created_by == staff
    assert next(i for i in items if i.organisation_id).organisation == organisation
    assert organisation.is_demo  # never a real organisation
    assert next(i for i in items if i.network_id).network == network
    portal = [i for i in items if i.publisher.is_portal]
    assert {i.created_by for i in portal} == {admin}
    assert [i.state for i in portal].count(State.SCHEDULED) == 1
    image = NewsImage.objects.get()
    assert image.alt and image.file.name.endswith(".png")
    assert StateChange.objects.count() == 7
    # The pages show them.
    html = client.get(reverse("news:index")).content.decode()
    assert announcement.title in html
    # A second run changes nothing.
    call_command("load_demo_news", verbosity=0)
    assert NewsItem.objects.count() == 7
    assert NewsImage.objects.count() == 1


def test_without_demo_organisations_only_the_portal_and_the_institution(client):
    call_command("load_demo_news", verbosity=0)
    assert NewsItem.objects.filter(organisation__isnull=False).count() == 0
    assert NewsItem.objects.filter(institution__isnull=False).count() == 1


def test_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo_news", verbosity=0)
    assert not NewsItem.objects.exists()


def test_latest_for_home(ladder, django_assert_num_queries):
    items = [NewsItemFactory(), NewsItemFactory(institution=ladder.institution)]
    NewsItemFactory(state=State.DRAFT, publish_at=None)
    with django_assert_num_queries(1):
        latest = selectors.latest_for_home(5)
        names = [i.publisher.name for i in latest]
    assert {i.pk for i in latest} == {i.pk for i in items}
    assert len(names) == 2
    assert len(selectors.latest_for_home(1)) == 1
