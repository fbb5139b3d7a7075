"""Translated labels for the values of a case."""

from flask_babel import lazy_gettext as _l

from ..domain.case_fields import CaseCategory, Channel, ConsentMethod, PartyKind, PartyRole, TensionLevel, TensionSignal
from ..domain.case_states import CaseState, Outcome, TerminationGround
from ..domain.eligibility import ExclusionQuestion

CATEGORY = {
    CaseCategory.INTERETHNIC: _l("Interethnic relations"),
    CaseCategory.FAMILY: _l("Family and domestic"),
    CaseCategory.LABOUR: _l("Labour"),
    CaseCategory.EDUCATION: _l("Education and school"),
    CaseCategory.NEIGHBOURS_LAND: _l("Neighbours and land"),
    CaseCategory.PROPERTY: _l("Property"),
    CaseCategory.RELIGIOUS: _l("Religious"),
    CaseCategory.MINOR_CRIMINAL: _l("Minor criminal matter"),
    CaseCategory.ADMINISTRATIVE: _l("Administrative matter"),
    CaseCategory.OTHER: _l("Other"),
}
CHANNEL = {
    Channel.WALK_IN: _l("Walk-in"),
    Channel.PHONE: _l("Phone"),
    Channel.AKIMAT: _l("Referral by the akimat"),
    Channel.POLICE: _l("Police"),
    Channel.COURT: _l("Court"),
    Channel.SCHOOL: _l("School"),
    Channel.PUBLIC_ACCORD_COUNCIL: _l("Council of Public Accord"),
    Channel.MONITORING: _l("Found in monitoring"),
    Channel.OTHER: _l("Other"),
}
TENSION = {
    TensionLevel.LOW: _l("Low"),
    TensionLevel.ELEVATED: _l("Elevated"),
    TensionLevel.HIGH: _l("High"),
    TensionLevel.CRITICAL: _l("Critical"),
}
TENSION_BADGE = {TensionLevel.LOW: "secondary", TensionLevel.ELEVATED: "info", TensionLevel.HIGH: "warning",
                 TensionLevel.CRITICAL: "danger"}
SIGNAL = {
    TensionSignal.GROUP_DISPUTE: _l("Group dispute"),
    TensionSignal.VIOLENCE: _l("Violence"),
    TensionSignal.REPEAT_INCIDENT: _l("Repeat incident"),
    TensionSignal.MEDIA_ATTENTION: _l("Media attention"),
    TensionSignal.REFUSAL_TO_ATTEND: _l("Refusal to attend"),
}
STATE = {
    CaseState.REGISTERED: _l("Registered"),
    CaseState.SCREENING: _l("Screening"),
    CaseState.AWAITING_ASSIGNMENT: _l("Awaiting assignment"),
    CaseState.ASSIGNED: _l("Mediator assigned"),
    CaseState.IN_MEDIATION: _l("In mediation"),
    CaseState.CLOSED: _l("Closed"),
}
OUTCOME = {
    Outcome.FULL_AGREEMENT: _l("Full agreement"),
    Outcome.PARTIAL_AGREEMENT: _l("Partial agreement"),
    Outcome.NO_AGREEMENT: _l("No agreement"),
    Outcome.NOT_ELIGIBLE: _l("Not eligible for mediation"),
    Outcome.WITHDRAWN: _l("Withdrawn"),
    Outcome.REFERRED: _l("Referred elsewhere"),
}
GROUND = {
    TerminationGround.AGREEMENT_SIGNED: _l("Settlement agreement signed (day of signing)"),
    TerminationGround.SETTLEMENT_IMPOSSIBLE: _l("Mediator found settlement impossible (day of the finding)"),
    TerminationGround.JOINT_REFUSAL: _l("Parties jointly refused in writing (day they signed)"),
    TerminationGround.UNILATERAL_REFUSAL: _l("One party refused in writing (day the mediator sent it on)"),
    TerminationGround.TERM_EXPIRED: _l("The term expired (the expiry day)"),
}
QUESTION = {
    ExclusionQuestion.THIRD_PARTY_INTERESTS: _l("Does the dispute affect the interests of third parties "
                                                "who do not take part?"),
    ExclusionQuestion.PARTY_INCAPABLE: _l("Has a party been declared incapable or of limited capacity?"),
    ExclusionQuestion.STATE_BODY_PARTY: _l("Is a state body a party to the dispute?"),
    ExclusionQuestion.CORRUPTION_OR_STATE_SERVICE_CRIME: _l("Does it concern a corruption crime or a crime "
                                                            "against state service?"),
}
PARTY_KIND = {PartyKind.PERSON: _l("Person"), PartyKind.ORGANISATION: _l("Organisation")}
PARTY_ROLE = {PartyRole.APPLICANT: _l("Applicant"), PartyRole.RESPONDENT: _l("Respondent"),
              PartyRole.OTHER: _l("Other party")}
CONSENT = {ConsentMethod.WRITTEN: _l("In writing"), ConsentMethod.ORAL: _l("Orally"),
           ConsentMethod.ELECTRONIC: _l("Electronically")}
