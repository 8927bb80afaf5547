r"""The conventional scheme's transient maximum over time, first-order and saturated values.

Symbols and units as in :mod:`gravsim.closed_form.conventional` (ħ = 1; rates in rad/s;
ω̄ = (Ω₊ + Ω₋)/2, F(φ, t) the decoupled description of
:mod:`gravsim.closed_form.conventional.modes`).

Where the maximum is (and a correction to the usual picture)
------------------------------------------------------------
To first order in k/ω_m and in t, ν̃₋ = ½ + t (γn̄ + 2κ_G − |k|): the exact initial slope
(V'(0) = ½(A + Aᵀ) + D; the heating rate of the vacuum is γn̄, not γ(n̄+½)).  For all t,
to first order in k/ω_m (and γ ≪ ω_m, t ≪ 1/|k|)::

    E_N(t) ≈ 2(|k|/ω_m)|sin ω_m t| − 2(γn̄ + 2κ_G) t.

The entanglement is generated *off-resonantly* (the two-mode-squeezing part of
k(a+a†)(b+b†) rotates at 2ω_m), so it is bounded by ~2|k|/ω_m at all times and is largest
at the first quarter period, cos(ω_m t_max) = x ≡ (γn̄ + 2κ_G)/|k|, t_max ≈ arccos(x)/ω_m
(≈ 5 ms at ω_m = 2π·50 Hz), not on the slow time scale 1/k: heating only grows, and the
slow beat of the two normal modes (period π/(Ω₊ − Ω₋) ≈ π/2k) can at best restore the same
coherent amplitude later.  Hence the first-order maximum::

    max_t E_N ≈ (2|k|/ω_m) [√(1 − x²) − x arccos x]   (x < 1; 0 for x ≥ 1)

(:func:`first_order_maximum`).  Note that max_t E_N(t) is *not* the decoupled
max_{φ, t} F(φ, t): the heating in one mechanical period, ~γn̄/ω_m, is of the same order
as E_N itself (k/ω_m) near the threshold, so treating φ as free at small slow t would wrongly
give the saturated value for every γ.  :func:`transient_maximum` therefore searches the true
trajectory for the first four mechanical periods, and uses max_φ F(φ, t) only for later slow
times t ≥ 4 periods.  There it equals the true envelope to within the change of the slow
variables over the half period π/ω̄ in which the true phase sweeps all φ: absolute
≲ 2π(γn̄ + 2κ_G)/ω̄ + 2π(|k|/ω̄)(|k|/ω_m).  That stage never wins when γn̄ > 0 (heating only
grows); at γn̄ = κ_G = 0 it ties with stage 1 at the beats t = mπ/(Ω₊ − Ω₋).

Saturated value
---------------
For γn̄, κ_G → 0 the two normal modes, started in the vacuum, are squeezed at θ± = π/2 into
pure squeezed states V± = ½ diag(ω_m/w±, w±/ω_m) with orthogonal squeezing axes; a 50:50
combination of squeezed vacua r₊, r₋ has ν̃₋ = ½e^{−(r₊+r₋)}, here r₊ + r₋ =
½ ln[(ω_m + 2|k|)/(ω_m − 2|k|)], so::

    E_N,sat = atanh(2|k|/ω_m) = 2|k|/ω_m + (8/3)(|k|/ω_m)³ + ...

(:func:`saturated_log_negativity`; 2.8e-11 nats at the paper's table parameters).  It is
reached at t = π/(2ω̄) up to O((k/ω_m)³) because θ₊ − θ₋ = O(k/ω_m) there.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from gravsim.analysis.entanglement import log_base_factor
from gravsim.closed_form.conventional.modes import _HasParams, _Scheme, _scheme
from gravsim.closed_form.conventional.transient import _g
from gravsim.closed_form.ideal import require_ideal
from gravsim.errors import GravsimInputError

__all__ = [
    "TransientMaximum",
    "first_order_maximum",
    "saturated_log_negativity",
    "saturated_log_negativity_from",
    "transient_maximum",
    "transient_maximum_from",
]

# Stage 1 of the maximum search covers this many mechanical periods of the true trajectory.
_STAGE1_PERIODS = 4


def saturated_log_negativity(*, omega_m: float, k_M: float, base: str = "e") -> float:
    """E_N,sat = atanh(2|k|/ω_m): the transient maximum for γn̄, κ_G → 0.

    Parameters
    ----------
    omega_m, k_M : float
        Mechanical frequency and gravitational coupling (rad/s).
    base : {"e", "2"}
        Log base of the result.

    Returns
    -------
    float
        ½ ln[(ω_m + 2|k|)/(ω_m − 2|k|)] ≈ 2|k|/ω_m, in nats or bits.
    """
    s = _scheme(omega_m, k_M, 0.0, 0.0, 0.0)
    return math.atanh(2 * abs(s.k_M) / s.omega_m) / log_base_factor(base)


def _sin_minus_u_cos(u: float) -> float:
    """sin u − u cos u, by its series for small u (no cancellation)."""
    if u < 0.1:
        # sin u − u cos u = Σ_{n≥1} 2n·term_n, term_n = (−1)^{n+1} u^{2n+1}/(2n+1)!
        term, bracket = u**3 / 6.0, 0.0
        for n in range(1, 12):
            if n > 1:
                term *= -u * u / ((2 * n) * (2 * n + 1))
            bracket += 2 * n * term
        return bracket
    return math.sin(u) - u * math.cos(u)


def first_order_maximum(
    *,
    omega_m: float,
    k_M: float,
    gamma_m: float,
    n_th: float,
    kappa_G: float = 0.0,
    base: str = "e",
) -> float:
    """First-order (in k/ω_m, γ/ω_m) transient maximum of E_N.

    max_t [2(|k|/ω_m) sin ω_m t − 2(γn̄ + 2κ_G)t] = (2|k|/ω_m)[√(1 − x²) − x arccos x] with
    x = (γn̄ + 2κ_G)/|k|, at t = arccos(x)/ω_m; 0 for x ≥ 1.

    Parameters
    ----------
    omega_m, k_M, gamma_m, n_th, kappa_G : float
        As in :func:`~gravsim.closed_form.conventional.transient.covariance` (rates in rad/s).
    base : {"e", "2"}
        Log base of the result.

    Returns
    -------
    float
        The estimate in nats or bits (relative corrections O(k/ω_m, γ/ω_m)).
    """
    s = _scheme(omega_m, k_M, gamma_m, n_th, kappa_G)
    if s.k_M == 0:
        return 0.0
    one_minus_x = (abs(s.k_M) - s.gamma_m * s.n_th - 2 * s.kappa_G) / abs(s.k_M)
    if one_minus_x <= 0:
        return 0.0
    # u = arccos x, and sin u − u cos u by its series for small u (no cancellation).
    u = 2.0 * math.asin(math.sqrt(min(one_minus_x, 2.0) / 2.0))
    val = 2 * abs(s.k_M) / s.omega_m * _sin_minus_u_cos(u)
    return val / log_base_factor(base)


@dataclass(frozen=True)
class TransientMaximum:
    """The largest E_N reached by the conventional scheme's transient from the vacuum.

    Attributes
    ----------
    E_N : float
        max over t of E_N(t), in the unit given by ``base`` (0.0 if never entangled).
    t_max : float
        Time of the maximum (s); 0.0 when E_N = 0 (the supremum is then the initial vacuum).
    phase : float
        Fast phase ω̄ t_max mod π there (rad).
    base : str
        ``"e"`` (nats) or ``"2"`` (bits).
    t_search : float
        The searched span [0, t_search] (s).
    method : str
        How the maximum was found.
    """

    E_N: float
    t_max: float
    phase: float
    base: str
    t_search: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields plus their units."""
        d = asdict(self)
        d["units"] = {
            "E_N": "nats" if self.base == "e" else "bits",
            "t_max": "s",
            "phase": "rad",
            "t_search": "s",
        }
        return d


