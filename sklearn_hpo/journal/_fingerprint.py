"""Fingerprints: what makes the rows of a study comparable, as named hashes.

A search layer computes one hash per component (estimator, space, scorers,
cv, data, settings, ...) with :func:`stable_hash`; the journal stores them with
the study and compares them when the study is opened again, so that rows of
two different searches are never mixed.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Mapping
from typing import Any, Iterator

import numpy as np

__all__ = ["Fingerprint", "stable_hash"]

_DIGEST_SIZE = 16


def stable_hash(value: Any) -> str:
    """Hash ``value`` to a hex string that is the same in every process.

    Unlike :func:`hash`, the result does not depend on the process (string
    hashing is salted per process) nor on the platform's byte order.

    Parameters
    ----------
    value : object
        None, a bool, int, float, complex, str or bytes (numpy scalars count
        as the Python scalar of their kind), a numpy array (its dtype, shape
        and contents; object arrays element by element), or a list, tuple,
        dict, set or frozenset of these, nested to any depth.

    Returns
    -------
    digest : str
        32 hexadecimal characters (a 128-bit BLAKE2b digest).

    Raises
    ------
    TypeError
        If ``value`` holds an object of another kind: the caller must reduce
        it to one of the kinds above first (for an estimator, e.g. its
        parameters).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hpo.journal import stable_hash
    >>> stable_hash([1, 2.5, "a"]) == stable_hash((1, 2.5, "a"))
    False
    >>> stable_hash(np.arange(3)) == stable_hash(np.arange(3))
    True
    >>> stable_hash(1) == stable_hash(np.int64(1)), stable_hash(1) == stable_hash(1.0)
    (True, False)
    """
    hasher = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    for chunk in _chunks(value):
        hasher.update(chunk)
    return hasher.hexdigest()


def _tagged(tag: bytes, payload: bytes) -> bytes:
    # Tag and length make the encoding prefix-free: ["ab"] and ["a", "b"]
    # cannot produce the same byte stream.
    return tag + struct.pack("<Q", len(payload)) + payload


def _chunks(value: Any) -> Iterator[bytes]:
    if value is None:
        yield b"N"
    elif isinstance(value, (bool, np.bool_)):
        yield b"T" if value else b"F"
    elif isinstance(value, (int, np.integer)):
        yield _tagged(b"i", str(int(value)).encode())
    elif isinstance(value, (float, np.floating)):
        value = float(value)
        # One NaN whatever its payload bits; 0.0 and -0.0 stay distinct.
        yield b"f" + (b"nan" if math.isnan(value) else struct.pack("<d", value))
    elif isinstance(value, (complex, np.complexfloating)):
        yield b"c"
        yield from _chunks(float(value.real))
        yield from _chunks(float(value.imag))
    elif isinstance(value, (str, np.str_)):
        yield _tagged(b"s", str(value).encode("utf-8", "surrogatepass"))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        yield _tagged(b"b", bytes(value))
    elif isinstance(value, np.ndarray):
        yield from _array_chunks(value)
    elif isinstance(value, (list, tuple)):
        yield _tagged(b"l" if isinstance(value, list) else b"t", b"%d" % len(value))
        for item in value:
            yield from _chunks(item)
    elif isinstance(value, Mapping):
        # Keys are sorted by their own hash, so insertion order does not count
        # and keys of mixed types need no common ordering.
        items = sorted((stable_hash(k), v) for k, v in value.items())
        yield _tagged(b"d", b"%d" % len(items))
        for key_hash, item in items:
            yield key_hash.encode()
            yield from _chunks(item)
    elif isinstance(value, (set, frozenset)):
        hashes = sorted(stable_hash(item) for item in value)
        yield _tagged(b"S", "".join(hashes).encode())
    else:
        raise TypeError(
            f"stable_hash cannot hash a {type(value).__qualname__} ({value!r:.80}); "
            "reduce it to numbers, strings, bytes, numpy arrays and containers "
            "of these first."
        )


def _array_chunks(array: np.ndarray) -> Iterator[bytes]:
    if array.dtype.hasobject:
        yield _tagged(b"o", f"{array.shape}".encode())
        for item in array.ravel(order="C"):
            yield from _chunks(item)
        return
    # Equal arrays hash equal whatever their memory layout and byte order.
    little = array.dtype.newbyteorder("<")
    array = np.ascontiguousarray(array, dtype=little)
    yield _tagged(b"a", f"{little.str}|{array.shape}".encode())
    yield array.view(np.uint8).tobytes()


class Fingerprint(Mapping):
    """Named hashes of what makes a study's rows comparable.

    A read-only ordered mapping of component name to hash string, with a
    short human-readable description of each component for error messages.

    Parameters
    ----------
    hashes : mapping of str to str
        Component name to hash, e.g. ``{"estimator": ..., "space": ...,
        "scorers": ..., "cv": ..., "data": ..., "settings": ...}``; the order
        is kept.
    descriptions : mapping of str to str, default=None
        Component name to a short description (e.g. ``"SVC(C=1.0)"``);
        components without one are described by their hash.

    Examples
    --------
    >>> from sklearn_hpo.journal import Fingerprint, stable_hash
    >>> old = Fingerprint({"cv": stable_hash(5), "data": stable_hash([1, 2])})
    >>> new = Fingerprint({"cv": stable_hash(3), "data": stable_hash([1, 2])},
    ...                   {"cv": "KFold(n_splits=3)"})
    >>> old.differences(new)
    ['cv']
    >>> list(new), new.describe("cv")
    (['cv', 'data'], 'KFold(n_splits=3)')
    """

    def __init__(
        self, hashes: Mapping[str, str], descriptions: Mapping[str, str] | None = None
    ) -> None:
        checked = {}
        for name, value in dict(hashes).items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError(
                    "fingerprint components must map str names to str hashes, "
                    f"got {name!r}: {value!r}."
                )
            checked[name] = value
        self._hashes = checked
        descriptions = dict(descriptions or {})
        unknown = sorted(set(descriptions) - set(checked))
        if unknown:
            raise ValueError(
                f"descriptions name components that have no hash: {unknown}."
            )
        self._descriptions = {k: str(v) for k, v in descriptions.items()}

    def __getitem__(self, name: str) -> str:
        return self._hashes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._hashes)

    def __len__(self) -> int:
        return len(self._hashes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return dict(self._hashes) == dict(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Fingerprint({self._hashes!r})"

    @property
    def descriptions(self) -> dict[str, str]:
        """Component name to description (only the components that have one)."""
        return dict(self._descriptions)

    def describe(self, name: str) -> str:
        """A component's description, or its hash when it has none."""
        return self._descriptions.get(name, f"hash {self._hashes[name]}")

    def digest(self) -> str:
        """One hash of all components (names, hashes and order); 32 hex chars."""
        return stable_hash(list(self._hashes.items()))

    def differences(self, other: Mapping[str, str]) -> list[str]:
        """Names of the components whose hash differs or that only one has.

        Components of ``self`` come first, in order, then those only ``other``
        has.
        """
        other = dict(other)
        names = list(self._hashes) + [n for n in other if n not in self._hashes]
        return [n for n in names if self._hashes.get(n) != other.get(n)]

    def to_json(self) -> str:
        """The fingerprint as a JSON string (see :meth:`from_json`)."""
        return json.dumps(
            {"hashes": self._hashes, "descriptions": self._descriptions},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Fingerprint:
        """Read a fingerprint written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(data["hashes"], data.get("descriptions"))

    @classmethod
    def coerce(cls, fingerprint: Any) -> Fingerprint:
        """A :class:`Fingerprint` from itself or a mapping of names to hashes."""
        if isinstance(fingerprint, Fingerprint):
            return fingerprint
        if isinstance(fingerprint, Mapping):
            return cls(fingerprint)
        raise TypeError(
            "fingerprint must be a Fingerprint or a mapping of component names to "
            f"hash strings, got {fingerprint!r} ({type(fingerprint).__name__})."
        )
