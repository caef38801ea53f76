"""The statutory periods of ЗДОИ and АПК (monitoring/legal.py), on real Bulgarian dates."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from monitoring import legal
from monitoring.enums import ExtensionReason, SignalKind

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@pytest.mark.parametrize(
    ("registered", "extension", "due"),
    [
        ("2026-11-02", 0, "2026-11-16"),  # Monday + 14 = Monday
        ("2026-11-06", 0, "2026-11-20"),
        ("2026-11-07", 0, "2026-11-23"),  # 21.11 is a Saturday → Monday
        ("2026-12-10", 0, "2026-12-29"),  # 24.12: 24–26 holidays, 28 off (КТ чл. 154) → 29
        ("2026-11-02", 10, "2026-11-26"),  # + 10 days for a large volume
        ("2027-04-22", 0, "2027-05-07"),  # 6.5.2027 (St George's Day) is a Thursday
    ],
)
def test_request_deadline(registered, extension, due):
    assert legal.request_due_on(D(registered), extension) == D(due)


def test_clarification_and_appeal_deadlines():
    assert legal.clarification_due_on(D("2026-11-02")) == D("2026-12-02")
    assert legal.appeal_due_on(D("2026-11-16")) == D("2026-11-30")
    # Silence: one month after the missed deadline (16.12 + 1 month = 16.01.2027, a Saturday).
    assert legal.tacit_refusal_appeal_due_on(D("2026-12-16")) == D("2027-01-18")


def test_signal_deadlines():
    assert legal.signal_due_on(SignalKind.PROPOSAL, D("2026-10-01")) == D("2026-12-01")
    # 31 August + 2 months: 31 October is a Saturday → 2 November.
    assert legal.signal_due_on(SignalKind.SIGNAL, D("2026-08-31")) == D("2026-11-02")
    assert legal.signal_due_on(SignalKind.PROPOSAL, D("2026-10-01"), months=6) == D("2027-04-01")
    assert legal.communication_due_on(D("2026-12-01")) == D("2026-12-08")
    assert legal.forward_due_on(D("2026-12-01")) == D("2026-12-08")


@override_settings(
    MONITORING_ZDOI_VOLUME_EXTENSION_DAYS=7,
    MONITORING_ZDOI_THIRD_PARTY_EXTENSION_DAYS=21,
    MONITORING_APK_SIGNAL_MONTHS=1,
    MONITORING_APK_FORWARD_DAYS=3,
)
def test_unconfirmed_numbers_are_settings():
    assert legal.extension_days(ExtensionReason.LARGE_VOLUME) == 7
    assert legal.extension_days(ExtensionReason.THIRD_PARTY) == 21
    assert legal.signal_due_on(SignalKind.SIGNAL, D("2026-10-01")) == D("2026-11-02")
    assert legal.forward_due_on(D("2026-12-01")) == D("2026-12-04")
    shown = {rule.setting: rule.value for rule in legal.rules() if rule.setting}
    assert shown["MONITORING_APK_FORWARD_DAYS"].startswith("3")
    assert all(not rule.confirmed for rule in legal.rules() if rule.setting)


def test_stale_signal():
    assert legal.is_stale_signal(D("2024-11-30"), D("2026-12-01"))
    assert not legal.is_stale_signal(D("2024-12-01"), D("2026-12-01"))
    assert not legal.is_stale_signal(None, D("2026-12-01"))
    assert legal.is_stale_signal(D("2024-02-29"), D("2026-03-01"))
    assert not legal.is_stale_signal(D("2024-02-29"), D("2026-02-28"))
