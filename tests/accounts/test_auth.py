"""Sign-up, sign-in, rate limits and two-factor authentication through allauth."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from accounts.enums import Role
from accounts.models import RoleAssignment
from tests.factories.accounts import PASSWORD, UserFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def reauthenticate(client, person) -> None:
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def current_code(secret: str = SECRET) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.mark.django_db
def test_login_page_uses_portal_layout_and_form(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'class="site-header"' in html
    assert '<label for="id_login">' in html
    assert "Вход" in html


@pytest.mark.django_db
def test_signup_errors_are_summarised_and_keep_typed_values(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "typed@example.org", "password1": "short", "password2": "other"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'class="error-message"' in html
    assert 'value="typed@example.org"' in html


@pytest.mark.django_db
def test_login_with_verified_account(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"


@pytest.mark.django_db
def test_sixth_failed_login_is_refused_in_bulgarian(client, user):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-1"})
        assert "Твърде много" not in response.content.decode()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code in (200, 429)
    assert "Твърде много" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_official_without_totp_is_sent_to_set_it_up(client, login):
    official = UserFactory()
    RoleAssignment.grant(official, Role.INSTITUTION_STAFF)
    login(official)
    response = client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before 2FA settings change; the explanation shows.
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    assert "двуфакторно удостоверяване" in page.content.decode()
    reauthenticate(client, official)
    page = client.get("/accounts/2fa/totp/activate/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="qr-code"' in html and 'src="data:image/svg+xml;base64,' in html
    assert 'alt="' in html
    # Logging out stays possible.
    assert client.post("/accounts/logout/").status_code == 302


@pytest.mark.django_db
def test_official_activates_totp_then_every_login_asks_for_code(client, login):
    official = UserFactory()
    RoleAssignment.grant(official, Role.COUNCILLOR)
    login(official)
    reauthenticate(client, official)
    page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and 'class="error-summary"' in wrong.content.decode()
    ok = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert ok.status_code == 302
    assert Authenticator.objects.filter(user=official, type="totp").exists()
    assert client.get("/profile/").status_code == 200
    client.post("/accounts/logout/")

    response = login(official)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    refused = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'class="error-summary"' in refused.content.decode()


@pytest.mark.django_db
def test_right_code_signs_in(client, login):
    official = UserFactory()
    RoleAssignment.grant(official, Role.ADMINISTRATOR)
    TOTP.activate(official, SECRET)
    login(official)
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


@pytest.mark.django_db
def test_citizen_is_never_asked_for_a_code(client, login, user):
    response = login(user)
    assert response["Location"] == "/profile/"
    assert client.get("/profile/").status_code == 200


@pytest.mark.django_db
def test_revoked_official_role_no_longer_needs_2fa(client, login):
    person = UserFactory()
    RoleAssignment.grant(person, Role.INSTITUTION_STAFF).revoke()
    login(person)
    assert client.get("/profile/").status_code == 200


@pytest.mark.django_db
def test_allauth_pages_render_in_layout(client, login, user):
    for url in ["/accounts/signup/", "/accounts/password/reset/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        assert 'class="site-header"' in html, url
        assert "<script" not in html, url
    login(user)
    reauthenticate(client, user)
    for url in [
        "/accounts/email/",
        "/accounts/2fa/",
        "/accounts/logout/",
        "/accounts/2fa/totp/activate/",
        "/accounts/password/change/",
    ]:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert 'class="site-header"' in html, url
        assert "<script" not in html, url
        assert ' style="' not in html, url


@pytest.mark.django_db
def test_official_cannot_turn_totp_off_but_citizen_can(client, login):
    official = UserFactory()
    RoleAssignment.grant(official, Role.INSTITUTION_STAFF)
    TOTP.activate(official, SECRET)
    login(official)
    client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    reauthenticate(client, official)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert Authenticator.objects.filter(user=official, type="totp").exists()


@pytest.mark.django_db
def test_middleware_leaves_static_and_auth_pages_alone(client, login):
    official = UserFactory()
    RoleAssignment.grant(official, Role.COUNCILLOR)
    login(official)
    assert client.get("/accounts/logout/").status_code == 200
    assert client.get("/en/accounts/2fa/").status_code == 200
    assert client.get("/territory/").status_code == 302
