"""The argument checks shared by the optimizers and schedulers."""

import pytest

from sklearn_hpo.utils._validation import (
    check_int,
    check_optional_int,
    did_you_mean,
)


def test_check_int_returns_an_int_and_names_the_parameter():
    assert check_int("n", 3, 1) == 3
    with pytest.raises(ValueError, match=r"n must be an int >= 1, got True\."):
        check_int("n", True, 1)


def test_check_optional_int_gives_the_default_for_none():
    assert check_optional_int("n", None, 1, 7) == 7
    assert check_optional_int("n", None, 1, None) is None


def test_check_optional_int_checks_a_given_value():
    assert check_optional_int("n", 4, 2, 7) == 4
    with pytest.raises(ValueError, match=r"n must be an int >= 2, got 1\."):
        check_optional_int("n", 1, 2, 7)
    with pytest.raises(ValueError, match=r"n must be an int >= 2, got 2\.5\."):
        check_optional_int("n", 2.5, 2, 7)


PIPE_NAMES = ["svc", "svc__C", "svc__coef0", "svc__gamma", "svc__tol", "steps"]


@pytest.mark.parametrize(
    "name, hint",
    [
        ("svc__c", " Did you mean 'svc__C'?"),  # case alone: no other guess
        ("clf__C", " Did you mean 'svc__C'?"),  # another step's prefix
        ("C", " Did you mean 'svc__C'?"),  # the step's prefix left out
        ("svc__gama", " Did you mean 'svc__gamma'?"),  # a spelling slip
        ("penalty", ""),  # nothing close
    ],
)
def test_did_you_mean_names_the_closest_options(name, hint):
    assert did_you_mean(name, PIPE_NAMES) == hint


def test_did_you_mean_lists_several_close_options():
    assert did_you_mean("max_iter", ["a__max_iter", "b__max_iter"]) == (
        " Did you mean 'a__max_iter' or 'b__max_iter'?"
    )
    assert did_you_mean("x", []) == ""
