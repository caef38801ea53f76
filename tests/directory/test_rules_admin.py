"""Who may change an entry (permission ladder), and the admin's pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from directory.models import Institution
from tests.factories.accounts import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return Institution.objects.get(generated_key="mc:PDV22")


def test_permission_ladder(council):
    from django.contrib.auth.models import AnonymousUser

    other = Institution.objects.get(generated_key="mc:PDV01")
    staff = RoleAssignmentFactory(role=Role.INSTITUTION_STAFF, scope=council).user
    councillor = RoleAssignmentFactory(role=Role.COUNCILLOR, scope=council).user
    admin = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    citizen = UserFactory()
    perm = "directory.change_institution"
    assert not AnonymousUser().has_perm(perm, council)
    assert not citizen.has_perm(perm, council)
    assert staff.has_perm(perm, council) and not staff.has_perm(perm, other)
    assert councillor.has_perm(perm, council)
    assert admin.has_perm(perm, council) and admin.has_perm(perm, other)


def test_admin_list_and_change_page(admin_client, council, settings):
    # Administrators normally need a second factor (accounts.middleware); not under test here.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RequireTwoFactor" not in m]
    client = admin_client
    url = reverse("admin:directory_institution_changelist")

    def count(params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx)

    assert count({"province__code__exact": "SML"}) == count({"province__code__exact": "SOF"})
    response = client.get(reverse("admin:directory_institution_change", args=[council.pk]))
    assert response.status_code == 200
    assert "Общински съвет – Пловдив" in response.content.decode()
