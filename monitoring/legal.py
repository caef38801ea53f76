"""The statutory periods of ЗДОИ and АПК chapter 8, and the deadlines they give.

Every number is here once. Those domain-rules.md marks as confirmed (✔) are constants; those
it marks unconfirmed (~ or ?) are settings (`MONITORING_*`, .env.example) so that a lawyer's
check can change them without a release, and the methodology page says which are which
(`RULES`, below, is what it prints).

All periods run from the day after the event (ГПК чл. 60, as the courts apply it to these
laws) and a last day that is not a working day moves to the next working day:
core.legal_calendar does the counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.legal_calendar import LegalCalendar

# --- ЗДОИ (domain-rules.md §2) ----------------------------------------------------------------
# чл. 28, ал. 1: the decision within 14 days of registration. ✔
ZDOI_DECISION_DAYS = 14
# чл. 29, ал. 1–2: the requester has 30 days to clarify; then the 14 days run again from the
# clarification, or the request is left without consideration. ✔
ZDOI_CLARIFICATION_DAYS = 30
# АПК чл. 149, ал. 1 (ЗДОИ чл. 40): appeal within 14 days of the decision's notice. ✔
APPEAL_DAYS = 14
# АПК чл. 149, ал. 2: a tacit refusal (silence) may be appealed within 1 month after the
# deadline expired. ✔
TACIT_REFUSAL_APPEAL_MONTHS = 1

# --- АПК гл. 8 (domain-rules.md §3) -----------------------------------------------------------
# чл. 118, ал. 1: a proposal is decided within 2 months of its receipt; ал. 3: the superior
# body may extend this up to 6 months. ✔
APK_PROPOSAL_MONTHS = 2
APK_MAX_EXTENDED_MONTHS = 6
# чл. 118, ал. 2 and чл. 123, ал. 1: the decision is communicated within 7 days. ✔
APK_COMMUNICATION_DAYS = 7
# чл. 111, ал. 4: no proceedings on a signal about acts more than 2 years old. ✔
APK_SIGNAL_MAX_AGE_YEARS = 2


def _setting(name: str) -> int:
    return int(getattr(settings, name))


def zdoi_volume_extension_days() -> int:
    """ЗДОИ чл. 30: extension for a large volume, up to 10 days (number unconfirmed: ~)."""
    return _setting("MONITORING_ZDOI_VOLUME_EXTENSION_DAYS")


def zdoi_third_party_extension_days() -> int:
    """ЗДОИ чл. 31: extension to ask a third party's consent, up to 14 days (unconfirmed: ~)."""
    return _setting("MONITORING_ZDOI_THIRD_PARTY_EXTENSION_DAYS")


def apk_signal_months() -> int:
    """АПК чл. 121 (?): the deadline to decide a signal, usually treated as 2 months (?)."""
    return _setting("MONITORING_APK_SIGNAL_MONTHS")


def apk_forward_days() -> int:
    """АПК чл. 112 (?): a filing sent to the wrong body is forwarded within 7 days (?)."""
    return _setting("MONITORING_APK_FORWARD_DAYS")


def extension_days(reason: str) -> int:
    """The most days an extension for `reason` (an ExtensionReason) may add."""
    from monitoring.enums import ExtensionReason

    if reason == ExtensionReason.LARGE_VOLUME:
        return zdoi_volume_extension_days()
    if reason == ExtensionReason.THIRD_PARTY:
        return zdoi_third_party_extension_days()
    raise ValueError(f"Unknown extension reason {reason!r}")


# --- Deadlines --------------------------------------------------------------------------------


def request_due_on(start: date, extension: int = 0, calendar: LegalCalendar | None = None) -> date:
    """ЗДОИ: the last day for the decision, `start` being the registration (or, after a
    clarification, the day it was given; чл. 29, ал. 2) and `extension` the days added under
    чл. 30 or 31 (they lengthen the same term)."""
    return (calendar or LegalCalendar()).add_calendar_days_deadline(
        start, ZDOI_DECISION_DAYS + extension
    )


def clarification_due_on(asked_on: date, calendar: LegalCalendar | None = None) -> date:
    """ЗДОИ чл. 29, ал. 2: the last day for the requester to clarify."""
    return (calendar or LegalCalendar()).add_calendar_days_deadline(
        asked_on, ZDOI_CLARIFICATION_DAYS
    )


