"""Admin: reference data can be viewed but not edited; the portal scope can be edited."""

from __future__ import annotations

import pytest

from territory.models import PortalScope

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client, settings):
    # Administrators normally need a second factor (accounts.middleware); not under test here.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RequireTwoFactor" not in m]
    return admin_client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/territory/settlement/",
        "/admin/territory/municipality/",
        "/admin/territory/regionmembership/",
        "/admin/territory/settlement/56784/change/",
    ],
)
def test_reference_data_is_viewable(staff, url: str) -> None:
    response = staff.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content  # read-only


def test_reference_data_cannot_be_added(staff) -> None:
    assert staff.get("/admin/territory/province/add/").status_code == 403


def test_scope_is_editable_with_horizontal_filters(staff) -> None:
    scope = PortalScope.current()
    response = staff.get(f"/admin/territory/portalscope/{scope.pk}/change/")
    assert response.status_code == 200
    assert b"selectfilter" in response.content
    assert b'name="_save"' in response.content
