"""DomainError carries a code and params, never a sentence."""

import pytest

from domain.errors import DomainError


def test_code_and_params():
    err = DomainError("order.lines_outstanding", pending=1, backorder=2)
    assert err.code == "order.lines_outstanding"
    assert dict(err.params) == {"pending": 1, "backorder": 2}
    assert "order.lines_outstanding" in str(err) and "pending=1" in repr(err)


def test_code_may_be_given_by_keyword_and_params_are_read_only():
    err = DomainError(code="order.not_complete", state="placed")
    assert err.code == "order.not_complete"
    with pytest.raises(TypeError):
        err.params["state"] = "printed"  # type: ignore[index]


def test_is_an_exception():
    with pytest.raises(DomainError):
        raise DomainError("x.y")
