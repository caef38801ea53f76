"""Demo accounts, one per role, for trying the portal out. Never in production."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.enums import TWO_FACTOR_ROLES, Role
from accounts.models import RoleAssignment, User

DEMO_PASSWORD = "demo-eregion-2026"  # noqa: S105 - printed to the person on purpose
DEMO_DOMAIN = "demo.eregion.bg"


@dataclass(frozen=True)
class DemoAccount:
    local_part: str
    role: str
    first_name: str
    last_name: str
    # Fixed base32 secret (32 characters = 20 bytes) so people can add it to an app once.
    totp_secret: str = ""

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_DOMAIN}"


DEMO_ACCOUNTS = [
    DemoAccount("grazhdanin", Role.CITIZEN, "Иван", "Демонстрационов"),
    DemoAccount("ngo", Role.ORGANISATION_REPRESENTATIVE, "Мария", "Примерова"),
    DemoAccount(
        "sluzhitel",
        Role.INSTITUTION_STAFF,
        "Георги",
        "Тестов",
        "DEMOSLUZHITELEREGIONBGTOTPSECRET",
    ),
    DemoAccount(
        "savetnik", Role.COUNCILLOR, "Елена", "Образцова", "DEMOSAVETNIKEREGIONBGTOTPSECRETX"
    ),
    DemoAccount("moderator", Role.MODERATOR, "Петър", "Модельов"),
    DemoAccount(
        "koordinator",
        Role.ASSESSMENT_COORDINATOR,
        "Стефка",
        "Оценкова",
        "DEMOKOORDINATOREREGIONBGTOTPSECR",
    ),
    DemoAccount(
        "admin", Role.ADMINISTRATOR, "Десислава", "Демова", "DEMOADMINEREGIONBGTOTPSECRETXYZA"
    ),
]


class Command(BaseCommand):
    help = "Create one clearly fictional demo account per role (development and demos only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "load_demo refuses to run with production settings (ENVIRONMENT=production): "
                "demo accounts with a published password must never exist on a live portal."
            )
        created = self._create_accounts()
        self._apply_scope()
        if created and options["verbosity"]:
            self._print_table(created)
        elif options["verbosity"]:
            self.stdout.write("Demo accounts already exist; nothing created.")

    @transaction.atomic
    def _create_accounts(self) -> list[DemoAccount]:
        created = []
        for demo in DEMO_ACCOUNTS:
            if User.objects.filter(email=demo.email).exists():
                continue
            is_admin = demo.role == Role.ADMINISTRATOR
            user = User.objects.create_user(
                demo.email,
                DEMO_PASSWORD,
                first_name=demo.first_name,
                last_name=demo.last_name,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            EmailAddress.objects.create(user=user, email=demo.email, verified=True, primary=True)
            if demo.role != Role.CITIZEN:
                RoleAssignment.grant(user, demo.role)
            has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
            if demo.role in TWO_FACTOR_ROLES and demo.totp_secret and not has_totp.exists():
                TOTP.activate(user, demo.totp_secret)
            created.append(demo)
        return created

    def _apply_scope(self) -> None:
        try:
            from territory.demo import apply_demo_scope
        except ImportError:
            self.stderr.write("territory.demo.apply_demo_scope is not available yet; skipped.")
            return
        apply_demo_scope()

    def _print_table(self, created: list[DemoAccount]) -> None:
        out = self.stdout
        out.write("Demo accounts (fictional people; development and demos only):")
        out.write(f"{'role':<28} {'name':<22} {'e-mail':<28} TOTP secret (authenticator app)")
        for demo in created:
            name = f"{demo.first_name} {demo.last_name}"
            out.write(f"{demo.role:<28} {name:<22} {demo.email:<28} {demo.totp_secret or '-'}")
        out.write(f"Password for every demo account: {DEMO_PASSWORD}")