EVENT = {
    "registered": _l("Appeal registered"),
    "screening_started": _l("Screening started"),
    "screening_saved": _l("Screening answers saved"),
    "screening_passed": _l("Screening passed"),
    "closed_not_eligible": _l("Closed: not eligible (Art. 1)"),
    "assigned": _l("Mediators assigned"),
    "declined": _l("Mediator declined"),
    "recused": _l("Mediator recused"),
    "objected": _l("Parties objected to the mediator"),
    "contract_signed": _l("Mediation contract signed"),
    "extended": _l("Term extended"),
    "proposal": _l("Proposal to mediate recorded"),
    "edited": _l("Details corrected"),
    "party_edited": _l("Party details corrected"),
    "party_added": _l("Party added"),
    "closed": _l("Case closed"),
    "session_booked": _l("Session booked"),
    "session_rescheduled": _l("Session rescheduled"),
    "session_cancelled": _l("Session cancelled"),
    "session_logged": _l("Session logged"),
    "session_log_edited": _l("Session log corrected"),
    "session_log_amended": _l("Amendment added to a session log"),
    "tension_raised": _l("Tension raised: a party refused to attend twice"),
}
LANGUAGE = {
    "kk": _l("Kazakh"), "ru": _l("Russian"), "uz": _l("Uzbek"), "ug": _l("Uyghur"), "ko": _l("Korean"),
    "de": _l("German"), "tt": _l("Tatar"), "az": _l("Azerbaijani"), "tr": _l("Turkish"), "dng": _l("Dungan"),
    "ku": _l("Kurdish"), "uk": _l("Ukrainian"), "ky": _l("Kyrgyz"), "tg": _l("Tajik"), "en": _l("English"),
}


MEDIATOR_KIND = {"professional": _l("Professional mediator"), "public": _l("Public mediator")}
MEDIATOR_STATUS = {"active": _l("Active"), "suspended": _l("Suspended"), "excluded": _l("Excluded")}
LEVEL = {"native": _l("native"), "fluent": _l("fluent"), "working": _l("working")}
DISQUALIFICATION = {
    "state_office": _l("Holds a state office"),
    "criminal_prosecution": _l("Under criminal prosecution"),
    "unexpunged_conviction": _l("Has an unexpunged conviction"),
    "incapacity": _l("Declared incapable or of limited capacity"),
}
INELIGIBILITY = {
    "under_age": _l("Below the minimum age for the register"),
    "no_higher_education": _l("No higher education"),
    "no_certificate": _l("No training certificate"),
    "suspended": _l("Suspended"),
    "excluded": _l("Excluded from the register"),
    **DISQUALIFICATION,
}
ABSENCE = {"leave": _l("Leave"), "illness": _l("Illness"), "other": _l("Other absence")}


EXCLUSION = {
    "not_eligible": _l("not eligible under Art. 9"),
    "suspended_or_absent": _l("suspended or absent"),
    "already_on_case": _l("already on this case"),
    "declared_conflict": _l("declared a conflict of interest, recused or was objected to on this case"),
    "at_capacity": _l("at full caseload"),
    "no_common_language": _l("no common language with every party"),
    "outside_region": _l("outside the case's region"),
    "outside_house": _l("works only in another Friendship House"),
    "not_available_within_horizon": _l("no free hours within the policy's horizon"),
}
ASSIGNMENT_STATUS = {"proposed": _l("awaiting the mediator's answer"), "accepted": _l("accepted"),
                     "declined": _l("declined"), "recused": _l("recused"), "objected": _l("objected to by the parties"),
                     "replaced": _l("replaced")}
FACTOR = {
    "language_fit": _l("Language fit"),
    "specialization": _l("Specialisation"),
    "free_capacity": _l("Free capacity"),
    "same_house": _l("Same Friendship House"),
    "experience_in_category": _l("Experience in this category"),
    "outcome_rate": _l("Agreements in this category"),
    "rotation": _l("Time since last assignment"),
    "ethnicity_neutral": _l("From neither party's community"),
}
CONFLICT_TIE = {
    "kinship": _l("Kinship with a party"),
    "clan": _l("Same clan (ру) as a party"),
    "same_village": _l("From the same village as a party"),
    "business_ties": _l("Business ties with a party"),
    "employment_ties": _l("Employment ties with a party"),
    "association_member": _l("Member of a party's association"),
    "earlier_advice": _l("Advised a party earlier"),
}
BATCH_GAP = {
    "no_candidate": _l("nobody passes the rules"),
    "capacity_exhausted": _l("every fitting mediator is at full caseload"),
    "all_conflicted": _l("every fitting mediator has a conflict"),
    "no_co_mediator": _l("no second mediator available"),
    "no_community_pair": _l("no pair reflecting both communities"),
}
ETHNICITY_MODE = {"off": _l("Not used"), "prefer_neutral": _l("Prefer a mediator from neither party's community"),
                  "require_pair": _l("Require a co-mediator pair reflecting both communities")}


def label(table: dict, value) -> str:
    """Look a value up in a label table; unknown values show as they are."""
    if value is None:
        return ""
    for key, text in table.items():
        if key == value:
            return str(text)
    return str(value)
