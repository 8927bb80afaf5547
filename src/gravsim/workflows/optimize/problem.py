"""One design problem: the (log) objective and the constraints on batches of points.

:class:`Problem` is what the search of :mod:`gravsim.workflows.optimize.search` minimises:
ln ΔE (negated), ln samples or ln time at unit coordinates, the regime constraints
(:mod:`gravsim.workflows.optimize.design`) and the approximation ladder's agreement as a
penalty, and the same as hard inequalities for the local stage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gravsim.analysis import measurement
from gravsim.errors import GravsimError
from gravsim.gaussian import approximation_errors, floquet
from gravsim.gaussian.hypothesis_pair import hypothesis_pair
from gravsim.model import regime, rungs
from gravsim.model.gravity import KTMGravity
from gravsim.model.parameters import Parameters
from gravsim.workflows import budget as budgets
from gravsim.workflows import steady
from gravsim.workflows.ladder_checks import RATIO_LIMIT, against_estimate
from gravsim.workflows.optimize.design import (
    Constraint,
    Variable,
    parameters_at,
    regime_constraints,
    violation,
)

#: The Gaussian rungs an objective can be taken on.
SEARCH_RUNGS = ("effective", "rwa")
#: Added to the penalty of an infeasible point: above any feasible log-objective.
PENALTY = 1e3
#: The rungs must agree to this fraction of ``validate``'s tolerance at the optimum.
LADDER_LIMIT = 0.9


@dataclass
class Problem:
    """One design problem: evaluate the (log) objective and the constraints on batches."""

    p: Parameters
    variables: tuple[Variable, ...]
    constraints: tuple[Constraint, ...]
    objective: str
    model: str
    efficiency: float
    error_probability: float
    min_E_N: float
    evaluations: int = 0

    def log_objective(self, units: np.ndarray) -> np.ndarray:
        """ln ΔE (negated), ln samples or ln time at unit coordinates (S, n); +inf where the
        point is not a valid, stable parameter set."""
        units = np.atleast_2d(np.asarray(units, dtype=float).T).T
        p = parameters_at(self.p, self.variables, units)
        out = np.full(units.shape[1], np.inf)
        ok = ~p.invalid_points() if p.batch_shape else np.array([not p.invalid_points()])
        idx = np.flatnonzero(ok.ravel())
        self.evaluations += units.shape[1]
        if idx.size:
            out[idx] = self._values(parameters_at(self.p, self.variables, units[:, idx]))
        return out

    def _values(self, p: Parameters) -> np.ndarray:
        if self.objective == "delta_E":
            with np.errstate(all="ignore"):
                return _minus_log(steady.compute(p, model=self.model).delta.value)
        n = int(np.prod(p.batch_shape)) if p.batch_shape else 1
        flat = (
            [
                p.replace(**{v.key: np.ravel(getattr(p, v.key))[k] for v in self.variables})
                for k in range(n)
            ]
            if p.batch_shape
            else [p]
        )
        return np.array([self._record_cost(q) for q in flat])

    def _record_cost(self, p: Parameters) -> float:
        """ln of the heterodyne sample count (``samples``) or of its duration (``time``)."""
        try:
            h = hypothesis_pair(p, self.model)
            het = budgets.heterodyne(h, self.efficiency, 0.0)
        except GravsimError:
            return math.inf
        n = measurement.samples_chernoff(
            het["heterodyne_chernoff_exponent"], self.error_probability
        )
        if self.objective == "samples":
            return math.log(n) if 0 < n < math.inf else math.inf
        _, tau_int = measurement.correlation_times(h.drift, h.covariance, h.indices)
        t = n * 2 * tau_int
        return math.log(t) if 0 < t < math.inf else math.inf

    def penalised(self, units: np.ndarray) -> np.ndarray:
        """The log objective where every constraint holds, else PENALTY + violation.

        Inside the regime one batched solve of each of the effective and RWA rungs gives the
        entanglement floor, the ladder and (for ``delta_E``) the objective itself."""
        units = np.atleast_2d(np.asarray(units, dtype=float).T).T
        p = parameters_at(self.p, self.variables, units)
        bad = violation(self.constraints, p).ravel()
        regime = np.flatnonzero(bad == 0)
        objective = np.full(units.shape[1], np.inf)
        if regime.size:  # the floor and the ladder need the states: only inside the regime
            e_n, ratio, states = self._rung_checks(units[:, regime])
            bad[regime] = np.maximum(1 - e_n / self.min_E_N, 0)
            bad[regime] += np.maximum(ratio / LADDER_LIMIT - 1, 0)
            if self.objective == "delta_E":
                objective[regime] = states
        out = PENALTY + bad
        feasible = np.flatnonzero(bad == 0)
        if feasible.size and self.objective == "delta_E":
            self.evaluations += feasible.size
            out[feasible] = objective[feasible]
        elif feasible.size:
            out[feasible] = self.log_objective(units[:, feasible])
        return np.where(np.isfinite(out), out, 2 * PENALTY)

    def rung_checks(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """At unit coordinates (S, n): E_N with KTM gravity (nats), the smaller of the
        effective and the RWA rung's (0 where there is none), and the largest ratio of
        |RWA − effective| (E_N,q, E_N,c, ΔE) to ``validate``'s tolerance for the adiabatic
        elimination (inf at an invalid point)."""
        e_n, ratio, _ = self._rung_checks(units)
        return e_n, ratio

    def _rung_checks(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`rung_checks` and −ln ΔE of ``self.model`` (inf where ΔE ≤ 0 or invalid),
        from one batched solve of each rung."""
        p = parameters_at(self.p, self.variables, units)
        ok = ~np.atleast_1d(p.invalid_points()).ravel()
        e_n, ratio, minus_log = (
            np.zeros(units.shape[1]),
            np.full(units.shape[1], np.inf),
            np.full(units.shape[1], np.inf),
        )
        if np.any(ok):
            q = parameters_at(self.p, self.variables, units[:, ok])
            with np.errstate(all="ignore"):
                rung = {m: steady.compute(q, model=m).comparison() for m in SEARCH_RUNGS}
                least = np.minimum(*(rung[m]["E_N_classical"] for m in SEARCH_RUNGS))
                e_n[ok] = np.nan_to_num(np.ravel(least))
                eps = regime.adiabatic_epsilon(q)
                ratio[ok] = _largest_ratio(rung["effective"], rung["rwa"], eps)
                minus_log[ok] = _minus_log(rung[self.model]["delta_E"])
        return e_n, ratio, minus_log

    def constraint_values(self, units: np.ndarray) -> np.ndarray:
        """limit − value of each constraint, scaled by the limit (≥ 0 where it holds), and
        of the entanglement floor, the ladder and the L1 checks."""
        units = np.asarray(units, dtype=float)
        p = parameters_at(self.p, self.variables, units)
        regime = [1 - float(c.value(p)) / c.limit for c in self.constraints]
        e_n, ratio = (float(x[0]) for x in self.rung_checks(units[:, None]))
        l1_ratio, l1_e_n = self.rotating_wave(units)
        return np.array(
            [
                *regime,
                e_n / self.min_E_N - 1,
                1 - ratio / LADDER_LIMIT,
                1 - l1_ratio / LADDER_LIMIT,
                l1_e_n / self.min_E_N - 1,
            ]
        )

    def rotating_wave(self, units: np.ndarray) -> tuple[float, float]:
        """``validate``'s own check of L1 against RWA at one point, as a distance (see
        :func:`_log_distance`: validate passes it at ≤ 1), and L1's period-averaged E_N with
        KTM gravity (nats) (the lab-frame Floquet state: ~0.1 s)."""
        p = parameters_at(self.p, self.variables, units)
        try:
            l1 = floquet.periodic_state(rungs.linear(p, KTMGravity())).summary()
            rwa = steady.compute(p, model="rwa").comparison()
        except GravsimError:
            return math.inf, 0.0
        estimate = approximation_errors.rotating_wave(p, KTMGravity())
        checks = [
            against_estimate("L1 vs RWA", q, l1[q], rwa[q], float(estimate[k]), "")
            for k, q in enumerate(regime.QUANTITIES)
        ]
        return max(map(_log_distance, checks)), l1["E_N_classical"]

    def passes_l1(self, units: np.ndarray) -> bool:
        """Whether the point passes the checks that need the L1 Floquet state (one point)."""
        ratio, e_n = self.rotating_wave(units)
        return ratio <= LADDER_LIMIT and e_n >= self.min_E_N

    def natural(self, log_value: float) -> float:
        """The objective in its own units from the internal log value."""
        return math.exp(-log_value) if self.objective == "delta_E" else math.exp(log_value)


