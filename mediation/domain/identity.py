"""Kazakhstan ИИН/БИН (12-digit individual and business identification numbers): validation and test data."""

from datetime import date

IIN_BIN_LENGTH = 12

# The official check-digit scheme: a first weighted sum mod 11; a remainder of 10 is not a digit, so the
# sum is recomputed with a shifted weight set; if that is 10 too, no check digit exists and the 11-digit
# prefix is never issued.
FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# 7th digit of an ИИН: century of birth and sex (odd = male, even = female). 0 is issued to some
# foreigners, whose century is then unknown.
_CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}

# 5th digit of a БИН: 4 resident legal entity, 5 non-resident legal entity, 6 joint individual
# entrepreneurship. An ИИН has the tens digit of a day there (0-3), so the two kinds never overlap.
BIN_ENTITY_KINDS = frozenset("456")

_ASCII_DIGITS = frozenset("0123456789")


def normalise_iin_bin(value: str | None) -> str:
    """Return the number without any whitespace (as typed with spaces or pasted with line breaks)."""
    # Only strings are accepted: an int would already have lost the leading zeros of people born in 2000s.
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("an ИИН/БИН must be given as a string")
    return "".join(value.split())


def _is_twelve_digits(value: object) -> bool:
    # str.isdigit() also accepts Arabic-Indic and superscript digits; only ASCII digits are valid here.
    return isinstance(value, str) and len(value) == IIN_BIN_LENGTH and set(value) <= _ASCII_DIGITS


def check_digit(first11: str) -> int | None:
    """Return the check digit for an 11-digit prefix, or None when both weight sets give 10."""
    if len(first11) != IIN_BIN_LENGTH - 1 or not set(first11) <= _ASCII_DIGITS:
        raise ValueError("check_digit needs exactly 11 ASCII digits")
    digits = [int(c) for c in first11]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def _has_valid_check_digit(value: str) -> bool:
    expected = check_digit(value[:11])
    return expected is not None and expected == int(value[11])


def _plausible_birth_date(value: str) -> date | None:
    yy, mm, dd, kind = int(value[0:2]), int(value[2:4]), int(value[4:6]), int(value[6])
    if kind == 0:
        # Foreigners' numbers carry no century: accept the date if it exists in either century, so
        # 29 February of year "00" (2000 was leap, 1900 was not) is still plausible.
        centuries = (2000, 1900)
    elif kind in _CENTURY_BY_DIGIT:
        centuries = (_CENTURY_BY_DIGIT[kind],)
    else:
        return None
    for century in centuries:
        try:
            return date(century + yy, mm, dd)
        except ValueError:
            continue
    return None


def iin_birth_date(value: str) -> date | None:
    """Return the birth date in an ИИН; None if implausible or the century is not encoded (digit 0)."""
    if not _is_twelve_digits(value) or value[6] == "0":
        return None
    return _plausible_birth_date(value)


def is_valid_iin(value: str) -> bool:
    """Tell whether value is a well-formed individual number: 12 digits, check digit, plausible birth date."""
    return (
        _is_twelve_digits(value)
        and _plausible_birth_date(value) is not None
        and _has_valid_check_digit(value)
    )


def is_valid_bin(value: str) -> bool:
    """Tell whether value is a well-formed business number: 12 digits, check digit, entity kind 4/5/6."""
    return _is_twelve_digits(value) and value[4] in BIN_ENTITY_KINDS and _has_valid_check_digit(value)


def is_valid_iin_bin(value: str) -> bool:
    """Tell whether value is a valid ИИН or a valid БИН (a party may be a person or an organisation)."""
    return is_valid_iin(value) or is_valid_bin(value)


def make_iin(birth: date, female: bool, serial: int) -> str:
    """Build a valid ИИН for tests and demo data; skips ahead from serial if it has no check digit."""
    century = birth.year // 100 * 100
    first_digit = {1800: 1, 1900: 3, 2000: 5}.get(century)
    if first_digit is None:
        raise ValueError("make_iin supports birth years 1800-2099")
    if not 0 <= serial <= 9999:
        raise ValueError("serial must be 0..9999 (four digits)")
    kind = first_digit + (1 if female else 0)
    prefix = f"{birth:%y%m%d}{kind}"
    # About 1 prefix in 120 has no check digit ("10 twice"); such serials are never issued, so take the
    # next one. Two consecutive serials never both fail (the last serial digit has weight 2 in the second
    # set), so the loop ends at once in practice; wrapping keeps the result four digits.
    for step in range(10000):
        candidate = (serial + step) % 10000
        first11 = f"{prefix}{candidate:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return f"{first11}{digit}"
    raise AssertionError("unreachable: some serial always has a check digit")  # pragma: no cover
