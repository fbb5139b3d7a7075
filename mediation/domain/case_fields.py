"""The vocabulary of a case: categories, channels, tension, parties, consents, languages."""

from collections.abc import Iterable
from enum import StrEnum

from .mediator_eligibility import CaseCategory

__all__ = ["CaseCategory", "Channel", "ConsentMethod", "LANGUAGES", "PartyKind", "PartyRole", "TensionLevel",
           "TensionSignal", "minimum_tension"]


class Channel(StrEnum):
    """How the appeal reached the Friendship House."""

    WALK_IN = "walk_in"
    PHONE = "phone"
    AKIMAT = "akimat"
    POLICE = "police"
    COURT = "court"
    SCHOOL = "school"
    PUBLIC_ACCORD_COUNCIL = "public_accord_council"
    MONITORING = "monitoring"
    OTHER = "other"


class TensionLevel(StrEnum):
    """How likely the dispute is to grow beyond the parties (the Korday lesson)."""

    LOW = "low"
    ELEVATED = "elevated"
    HIGH = "high"
    CRITICAL = "critical"


TENSION_ORDER = (TensionLevel.LOW, TensionLevel.ELEVATED, TensionLevel.HIGH, TensionLevel.CRITICAL)


class TensionSignal(StrEnum):
    """Facts that raise a case's tension level."""

    GROUP_DISPUTE = "group_dispute"
    VIOLENCE = "violence"
    REPEAT_INCIDENT = "repeat_incident"
    MEDIA_ATTENTION = "media_attention"
    REFUSAL_TO_ATTEND = "refusal_to_attend"


# The lowest level each signal allows on its own: violence is never "low".
_SIGNAL_FLOOR = {
    TensionSignal.VIOLENCE: TensionLevel.HIGH,
    TensionSignal.GROUP_DISPUTE: TensionLevel.ELEVATED,
    TensionSignal.MEDIA_ATTENTION: TensionLevel.ELEVATED,
    TensionSignal.REPEAT_INCIDENT: TensionLevel.ELEVATED,
    TensionSignal.REFUSAL_TO_ATTEND: TensionLevel.ELEVATED,
}


def minimum_tension(signals: Iterable[TensionSignal | str]) -> TensionLevel:
    """The lowest tension level the signals allow; three or more signals, or violence in a group, is critical."""
    signals = {TensionSignal(s) for s in signals}
    if {TensionSignal.VIOLENCE, TensionSignal.GROUP_DISPUTE} <= signals or len(signals) >= 3:
        return TensionLevel.CRITICAL
    floor = TensionLevel.LOW
    for signal in signals:
        if TENSION_ORDER.index(_SIGNAL_FLOOR[signal]) > TENSION_ORDER.index(floor):
            floor = _SIGNAL_FLOOR[signal]
    if len(signals) == 2 and floor is TensionLevel.ELEVATED:
        floor = TensionLevel.HIGH
    return floor


def raise_to(level: TensionLevel, floor: TensionLevel) -> TensionLevel:
    """The higher of two levels: signals may raise a level a person chose, never lower it."""
    return max(TensionLevel(level), TensionLevel(floor), key=TENSION_ORDER.index)


class PartyKind(StrEnum):
    """A party is a person or an organisation."""

    PERSON = "person"
    ORGANISATION = "organisation"


class PartyRole(StrEnum):
    """A party's role in the dispute."""

    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    OTHER = "other"


class ConsentMethod(StrEnum):
    """How a consent was given."""

    WRITTEN = "written"
    ORAL = "oral"
    ELECTRONIC = "electronic"


# Languages of mediation: ISO 639 codes where they exist (Dungan has none in 639-1, so "dng").
LANGUAGES = ("kk", "ru", "uz", "ug", "ko", "de", "tt", "az", "tr", "dng", "ku", "uk", "ky", "tg", "en")
