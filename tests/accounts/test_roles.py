"""Roles are data, checked by django-rules predicates; history is never lost."""

from __future__ import annotations

import pytest

from accounts.enums import Role
from accounts.models import RoleAssignment
from accounts.rules import (
    has_role,
    is_administrator,
    is_citizen,
    is_moderator,
    is_representative_of,
    is_staff_of,
)
from tests.factories.accounts import UserFactory


@pytest.mark.django_db
def test_every_signed_in_user_is_a_citizen(user):
    from django.contrib.auth.models import AnonymousUser

    assert is_citizen(user)
    assert not is_citizen(AnonymousUser())
    assert user.has_role(Role.CITIZEN)


@pytest.mark.django_db
def test_grant_and_revoke_keep_history(user):
    admin = UserFactory(is_superuser=True)
    assignment = RoleAssignment.grant(user, Role.MODERATOR, granted_by=admin)
    assert RoleAssignment.grant(user, Role.MODERATOR) == assignment  # no duplicate
    assert is_moderator(user)
    assert list(user.roles_active()) == [assignment]
    assignment.revoke(by=admin)
    user = type(user).objects.get(pk=user.pk)  # a fresh request
    assert not is_moderator(user)
    assert RoleAssignment.objects.filter(user=user).count() == 1  # kept
    assert RoleAssignment.objects.active().filter(user=user).count() == 0
    assert assignment.revoked_by == admin


@pytest.mark.django_db
def test_scoped_roles(user, province, settlement):
    RoleAssignment.grant(user, Role.INSTITUTION_STAFF, scope=province)
    assert is_staff_of(user, province)
    assert not is_staff_of(user, settlement)
    assert not is_staff_of(UserFactory(), province)
    assert has_role(Role.INSTITUTION_STAFF)(user)
    assert not is_representative_of(user, province)
    RoleAssignment.grant(user, Role.ORGANISATION_REPRESENTATIVE, scope=settlement)
    user = type(user).objects.get(pk=user.pk)
    assert is_representative_of(user, settlement)
    assert RoleAssignment.objects.for_scope(province).count() == 1


@pytest.mark.django_db
def test_administrator_by_role_or_superuser(user):
    assert not is_administrator(user)
    assert not user.has_perm("accounts.manage_roles")
    assert UserFactory(is_superuser=True).has_perm("accounts.manage_roles")
    RoleAssignment.grant(user, Role.ADMINISTRATOR)
    user = type(user).objects.get(pk=user.pk)
    assert is_administrator(user)
    assert user.has_perm("accounts.manage_roles")


@pytest.mark.django_db
def test_moderate_permission(user):
    assert not user.has_perm("accounts.moderate")
    RoleAssignment.grant(user, Role.MODERATOR)
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("accounts.moderate")


@pytest.mark.django_db
def test_predicates_cost_one_query_per_request(user, province, django_assert_num_queries):
    RoleAssignment.grant(user, Role.INSTITUTION_STAFF, scope=province)
    RoleAssignment.grant(user, Role.MODERATOR)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        for _ in range(10):
            is_staff_of(user, province)
            is_moderator(user)
            is_administrator(user)


@pytest.mark.django_db
def test_two_factor_roles(user):
    assert not user.needs_two_factor
    for role in (Role.INSTITUTION_STAFF, Role.COUNCILLOR, Role.ADMINISTRATOR):
        person = UserFactory()
        RoleAssignment.grant(person, role)
        assert type(person).objects.get(pk=person.pk).needs_two_factor
    moderator = UserFactory()
    RoleAssignment.grant(moderator, Role.MODERATOR)
    assert not type(moderator).objects.get(pk=moderator.pk).needs_two_factor


@pytest.mark.django_db
def test_role_admin_has_no_delete(rf, user):
    from django.contrib.admin.sites import site

    admin = site._registry[RoleAssignment]
    request = rf.get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert not admin.has_delete_permission(request)
    request.user = user
    assert not admin.has_view_permission(request)
