"""Contact details: phone numbers normalised to E.164 with the phonenumbers library.

The library is imported on first use: its import took 13-30 ms of every process's start (a CLI command included;
bench/RESULTS.md, thirteenth pass) for numbers only some requests read or write.
"""

from ..domain.errors import DomainError


class PhoneInvalid(DomainError):
    """The text is not a valid phone number."""

    code = "phone_invalid"


def load_library() -> None:
    """Import the phonenumbers library and read Kazakhstan's numbering plan now (a web worker's warm-up does, so no
    view waits for either: the library loads each country's plan on first use)."""
    normalise_phone("+77011234567")


def normalise_phone(raw: str, default_region: str = "KZ") -> str:
    """Return the number in E.164 (+77011234567); national numbers are read as Kazakhstani."""
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise PhoneInvalid(reason_code="unparseable") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneInvalid(reason_code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """A stored number in international format for reading (+7 701 123 4567)."""
    if not e164:
        return ""
    import phonenumbers

    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164