def _default_t_end(s: _Scheme) -> float:
    """Search span (s): 3 slow beats π/|Ω₊ − Ω₋| (≈ π/2|k|), capped by heating.

    Cap: 10× the time after which the heating alone (thermal n̄(1 − e^{−γt}) or KTM
    2κ_G I₀(t)) exceeds 4|k|/ω_m, twice the largest coherent amplitude; beyond it ν̃₋ > ½.
    Also capped at 50/γ (thermalised).
    """
    periods = _STAGE1_PERIODS * 2 * math.pi / s.omega_bar
    beat = math.pi / abs(s.d_omega) if s.d_omega else math.inf
    amp = 4 * abs(s.k_M) / s.omega_m
    caps = [3 * beat]
    g = s.gamma_m
    if s.n_th > 0 and g > 0 and amp < s.n_th:
        caps.append(10 * (-math.log1p(-amp / s.n_th) / g))
    if s.kappa_G > 0:
        y = amp / (2 * s.kappa_G)  # I₀(t) reaching y
        if g == 0:
            caps.append(10 * y)
        elif g * y < 1:
            caps.append(10 * (-math.log1p(-g * y) / g))
    if g > 0:
        caps.append(50 / g)
    t_end = min(caps)
    if not math.isfinite(t_end):  # k = 0 and nothing else: nothing happens
        t_end = periods
    return t_end


