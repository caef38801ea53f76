from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from accounts.models import RoleAssignment, User


@pytest.mark.django_db
def test_load_demo_creates_once_and_prints_only_then():
    first = StringIO()
    call_command("load_demo", stdout=first, stderr=StringIO())
    assert User.objects.filter(email__endswith="@demo.eregion.bg").count() == 7
    assert "demo-eregion-2026" in first.getvalue()
    assert "DEMOSLUZHITELEREGIONBGTOTPSECRET" in first.getvalue()
    assert (
        EmailAddress.objects.filter(email__endswith="@demo.eregion.bg", verified=True).count() == 7
    )
    admin = User.objects.get(email="admin@demo.eregion.bg")
    assert admin.is_staff and admin.is_superuser
    assert Authenticator.objects.filter(type="totp").count() == 4
    assert RoleAssignment.objects.count() == 6  # citizens need no row

    second = StringIO()
    call_command("load_demo", stdout=second, stderr=StringIO())
    assert User.objects.filter(email__endswith="@demo.eregion.bg").count() == 7
    assert "demo-eregion-2026" not in second.getvalue()
    assert RoleAssignment.objects.count() == 6


@pytest.mark.django_db
def test_load_demo_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()
