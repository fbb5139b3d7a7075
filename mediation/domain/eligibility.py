"""Case screening against the Art. 1 exclusions: may this dispute be mediated at all?"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ExclusionQuestion(StrEnum):
    """The four intake questions; a "yes" to any of them rules mediation out (Law on Mediation, Art. 1)."""

    THIRD_PARTY_INTERESTS = "third_party_interests"  # affects people who take no part in it
    PARTY_INCAPABLE = "party_incapable"  # a party is declared incapable or of limited capacity
    STATE_BODY_PARTY = "state_body_party"  # a state body is a party
    CORRUPTION_OR_STATE_SERVICE_CRIME = "corruption_or_state_service_crime"


@dataclass(frozen=True)
class ScreeningResult:
    """Outcome of screening: eligible is None until decided; blocking and missing list questions."""

    eligible: bool | None
    blocking: tuple[ExclusionQuestion, ...] = ()
    missing: tuple[ExclusionQuestion, ...] = ()

    @property
    def decided(self) -> bool:
        """Tell whether the screening has reached a verdict."""
        return self.eligible is not None


def screen_case(answers: Mapping[ExclusionQuestion | str, bool | None]) -> ScreeningResult:
    """Screen a case from the intake answers (True = yes, False = no, None or absent = not yet asked)."""
    blocking: list[ExclusionQuestion] = []
    missing: list[ExclusionQuestion] = []
    for question in ExclusionQuestion:
        # StrEnum members hash like their values, so answers keyed by the stored strings work too.
        answer = answers.get(question)
        if answer is None:
            missing.append(question)
        elif answer is True:
            blocking.append(question)
        elif answer is not False:
            # A form that hands over "no" or 0 must fail loudly: a truthy string would read as "yes".
            raise TypeError(f"answer to {question} must be True, False or None, not {answer!r}")
    if blocking:
        # One "yes" already decides: the coordinator can close the case without the other answers.
        eligible: bool | None = False
    elif missing:
        eligible = None
    else:
        eligible = True
    return ScreeningResult(eligible=eligible, blocking=tuple(blocking), missing=tuple(missing))
