"""The search space of experiment design: which inputs vary, within which bounds, and the
constraints that keep a point inside the regime where the model holds.

Every constraint is written ``value(p) ≤ limit`` and evaluated on a batch of parameters at
once (:class:`~gravsim.model.parameters.Parameters` arrays):

* ``stability``: G₊/G₋ ≤ 1 − margin.  The reservoir is stable for G₊ < G₋; its slowest rate
  Γe^{−2r}/2 = 2(G₋ − G₊)²/κ vanishes at the edge, and with it the time to reach the steady
  state, so a point must keep a relative gap ``margin`` (default 0.1).
* ``adiabatic``: (G₋/κ)² + (Ω/κ)² ≤ tol (default 0.01).  The cavity is eliminated to errors of
  order (G/κ)² and (Ω/κ)² (``validate``); G₋ ≥ G bounds the pump coupling itself, which the
  elimination needs small too.
* ``rwa``: (κ/ω_m)² + |k_M|/ω_m ≤ tol (default 0.05, the paper point has 0.04): the
  rotating-wave approximation's error (``validate``'s L1 check).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError
from gravsim.model import regime
from gravsim.model.inputs import parse_number
from gravsim.model.parameters import Parameters, unchecked
from gravsim.workflows.scan.grid import SCAN_KEYS

DEFAULT_MARGIN = 0.1
DEFAULT_ADIABATIC_TOL = 0.01
DEFAULT_RWA_TOL = 0.05
#: Least E_N with KTM gravity (nats) of an optimum: see :func:`gravsim.workflows.optimize`.
DEFAULT_MIN_E_N = 0.1
#: Relative slack of "holds" for a value on its limit (an optimum found on a boundary).
HOLDS_RTOL = 1e-9
#: Default search range of a varied input: its preset value divided and multiplied by this.
DEFAULT_SPAN = 10.0


@dataclass(frozen=True)
class Constraint:
    """One regime condition ``value(p) ≤ limit`` (dimensionless), with what it stands for."""

    name: str
    limit: float
    text: str
    value: Callable[[Parameters], Any]

    def holds(self, p: Parameters) -> np.ndarray:
        """Where the condition holds (batch shape), to rounding (an optimum sits on a limit)."""
        return np.asarray(self.value(p)) <= self.limit * (1 + HOLDS_RTOL)


def regime_constraints(
    margin: float = DEFAULT_MARGIN,
    adiabatic_tol: float = DEFAULT_ADIABATIC_TOL,
    rwa_tol: float = DEFAULT_RWA_TOL,
) -> tuple[Constraint, ...]:
    """The stability, adiabatic-elimination and rotating-wave conditions (module docstring)."""
    for name, value, hi in (
        ("margin", margin, 1.0),
        ("adiabatic_tol", adiabatic_tol, math.inf),
        ("rwa_tol", rwa_tol, math.inf),
    ):
        if not (isinstance(value, (int, float)) and 0 < value < hi):
            raise GravsimInputError(f"`{name}` must be a number in (0, {hi:g}), got {value!r}")
    return (
        Constraint(
            "stability",
            1 - margin,
            f"G₊/G₋ ≤ 1 − margin ({margin:g})",
            lambda p: np.divide(p.G_plus, p.G_minus),
        ),
        Constraint(
            "adiabatic",
            adiabatic_tol,
            "(G₋/κ)² + (Ω/κ)² (adiabatic elimination)",
            regime.pump_adiabaticity,
        ),
        Constraint(
            "rwa",
            rwa_tol,
            "(κ/ω_m)² + |k_M|/ω_m (rotating-wave approximation)",
            regime.rwa_epsilon,
        ),
    )


@dataclass(frozen=True)
class Variable:
    """A varied input: its key, bounds (its unit, see ``gravsim params``) and search scale."""

    key: str
    lo: float
    hi: float
    log: bool

    def to_unit(self, value: Any) -> Any:
        """The value as a coordinate in [0, 1] (log-spaced for a positive range)."""
        if self.log:
            return np.log(value / self.lo) / math.log(self.hi / self.lo)
        return (np.asarray(value) - self.lo) / (self.hi - self.lo)

    def from_unit(self, u: Any) -> Any:
        """The value at coordinate ``u`` in [0, 1]."""
        u = np.asarray(u, dtype=float)
        if self.log:
            return self.lo * np.exp(u * math.log(self.hi / self.lo))
        return self.lo + u * (self.hi - self.lo)


#: Keys whose values are text (a choice), which a search cannot vary.
TEXT_KEYS = ("kG_convention",)


def variables(p: Parameters, vary: list[str], bounds: dict[str, str]) -> tuple[Variable, ...]:
    """The varied inputs, with bounds from ``bounds`` (``{key: "LO:HI"}``) or the default span.

    Raises
    ------
    GravsimInputError
        An unknown, textual or repeated key, bounds for a key not varied, a default range
        around a value that is not positive, or bounds that are not finite with LO < HI.
    """
    if not vary:
        raise GravsimInputError("`vary` names no input: give e.g. E_plus,E_minus")
    for key in vary:
        if key not in SCAN_KEYS:
            raise GravsimInputError(
                f"cannot vary {key!r}: give inputs such as E_plus, E_minus, Omega, kappa, g"
            )
        if key in TEXT_KEYS:
            raise GravsimInputError(
                f"cannot vary {key!r}: it is a choice, not a number; compare its choices by "
                "`set` (or the presets paper and paper-point-mass) and vary a number"
            )
    if len(set(vary)) != len(vary):
        raise GravsimInputError(f"a key is varied twice in {','.join(vary)}: give each once")
    extra = sorted(set(bounds) - set(vary))
    if extra:
        raise GravsimInputError(f"bounds for {extra[0]!r}, which is not varied: add it to `vary`")
    return tuple(_variable(p, key, bounds.get(key)) for key in vary)


def _variable(p: Parameters, key: str, spec: str | None) -> Variable:
    if spec is None:
        value = float(getattr(p, key))
        if not value > 0:
            raise GravsimInputError(
                f"{key} = {value:g} at the preset: give its range with `bounds` {key}=LO:HI"
            )
        lo, hi = value / DEFAULT_SPAN, value * DEFAULT_SPAN
    else:
        parts = spec.split(":")
        if len(parts) != 2:
            raise GravsimInputError(f"bounds {key}={spec!r}: write {key}=LO:HI, e.g. E_plus=10:300")
        lo, hi = (parse_number(x) for x in parts)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise GravsimInputError(f"bounds {key}={spec!r}: need finite LO < HI")
        for end in (lo, hi):  # an end no input may take (a negative rate) is no range
            try:
                p.replace(**{key: end})
            except GravsimInputError as exc:
                if key in str(exc) and "no steady state" not in str(exc):
                    raise GravsimInputError(f"bounds {key}={spec!r}: {exc}") from None
    return Variable(key, lo, hi, log=lo > 0)


def parameters_at(p: Parameters, variables: tuple[Variable, ...], units: np.ndarray) -> Any:
    """``p`` with the varied inputs set from unit coordinates ``units`` (shape (S,) or (S, n)),
    unchecked: :meth:`Parameters.invalid_points` says which points are valid."""
    values = {v.key: v.from_unit(u) for v, u in zip(variables, units, strict=True)}
    with unchecked():
        return p.replace(**values)


def violation(constraints: tuple[Constraint, ...], p: Parameters) -> np.ndarray:
    """Σ max(0, value/limit − 1) over the constraints (0 where all hold; batch shape, also
    where no constraint depends on the varied inputs)."""
    total = 0.0
    with np.errstate(all="ignore"):
        for c in constraints:
            excess = np.nan_to_num(np.asarray(c.value(p)) / c.limit - 1, nan=1e3, posinf=1e3)
            total = total + np.maximum(excess, 0.0)
    return np.array(np.broadcast_to(total, p.batch_shape))
