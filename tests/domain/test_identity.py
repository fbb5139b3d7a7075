"""ИИН/БИН validation: check digit (both weight sets), birth date plausibility, entity kind, generator."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediation.domain.identity import (
    check_digit,
    iin_birth_date,
    is_valid_bin,
    is_valid_iin,
    is_valid_iin_bin,
    make_iin,
    normalise_iin_bin,
)

# Worked by hand so the tests do not just mirror the implementation:
#   850215300005: 8·1+5·2+0·3+2·4+1·5+5·6+3·7+0+0+0+0 = 82, 82 mod 11 = 5 → check digit 5.
#   850215300604: first set 8+10+0+8+5+30+21+0+0+6·10+0 = 142, mod 11 = 10 → recompute:
#                 8·3+5·4+0·5+2·6+1·7+5·8+3·9+0·10+0·11+6·1+0·2 = 136, mod 11 = 4 → check digit 4.
#   85021530063x: both sets give 10, so no 12th digit makes it valid.
PLAIN_IIN = "850215300005"
SECOND_SET_IIN = "850215300604"
TEN_TWICE_PREFIX = "85021530063"
REAL_FORMAT_BIN = "971240001315"  # registered 1997-12, kind 4 (resident legal entity)


def _first_pass(value: str) -> int:
    """First weighted sum mod 11, computed independently of the module."""
    return sum(w * int(c) for w, c in zip(range(1, 12), value[:11], strict=True)) % 11


def _complete(prefix: str) -> str:
    """Append serial digits and the check digit to a prefix, skipping serials without a check digit."""
    serial_len = 11 - len(prefix)
    for serial in range(10**serial_len):
        first11 = f"{prefix}{serial:0{serial_len}d}"
        digit = check_digit(first11)
        if digit is not None:
            return f"{first11}{digit}"
    raise AssertionError("no serial found")


@pytest.mark.parametrize(
    ("first11", "expected"),
    [(PLAIN_IIN[:11], 5), (SECOND_SET_IIN[:11], 4), (TEN_TWICE_PREFIX, None), (REAL_FORMAT_BIN[:11], 5)],
)
def test_check_digit_worked_examples(first11, expected):
    assert check_digit(first11) == expected


def test_second_weight_set_example_really_needs_it():
    # Given a number whose first weighted sum is 10
    assert _first_pass(SECOND_SET_IIN) == 10
    # Then it is valid only thanks to the recomputation
    assert is_valid_iin(SECOND_SET_IIN)
    assert not is_valid_iin(SECOND_SET_IIN[:11] + "0")  # the naive "10 → 0" reading is wrong


@pytest.mark.parametrize("last", "0123456789")
def test_ten_twice_prefix_is_never_valid(last):
    assert not is_valid_iin_bin(TEN_TWICE_PREFIX + last)


@pytest.mark.parametrize("bad", ["12345", "8502153000", "a" * 11, "8502153000x"])
def test_check_digit_rejects_malformed_prefix(bad):
    with pytest.raises(ValueError, match="11 ASCII digits"):
        check_digit(bad)


@pytest.mark.parametrize("value", [PLAIN_IIN, SECOND_SET_IIN, "010911600423"])
def test_valid_iins(value):
    assert is_valid_iin(value)
    assert is_valid_iin_bin(value)
    assert not is_valid_bin(value)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("85021530000", "11 digits"),
        ("8502153000050", "13 digits"),
        ("85021530000A", "a letter"),
        ("85021530O005", "letter O for zero"),
        ("850215300006", "wrong check digit"),
        ("850215 300005", "inner space (validators take normalised input)"),
        ("٨٥٠٢١٥٣٠٠٠٠٥", "Arabic-Indic digits pass str.isdigit but are not ИИН digits"),
        ("", "empty"),
        (None, "not a string"),
        (850215300005, "an int"),
    ],
)
def test_invalid_iin_bin(value, why):
    assert not is_valid_iin_bin(value), why


@pytest.mark.parametrize(
    ("prefix", "why"),
    [
        ("8513153", "month 13"),
        ("8502303", "30 February"),
        ("8502007", "day 00 and century digit 7"),
        ("8502157", "century digit 7"),
        ("8502159", "century digit 9"),
        ("0002293", "29 Feb 1900 (not a leap year)"),
    ],
)
def test_iin_with_implausible_date_is_invalid_even_with_good_check_digit(prefix, why):
    # Given a number with a correct check digit but an impossible birth date or century
    value = _complete(prefix)
    # Then it is not an ИИН (and, its 5th digit being 0-3, not a БИН either)
    assert not is_valid_iin(value), why
    assert not is_valid_iin_bin(value), why


@pytest.mark.parametrize(
    ("prefix", "born"),
    [
        ("0002295", date(2000, 2, 29)),
        ("7001011", date(1870, 1, 1)),
        ("8502154", date(1985, 2, 15)),
        ("9912313", date(1999, 12, 31)),
    ],
)
def test_birth_date_is_read_with_the_century_digit(prefix, born):
    value = _complete(prefix)
    assert is_valid_iin(value)
    assert iin_birth_date(value) == born


@pytest.mark.parametrize("prefix", ["0002290", "9912310", "8502150"])
def test_foreigner_digit_zero_is_valid_but_has_no_known_birth_date(prefix):
    # Given a 7th digit 0 (issued to some foreigners), the century is not encoded;
    # 0002290 is plausible only because 29 Feb 2000 exists (1900 was not a leap year)
    value = _complete(prefix)
    assert is_valid_iin(value)
    assert iin_birth_date(value) is None


def test_iin_birth_date_of_garbage_is_none():
    assert iin_birth_date("abc") is None


def test_real_format_bin():
    assert is_valid_bin(REAL_FORMAT_BIN)
    assert is_valid_iin_bin(REAL_FORMAT_BIN)
    assert not is_valid_iin(REAL_FORMAT_BIN)  # its 5th-6th digits "40" are no day of a month


@pytest.mark.parametrize(
    ("kind", "valid"), [("3", False), ("4", True), ("5", True), ("6", True), ("7", False)]
)
def test_bin_entity_kind(kind, valid):
    value = _complete(f"1905{kind}0")
    assert is_valid_bin(value) is valid


def test_bin_with_wrong_check_digit():
    wrong = REAL_FORMAT_BIN[:11] + "6"
    assert not is_valid_bin(wrong)
    assert not is_valid_iin_bin(wrong)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 850215 300005\n", PLAIN_IIN),
        ("850 215\u00a0300 005", PLAIN_IIN),  # no-break space from a pasted document
        ("\t", ""),
        (None, ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise_iin_bin(raw) == expected


def test_normalise_refuses_int_that_lost_leading_zeros():
    with pytest.raises(TypeError):
        normalise_iin_bin(10911600423)


@pytest.mark.parametrize(
    ("birth", "female", "digit"),
    [
        (date(1899, 12, 31), False, "1"),
        (date(1899, 12, 31), True, "2"),
        (date(1985, 2, 15), False, "3"),
        (date(1985, 2, 15), True, "4"),
        (date(2001, 9, 11), False, "5"),
        (date(2001, 9, 11), True, "6"),
    ],
)
def test_make_iin_encodes_century_and_sex(birth, female, digit):
    value = make_iin(birth, female, 123)
    assert value[:6] == f"{birth:%y%m%d}"
    assert value[6] == digit
    assert value[7:11] == "0123"
    assert iin_birth_date(value) == birth


def test_make_iin_skips_a_serial_without_check_digit():
    # Given serial 0063, whose prefix has no check digit ("10 twice")
    # When an ИИН is made from it, Then the next serial is used
    assert make_iin(date(1985, 2, 15), False, 63) == "850215300641"


def test_make_iin_wraps_after_last_serial():
    value = make_iin(date(1985, 2, 15), False, 9999)
    assert is_valid_iin(value)


@pytest.mark.parametrize(
    ("birth", "serial"),
    [(date(1799, 1, 1), 1), (date(2100, 1, 1), 1), (date(1985, 1, 1), -1), (date(1985, 1, 1), 10000)],
)
def test_make_iin_rejects_out_of_range(birth, serial):
    with pytest.raises(ValueError):
        make_iin(birth, False, serial)


iins = st.builds(
    make_iin,
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.booleans(),
    st.integers(min_value=0, max_value=9999),
)


@settings(database=None)
@given(iins)
def test_make_iin_always_yields_a_valid_iin(value):
    assert is_valid_iin(value)
    assert is_valid_iin_bin(value)
    assert not is_valid_bin(value)


def _mutate(value: str, position: int, delta: int) -> str:
    digit = (int(value[position]) + delta) % 10
    return value[:position] + str(digit) + value[position + 1 :]


# "Any single-digit change is caught" is NOT true of this scheme, so the properties below state what is:
#   * the 11th digit has weight 11 ≡ 0 (mod 11) in the first set, so changing it goes unnoticed unless
#     the number needed the second set (where its weight is 2);
#   * a change in digits 1-10 shifts the first sum by a non-zero amount, so it is caught unless the
#     original or the changed number falls into the recomputation branch (about 1 case in 60).
@settings(database=None)
@given(iins, st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_is_always_caught(value, delta):
    assert not is_valid_iin_bin(_mutate(value, 11, delta))


@settings(database=None)
@given(iins, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_digits_1_to_10_is_caught_outside_the_recomputation_branch(value, position, delta):
    mutant = _mutate(value, position, delta)
    if _first_pass(value) != 10 and _first_pass(mutant) != 10:
        assert not is_valid_iin_bin(mutant)


@settings(database=None)
@given(iins, st.integers(min_value=1, max_value=9))
def test_changing_the_11th_digit_is_caught_only_in_the_recomputation_branch(value, delta):
    mutant = _mutate(value, 10, delta)
    assert is_valid_iin(mutant) is (_first_pass(value) != 10)


def test_a_single_digit_change_can_slip_through_via_the_second_set():
    # Given 850215300104 (first sum 82 + 1·10 = 92 ≡ 4, check digit 4)
    original = "850215300104"
    # When its 10th digit is mistyped 1 → 6, the first sum becomes 142 ≡ 10 and the second set gives 4
    mistyped = SECOND_SET_IIN
    # Then both numbers are valid: the checksum cannot catch this typo
    assert sum(a != b for a, b in zip(original, mistyped, strict=True)) == 1
    assert is_valid_iin(original)
    assert is_valid_iin(mistyped)
