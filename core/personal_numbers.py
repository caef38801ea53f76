"""Personal numbers (ЕГН, ЛНЧ) typed where they do not belong.

A Bulgarian personal number (ЕГН) encodes a person's birth date and sex and is treated as
especially sensitive (domain-rules.md §7.2); a foreigner's number (ЛНЧ) is as personal. The
portal never asks for either, and refuses a text that contains one, so that it is not
published by mistake in a request, a signal or a comment (ЗДОИ чл. 25 asks for none).

A run of exactly ten digits whose check digit is right (python-stdnum's `bg.egn` and
`bg.pnf`, which also check the birth date) counts, written together or with spaces or dashes
as people group them ("750 101 1234"). A phone number (+359 88 ...) or a 9- or 13-digit ЕИК is
not one: they are not ten digits with a valid check.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.bg import egn, pnf

# Ten digits, optionally grouped with single spaces, dots or dashes, not part of a longer
# number (no digit or digit separator right before or after).
_CANDIDATE = re.compile(r"(?<![\d+])(?:\d[ .\-]?){9}\d(?![\d])")


def find_personal_number(text: str) -> str | None:
    """The first ЕГН or ЛНЧ in `text`, as typed, or None."""
    for match in _CANDIDATE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) == 10 and (egn.is_valid(digits) or pnf.is_valid(digits)):
            return match.group()
    return None


def validate_no_personal_number(value: str) -> None:
    """Form and model validator: refuse a text that contains a personal number."""
    if find_personal_number(value):
        raise ValidationError(
            _(
                "This text contains what looks like a personal number (ЕГН or ЛНЧ). The portal "
                "never needs it: remove it, please."
            ),
            code="personal_number",
        )