def _refine_1d(fun: Any, lo: float, hi: float) -> tuple[float, float]:
    """Maximise ``fun`` on [lo, hi] (bounded Brent); returns (x, f(x))."""
    res = minimize_scalar(
        lambda x: -fun(x), bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
    )
    return float(res.x), float(-res.fun)


def _stage1_true_time(s: _Scheme, t0: float) -> tuple[float, float]:
    """Stage 1: (t, unclipped E_N in nats) of the best maximum of the true trajectory on (0, t0].

    Linear grid (64 points per period) plus a log grid down to ω̄t = 1e-10 (near the threshold
    the maximum moves to t → 0), then bounded Brent in ln t around the three best local maxima.
    """
    wb = s.omega_bar
    period = 2 * math.pi / wb
    grid = np.concatenate(
        [
            np.linspace(0.0, t0, int(64 * t0 / period) + 2)[1:],
            np.logspace(-10, 0, 61) / wb,
        ]
    )
    grid = np.unique(grid[grid <= t0])
    vals = _g(s, grid)
    best_t, best_g = float(grid[np.argmax(vals)]), float(np.max(vals))
    interior = np.r_[True, vals[1:] >= vals[:-1]] & np.r_[vals[:-1] >= vals[1:], True]
    cand = np.nonzero(interior)[0]
    cand = cand[np.argsort(vals[cand])[::-1][:3]]
    for i in cand:
        lo = grid[i - 1] if i > 0 else grid[0] * 1e-3
        hi = grid[i + 1] if i + 1 < grid.size else grid[i]
        if hi <= lo:
            continue
        x, gx = _refine_1d(lambda u: float(_g(s, math.exp(u))), math.log(lo), math.log(hi))
        if gx > best_g:
            best_t, best_g = math.exp(x), gx
    return best_t, best_g


def _refine_decoupled(s: _Scheme, ts: np.ndarray, i: int, ph: float) -> tuple[float, float, float]:
    """Coordinate-wise bounded Brent of F(φ, t) around (``ph``, ``ts[i]``) → (ln t, φ, F)."""
    lt = math.log(ts[i])
    lt_lo = math.log(ts[max(i - 1, 0)])
    lt_hi = math.log(ts[min(i + 1, ts.size - 1)])
    dph = math.pi / 48
    for _ in range(4):
        ph, g2a = _refine_1d(lambda p, lt=lt: float(_g(s, math.exp(lt), p)), ph - dph, ph + dph)
        if lt_hi > lt_lo:
            lt, g2b = _refine_1d(lambda u, ph=ph: float(_g(s, math.exp(u), ph)), lt_lo, lt_hi)
            g2 = max(g2a, g2b)
        else:
            g2 = g2a
    return lt, ph, g2


def _stage2_decoupled(
    s: _Scheme, t0: float, t_end: float, best_g: float
) -> tuple[float, float, float] | None:
    """Stage 2: max_φ F(φ, t) for slow times in [t0, t_end]; (F, t, φ) if it beats ``best_g``.

    Log grid of slow times (plus the beats m·π/|Ω₊ − Ω₋|) × 48 fast phases, refined when it
    could compete; None when stage 1's ``best_g`` (nats, unclipped) stands.
    """
    ts = np.logspace(math.log10(t0), math.log10(t_end), 97)
    if s.d_omega:  # add the beats m·π/|Ω₊ − Ω₋|, where the coherent amplitude peaks
        beats = np.pi / abs(s.d_omega) * np.arange(1, 8)
        ts = np.unique(np.concatenate([ts, beats[(beats > t0) & (beats < t_end)]]))
    phis = np.linspace(0.0, math.pi, 48, endpoint=False)
    tt, pp = np.meshgrid(ts, phis, indexing="ij")
    v2 = _g(s, tt, pp)
    env = np.max(v2, axis=1)
    g2 = float(np.max(env))
    # earliest slow time within 1e-12 of the best (ties: the later revivals at γn̄ = 0)
    i = int(np.nonzero(env >= g2 - 1e-12 * abs(g2))[0][0])
    j = int(np.argmax(v2[i]))
    g2 = float(v2[i, j])
    tol = 1e-9 * abs(best_g)
    if g2 > best_g - 1e-6 * abs(best_g) - 1e-300:
        lt, ph, g2 = _refine_decoupled(s, ts, i, float(phis[j]))
        if g2 > best_g + tol:
            return g2, math.exp(lt), ph % math.pi
    return None


def _checked_t_end(s: _Scheme, t_end: float | None) -> float:
    """The search span (s): the default of :func:`_default_t_end`, or ``t_end`` validated."""
    if t_end is None:
        return _default_t_end(s)
    t_end = float(t_end)
    if not (t_end > 0 and math.isfinite(t_end)):
        raise GravsimInputError(f"t_end={t_end} s must be finite and > 0")
    return t_end


