"""Art. 1 screening of a case: any "yes" rules mediation out; unanswered questions keep it undecided."""

import dataclasses

import pytest

from mediation.domain.eligibility import ExclusionQuestion, ScreeningResult, screen_case

Q = ExclusionQuestion
ALL_NO = dict.fromkeys(Q, False)


def test_four_questions_with_stored_values():
    assert [q.value for q in Q] == [
        "third_party_interests",
        "party_incapable",
        "state_body_party",
        "corruption_or_state_service_crime",
    ]


def test_all_no_is_eligible():
    assert screen_case(ALL_NO) == ScreeningResult(eligible=True, blocking=(), missing=())


@pytest.mark.parametrize("question", list(Q))
def test_any_yes_blocks(question):
    # Given every answer "no" except one "yes"
    result = screen_case({**ALL_NO, question: True})
    # Then the case is not eligible, and the blocking question is named for the closing reason
    assert result.eligible is False
    assert result.blocking == (question,)
    assert result.missing == ()


def test_several_yes_are_listed_in_question_order():
    result = screen_case({**ALL_NO, Q.STATE_BODY_PARTY: True, Q.THIRD_PARTY_INTERESTS: True})
    assert result.blocking == (Q.THIRD_PARTY_INTERESTS, Q.STATE_BODY_PARTY)


@pytest.mark.parametrize("question", list(Q))
def test_unanswered_keeps_it_undecided(question):
    result = screen_case({**ALL_NO, question: None})
    assert result.eligible is None
    assert not result.decided
    assert result.missing == (question,)


def test_nothing_answered():
    result = screen_case({})
    assert result.eligible is None
    assert result.missing == tuple(Q)


def test_one_yes_decides_even_with_other_answers_missing():
    # Given a "yes" and two unanswered questions
    result = screen_case({Q.PARTY_INCAPABLE: True, Q.STATE_BODY_PARTY: False})
    # Then the verdict is already "not eligible"; the unanswered ones are still reported
    assert result.eligible is False
    assert result.decided
    assert result.missing == (Q.THIRD_PARTY_INTERESTS, Q.CORRUPTION_OR_STATE_SERVICE_CRIME)


def test_answers_keyed_by_stored_strings():
    answers = {q.value: False for q in Q} | {"party_incapable": True}
    assert screen_case(answers).blocking == (Q.PARTY_INCAPABLE,)


@pytest.mark.parametrize("bad", ["no", "yes", 0, 1])
def test_non_boolean_answer_is_refused(bad):
    # A truthy "no" must never be read as "yes" (or the reverse)
    with pytest.raises(TypeError):
        screen_case({**ALL_NO, Q.PARTY_INCAPABLE: bad})


def test_result_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        screen_case(ALL_NO).eligible = False
