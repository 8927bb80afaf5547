r"""The conventional scheme's parameters, normal modes and fast phase.

Symbols and units as in :mod:`gravsim.closed_form.conventional` (ħ = 1; rates in rad/s):
the normal modes x± = (x_a ± x_b)/√2 have w± = ω_m ± 2k and frequencies Ω± = √(ω_m w±).

The fast phase
--------------
V depends on the angles only through 2θ±.  Write θ± = φ + ψ±(t), ω̄ = (Ω₊ + Ω₋)/2,
φ = ω̄ t mod π and ψ± = ±(Ω₊ − Ω₋) t/2 with the difference formula
Ω₊ − Ω₋ = 4kω_m/(Ω₊ + Ω₋) (never a difference of the two roots).  ``phase=None`` uses the
true phase of t: for ω̄t ≤ 10³ directly θ± = Ω± t in float64 (phase error ≲ 1e-13 rad); for
larger ω̄t the reduction ω̄t mod π is done in extended precision (mpmath, with enough digits
for ω̄t), so even ω̄t ~ 1e11 rad gives the exact-arithmetic V for the float inputs.  (The
result is of course only as meaningful as t itself: a relative change eps in t moves the
phase by eps·ω̄t.)  ``phase=φ`` instead takes φ as given with *slow time* t (heating,
damping, ψ± evaluated at t): this is the decoupled description F(φ, t) of the fast
oscillation, exact when φ = ω̄t mod π.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import mpmath
import numpy as np

from gravsim.errors import GravsimInputError

# ω̄t above which the fast phase of ``phase=None`` is reduced mod π in extended precision.
_PHASE_MP_ABOVE = 1.0e3


class _HasParams(Protocol):
    """Anything with the conventional scheme's parameters as attributes (e.g. ``Parameters``)."""

    omega_m: Any
    k_M: Any
    gamma_m: Any
    n_th: Any
    kappa_G: Any


@dataclass(frozen=True)
class _Scheme:
    """Validated rates (rad/s) and the derived normal-mode quantities."""

    omega_m: float
    k_M: float
    gamma_m: float
    n_th: float
    kappa_G: float
    w: tuple[float, float]  # ω_m ± 2k, for the + and − modes
    Omega: tuple[float, float]  # √(ω_m w±)
    omega_bar: float  # (Ω₊ + Ω₋)/2
    d_omega: float  # Ω₊ − Ω₋ = 4kω_m/(Ω₊ + Ω₋)


def _as_finite_floats(**values: Any) -> dict[str, float]:
    """Each value as a finite float, or :class:`GravsimInputError` naming the parameter."""
    vals = {}
    for name, v in values.items():
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise GravsimInputError(
                f"{name}={v!r} is not a number: pass a float (rad/s, n_th dimensionless)"
            ) from None
        if not math.isfinite(f):
            raise GravsimInputError(f"{name}={f} is not finite: pass a finite float")
        vals[name] = f
    return vals


def _scheme(omega_m: Any, k_M: Any, gamma_m: Any, n_th: Any, kappa_G: Any) -> _Scheme:
    """Validate the rates (rad/s) and n̄, and derive w±, Ω±, ω̄ and Ω₊ − Ω₋.

    Raises :class:`~gravsim.errors.GravsimInputError` for non-numbers, non-finite values,
    ω_m ≤ 0, negative γ, n̄ or κ_G, and 2|k| ≥ ω_m (no bound normal mode).
    """
    vals = _as_finite_floats(omega_m=omega_m, k_M=k_M, gamma_m=gamma_m, n_th=n_th, kappa_G=kappa_G)
    if vals["omega_m"] <= 0:
        raise GravsimInputError(f"omega_m={vals['omega_m']} rad/s must be > 0")
    for name in ("gamma_m", "n_th", "kappa_G"):
        if vals[name] < 0:
            raise GravsimInputError(f"{name}={vals[name]} must be >= 0")
    wm, kk = vals["omega_m"], vals["k_M"]
    if 2 * abs(kk) >= wm:
        raise GravsimInputError(
            f"|k_M|={abs(kk)} rad/s >= omega_m/2: the normal mode omega_m - 2|k_M| is not a "
            "bound oscillator; use |k_M| < omega_m/2"
        )
    w = (wm + 2 * kk, wm - 2 * kk)
    om = (math.sqrt(wm * w[0]), math.sqrt(wm * w[1]))
    return _Scheme(
        omega_m=wm,
        k_M=kk,
        gamma_m=vals["gamma_m"],
        n_th=vals["n_th"],
        kappa_G=vals["kappa_G"],
        w=w,
        Omega=om,
        omega_bar=0.5 * (om[0] + om[1]),
        d_omega=4 * kk * wm / (om[0] + om[1]),
    )


def _check_time(t: Any, phase: Any) -> None:
    """Reject negative or NaN times (s) and non-finite phases (rad)."""
    ta = np.asarray(t, dtype=float)
    if np.any(np.isnan(ta)) or np.any(ta < 0):
        raise GravsimInputError(f"t={t!r} s must be >= 0 (inf allowed: the steady state)")
    if phase is not None:
        pa = np.asarray(phase, dtype=float)
        if not np.all(np.isfinite(pa)):
            raise GravsimInputError(f"phase={phase!r} rad must be finite")


def _phase_mod_pi(s: _Scheme, t: float) -> float:
    """ω̄ t mod π (rad) in extended precision, for the float inputs taken as exact."""
    x = s.omega_bar * t
    dps = 25 + max(0, int(math.ceil(math.log10(max(x, 1.0)))))
    with mpmath.workdps(dps):
        wm = mpmath.mpf(s.omega_m)
        k2 = 2 * mpmath.mpf(s.k_M)
        wbar = (mpmath.sqrt(wm * (wm + k2)) + mpmath.sqrt(wm * (wm - k2))) / 2
        y = wbar * mpmath.mpf(t)
        phi = y - mpmath.floor(y / mpmath.pi) * mpmath.pi
        return float(phi)


def _angles(
    s: _Scheme, t: np.ndarray, phase: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(θ₊, θ₋, series_allowed) for slow times ``t`` and fast phase ``phase`` (or the true one).

    ``series_allowed`` marks points where θ± = Ω± t exactly (the true phase of a small t),
    so that J_ss, J_sc may come from their Taylor series in t.
    """
    finite = np.isfinite(t)
    tf = np.where(finite, t, 0.0)
    psi = 0.5 * s.d_omega * tf
    if phase is None:
        small = s.omega_bar * tf <= _PHASE_MP_ABOVE
        th_p = s.Omega[0] * tf
        th_m = s.Omega[1] * tf
        if not np.all(small):
            phi = np.zeros_like(tf)
            for idx in zip(*np.nonzero(~small), strict=True):
                phi[idx] = _phase_mod_pi(s, float(tf[idx]))
            th_p = np.where(small, th_p, phi + psi)
            th_m = np.where(small, th_m, phi - psi)
        series = small & finite
    else:
        th_p = phase + psi
        th_m = phase - psi
        series = np.zeros(t.shape, dtype=bool)
    # t = ∞ (steady state): the coherent part is multiplied by e^{−γt} = 0; θ = 0 makes the
    # closed form of C reduce to −1/(−γ + 2iΩ).
    th_p = np.where(finite, th_p, 0.0)
    th_m = np.where(finite, th_m, 0.0)
    return th_p, th_m, series