def transient_maximum(
    *,
    omega_m: float,
    k_M: float,
    gamma_m: float,
    n_th: float,
    kappa_G: float,
    base: str = "e",
    t_end: float | None = None,
) -> TransientMaximum:
    """Maximum over time of E_N(t) for the conventional scheme started in the vacuum.

    Stage 1 (exact): the true trajectory on (0, min(4 mechanical periods, t_end)], on a
    linear grid (64 points per period) plus a log grid down to ω̄t = 1e-10 (near the
    threshold the maximum moves to t → 0), then bounded Brent refinement in ln t of the
    three best local maxima.  Stage 2 (later times, up to t_end): the decoupled
    description max_φ F(φ, t) on a log grid of slow times × 48 fast phases, refined by
    coordinate-wise bounded Brent when it could compete; it equals the true envelope to
    within the change of the slow variables over one period.  The maximum is at the first
    quarter period (stage 1) whenever γn̄ > 0 (module notes); stage 2 only confirms that no
    later time does better.

    Parameters
    ----------
    omega_m, k_M, gamma_m, n_th, kappa_G : float
        As in :func:`~gravsim.closed_form.conventional.transient.covariance` (rates in rad/s).
    base : {"e", "2"}
        Log base of E_N.
    t_end : float or None
        Search span (s).  Default: 3 slow beats π/|Ω₊ − Ω₋| ≈ 3π/(2|k|), capped at 10× the
        time after which heating alone exceeds twice the largest possible coherent
        correlation (ν̃₋ > ½ for sure afterwards) and at 50/γ.

    Returns
    -------
    TransientMaximum
        E_N = 0.0 exactly when the state never becomes entangled.
    """
    factor = log_base_factor(base)
    s = _scheme(omega_m, k_M, gamma_m, n_th, kappa_G)
    t_end = _checked_t_end(s, t_end)
    wb = s.omega_bar
    t0 = min(_STAGE1_PERIODS * (2 * math.pi / wb), t_end)
    best_t, best_g = _stage1_true_time(s, t0)
    stage = f"true-time search on (0, {t0:.3g} s]"
    best_phase = None
    if t_end > t0 * (1 + 1e-12):
        later = _stage2_decoupled(s, t0, t_end, best_g)
        if later is not None:
            best_g, best_t, best_phase = later
            stage = f"decoupled (fast phase, slow time) search on [{t0:.3g} s, {t_end:.3g} s]"
    method = (
        "exact normal-mode Gaussian propagator from the vacuum; stage 1 true-time grid + "
        "bounded Brent on (0, 4 periods], stage 2 max over fast phase on a log grid of slow "
        f"times up to t_search; maximum from the {stage}"
    )
    if best_g <= 0:
        return TransientMaximum(0.0, 0.0, 0.0, base, float(t_end), method)
    if best_phase is None:
        best_phase = (wb * best_t) % math.pi
    return TransientMaximum(
        float(best_g / factor), float(best_t), float(best_phase), base, float(t_end), method
    )


# --------------------------------------------------------------------------------------------
# Wrappers taking a parameter object with attributes omega_m, k_M, gamma_m, n_th, kappa_G
# --------------------------------------------------------------------------------------------


def transient_maximum_from(
    p: _HasParams,
    *,
    kappa_G: float | None = None,
    base: str = "e",
    t_end: float | None = None,
) -> TransientMaximum:
    """:func:`transient_maximum` with the parameters read from ``p``'s attributes.

    Parameters
    ----------
    p : Parameters-like
        Scalar ``omega_m``, ``k_M``, ``gamma_m``, ``kappa_G`` (rad/s) and ``n_th``.
    kappa_G : float or None
        KTM decoherence rate (rad/s) overriding ``p.kappa_G``: pass 0.0 for quantum gravity.
        None: ``p.kappa_G`` (classical, KTM gravity).
    base, t_end
        As in :func:`transient_maximum`.

    Returns
    -------
    TransientMaximum
    """
    require_ideal(p)
    return transient_maximum(
        omega_m=p.omega_m,
        k_M=p.k_M,
        gamma_m=p.gamma_m,
        n_th=p.n_th,
        kappa_G=p.kappa_G if kappa_G is None else kappa_G,
        base=base,
        t_end=t_end,
    )


def saturated_log_negativity_from(p: _HasParams, base: str = "e") -> float:
    """:func:`saturated_log_negativity` with ``omega_m``, ``k_M`` (rad/s) read from ``p``."""
    require_ideal(p)
    return saturated_log_negativity(omega_m=p.omega_m, k_M=p.k_M, base=base)
