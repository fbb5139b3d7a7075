"""Text normalisation shared by search and duplicate checks."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


def fold(value: str) -> str:
    """Casefold for search: Cyrillic and Kazakh letters too (SQLite's lower() folds only ASCII)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value).casefold()).strip()


# The Kazakh Cyrillic alphabet in its order; Russian's letters are among them in theirs. Code point order puts
# ә, ғ, қ, ң, ө, ұ, ү, һ and і after я, so a list sorted by the folded name sent Әбенов to the end.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# Each letter becomes a character from U+0700 on, in alphabet order: above the Cyrillic, Latin and Arabic blocks a
# name's other characters come from (they keep their code points, and so sort first), and two bytes in UTF-8 as
# Cyrillic is, so a search's LIKE over the key costs what it did over the folded name.
_ORDER = {ord(letter): chr(0x0700 + position) for position, letter in enumerate(KAZAKH_ALPHABET)}


def name_order_key(folded: str) -> str:
    """A folded name as a key whose code point order is the Kazakh (and Russian) alphabetical order."""
    return folded.translate(_ORDER)


def has_control_characters(value: str) -> bool:
    """True when the text holds NUL or other control characters (tabs and newlines excepted)."""
    return any(unicodedata.category(ch) in _CONTROL and ch not in "\t\r\n" for ch in value)
