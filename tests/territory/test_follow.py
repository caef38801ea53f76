"""Following a territorial unit from its page (the accounts follow mechanism, wired in)."""

import pytest

from accounts.models import Follow
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/territory/provinces/PDV/",
        "/territory/municipalities/PDV22/",
        "/territory/settlements/56784/",
    ],
)
def test_anonymous_visitor_is_invited_to_sign_in_to_follow(client, url):
    page = client.get(url).content.decode()
    assert "/accounts/login/?next=" in page
    assert 'name="action" value="follow"' not in page


def test_signed_in_person_follows_and_stops_following_a_province(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/territory/provinces/PDV/").content.decode()
    assert 'name="action" value="follow"' in page
    response = client.post(
        "/profile/follow/",
        {
            "content_type": "territory.province",
            "object_id": "PDV",
            "action": "follow",
            "next": "/territory/provinces/PDV/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/territory/provinces/PDV/"
    assert Follow.objects.filter(user=user).count() == 1
    page = client.get("/territory/provinces/PDV/").content.decode()
    assert 'name="action" value="unfollow"' in page


def test_header_names_the_portal_scope(client):
    from territory.demo import apply_demo_scope

    apply_demo_scope()
    page = client.get("/").content.decode()
    assert "Южен централен район и общините Столична, Плевен и Сливен" in page
