"""Following things and being told about them: one mechanism for every app."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.enums import Frequency
from accounts.models import Follow, NotificationPreference, PendingNotification
from accounts.notifications import notify, set_frequency, unsubscribe_token
from tests.conftest import Mailbox
from tests.factories.accounts import UserFactory

KIND = "territory.news"


def follow(person, obj) -> Follow:
    return Follow.objects.create(
        user=person, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def post_follow(client, obj, action="follow", next_url="/"):
    return client.post(
        "/profile/follow/",
        {
            "content_type": obj._meta.label_lower,
            "object_id": obj.pk,
            "action": action,
            "next": next_url,
        },
    )


# --- Follow and unfollow --------------------------------------------------------------------


@pytest.mark.django_db
def test_follow_and_unfollow(client, user, province):
    client.force_login(user)
    response = post_follow(client, province, next_url=province.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == province.get_absolute_url()
    assert Follow.objects.filter(user=user, object_id=province.pk).count() == 1
    post_follow(client, province)  # twice: still one
    assert Follow.objects.filter(user=user).count() == 1
    post_follow(client, province, action="unfollow")
    assert not Follow.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_follow_refuses_unsafe_next(client, user, province):
    client.force_login(user)
    response = post_follow(client, province, next_url="https://evil.example/")
    assert response["Location"] == province.get_absolute_url()


@pytest.mark.django_db
def test_follow_needs_login_and_post(client, province):
    response = post_follow(client, province)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_follow_needs_csrf(user, province):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    assert post_follow(c, province).status_code == 403


@pytest.mark.django_db
def test_follow_unknown_type_or_object_is_404(client, user, province):
    client.force_login(user)
    assert client.get("/profile/follow/").status_code == 405
    response = client.post(
        "/profile/follow/",
        {"content_type": "accounts.user", "object_id": user.pk, "action": "follow"},
    )
    assert response.status_code == 404
    response = client.post(
        "/profile/follow/",
        {"content_type": "territory.province", "object_id": "NOPE", "action": "follow"},
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_follow_button_include(client, user, province, django_assert_num_queries):
    template = Template('{% include "includes/follow_button.html" with object=province %}')
    request = RequestFactory().get("/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = template.render(
        Context({"province": province, "request": request, "user": request.user})
    )
    assert "/accounts/login/" in html and "<form" not in html

    request.user = user
    html = template.render(Context({"province": province, "request": request, "user": user}))
    assert 'value="follow"' in html and "Следвай" in html
    follow(user, province)
    request = RequestFactory().get("/x/")
    request.user = user
    many = Template(
        "{% for p in provinces %}{% include 'includes/follow_button.html' with object=p %}"
        "{% endfor %}"
    )
    from territory.models import Province

    provinces = list(Province.objects.all()[:20])
    with django_assert_num_queries(1):  # one query however many buttons
        html = many.render(Context({"provinces": provinces, "request": request, "user": user}))
    assert html.count("Спри да следваш") == 1
    assert html.count('value="follow"') == len(provinces) - 1


# --- Notify: immediate, digest, off ---------------------------------------------------------


@pytest.mark.django_db
def test_immediate_notification_with_working_unsubscribe(client, mailbox, settlement):
    person = UserFactory()
    follow(person, settlement.municipality)  # a parent of the settlement
    set_frequency(person, KIND, Frequency.IMMEDIATE)
    counts = notify(settlement, KIND, "Ново обществено обсъждане", "/territory/", "Кратко описание")
    assert counts["immediate"] == 1
    (msg,) = mailbox.to(person.email)
    assert str(msg["Subject"]).endswith("Ново обществено обсъждане")
    body = Mailbox.body(msg)
    assert "Кратко описание" in body
    header = str(msg["List-Unsubscribe"])
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    link = re.search(r"<(http://[^>]+)>", header).group(1)
    assert link in body
    assert person.email not in link and str(person.pk) not in link.rsplit("/", 2)[-2][:3]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.content.decode()
    # GET alone changes nothing (mail scanners follow links).
    assert NotificationPreference.objects.get(user=person, news_kind=KIND).frequency == "immediate"
    assert client.post(path).status_code == 200
    assert NotificationPreference.objects.get(user=person, news_kind=KIND).frequency == "off"


@pytest.mark.django_db
def test_one_click_unsubscribe_post_without_csrf(user):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    token = unsubscribe_token(user.pk, KIND)
    response = c.post(f"/profile/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=user, news_kind=KIND).frequency == "off"


@pytest.mark.django_db
def test_forged_unsubscribe_token_is_refused(client, user):
    token = unsubscribe_token(user.pk, KIND)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.post(f"/profile/unsubscribe/{forged}/").status_code == 404
    assert not NotificationPreference.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_daily_digest_collects_two_items_into_one_email(mailbox, province):
    person = UserFactory()
    weekly = UserFactory()
    follow(person, province)
    follow(weekly, province)
    set_frequency(person, KIND, Frequency.DAILY)
    notify(province, KIND, "Първа новина", "/a/")
    notify(province, KIND, "Втора новина", "/b/")
    assert mailbox.messages == []
    assert PendingNotification.objects.filter(user=person, frequency="daily").count() == 2
    call_command("send_digests", "--frequency", "daily", verbosity=0)
    (msg,) = mailbox.to(person.email)
    body = Mailbox.body(msg)
    assert "Първа новина" in body and "Втора новина" in body
    assert msg["List-Unsubscribe"]
    assert not PendingNotification.objects.filter(user=person).unsent().exists()
    # Nothing is sent twice; the weekly follower waits for the weekly digest.
    call_command("send_digests", "--frequency", "daily", verbosity=0)
    assert len(mailbox.messages) == 1
    call_command("send_digests", "--frequency", "weekly", verbosity=0)
    assert len(mailbox.to(weekly.email)) == 1


@pytest.mark.django_db
def test_off_sends_nothing(mailbox, province):
    person = UserFactory()
    follow(person, province)
    set_frequency(person, KIND, Frequency.OFF)
    counts = notify(province, KIND, "Новина", "/a/")
    assert counts["off"] == 1
    assert not PendingNotification.objects.exists()
    call_command("send_digests", "--frequency", "weekly", verbosity=0)
    assert mailbox.messages == []


@pytest.mark.django_db
def test_deleted_and_other_people_are_not_notified(mailbox, province, settlement):
    other = UserFactory()
    follow(other, settlement)  # follows a child, not the province
    gone = UserFactory(deleted_at="2026-01-01T00:00:00Z", is_active=False)
    follow(gone, province)
    assert notify(province, KIND, "Новина", "/a/") == {
        "immediate": 0,
        "daily": 0,
        "weekly": 0,
        "off": 0,
    }


@pytest.mark.django_db
def test_unknown_news_kind_is_an_error(province):
    with pytest.raises(ValueError):
        notify(province, "no.such.kind", "x", "/")


def _followers(count: int, obj, frequency: str) -> None:
    from accounts.models import User

    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(email=f"f{frequency}{start + i}@example.org") for i in range(count)]
    )
    ct = ContentType.objects.get_for_model(obj)
    Follow.objects.bulk_create([Follow(user=u, content_type=ct, object_id=obj.pk) for u in users])
    if frequency != NotificationPreference.DEFAULT:
        NotificationPreference.objects.bulk_create(
            [NotificationPreference(user=u, news_kind=KIND, frequency=frequency) for u in users]
        )


@pytest.mark.django_db
@pytest.mark.parametrize("frequency", ["weekly", "immediate"])
def test_notify_query_count_is_flat(province, frequency, mailbox):
    from territory.models import Province

    other = Province.objects.exclude(pk=province.pk).first()
    _followers(3, province, frequency)
    with CaptureQueriesContext(connection) as few:
        notify(province, KIND, "Новина", "/a/")
    _followers(60, other, frequency)
    with CaptureQueriesContext(connection) as many:
        notify(other, KIND, "Новина", "/a/")
    assert len(many) == len(few)
    if frequency == "immediate":
        assert len(mailbox.messages) == 63


@pytest.mark.django_db
def test_digest_queries_per_person_are_constant(province, mailbox):
    from territory.models import Province

    _followers(2, province, "daily")
    notify(province, KIND, "a", "/a/")
    notify(province, KIND, "b", "/b/")
    with CaptureQueriesContext(connection) as two:
        call_command("send_digests", "--frequency", "daily", verbosity=0)
    other = Province.objects.exclude(pk=province.pk).first()
    _followers(4, other, "daily")
    for i in range(5):
        notify(other, KIND, f"n{i}", "/n/")
    with CaptureQueriesContext(connection) as four:
        call_command("send_digests", "--frequency", "daily", verbosity=0)
    per_person_two = (len(two) - 2) / 2
    per_person_four = (len(four) - 2) / 4
    assert per_person_two == per_person_four
