"""A personal number (ЕГН or ЛНЧ) typed into a text is found and refused; phone numbers and
ЕИК codes are not mistaken for one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.personal_numbers import find_personal_number, validate_no_personal_number


@pytest.mark.parametrize(
    "text",
    [
        "Моето ЕГН е 7523169263.",
        "ЕГН: 752 316 9263",
        "75-23-16-9263",
        "ЛНЧ 7111042925",
        "7523169263",
    ],
)
def test_found(text):
    assert find_personal_number(text)
    with pytest.raises(ValidationError):
        validate_no_personal_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "тел. 0888123456",
        "+359 888 123 456",
        "ЕИК 121643473",
        "ЕИК 1216434730005",
        "1234567890",  # ten digits with a wrong check digit
        "7523169264",
        "номер 75231692631",  # eleven digits
        "",
    ],
)
def test_not_found(text):
    assert find_personal_number(text) is None
    validate_no_personal_number(text)
