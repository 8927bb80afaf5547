"""The rules by which ``gravsim validate`` compares two rows, each able to fail.

Every check compares a measured difference with a predicted size and reports both and their
ratio:

``estimate``
    Two rungs of the ladder (L3 vs L2, L2 vs L1, L1 vs L0): the predicted (upper − lower)
    difference is the approximation's leading-order error with its coefficient, derived
    (:mod:`gravsim.gaussian.approximation_errors`), never fitted.  The check passes when
    1/:data:`RATIO_LIMIT` ≤ difference/estimate ≤ :data:`RATIO_LIMIT`: the sign and, within a
    factor 3, the size of the difference are what the dropped terms predict.  A rung with a
    term dropped or a coefficient changed leaves a difference the estimate does not predict
    (too large, or of the wrong sign) and fails.  Where both are at rounding level (below
    :data:`ROUNDING` of the values; e.g. E_N = 0 on both rungs) the check passes.
``truncation``
    Fock against Gaussian on the same rung: |difference| ≤ the Fock row's own reported
    truncation error (+ :data:`ROUNDING` relative); the ratio |difference|/error says how
    tight the error bar is.
``rounding``
    The closed form against the effective Gaussian rung (the same equations solved two ways):
    |difference| ≤ a rounding bound (1e-9 relative for E_N, 1e-6 for ΔE, whose closed-form
    route goes through a different V₁).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: A rung pair passes when 1/RATIO_LIMIT ≤ measured/estimated ≤ RATIO_LIMIT.
RATIO_LIMIT = 3.0
#: Relative size below which a difference counts as rounding (the Lyapunov solves and the
#: E_N evaluation are accurate to ~1e-14 relative).
ROUNDING = 1e-12


@dataclass(frozen=True)
class Check:
    """One comparison between two rows.

    Attributes
    ----------
    name, quantity : str
        The two rows compared and the quantity (``E_N_quantum``, ``E_N_<label>``,
        ``delta_E``).
    difference : float or None
        Measured: upper − lower for a rung pair, Fock − Gaussian, closed form − Gaussian
        (None when the check did not run).
    estimate : float or None
        The predicted size: the leading-order estimate of (upper − lower), the reported
        truncation error, or the rounding bound.
    ratio : float or None
        difference/estimate (signed for rung pairs; |difference|/estimate otherwise).
    tolerance : float or None
        The largest |difference| that passes.
    expected_size : str
        What the estimate is, for people.
    passed : bool or None
        None when the check did not run.
    skipped : str
        Why the check did not run ("" when it ran).
    """

    name: str
    quantity: str
    difference: float | None
    estimate: float | None
    ratio: float | None
    tolerance: float | None
    expected_size: str
    passed: bool | None
    skipped: str = ""

    @property
    def ran(self) -> bool:
        """Whether the check was computed."""
        return not self.skipped

    def line(self) -> str:
        """One line for the text report."""
        if self.skipped:
            return f"  [not run] {self.name}, {self.quantity}: {self.skipped}"
        mark = "ok  " if self.passed else "FAIL"
        ratio = "n/a (both at rounding)" if self.ratio is None else f"{self.ratio:+.4g}"
        return (
            f"  [{mark}] {self.name}, {self.quantity}: measured {self.difference:+.3e}, "
            f"{self.expected_size} {self.estimate:.3e}, ratio {ratio}"
        )


def not_run(name: str, quantity: str, reason: str, expected_size: str = "") -> Check:
    """A check that could not run, with its reason."""
    return Check(name, quantity, None, None, None, None, expected_size, None, reason)


def against_estimate(
    name: str, quantity: str, upper: float, lower: float, estimate: float, what: str
) -> Check:
    """Rung pair: (upper − lower) against its leading-order ``estimate`` (module docstring)."""
    diff = upper - lower
    floor = ROUNDING * max(abs(upper), abs(lower))
    if abs(diff) <= floor and abs(estimate) <= floor:
        return Check(name, quantity, diff, estimate, None, floor, what, True)
    ratio = diff / estimate if estimate != 0 else math.copysign(math.inf, diff)
    passed = 1 / RATIO_LIMIT <= ratio <= RATIO_LIMIT
    return Check(name, quantity, diff, estimate, ratio, RATIO_LIMIT * abs(estimate), what, passed)


def against_truncation(
    name: str, quantity: str, fock: float, gaussian: float, error: Any, what: str
) -> Check:
    """Fock − Gaussian against the Fock row's reported truncation ``error``."""
    if error is None or not math.isfinite(error):
        return not_run(name, quantity, "the Fock row reported no truncation error", what)
    diff = fock - gaussian
    tol = error + ROUNDING * abs(gaussian)
    ratio = abs(diff) / error if error > 0 else (0.0 if diff == 0 else math.inf)
    return Check(name, quantity, diff, error, ratio, tol, what, abs(diff) <= tol)


def against_rounding(
    name: str, quantity: str, value: float, reference: float, relative: float, what: str
) -> Check:
    """Two solutions of the same equations: |difference| ≤ ``relative`` × |reference|."""
    diff = value - reference
    bound = relative * max(abs(reference), 1e-300)
    return Check(name, quantity, diff, bound, abs(diff) / bound, bound, what, abs(diff) <= bound)
