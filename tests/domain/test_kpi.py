"""R17 KPI formulas."""

import pytest
from hypothesis import given, strategies as st

from domain.errors import DomainError
from domain.kpi import (
    Rate, combine, customer_satisfaction, customer_satisfaction_from_scores, on_time_processing_rate,
    order_completion_rate, problem_resolution_rate, rate,
)
from domain.policy.settings import AfterSalesRules


@pytest.mark.parametrize(
    "formula, n, d, value",
    [
        (order_completion_rate, 9, 10, 0.9),
        (on_time_processing_rate, 45, 60, 0.75),
        (problem_resolution_rate, 0, 4, 0.0),
        (customer_satisfaction, 3, 3, 1.0),
        (order_completion_rate, 0, 0, None),  # no orders due: no data, not 0 % and not an error
        (customer_satisfaction, 0, 0, None),
    ],
)
def test_formulas(formula, n, d, value):
    got = formula(n, d)
    assert got == Rate(n, d, value)


def test_percent():
    assert rate(1, 4).percent == 25.0
    assert rate(0, 0).percent is None


@pytest.mark.parametrize("n, d", [(-1, 3), (1, -3), (4, 3)])
def test_impossible_counts_are_refused(n, d):
    with pytest.raises(ValueError):
        rate(n, d)


def test_combine_pools_counts_instead_of_averaging_percentages():
    pooled = combine([rate(1, 1), rate(0, 3)])
    assert pooled == Rate(1, 4, 0.25)  # averaging would say 50 %
    assert combine([]) == Rate(0, 0, None)


@pytest.mark.parametrize(
    "scores, expected",
    [([5, 4, 3, 1], Rate(2, 4, 0.5)), ([], Rate(0, 0, None)), ([4, 4], Rate(2, 2, 1.0))],
)
def test_satisfaction_from_scores(scores, expected):
    assert customer_satisfaction_from_scores(scores) == expected


def test_satisfaction_from_scores_threshold_and_validation():
    assert customer_satisfaction_from_scores([4, 5], AfterSalesRules(satisfied_min_score=5)).numerator == 1
    with pytest.raises(DomainError):
        customer_satisfaction_from_scores([7])


@given(st.integers(0, 10**6).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))))
def test_value_is_a_fraction_or_none(pair):
    n, d = pair
    got = rate(n, d)
    assert (got.value is None) == (d == 0)
    if got.value is not None:
        assert 0.0 <= got.value <= 1.0 and got.value * d == pytest.approx(n)
