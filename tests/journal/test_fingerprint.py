"""stable_hash and Fingerprint."""

import numpy as np
import pytest

from sklearn_hpo.journal import Fingerprint, stable_hash

VALUES = [
    None,
    True,
    1,
    1.0,
    -0.0,
    "1",
    b"1",
    [1, 2],
    (1, 2),
    {"a": 1, "b": [2.5, None]},
    {1, 2},
    np.arange(6).reshape(2, 3),
    np.arange(6).reshape(3, 2),
    np.arange(6, dtype=np.int32).reshape(2, 3),
    np.array(["ab", "c"]),
    np.array([1, "a", None], dtype=object),
    float("nan"),
    1 + 2j,
]


def test_distinct_values_hash_differently():
    hashes = [stable_hash(v) for v in VALUES]
    assert len(set(hashes)) == len(VALUES)
    assert all(len(h) == 32 and int(h, 16) >= 0 for h in hashes)


def test_equal_values_hash_equally():
    a = np.arange(12.0).reshape(3, 4)
    assert stable_hash(a) == stable_hash(a.copy(order="F"))
    assert stable_hash(a[:, ::2]) == stable_hash(np.ascontiguousarray(a[:, ::2]))
    assert stable_hash(a) == stable_hash(a.astype(">f8"))
    assert stable_hash({"a": 1, "b": 2}) == stable_hash({"b": 2, "a": 1})
    assert stable_hash(np.int64(3)) == stable_hash(3)
    assert stable_hash(np.float32(0.5)) == stable_hash(0.5)
    assert stable_hash(np.str_("x")) == stable_hash("x")
    assert stable_hash(float("nan")) == stable_hash(np.float64("nan"))
    # prefix-free: the split of strings in a list counts
    assert stable_hash(["ab", "c"]) != stable_hash(["a", "bc"])


def test_hash_is_the_same_in_another_process(run_child, monkeypatch):
    # str hashing is salted per process: stable_hash must not depend on it
    monkeypatch.setenv("PYTHONHASHSEED", "123")
    value = {"a": [1, 2.5, "x"], "b": {"y", "z"}, "c": np.arange(3.0)}
    out = run_child(
        "import numpy as np\n"
        "from sklearn_hpo.journal import stable_hash\n"
        "print(stable_hash({'a': [1, 2.5, 'x'], 'b': {'y', 'z'}, "
        "'c': np.arange(3.0)}))\n"
    )
    assert out.strip() == stable_hash(value)


def test_unknown_objects_are_refused_with_their_type():
    class Thing:
        pass

    with pytest.raises(TypeError, match="cannot hash a .*Thing"):
        stable_hash([1, Thing()])


def test_fingerprint_mapping_differences_and_json():
    old = Fingerprint({"estimator": "e1", "cv": "c1"}, {"estimator": "SVC()"})
    new = Fingerprint({"estimator": "e2", "cv": "c1", "data": "d1"})
    assert list(old) == ["estimator", "cv"] and old["cv"] == "c1"
    assert old.differences(new) == ["estimator", "data"]
    assert old.differences({"estimator": "e1", "cv": "c1"}) == []
    assert old == {"estimator": "e1", "cv": "c1"}
    assert old.describe("estimator") == "SVC()"
    assert old.describe("cv") == "hash c1"
    back = Fingerprint.from_json(old.to_json())
    assert back == old and back.descriptions == old.descriptions
    assert list(back) == list(old)
    assert old.digest() != new.digest()
    assert Fingerprint({"cv": "c1", "estimator": "e1"}).digest() != old.digest()


def test_fingerprint_checks_its_input():
    with pytest.raises(TypeError, match="str names to str hashes"):
        Fingerprint({"cv": 5})
    with pytest.raises(ValueError, match="no hash"):
        Fingerprint({"cv": "c"}, {"data": "X"})
    with pytest.raises(TypeError, match="fingerprint must be"):
        Fingerprint.coerce(["cv"])
    assert Fingerprint.coerce({"cv": "c"}) == Fingerprint({"cv": "c"})
