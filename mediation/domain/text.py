"""Text normalisation shared by search and duplicate checks."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


def fold(value: str) -> str:
    """Casefold for search: Cyrillic and Kazakh letters too (SQLite's lower() folds only ASCII)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value).casefold()).strip()


def has_control_characters(value: str) -> bool:
    """True when the text holds NUL or other control characters (tabs and newlines excepted)."""
    return any(unicodedata.category(ch) in _CONTROL and ch not in "\t\r\n" for ch in value)
