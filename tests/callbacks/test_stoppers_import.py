"""The stoppers without scikit-learn's callback API (scikit-learn < 1.9)."""

import pytest

import sklearn_hpo
from sklearn_hpo.callbacks import _base


@pytest.mark.parametrize(
    "make",
    [
        lambda: sklearn_hpo.DeadlineStopper(5),
        lambda: sklearn_hpo.NoImprovementStopper(3),
        lambda: sklearn_hpo.TargetScoreStopper(0.9),
    ],
)
def test_creating_a_stopper_needs_scikit_learn_1_9(make, monkeypatch):
    # On scikit-learn < 1.9 the flag is already False (and sklearn_hpo
    # imported above all the same); on >= 1.9 this simulates it.
    monkeypatch.setattr(_base, "CALLBACKS_AVAILABLE", False)
    with pytest.raises(ImportError, match=r"needs scikit-learn >= 1\.9"):
        make()


def test_the_flag_says_whether_sklearn_callback_exists():
    try:
        import sklearn.callback  # noqa: F401
    except ImportError:
        assert not _base.CALLBACKS_AVAILABLE
    else:
        assert _base.CALLBACKS_AVAILABLE
