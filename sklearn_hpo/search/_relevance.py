"""Parameters that a scikit-learn estimator ignores given its other settings.

``SVC(kernel="linear")`` never reads ``degree``, ``gamma`` or ``coef0``;
``SGDClassifier(penalty="l2")`` never reads ``l1_ratio``. A search over a flat
space still samples them, and the best candidate's value of an ignored
parameter is arbitrary: it may sit on a bound of its range without that
meaning anything. :func:`is_ignored` says so for the estimators whose
documentation states these rules, so that :class:`~sklearn_hpo.BestOnBoundWarning`
does not advise widening a range that does not matter.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["is_ignored"]

_Rule = Callable[[dict], bool]


def _kernel_in(*kernels: str) -> _Rule:
    return lambda p: p.get("kernel") not in kernels


_SVM = {
    # scikit-learn's SVM documentation: degree is for "poly" only, gamma
    # for "rbf", "poly" and "sigmoid", coef0 for "poly" and "sigmoid".
    "degree": _kernel_in("poly"),
    "gamma": _kernel_in("rbf", "poly", "sigmoid"),
    "coef0": _kernel_in("poly", "sigmoid"),
}
_SGD = {
    "l1_ratio": lambda p: p.get("penalty") != "elasticnet",
    "eta0": lambda p: p.get("learning_rate") == "optimal",
    "power_t": lambda p: p.get("learning_rate") != "invscaling",
}
_MLP = {
    "learning_rate_init": lambda p: p.get("solver") == "lbfgs",
    "batch_size": lambda p: p.get("solver") == "lbfgs",
    "momentum": lambda p: p.get("solver") != "sgd",
    "power_t": lambda p: (
        p.get("solver") != "sgd" or p.get("learning_rate") != "invscaling"
    ),
    "beta_1": lambda p: p.get("solver") != "adam",
    "beta_2": lambda p: p.get("solver") != "adam",
    "epsilon": lambda p: p.get("solver") != "adam",
}
_NEIGHBORS = {"p": lambda p: p.get("metric") != "minkowski"}

_RULES: dict[str, dict[str, _Rule]] = {
    **{name: _SVM for name in ("SVC", "NuSVC", "SVR", "NuSVR", "OneClassSVM")},
    **{name: _SGD for name in ("SGDClassifier", "SGDRegressor")},
    **{name: _MLP for name in ("MLPClassifier", "MLPRegressor")},
    **{
        name: _NEIGHBORS
        for name in (
            "KNeighborsClassifier",
            "KNeighborsRegressor",
            "RadiusNeighborsClassifier",
            "RadiusNeighborsRegressor",
            "NearestNeighbors",
        )
    },
}


def is_ignored(estimator: Any, name: str) -> bool:
    """Whether ``estimator``, as configured, ignores parameter ``name``.

    Parameters
    ----------
    estimator : estimator
        The estimator with the candidate's parameters set (a pipeline's
        steps included).
    name : str
        The parameter, ``"svc__degree"`` in a pipeline.

    Returns
    -------
    bool
        True only when a documented rule of the owning estimator's class
        says the parameter is not read with its other settings.
    """
    owner_name, _, param = name.rpartition("__")
    try:
        owner = estimator.get_params()[owner_name] if owner_name else estimator
        params = owner.get_params(deep=False)
    except (KeyError, AttributeError, TypeError):
        return False
    rule = _RULES.get(type(owner).__name__, {}).get(param)
    return rule is not None and bool(rule(params))
