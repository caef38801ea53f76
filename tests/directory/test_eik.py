"""ЕИК/БУЛСТАТ check digits (domain-rules §5.2), with the examples listed there."""

import pytest
from django.core.exceptions import ValidationError

from core.eik import is_valid_eik, validate_eik

VALID = [
    "020469788", "201355508", "201968703", "175074752",
    # municipalities: Столична, Пловдив, Варна, Приморско, Сопот, Николаево
    "000696327", "000471504", "000093442", "102164063", "115816423", "123116940",
    "1213961230342",  # a 13-digit unit code
]  # fmt: skip
INVALID = [
    "123456789", "1234567891234",
    "0204697880",  # 10 digits: a personal number (ЕГН), never accepted
    "02046978", "02046978A", "", "０２０４６９７８８",  # short, letter, full-width digits
    "1213961230341",  # right parent, wrong unit check digit
]  # fmt: skip


@pytest.mark.parametrize("value", VALID)
def test_valid(value):
    assert is_valid_eik(value)
    validate_eik(value)


@pytest.mark.parametrize("value", INVALID)
def test_invalid(value):
    assert not is_valid_eik(value)


def test_validator_allows_empty_and_rejects_bad():
    validate_eik("")
    with pytest.raises(ValidationError):
        validate_eik("123456789")


def test_the_fallback_weights_are_used():
    # 8 digits whose first weighted sum leaves 10: the check digit comes from weights 3..10.
    body = next(
        f"{n:08d}"
        for n in range(10_000_000, 10_100_000)
        if sum(int(d) * w for d, w in zip(f"{n:08d}", range(1, 9), strict=True)) % 11 == 10
    )
    second = sum(int(d) * w for d, w in zip(body, range(3, 11), strict=True)) % 11
    check = 0 if second == 10 else second
    assert is_valid_eik(f"{body}{check}")
    assert not is_valid_eik(f"{body}{(check + 1) % 10}")
