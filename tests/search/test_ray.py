"""Searches on Ray through its joblib backend: the same results as on loky.

Skipped where Ray is not installed (CI does not install it). Ray's joblib
backend does not run a dead worker's fits again (the search raises Ray's
``ActorDiedError``; a ``storage=`` journal resumes it), so only the
undisturbed runs are compared here.
"""

import joblib
import numpy as np
import pytest

from sklearn_hpo import BayesSearchCV, HyperbandSearchCV, Integer, Real, TPESearchCV
from sklearn_hpo.utils._testing import QuadraticDouble

ray = pytest.importorskip("ray")
ray_joblib = pytest.importorskip("ray.util.joblib")

X = np.zeros((12, 1))


@pytest.fixture(scope="module")
def ray_backend():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_joblib.register_ray()
    yield
    ray.shutdown()


def _searches():
    space = {"a": Real(1e-3, 1.0, log=True)}
    yield BayesSearchCV(
        QuadraticDouble(), space, n_iter=8, n_initial_points=4, n_points=2,
        cv=2, n_jobs=2, random_state=0,
    )  # fmt: skip
    yield TPESearchCV(QuadraticDouble(), space, n_iter=8, cv=2, n_jobs=2,
                      random_state=0)  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 1])
def test_ray_gives_the_results_of_loky(ray_backend, index):
    on_loky = list(_searches())[index].fit(X)
    with joblib.parallel_config(backend="ray"):
        on_ray = list(_searches())[index].fit(X)
    assert on_ray.cv_results_["params"] == on_loky.cv_results_["params"]
    np.testing.assert_array_equal(
        on_ray.cv_results_["mean_test_score"], on_loky.cv_results_["mean_test_score"]
    )


@pytest.mark.slow
def test_ray_runs_hyperband(ray_backend):
    from sklearn.datasets import make_regression
    from sklearn.ensemble import RandomForestRegressor

    Xr, yr = make_regression(n_samples=120, n_features=4, random_state=0)
    space = {"max_depth": Integer(1, 6)}

    def search():
        return HyperbandSearchCV(
            RandomForestRegressor(random_state=0), space, resource="n_estimators",
            min_resources=2, max_resources=18, cv=2, n_jobs=2, random_state=0,
        )  # fmt: skip

    on_loky = search().fit(Xr, yr)
    with joblib.parallel_config(backend="ray"):
        on_ray = search().fit(Xr, yr)
    assert on_ray.cv_results_["params"] == on_loky.cv_results_["params"]
    np.testing.assert_allclose(
        on_ray.cv_results_["mean_test_score"], on_loky.cv_results_["mean_test_score"]
    )