def appeal_due_on(decided_on: date, calendar: LegalCalendar | None = None) -> date:
    """АПК чл. 149, ал. 1: the last day to appeal a decision notified on `decided_on`."""
    return (calendar or LegalCalendar()).add_calendar_days_deadline(decided_on, APPEAL_DAYS)


def tacit_refusal_appeal_due_on(due_on: date, calendar: LegalCalendar | None = None) -> date:
    """АПК чл. 149, ал. 2: the last day to appeal the silence of a body whose deadline was
    `due_on`."""
    return (calendar or LegalCalendar()).add_months_deadline(due_on, TACIT_REFUSAL_APPEAL_MONTHS)


def signal_due_on(
    kind: str, received_on: date, months: int | None = None, calendar: LegalCalendar | None = None
) -> date:
    """АПК: the last day to decide a proposal (чл. 118: 2 months, or `months` when extended up
    to 6) or a signal (the setting, 2 months by default)."""
    from monitoring.enums import SignalKind

    if months is None:
        months = APK_PROPOSAL_MONTHS if kind == SignalKind.PROPOSAL else apk_signal_months()
    return (calendar or LegalCalendar()).add_months_deadline(received_on, months)


def communication_due_on(decided_on: date, calendar: LegalCalendar | None = None) -> date:
    """АПК чл. 118, ал. 2 / чл. 123, ал. 1: the decision reaches the filer within 7 days."""
    return (calendar or LegalCalendar()).add_calendar_days_deadline(
        decided_on, APK_COMMUNICATION_DAYS
    )


def forward_due_on(received_on: date, calendar: LegalCalendar | None = None) -> date:
    """АПК чл. 112 (?): the last day to forward a filing to the competent body."""
    return (calendar or LegalCalendar()).add_calendar_days_deadline(received_on, apk_forward_days())


def is_stale_signal(event_on: date | None, received_on: date) -> bool:
    """АПК чл. 111, ал. 4: the signal is about acts more than 2 years before it was filed."""
    if event_on is None:
        return False
    try:
        limit = event_on.replace(year=event_on.year + APK_SIGNAL_MAX_AGE_YEARS)
    except ValueError:  # 29 February
        limit = event_on.replace(year=event_on.year + APK_SIGNAL_MAX_AGE_YEARS, day=28)
    return received_on > limit


# --- What the methodology page prints ---------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    label: str
    value: str
    basis: str
    confirmed: bool
    setting: str = ""


def _days(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def _months(n: int) -> str:
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


def rules() -> list[Rule]:
    """The periods in force, with their legal basis and whether the number is confirmed."""
    return [
        Rule(str(_("Decision on an information request")), _days(ZDOI_DECISION_DAYS),
             "ЗДОИ чл. 28, ал. 1", True),
        Rule(str(_("Time for the requester to clarify")), _days(ZDOI_CLARIFICATION_DAYS),
             "ЗДОИ чл. 29", True),
        Rule(str(_("Extension for a large volume of information")),
             _days(zdoi_volume_extension_days()), "ЗДОИ чл. 30", False,
             "MONITORING_ZDOI_VOLUME_EXTENSION_DAYS"),
        Rule(str(_("Extension to ask a third party's consent")),
             _days(zdoi_third_party_extension_days()), "ЗДОИ чл. 31", False,
             "MONITORING_ZDOI_THIRD_PARTY_EXTENSION_DAYS"),
        Rule(str(_("Appeal against a decision")), _days(APPEAL_DAYS),
             "ЗДОИ чл. 40; АПК чл. 149, ал. 1", True),
        Rule(str(_("Appeal against silence (tacit refusal)")),
             _months(TACIT_REFUSAL_APPEAL_MONTHS), "АПК чл. 149, ал. 2", True),
        Rule(str(_("Decision on a proposal")), _months(APK_PROPOSAL_MONTHS),
             "АПК чл. 118, ал. 1", True),
        Rule(str(_("Longest extension of the decision on a proposal")),
             _months(APK_MAX_EXTENDED_MONTHS), "АПК чл. 118, ал. 3", True),
        Rule(str(_("Decision on a signal")), _months(apk_signal_months()), "АПК чл. 121", False,
             "MONITORING_APK_SIGNAL_MONTHS"),
        Rule(str(_("Communicating the decision to the filer")), _days(APK_COMMUNICATION_DAYS),
             "АПК чл. 118, ал. 2; чл. 123, ал. 1", True),
        Rule(str(_("Forwarding to the competent body")), _days(apk_forward_days()),
             "АПК чл. 112", False, "MONITORING_APK_FORWARD_DAYS"),
    ]  # fmt: skip
