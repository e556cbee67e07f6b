"""Encoding of a record's values for storage: JSON to read, pickle to restore.

Parameters are stored twice: as JSON, readable by any process or tool
(values JSON cannot hold are written as their ``repr``), and pickled, which
restores them exactly (``np.int64`` stays ``np.int64``, an estimator comes
back as an equal estimator). Scores and times are JSON lists of floats;
non-finite floats, which strict JSON lacks, are written as ``null`` (NaN) and
the strings ``"inf"`` / ``"-inf"``, so SQLite's JSON functions can read them.
"""

from __future__ import annotations

import json
import math
import pickle
from typing import Any, Sequence

import numpy as np

__all__ = [
    "decode_floats",
    "decode_json",
    "dumps_values",
    "encode_floats",
    "encode_json",
    "loads_values",
    "to_jsonable",
]

_PICKLE_PROTOCOL = 4  # readable by every Python the package supports


def encode_float(value: float) -> float | str | None:
    """``value`` as a strict-JSON value: itself, None (NaN) or ``"±inf"``."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return None
    return "inf" if value > 0 else "-inf"


def decode_float(value: float | str | None) -> float:
    """Invert :func:`encode_float`."""
    return math.nan if value is None else float(value)


def encode_floats(values: Sequence[float]) -> list:
    """A sequence of numbers as a strict-JSON list (see :func:`encode_float`)."""
    return [encode_float(float(v)) for v in values]


def decode_floats(values: Sequence) -> list[float]:
    """Invert :func:`encode_floats`."""
    return [decode_float(v) for v in values]


def to_jsonable(value: Any, *, strict: bool = False) -> Any:
    """``value`` as plain JSON data.

    numpy scalars and arrays become Python numbers and lists, tuples become
    lists, non-finite floats are encoded as by :func:`encode_float`. Anything
    else is written as its ``repr`` unless ``strict``, which raises TypeError.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        item = value.item()
        if isinstance(item, (bool, int, float, str)):
            return to_jsonable(item, strict=strict)
        return _fallback(value, strict)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return encode_float(float(value))
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return [to_jsonable(v, strict=strict) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, strict=strict) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: to_jsonable(v, strict=strict) for k, v in value.items()}
    return _fallback(value, strict)


def _fallback(value: Any, strict: bool) -> str:
    if strict:
        raise TypeError(
            f"{value!r:.80} ({type(value).__name__}) is not JSON-able: give "
            "numbers, strings, bools, None, or lists and str-keyed dicts of these."
        )
    return repr(value)


def encode_json(value: Any) -> str:
    """Strict JSON text of ``value`` (already JSON-able data)."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def decode_json(text: str | None) -> Any:
    """Invert :func:`encode_json`; None stays None."""
    return None if text is None else json.loads(text)


def dumps_values(values: Any) -> bytes:
    """Pickle ``values``; with cloudpickle when the standard pickle cannot.

    cloudpickle handles what pickle refuses (lambdas, classes defined inside
    functions); its output is loaded by :func:`pickle.loads` wherever
    cloudpickle is importable.
    """
    try:
        return pickle.dumps(values, protocol=_PICKLE_PROTOCOL)
    except Exception as pickle_error:
        cloudpickle = _cloudpickle()
        if cloudpickle is None:
            raise TypeError(
                f"{values!r:.200} cannot be pickled ({pickle_error}); "
                "installing cloudpickle may help."
            ) from pickle_error
        try:
            return cloudpickle.dumps(values, protocol=_PICKLE_PROTOCOL)
        except Exception as error:
            raise TypeError(
                f"{values!r:.200} cannot be pickled, not even with cloudpickle: {error}"
            ) from error


def loads_values(blob: bytes) -> Any:
    """Invert :func:`dumps_values`."""
    return pickle.loads(blob)


def _cloudpickle() -> Any:
    try:
        import cloudpickle
    except ImportError:
        try:
            from joblib.externals import cloudpickle
        except ImportError:
            return None
    return cloudpickle
