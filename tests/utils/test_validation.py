"""The argument checks shared by the optimizers and schedulers."""

import pytest

from sklearn_hpo.utils._validation import check_int, check_optional_int


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
