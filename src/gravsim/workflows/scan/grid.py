"""Scan grids: axes of parameter values (``KEY=lin:START:STOP:N``, ``log:``, lists) and their
product, numbered in C order (first axis slowest)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model.changes import QUALITY, conflicting_keys
from gravsim.model.inputs import parse_number
from gravsim.model.parameters import INPUT_KEYS, known_keys
from gravsim.model.units import OVERRIDABLE

#: Most values one axis may have (its values are held in memory).
MAX_AXIS = 10_000_000
#: Keys a grid may vary: every input, every rate-level override, and the quality factors.
SCAN_KEYS = set(INPUT_KEYS) | set(OVERRIDABLE) | set(QUALITY)


@dataclass(frozen=True)
class Axis:
    """One grid axis: a parameter name, its values and, when parsed, the spec they came from.

    ``spec`` is ``("lin" | "log", start, stop, n)`` or None (values given as a list).
    """

    key: str
    values: np.ndarray
    spec: tuple[str, float, float, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the sidecar: the spec where there is one, else the values."""
        if self.spec is not None:
            kind, start, stop, n = self.spec
            return {"key": self.key, "kind": kind, "start": start, "stop": stop, "n": n}
        return {"key": self.key, "kind": "list", "values": [float(v) for v in self.values]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Axis:
        """The axis :meth:`to_dict` describes."""
        if data["kind"] == "list":
            return cls(data["key"], np.array(data["values"], dtype=float))
        spec = (data["kind"], data["start"], data["stop"], data["n"])
        return cls(data["key"], _spaced(*spec), spec)


def _spaced(kind: str, start: float, stop: float, n: int) -> np.ndarray:
    return np.geomspace(start, stop, n) if kind == "log" else np.linspace(start, stop, n)


def parse_axis(spec: str) -> Axis:
    """``KEY=lin:START:STOP:N`` | ``KEY=log:START:STOP:N`` | ``KEY=v1,v2,...``.

    Raises
    ------
    GravsimInputError
        For a malformed spec, an unknown key, N < 1 or above :data:`MAX_AXIS`, or a log
        axis with a bound <= 0.
    """
    key, sep, rest = spec.partition("=")
    key = key.strip()
    if not sep or not key or not rest:
        raise GravsimInputError(
            f"a grid axis is KEY=lin:START:STOP:N, KEY=log:START:STOP:N or KEY=v1,v2,...; "
            f"got {spec!r}"
        )
    if key not in SCAN_KEYS:
        raise GravsimInputError(f"unknown grid key {key!r}: known keys are {known_keys()}")
    parts = rest.split(":")
    if parts[0] not in ("lin", "log"):
        values = np.array([parse_number(v) for v in rest.split(",")])
        if not np.all(np.isfinite(values)):
            raise GravsimInputError(f"grid axis {spec!r}: every value must be finite")
        return Axis(key, values)
    if len(parts) != 4:
        raise GravsimInputError(f"grid axis {spec!r}: give {parts[0]}:START:STOP:N")
    start, stop = parse_number(parts[1]), parse_number(parts[2])
    try:
        n = int(parts[3])
    except ValueError:
        raise GravsimInputError(f"grid axis {spec!r}: N must be a whole number") from None
    if not 1 <= n <= MAX_AXIS:
        raise GravsimInputError(f"grid axis {spec!r}: N must lie in 1 ... {MAX_AXIS}")
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise GravsimInputError(f"grid axis {spec!r}: START and STOP must be finite")
    if parts[0] == "log" and (start <= 0 or stop <= 0):
        raise GravsimInputError(f"grid axis {spec!r}: a log axis needs START, STOP > 0")
    return Axis(key, _spaced(parts[0], start, stop, n), (parts[0], start, stop, n))


class Grid:
    """The product of some axes, first axis slowest; points are addressed by their index."""

    def __init__(self, axes: list[Axis]) -> None:
        keys = [a.key for a in axes]
        if not axes:
            raise GravsimInputError("a scan needs at least one grid axis")
        for key in keys:
            if keys.count(key) > 1:
                raise GravsimInputError(f"grid key {key!r} is given twice: give one axis per key")
        conflict = conflicting_keys(keys)
        if conflict:
            raise GravsimInputError(f"grid axes: {conflict}")
        self.axes = tuple(axes)
        self.keys = tuple(keys)
        self.shape = tuple(len(a.values) for a in axes)
        self.size = math.prod(self.shape)

    def values(self, indices: np.ndarray) -> dict[str, np.ndarray]:
        """Each axis's value at the points ``indices`` (arrays of the same length)."""
        where = np.unravel_index(indices, self.shape)
        return {a.key: a.values[k] for a, k in zip(self.axes, where, strict=True)}

    def point(self, index: int) -> dict[str, float]:
        """The grid values of one point as plain floats."""
        return {k: float(v[0]) for k, v in self.values(np.array([index])).items()}
