"""After-sales case life cycle, categories and satisfaction."""

import pytest

from domain.aftersales import (
    CaseAction as CA, CaseState as CS, Category, Resolution, Severity, after_satisfaction, case_actions,
    case_transition, is_satisfied, pauses_sla, validate_score,
)
from domain.errors import DomainError
from domain.policy.settings import AfterSalesRules


@pytest.mark.parametrize(
    "state, action, expected",
    [
        (CS.open, CA.accept, CS.accepted),
        (CS.open, CA.reject, CS.rejected),
        (CS.accepted, CA.wait_for_customer, CS.waiting_customer),
        (CS.waiting_customer, CA.customer_replied, CS.accepted),
        (CS.waiting_customer, CA.resolve, CS.resolved),
        (CS.accepted, CA.resolve, CS.resolved),
        (CS.resolved, CA.close, CS.closed),
        (CS.resolved, CA.reopen, CS.reopened),
        (CS.reopened, CA.resolve, CS.resolved),
        (CS.reopened, CA.accept, CS.accepted),
    ],
)
def test_case_steps(state, action, expected):
    assert case_transition(state, action) is expected


@pytest.mark.parametrize(
    "state, action, code",
    [
        (CS.open, CA.resolve, "case.step_not_allowed"),  # must be accepted first
        (CS.accepted, CA.close, "case.step_not_allowed"),  # close only after resolution
        (CS.accepted, CA.reject, "case.step_not_allowed"),  # declined after examination = Resolution.rejected
        (CS.closed, CA.reopen, "case.finished"),
        (CS.rejected, CA.accept, "case.finished"),
    ],
)
def test_case_refusals(state, action, code):
    with pytest.raises(DomainError) as err:
        case_transition(state, action)
    assert err.value.code == code


def test_only_waiting_for_the_customer_pauses_the_clock():
    assert {s for s in CS if pauses_sla(s)} == {CS.waiting_customer}


def test_finished_states_have_no_actions():
    assert case_actions(CS.closed) == case_actions(CS.rejected) == frozenset()


def test_r13_categories_and_vocabularies():
    assert {c.value for c in Category} == {"quality", "size", "wrong_order", "other"}
    assert {s.value for s in Severity} == {"high", "medium", "low"}
    assert Resolution("return") is Resolution.return_


@pytest.mark.parametrize("score, satisfied, action", [(5, True, CA.close), (4, True, CA.close), (3, False, CA.reopen), (1, False, CA.reopen)])
def test_satisfaction(score, satisfied, action):
    assert is_satisfied(score) is satisfied
    assert after_satisfaction(score) is action


@pytest.mark.parametrize("score", [0, 6, -1, True, 4.5, "5"])
def test_scores_off_the_scale_are_refused(score):
    with pytest.raises(DomainError) as err:
        validate_score(score)
    assert err.value.code == "case.score_out_of_range"
    assert (err.value.params["min"], err.value.params["max"]) == (1, 5)


def test_satisfaction_threshold_follows_settings():
    rules = AfterSalesRules(satisfied_min_score=5)
    assert not is_satisfied(4, rules) and is_satisfied(5, rules)
