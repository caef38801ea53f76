"""The Bulgarian unified identification code (ЕИК / БУЛСТАТ): format and check digits.

python-stdnum has no ЕИК module: `stdnum.bg.vat` checks 9 digits but rejects 13 and accepts a
10-digit personal number (ЕГН), so the rules of domain-rules §5.2 are written out here.
A 10-digit code is a natural person's ЕГН/ЛНЧ (personal data) and is never accepted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _check(digits: list[int], weights: tuple[int, ...], fallback: tuple[int, ...]) -> int:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if remainder == 10:
        remainder = sum(d * w for d, w in zip(digits, fallback, strict=True)) % 11
        if remainder == 10:
            remainder = 0
    return remainder


def is_valid_eik(value: str) -> bool:
    """True for a 9-digit ЕИК or a 13-digit branch code whose check digits are right."""
    value = (value or "").strip()
    if len(value) not in (9, 13) or not value.isascii() or not value.isdigit():
        return False
    d = [int(c) for c in value]
    if d[8] != _check(d[:8], (1, 2, 3, 4, 5, 6, 7, 8), (3, 4, 5, 6, 7, 8, 9, 10)):
        return False
    if len(d) == 9:
        return True
    return d[12] == _check(d[8:12], (2, 7, 3, 5), (4, 9, 5, 7))


def validate_eik(value: str) -> None:
    """Model and form validator for an optional ЕИК field."""
    if value and not is_valid_eik(value):
        raise ValidationError(
            _("Enter a valid EIK/BULSTAT code: 9 or 13 digits with correct check digits."),
            code="invalid_eik",
        )