def _minus_log(delta: Any) -> np.ndarray:
    """−ln ΔE where ΔE > 0, else inf (the log objective of ``delta_E``)."""
    d = np.asarray(delta, dtype=float)
    return np.where(d > 0, -np.log(np.where(d > 0, d, 1.0)), np.inf)


def _log_distance(check: Any) -> float:
    """How far a rung pair's measured/estimated ratio is from 1, in units of validate's
    limit: |ln ratio| / ln RATIO_LIMIT (validate passes it at ≤ 1; 0 where both are at
    rounding; inf for a ratio of the wrong sign)."""
    if check.ratio is None:
        return 0.0
    if not check.ratio > 0 or not math.isfinite(check.ratio):
        return math.inf
    return abs(math.log(check.ratio)) / math.log(RATIO_LIMIT)


def _largest_ratio(upper: dict[str, Any], lower: dict[str, Any], eps: Any) -> Any:
    """max over E_N,q, E_N,c, ΔE of |upper − lower| / tolerance (0 where both are 0)."""
    worst: Any = 0.0
    with np.errstate(all="ignore"):
        for q in regime.QUANTITIES:
            diff = np.abs(np.asarray(upper[q]) - np.asarray(lower[q]))
            tol = regime.ladder_tolerance(q, eps, upper, lower)
            worst = np.maximum(worst, np.where(diff == 0, 0.0, diff / tol))
    return np.nan_to_num(worst, nan=np.inf)


def rebuild(result: Any) -> Problem:
    """The problem an :class:`~gravsim.workflows.optimize.result.OptimizeResult` solved,
    centred on its optimum (for maps around it)."""
    names = ("margin", "adiabatic_tol", "rwa_tol")
    given = {k: result.options[k] for k in names if result.options.get(k) is not None}
    return Problem(
        result.parameters,
        result.variables,
        regime_constraints(**given),
        result.objective,
        result.options["model"],
        result.options["efficiency"],
        result.options["error_probability"],
        result.options["min_E_N"],
    )
