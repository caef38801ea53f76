"""E-mail in each person's language: the preference on the profile, the digests and immediate
notifications written in it, through the real SMTP server, with working one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, override

from accounts.enums import Frequency
from accounts.models import Follow, NotificationPreference, User
from accounts.notifications import news_kinds, notify, set_frequency
from tests.conftest import Mailbox
from tests.factories.accounts import UserFactory

KIND = "territory.news"


def follow(person: User, obj) -> Follow:
    return Follow.objects.create(
        user=person, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def in_language(code: str, msgid: str) -> str:
    with override(code):
        return gettext(msgid)


def unsubscribe_path(msg) -> str:
    link = re.search(r"<(https?://[^>]+)>", str(msg["List-Unsubscribe"])).group(1)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def html_part(msg) -> str:
    part = msg.get_body(preferencelist=("html",))
    return part.get_content() if part else ""


# --- The digest ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_digest_is_written_in_each_persons_language(mailbox: Mailbox, province) -> None:
    english = UserFactory(language="en")
    bulgarian = UserFactory(language="bg")
    for person in (english, bulgarian):
        follow(person, province)
        set_frequency(person, KIND, Frequency.DAILY)
    notify(province, KIND, "Нова наредба за паркирането", "/territory/")
    notify(province, KIND, "Обществено обсъждане на бюджета", "/territory/")
    call_command("send_digests", "--frequency", "daily", verbosity=0)

    (en_msg,) = mailbox.to(english.email)
    (bg_msg,) = mailbox.to(bulgarian.email)
    subject = "Your daily news digest"
    unsubscribe = "Unsubscribe from this kind of news"
    # The catalogue translates the frame, so the two messages can only match by mistake.
    assert in_language("bg", subject) != subject
    assert str(en_msg["Subject"]).endswith(subject)
    assert str(bg_msg["Subject"]).endswith(in_language("bg", subject))
    en_body, bg_body = Mailbox.body(en_msg), Mailbox.body(bg_msg)
    assert unsubscribe in en_body and in_language("bg", unsubscribe) not in en_body
    assert in_language("bg", unsubscribe) in bg_body and unsubscribe not in bg_body
    # The items are the portal's data and stay as they were written.
    for body in (en_body, bg_body):
        assert "Нова наредба за паркирането" in body
        assert "Обществено обсъждане на бюджета" in body
    assert '<html lang="en">' in html_part(en_msg)
    assert '<html lang="bg">' in html_part(bg_msg)


@pytest.mark.django_db
def test_each_digests_unsubscribe_link_works_with_one_post(mailbox: Mailbox, province) -> None:
    english = UserFactory(language="en")
    bulgarian = UserFactory(language="bg")
    for person in (english, bulgarian):
        follow(person, province)
        set_frequency(person, KIND, Frequency.WEEKLY)
    notify(province, KIND, "Новина", "/territory/")
    call_command("send_digests", "--frequency", "weekly", verbosity=0)

    for person, prefix, done in (
        (english, "/en/", "You are unsubscribed"),
        (bulgarian, "/profile/", in_language("bg", "You are unsubscribed")),
    ):
        (msg,) = mailbox.to(person.email)
        assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        path = unsubscribe_path(msg)
        assert path.startswith(prefix), path
        assert path.split("?")[0] in Mailbox.body(msg) or path in Mailbox.body(msg)
        # RFC 8058: the mail program POSTs once, without a session or a CSRF token.
        response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert done in response.content.decode()
        frequencies = set(
            NotificationPreference.objects.filter(user=person).values_list("frequency", flat=True)
        )
        assert frequencies == {Frequency.OFF}


# --- Immediate notifications ---------------------------------------------------------------


@pytest.mark.django_db
def test_immediate_notification_in_each_persons_language(
    client: Client, mailbox: Mailbox, province
) -> None:
    english = UserFactory(language="en")
    bulgarian = UserFactory(language="bg")
    for person in (english, bulgarian):
        follow(person, province)
        set_frequency(person, KIND, Frequency.IMMEDIATE)
    notify(province, KIND, "Ново обществено обсъждане", "/territory/", "Кратко описание")

    (en_msg,) = mailbox.to(english.email)
    (bg_msg,) = mailbox.to(bulgarian.email)
    read_more = "Read more"
    assert in_language("bg", read_more) != read_more
    assert f"{read_more}:" in Mailbox.body(en_msg)
    assert f"{in_language('bg', read_more)}:" in Mailbox.body(bg_msg)
    for msg in (en_msg, bg_msg):
        assert str(msg["Subject"]).endswith("Ново обществено обсъждане")
        assert "Кратко описание" in Mailbox.body(msg)
    en_path = unsubscribe_path(en_msg)
    assert en_path.startswith("/en/")
    assert client.post(en_path).status_code == 200
    assert NotificationPreference.objects.get(user=english, news_kind=KIND).frequency == "off"
    assert (
        NotificationPreference.objects.get(user=bulgarian, news_kind=KIND).frequency == "immediate"
    )


@pytest.mark.django_db
def test_a_language_the_portal_no_longer_offers_falls_back_to_its_own(
    mailbox: Mailbox, province
) -> None:
    person = UserFactory()
    User.objects.filter(pk=person.pk).update(language="fr")
    follow(person, province)
    set_frequency(person, KIND, Frequency.IMMEDIATE)
    notify(province, KIND, "Новина", "/territory/")
    (msg,) = mailbox.to(person.email)
    assert f"{in_language('bg', 'Read more')}:" in Mailbox.body(msg)


def _followers(count: int, obj, frequency: str) -> None:
    start = User.objects.count()
    users = User.objects.bulk_create(
        [
            User(email=f"lang{start + i}@example.org", language="en" if i % 2 else "bg")
            for i in range(count)
        ]
    )
    ct = ContentType.objects.get_for_model(obj)
    Follow.objects.bulk_create([Follow(user=u, content_type=ct, object_id=obj.pk) for u in users])
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=u, news_kind=KIND, frequency=frequency) for u in users]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("frequency", ["immediate", "daily"])
def test_languages_cost_no_query_per_person(mailbox: Mailbox, province, frequency: str) -> None:
    from territory.models import Province

    other = Province.objects.exclude(pk=province.pk).first()
    _followers(3, province, frequency)
    with CaptureQueriesContext(connection) as few:
        notify(province, KIND, "Новина", "/a/")
    _followers(30, other, frequency)
    with CaptureQueriesContext(connection) as many:
        notify(other, KIND, "Новина", "/a/")
    assert len(many) == len(few)
    if frequency == "daily":
        with CaptureQueriesContext(connection) as sent:
            call_command("send_digests", "--frequency", "daily", verbosity=0)
        # One query finds the people (with their language); then the same few per person.
        assert (len(sent) - 2) % 33 == 0
        english = mailbox.to(User.objects.filter(language="en").first().email)
        assert english and str(english[0]["Subject"]).endswith("Your daily news digest")


# --- The preference on the profile ---------------------------------------------------------


def _all_kinds(value: str = "weekly") -> dict[str, str]:
    return {f"kind_{kind.key}": value for kind in news_kinds()}


@pytest.mark.django_db
def test_profile_offers_the_languages_with_the_current_one_chosen(client: Client) -> None:
    person = UserFactory(language="en")
    client.force_login(person)
    html = client.get("/profile/").content.decode()
    assert 'name="language"' in html
    assert re.search(r'<option value="en" selected>', html)
    assert '<option value="bg">' in html


@pytest.mark.django_db
def test_choosing_english_is_saved_with_the_frequencies(client: Client) -> None:
    person = UserFactory()
    assert person.language == "bg"  # the portal's language by default
    client.force_login(person)
    response = client.post(
        "/profile/notifications/",
        {**_all_kinds(), "kind_territory.news": "daily", "language": "en"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "en"
    assert person.notification_preferences.get(news_kind=KIND).frequency == "daily"


@pytest.mark.django_db
def test_a_form_without_the_language_keeps_the_chosen_one(client: Client) -> None:
    person = UserFactory(language="en")
    client.force_login(person)
    assert client.post("/profile/notifications/", _all_kinds()).status_code == 302
    person.refresh_from_db()
    assert person.language == "en"


@pytest.mark.django_db
def test_an_unknown_language_is_refused_with_a_message(client: Client) -> None:
    person = UserFactory()
    client.force_login(person)
    response = client.post(
        "/profile/notifications/", {**_all_kinds("daily"), "language": "klingon"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = in_language("bg", "Choose one of the languages in the list.")
    assert 'class="error-summary"' in html
    assert 'href="#id_language"' in html
    assert html.count(message) == 2  # in the summary and next to the field
    # Nothing is saved, and what was chosen for the frequencies is kept on the page.
    person.refresh_from_db()
    assert person.language == "bg"
    assert not person.notification_preferences.exists()
    assert re.search(r'<option value="daily" selected>', html)


@pytest.mark.django_db
def test_the_preference_needs_a_signed_in_person_and_post(client: Client) -> None:
    response = client.post("/profile/notifications/", {"language": "en"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    person = UserFactory()
    client.force_login(person)
    assert client.get("/profile/notifications/").status_code == 405


@pytest.mark.django_db
def test_a_new_account_gets_the_language_it_signed_up_in(client):
    from django.urls import reverse

    from accounts.models import User

    data = {
        "email": "nova@example.org",
        "password1": "correct-horse-battery-9",
        "password2": "correct-horse-battery-9",
        "first_name": "Нова",
        "last_name": "Гражданка",
    }
    client.post("/en" + reverse("account_signup"), data)
    person = User.objects.filter(email="nova@example.org").first()
    assert person is not None and person.language == "en"
