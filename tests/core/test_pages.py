"""The portal's own pages: health check, statements, error pages, language switch."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_check_is_plain_and_cheap(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_accessibility_statement_names_the_standard(client):
    page = client.get("/accessibility/").content.decode()
    assert "(WCAG) 2.1" in page
    assert "Декларация за достъпност" in page


def test_english_version_of_a_page(client):
    page = client.get("/en/accessibility/").content.decode()
    assert 'lang="en"' in page
    assert "Accessibility statement" in page


def test_language_switch_is_a_form_that_works_without_javascript(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accessibility/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accessibility/"


def test_not_found_page_is_in_bulgarian(client):
    response = client.get("/territory/provinces/XXX/")
    assert response.status_code == 404
    assert "Страницата не е намерена" in response.content.decode()


def test_server_error_page_is_in_bulgarian_and_needs_no_database(rf):
    from core.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "Възникна грешка" in response.content.decode()


def test_forbidden_page_is_in_bulgarian(rf):
    from django.contrib.auth.models import AnonymousUser

    from core.views import error_403

    request = rf.get("/")
    request.user = AnonymousUser()
    response = error_403(request)
    assert response.status_code == 403
    assert "Нямате достъп до тази страница" in response.content.decode()


def test_csrf_is_enforced_on_forms():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@b.bg", "password": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("language", "next_url", "expected"),
    [
        ("en", "/territory/provinces/PDV/?page=2", "/en/territory/provinces/PDV/?page=2"),
        ("bg", "/en/territory/provinces/PDV/", "/territory/provinces/PDV/"),
        ("bg", "/en/", "/"),
        ("en", "https://evil.example/", "/en/"),  # never an open redirect
    ],
)
def test_language_switch_lands_on_the_same_page_in_the_other_language(
    client, language, next_url, expected
):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert response.cookies["django_language"].value == language


def test_language_switch_refuses_get(client):
    assert client.get("/i18n/setlang/").status_code == 405
