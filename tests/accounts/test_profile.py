"""The person's own pages: profile, notification settings, data export, deletion."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.enums import Role
from accounts.models import Follow, NotificationPreference, PendingNotification, RoleAssignment
from accounts.notifications import news_kinds, notify, set_frequency
from tests.factories.accounts import PASSWORD, UserFactory

PAGES = ["/profile/", "/profile/export/", "/profile/delete/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*PAGES, "/profile/notifications/", "/profile/follow/"])
def test_writes_need_csrf(user, url):
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    assert c.post(url, {"password": PASSWORD, "display_name": "x"}).status_code == 403


@pytest.mark.django_db
def test_profile_shows_own_data_only(client, user, province):
    other = UserFactory(email="other@example.org", display_name="Другият")
    Follow.objects.create(
        user=other, content_type=ContentType.objects.get_for_model(province), object_id=province.pk
    )
    client.force_login(user)
    html = client.get("/profile/").content.decode()
    assert user.email in html
    assert "other@example.org" not in html and "Другият" not in html
    assert province.name_bg not in html
    assert "Все още не следвате нищо" in html  # empty state says what to do


@pytest.mark.django_db
def test_change_name_and_bad_input_keeps_typed_values(client, user):
    client.force_login(user)
    response = client.post(
        "/profile/",
        {"first_name": "Мария", "last_name": "Иванова", "display_name": "пишете на m@example.org"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Името не може да съдържа имейл адрес." in html
    assert 'class="error-summary"' in html
    assert 'value="Мария"' in html and 'value="пишете на m@example.org"' in html
    user.refresh_from_db()
    assert user.first_name == "Иван"
    response = client.post(
        "/profile/", {"first_name": "Мария", "last_name": "Иванова", "display_name": "Мими"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.public_name == "Мими"


@pytest.mark.django_db
def test_profile_lists_roles_2fa_and_follows(client, user, province, settlement):
    RoleAssignment.grant(user, Role.MODERATOR)
    for obj in (province, settlement):
        Follow.objects.create(
            user=user, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )
    client.force_login(user)
    html = client.get("/profile/").content.decode()
    assert "Модератор" in html and "Гражданин" in html
    assert province.name_bg in html and settlement.name_bg in html
    assert html.count('value="unfollow"') == 2
    assert 'href="/accounts/2fa/"' in html


@pytest.mark.django_db
def test_profile_query_count_is_flat_with_many_follows(client, user):
    from territory.models import Municipality, Province, Settlement

    def add(objs):
        Follow.objects.bulk_create(
            [
                Follow(user=user, content_type=ContentType.objects.get_for_model(o), object_id=o.pk)
                for o in objs
            ]
        )

    client.force_login(user)
    add(Province.objects.all()[:1])
    add(Settlement.objects.all()[:1])
    client.get("/profile/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/profile/").status_code == 200
    add(Province.objects.all()[1:20])
    add(Municipality.objects.all()[:30])
    add(Settlement.objects.all()[1:40])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/profile/").status_code == 200
    # One more kind of object (municipalities) costs one more query; the count does not grow.
    assert len(many) <= len(few) + 1


@pytest.mark.django_db
def test_notification_preferences(client, user):
    client.force_login(user)
    # The form has a choice for every kind of news the apps register; the browser sends them all.
    data = {f"kind_{kind.key}": "weekly" for kind in news_kinds()}
    data |= {"kind_territory.news": "daily", "kind_topics.news": "off"}
    response = client.post("/profile/notifications/", data)
    assert response.status_code == 302
    prefs = dict(user.notification_preferences.values_list("news_kind", "frequency"))
    assert prefs["territory.news"] == "daily" and prefs["topics.news"] == "off"
    bad = client.post("/profile/notifications/", {"kind_territory.news": "hourly"})
    assert bad.status_code == 400
    assert 'class="error-summary"' in bad.content.decode()


@pytest.mark.django_db
def test_export_contains_everything_about_the_person(client, user, province):
    RoleAssignment.grant(user, Role.MODERATOR).revoke()
    Follow.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(province), object_id=province.pk
    )
    set_frequency(user, "territory.news", "weekly")
    notify(province, "territory.news", "Новина", "/n/")
    other = UserFactory(email="stranger@example.org")
    client.force_login(user)
    assert client.get("/profile/export/").status_code == 200
    response = client.post("/profile/export/")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email
    assert data["email_addresses"][0]["verified"] is True
    assert data["roles"][0]["role"] == "moderator" and data["roles"][0]["revoked_at"]
    assert data["follows"][0]["name"] == province.name_bg
    assert data["notification_preferences"]["territory.news"] == "weekly"
    assert data["pending_notifications"][0]["title"] == "Новина"
    assert other.email not in response.content.decode()


@pytest.mark.django_db
def test_delete_needs_the_password(client, user):
    client.force_login(user)
    response = client.post("/profile/delete/", {"password": "wrong"})
    assert response.status_code == 400
    assert "Паролата не е вярна." in response.content.decode()
    user.refresh_from_db()
    assert user.deleted_at is None


@pytest.mark.django_db
def test_delete_account_anonymises_everything(client, user, province):
    RoleAssignment.grant(user, Role.MODERATOR)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    Follow.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(province), object_id=province.pk
    )
    set_frequency(user, "territory.news", "daily")
    notify(province, "territory.news", "Новина", "/n/")
    other_device = Client()
    other_device.force_login(user)
    old_email = user.email
    client.force_login(user)
    response = client.post("/profile/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.deleted_at and not user.is_active
    assert user.email.endswith(".invalid") and user.email != old_email
    assert (user.first_name, user.last_name, user.display_name) == ("", "", "")
    assert not user.has_usable_password()
    assert user.public_name == "Изтрит потребител"
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not Follow.objects.filter(user=user).exists()
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert not PendingNotification.objects.filter(user=user).exists()
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert not RoleAssignment.objects.active().filter(user=user).exists()
    assert not Session.objects.filter(session_key=other_device.session.session_key).exists()
    assert other_device.get("/profile/").status_code == 302
    # The address can be used again by a new account.
    assert not type(user).objects.filter(email=old_email).exists()


@pytest.mark.django_db
def test_writes_are_rate_limited(client, user):
    client.force_login(user)
    statuses = [
        client.post(
            "/profile/", {"first_name": "А", "last_name": "Б", "display_name": ""}
        ).status_code
        for _ in range(31)
    ]
    assert statuses[-1] == 429
    assert "Твърде много заявки" in client.post("/profile/", {}).content.decode()


@pytest.mark.django_db
def test_cannot_unfollow_for_someone_else(client, user, province):
    owner = UserFactory()
    Follow.objects.create(
        user=owner, content_type=ContentType.objects.get_for_model(province), object_id=province.pk
    )
    client.force_login(user)
    client.post(
        "/profile/follow/",
        {"content_type": "territory.province", "object_id": province.pk, "action": "unfollow"},
    )
    assert Follow.objects.filter(user=owner).count() == 1
