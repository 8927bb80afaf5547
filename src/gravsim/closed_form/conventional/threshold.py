r"""The conventional scheme's damping threshold: below γ* the transient becomes entangled.

Symbols and units as in :mod:`gravsim.closed_form.conventional` (ħ = 1; rates in rad/s).

Threshold
---------
Entanglement appears at some t iff the initial slope is negative, up to relative
corrections O(k/ω_m, γ/ω_m) (the first-order E_N(t) of
:mod:`gravsim.closed_form.conventional.maximum` is ≤ 2(|k| − γn̄ − 2κ_G)t)::

    γ* = (|k| − 2κ_G) / n̄        (:func:`threshold_gamma_estimate`)

and :func:`threshold_gamma` finds it numerically by bisection on transient_maximum > 0; the
two agree to the bisection tolerance (relative 1e-9; the true O(k/ω_m) ~ 1e-11 corrections
are below it).  KTM at its optimum (κ_G = |k|) gives x ≥ 2: never entangled, as an LOCC model
must be; already κ_G ≥ |k|/2 forbids it.  With n̄ = 0 and κ_G < |k|/2 there is no threshold
(γ* = ∞).  At the paper's table value k = 2π·7e-10 Hz ("form-factor" convention
k = GρΛ/ω_m, Λ = π/3) and n̄ = 4.17e6: γ*/2π = 1.68e-16 Hz.  The paper's bound
2γ k_B T < ħGΛρ reads (k_B T ≈ ħω_m(n̄ + ½)) 2γn̄ < k_ff, i.e. γ*/2π = 8.4e-17 Hz: it is the
exact threshold γn̄ < k for the *point-mass* coupling k_pm = K_G x_zpf²/ħ = GρΛ_pm/ω_m with
Λ_pm = π/6 (touching spheres, K_G = 2GM²/d³), which is k_ff/2.  So the paper's bound is
reproduced by the point-mass (first-principles) k; with the form-factor k of its table the
threshold is twice as high.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from gravsim.closed_form.conventional.maximum import transient_maximum
from gravsim.closed_form.conventional.modes import _HasParams, _scheme
from gravsim.closed_form.ideal import require_ideal
from gravsim.errors import GravsimInputError

__all__ = ["threshold_gamma", "threshold_gamma_estimate", "threshold_gamma_estimate_from"]


def threshold_gamma_estimate(*, k_M: float, n_th: float, kappa_G: float = 0.0) -> float:
    """Analytic threshold γ* = (|k| − 2κ_G)/n̄ (rad/s) from the initial slope of ν̃₋.

    Parameters
    ----------
    k_M : float
        Gravitational coupling (rad/s).
    n_th : float
        Bath occupation n̄.
    kappa_G : float
        KTM decoherence rate (rad/s).

    Returns
    -------
    float
        γ* in rad/s; ``inf`` for n̄ = 0 with κ_G < |k|/2, 0.0 if κ_G ≥ |k|/2.  Exact up to
        relative O(k/ω_m, γ/ω_m).
    """
    slope = abs(float(k_M)) - 2 * float(kappa_G)
    if slope <= 0:
        return 0.0
    if float(n_th) == 0:
        return math.inf
    return slope / float(n_th)


def threshold_gamma(
    *, omega_m: float, k_M: float, n_th: float, kappa_G: float = 0.0, rtol: float = 1e-9
) -> float:
    """Largest damping γ (rad/s) for which the transient ever becomes entangled.

    Bisection (geometric, to relative ``rtol``) on ``transient_maximum(...).E_N > 0``,
    bracketed around :func:`threshold_gamma_estimate` (γ* = (|k| − 2κ_G)/n̄); the two agree
    to within ``rtol`` (the true corrections are O(k/ω_m)).

    Parameters
    ----------
    omega_m, k_M : float
        Mechanical frequency and coupling (rad/s).
    n_th : float
        Bath occupation n̄.
    kappa_G : float
        KTM decoherence rate (rad/s).
    rtol : float
        Relative tolerance of the bisection.

    Returns
    -------
    float
        γ* in rad/s (divide by 2π for Hz); ``inf`` if there is no threshold (n̄ = 0 and
        κ_G < |k|/2), 0.0 if no γ >= 0 entangles.
    """
    _scheme(omega_m, k_M, 0.0, n_th, kappa_G)

    def entangled(g: float) -> bool:
        return (
            transient_maximum(omega_m=omega_m, k_M=k_M, gamma_m=g, n_th=n_th, kappa_G=kappa_G).E_N
            > 0
        )

    est = threshold_gamma_estimate(k_M=k_M, n_th=n_th, kappa_G=kappa_G)
    if math.isinf(est):
        return math.inf
    bracket = _bracket(entangled, est, abs(float(k_M)) / float(n_th))
    if not isinstance(bracket, tuple):
        return bracket
    lo, hi = bracket
    while hi - lo > rtol * hi:
        mid = math.sqrt(lo * hi) if lo > 0 else 0.5 * hi
        if entangled(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _bracket(
    entangled: Callable[[float], bool], est: float, top: float
) -> tuple[float, float] | float:
    """(lo, hi) with ``entangled(lo)`` and not ``entangled(hi)``, from the estimate ``est``
    (``top`` = |k|/n̄ bounds it where ``est`` is 0); or γ* itself where bracketing settles it
    (0.0: no γ ≥ 0 entangles)."""
    if est == 0.0:
        if not entangled(0.0):
            return 0.0
        lo, hi = 0.0, top
    else:
        lo, hi = 0.5 * est, 2.0 * est
        while not entangled(lo):
            lo *= 0.25
            if lo < 1e-6 * est:
                return 0.0 if not entangled(0.0) else lo
    for _ in range(40):
        if not entangled(hi):
            return lo, hi
        hi *= 4.0
    raise GravsimInputError(f"no threshold found below gamma_m={hi} rad/s")  # pragma: no cover


def threshold_gamma_estimate_from(p: _HasParams, *, kappa_G: float | None = None) -> float:
    """:func:`threshold_gamma_estimate` with ``k_M``, ``n_th`` (and ``kappa_G``) read from ``p``.

    Parameters
    ----------
    p : Parameters-like
        Scalar ``k_M`` (rad/s), ``n_th`` and ``kappa_G`` (rad/s).
    kappa_G : float or None
        KTM decoherence rate (rad/s) overriding ``p.kappa_G``: pass 0.0 for the quantum-gravity
        threshold (k_M/n_th).  None: ``p.kappa_G``.

    Returns
    -------
    float
        γ* in rad/s.
    """
    require_ideal(p)
    return threshold_gamma_estimate(
        k_M=p.k_M, n_th=p.n_th, kappa_G=p.kappa_G if kappa_G is None else kappa_G
    )
