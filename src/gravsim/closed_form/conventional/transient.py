r"""The conventional scheme's exact transient from the vacuum: propagator, V(t) and E_N(t).

Symbols and units as in :mod:`gravsim.closed_form.conventional` (ħ = 1; rates in rad/s;
A± = [[−γ/2, ω_m], [−w±, −γ/2]], w± = ω_m ± 2k, d_th = γ(2n̄+1)/2); the fast phase and the
``phase`` argument are described in :mod:`gravsim.closed_form.conventional.modes`.

Closed form
-----------
With Ω± = √(ω_m w±), θ± = Ω± t, s = sin θ, c = cos θ, B± = A± + γ/2 I:
e^{A± t} = e^{−γt/2} R±, R± = c I + (s/Ω±) B±.  Since B Bᵀ/Ω² = diag(ω_m/w, w/ω_m) and
B + Bᵀ = ∓2k X (X the Pauli-x matrix), the deviation from the vacuum is written *directly*,
never as a difference of numbers near ½::

    V± − ½I = n̄ (1 − e^{−γt}) I                                   (heating, via expm1)
              + ½ e^{−γt} [s² diag(∓2k/w±, ±2k/ω_m) ∓ (2k sc/Ω±) X]  (coherent part)
              + d_th [J_ss diag(∓2k/w±, ±2k/ω_m) ∓ (2k/Ω±) J_sc X]   (squeezed noise)
              + 4κ_G [[J_ss ω_m/w±, J_sc ω_m/Ω±], [J_sc ω_m/Ω±, I₀ − J_ss]]  (KTM)

with I₀ = ∫₀ᵗ e^{−γs} ds = −expm1(−γt)/γ, J_ss = ∫₀ᵗ e^{−γs} sin²(Ω s) ds and
J_sc = ∫₀ᵗ e^{−γs} sin(Ω s) cos(Ω s) ds, i.e. J_ss = ½(I₀ − Re C), J_sc = ½ Im C,
C = [expm1(−γt) e^{2iθ} − 2s² + 2isc] / (−γ + 2iΩ).  For |−γ + 2iΩ| t ≤ 1 (where the
closed form would cancel) J_ss and J_sc come from their Taylor series instead.  At t = ∞
(γ > 0) the same formulas give the steady state.  E_N is then obtained from
U = 2V = I + M (M = 2ΔV after p_b → −p_b) as ν̃₋² − ¼ = ¼ f with
σ = tr M_a + det M_a + tr M_b + det M_b + 2 det M_c, q = σ − (det U − 1)
= 2 det M_c − (cross 2×2 principal minors) − e₃(M) − e₄(M) (no first-order cancellation),
f = −2q / (σ + √(σ² + 4q)) (σ > 0) or (σ − √(σ² + 4q))/2 (σ ≤ 0), and
E_N = max(0, −½ log1p(f)).

Steady state
------------
For γ ≪ ω_m, V±(∞) ≈ (n̄ + ½) diag(1 ∓ k/ω_m, 1 ± k/ω_m), so ν̃₋(∞) ≈ (n̄ + ½)(1 − |k|/ω_m)
(measured: relative −1.40e-11 at the paper's parameters): the steady state is never
entangled unless n̄ ≲ |k|/2ω_m.  Only the transient can be.

Accuracy
--------
Every quantity that is close to ½ is formed as its (small) deviation, so E_N ~ 1e-11 keeps
~15 significant digits: against mpmath (40–80 digits) at the paper's scale the relative error
of E_N is ≲ 3e-16 at ω_m t ~ 10³–10⁴ (mpmath expm of A·t) and ~1e-16 at ω_m t ~ 3e10 (mpmath
expm, exact phase).  Near the threshold, E_N ∝ (1 − x)^{3/2} has relative error
~2e-16/(1 − x) (the sign stays right down to 1 − x ~ 1e-14).  Against a dense float64
expm/Van Loan propagator at moderate parameters V agrees to ~1e-13 (the reference's own
error).  Assumes the underdamped regime γ ≪ ω_m (the closed form's cancellation grows like
(γ/ω_m)² otherwise) and needs 2|k| < ω_m.  Rates are scalars (floats); ``t`` and ``phase``
of :func:`log_negativity_transient` broadcast.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from gravsim.analysis.entanglement import log_base_factor
from gravsim.closed_form._keywords import keyword_only
from gravsim.closed_form.conventional.modes import _angles, _check_time, _Scheme, _scheme
from gravsim.errors import GravsimInputError

__all__ = ["covariance", "covariance_deviation", "log_negativity_transient"]

# Number of Taylor terms for J_ss, J_sc when |−γ + 2iΩ| t ≤ 1 (error < 1/27! ~ 1e-28).
_SERIES_TERMS = 26


# ------------------------------------------------------------------------- the integrals
def _j_series(gamma: float, Om: float, tt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Taylor series of J_ss and J_sc (seconds) at times ``tt`` with |−γ + 2iΩ| t ≤ 1."""
    u = -gamma * tt
    v = 2 * Om * tt
    z = u + 1j * v
    s_n = np.ones_like(z)  # Ŝ₁ = 1;  Ŝ_n = z Ŝ_{n−1} + u^{n−1}
    u_pow = np.ones_like(u)
    acc_ss = np.zeros_like(u)
    acc_sc = np.zeros_like(u)
    fact = 1.0
    for n in range(1, _SERIES_TERMS + 1):
        if n > 1:
            u_pow = u_pow * u
            s_n = z * s_n + u_pow
        fact *= n + 1
        acc_ss += s_n.imag / fact
        acc_sc += s_n.real / fact
    return 0.5 * tt * v * acc_ss, 0.5 * tt * v * acc_sc


def _j_integrals(
    gamma: float,
    Om: float,
    theta: np.ndarray,
    t: np.ndarray,
    em1: np.ndarray,
    i0: np.ndarray,
    series: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """J_ss = ∫₀ᵗ e^{−γs} sin²(Ωs) ds and J_sc = ∫₀ᵗ e^{−γs} sin(Ωs)cos(Ωs) ds (seconds).

    Closed form with the angle θ (= Ωt, or φ + ψ in the decoupled description); Taylor series
    in t where ``series`` and |−γ + 2iΩ| t ≤ 1.
    """
    sn, cs = np.sin(theta), np.cos(theta)
    s2, sc = sn * sn, sn * cs
    e2 = np.cos(2 * theta) + 1j * np.sin(2 * theta)
    num = em1 * e2 + (-2 * s2 + 2j * sc)
    b = complex(-gamma, 2 * Om)
    with np.errstate(invalid="ignore", over="ignore"):
        c = num / b
        jss = 0.5 * (i0 - c.real)
        jsc = 0.5 * c.imag
    use = series & (abs(b) * np.where(np.isfinite(t), t, np.inf) <= 1.0)
    if np.any(use):
        jss = jss.copy()
        jsc = jsc.copy()
        jss[use], jsc[use] = _j_series(gamma, Om, t[use])
    return jss, jsc


# ------------------------------------------------------------------- covariance deviation
def _deviation_parts(
    s: _Scheme, t: np.ndarray, phase: np.ndarray | None
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """(heat, [(xx, xp, pp) of mode +, of mode −]): V± − ½I = heat·I + anisotropic part."""
    if np.any(np.isinf(t)) and s.gamma_m == 0:
        raise GravsimInputError("t=inf needs gamma_m > 0: without damping there is no steady state")
    th_p, th_m, series = _angles(s, t, phase)
    g = s.gamma_m
    with np.errstate(invalid="ignore"):
        em1 = np.expm1(-g * t) if g > 0 else np.zeros_like(t)
    eg = 1.0 + em1
    i0 = -em1 / g if g > 0 else t.copy()
    heat = -s.n_th * em1
    d_th = g * (s.n_th + 0.5)
    d_k = 4.0 * s.kappa_G
    wm = s.omega_m
    parts = []
    for sign, theta in ((1, th_p), (-1, th_m)):
        j = 0 if sign == 1 else 1
        w, om = s.w[j], s.Omega[j]
        d = sign * 2.0 * s.k_M
        sn, cs = np.sin(theta), np.cos(theta)
        s2, sc = sn * sn, sn * cs
        jss, jsc = _j_integrals(g, om, theta, t, em1, i0, series)
        coh = 0.5 * eg
        xx = -(d / w) * (coh * s2 + d_th * jss)
        pp = (d / wm) * (coh * s2 + d_th * jss)
        xp = -(d / om) * (coh * sc + d_th * jsc)
        if d_k:
            xx = xx + d_k * (wm / w) * jss
            xp = xp + d_k * (wm / om) * jsc
            pp = pp + d_k * (i0 - jss)
        parts.append((xx, xp, pp))
    return heat, parts


def _assemble(
    heat: np.ndarray, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    """ΔV = V − ½I in (x_a, p_a, x_b, p_b), shape (..., 4, 4)."""
    (pxx, pxp, ppp), (mxx, mxp, mpp) = parts
    axx, axp, app = heat + 0.5 * (pxx + mxx), 0.5 * (pxp + mxp), heat + 0.5 * (ppp + mpp)
    cxx, cxp, cpp = 0.5 * (pxx - mxx), 0.5 * (pxp - mxp), 0.5 * (ppp - mpp)
    out = np.zeros(np.shape(heat) + (4, 4))
    blk_a = np.stack([np.stack([axx, axp], -1), np.stack([axp, app], -1)], -2)
    blk_c = np.stack([np.stack([cxx, cxp], -1), np.stack([cxp, cpp], -1)], -2)
    out[..., :2, :2] = blk_a
    out[..., 2:, 2:] = blk_a
    out[..., :2, 2:] = blk_c
    out[..., 2:, :2] = blk_c
    return out


# ------------------------------------------------------------------------ log negativity
def _log_neg_from_deviation(dv: np.ndarray) -> np.ndarray:
    """Unclipped −ln(2ν̃₋) (nats) from ΔV = V − ½I, (..., 4, 4), without forming ½ + ΔV."""
    m = 2.0 * np.asarray(dv, dtype=float)
    m[..., 3, :] *= -1.0  # partial transpose p_b → −p_b (vacuum ½I is invariant)
    m[..., :, 3] *= -1.0

    def det2(a: np.ndarray) -> np.ndarray:
        return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]

    ma, mb, mc = m[..., :2, :2], m[..., 2:, 2:], m[..., :2, 2:]
    tr_a = ma[..., 0, 0] + ma[..., 1, 1]
    tr_b = mb[..., 0, 0] + mb[..., 1, 1]
    det_c = det2(mc)
    sigma = tr_a + det2(ma) + tr_b + det2(mb) + 2.0 * det_c
    cross = np.zeros_like(sigma)
    for i in (0, 1):
        for j in (2, 3):
            cross += m[..., i, i] * m[..., j, j] - m[..., i, j] * m[..., j, i]
    e3 = np.zeros_like(sigma)
    for drop in range(4):
        keep = [i for i in range(4) if i != drop]
        e3 += np.linalg.det(m[..., keep, :][..., :, keep])
    e4 = np.linalg.det(m)
    q = 2.0 * det_c - cross - e3 - e4  # = Σ_U − 2 − (det U − 1), second order in M
    root = np.sqrt(np.maximum(sigma * sigma + 4.0 * q, 0.0))
    den = sigma + root
    with np.errstate(divide="ignore", invalid="ignore"):
        f_pos = np.where(den > 0, -2.0 * q / np.where(den > 0, den, 1.0), 0.0)
    f = np.where(sigma > 0, f_pos, 0.5 * (sigma - root))  # f = 4ν̃₋² − 1
    return -0.5 * np.log1p(f)


def _g(s: _Scheme, t: Any, phase: Any = None) -> np.ndarray:
    """Unclipped E_N (nats) at times ``t`` (true phase) or (``phase``, slow ``t``)."""
    t = np.asarray(t, dtype=float)
    if phase is not None:
        phase = np.asarray(phase, dtype=float)
        t, phase = np.broadcast_arrays(t, phase)
        phase = np.atleast_1d(phase).astype(float)
    shape = t.shape
    heat, parts = _deviation_parts(s, np.atleast_1d(t).astype(float), phase)
    return _log_neg_from_deviation(_assemble(heat, parts)).reshape(shape)


def _deviation(*params: Any) -> np.ndarray:
    """ΔV = V − ½I, shape (4, 4), for the arguments of :func:`covariance` (in its order)."""
    *rates, t, phase = params
    s = _scheme(*rates)
    _check_time(t, phase)
    ta = np.asarray([float(t)])
    ph = None if phase is None else np.asarray([float(phase)])
    heat, parts = _deviation_parts(s, ta, ph)
    return _assemble(heat, parts)[0]


# ------------------------------------------------------------------------------ public API
def covariance(
    *,
    omega_m: float,
    k_M: float,
    gamma_m: float,
    n_th: float,
    kappa_G: float,
    t: float,
    phase: float | None = None,
) -> np.ndarray:
    """Covariance matrix V(t) of the conventional scheme started in the vacuum (ground states).

    Parameters
    ----------
    omega_m : float
        Mechanical frequency ω_m (rad/s).
    k_M : float
        Gravitational coupling k in k(a + a†)(b + b†) (rad/s); |k| < ω_m/2.
    gamma_m : float
        Mechanical damping rate γ (rad/s), >= 0.
    n_th : float
        Thermal occupation n̄ of the baths (dimensionless).
    kappa_G : float
        KTM decoherence rate κ_G (rad/s); 0 for quantum gravity, k at the KTM optimum.
    t : float
        Time since the start in the vacuum (s); ``numpy.inf`` gives the steady state
        (needs gamma_m > 0).  With ``phase`` given, t is the *slow* time.
    phase : float or None
        Fast phase φ (rad, used mod π).  None: the true phase ω̄t mod π of t (reduced in
        extended precision when ω̄t > 1e3, so huge ω_m t are fine).  Given: the decoupled
        description F(φ, t), in which θ± = φ ± (Ω₊ − Ω₋)t/2 and the heating/damping are
        those of time t.

    Returns
    -------
    numpy.ndarray, shape (4, 4)
        V = ½⟨{R, Rᵀ}⟩, R = (x_a, p_a, x_b, p_b), vacuum = ½I (dimensionless).  Entries near
        ½ carry float64 rounding ~1e-17 absolute; use :func:`covariance_deviation` for
        V − ½I itself.
    """
    return 0.5 * np.eye(4) + _deviation(omega_m, k_M, gamma_m, n_th, kappa_G, t, phase)


@keyword_only(inspect.signature(covariance))
def covariance_deviation(*params: Any) -> np.ndarray:
    """ΔV = V(t) − ½I, formed directly (accurate even when ΔV ~ 1e-11).

    Parameters
    ----------
    omega_m, k_M, gamma_m, n_th, kappa_G, t, phase
        Keyword-only, as in :func:`covariance` (rates in rad/s, t in s, phase in rad; same
        conventions).

    Returns
    -------
    numpy.ndarray, shape (4, 4)
        V − ½I in the basis (x_a, p_a, x_b, p_b), vacuum units (dimensionless).
    """
    return _deviation(*params)


def log_negativity_transient(
    *,
    omega_m: float,
    k_M: float,
    gamma_m: float,
    n_th: float,
    kappa_G: float,
    t: Any,
    phase: Any = None,
    base: str = "e",
) -> Any:
    """Logarithmic negativity E_N(t) = max(0, −ln 2ν̃₋) of the transient from the vacuum.

    Parameters
    ----------
    omega_m, k_M, gamma_m, n_th, kappa_G : float
        As in :func:`covariance` (rates in rad/s).
    t : float or array_like
        Time (s), or slow time when ``phase`` is given; broadcasts with ``phase``.
    phase : float, array_like or None
        Fast phase φ (rad); None for the true phase of t.
    base : {"e", "2"}
        Log base: nats (default) or bits.

    Returns
    -------
    float or numpy.ndarray
        E_N in nats (``base="e"``) or bits (``base="2"``); relative accuracy ~1e-15 even at
        E_N ~ 1e-11 (see the module notes).
    """
    factor = log_base_factor(base)
    s = _scheme(omega_m, k_M, gamma_m, n_th, kappa_G)
    _check_time(t, phase)
    g = np.maximum(_g(s, t, phase), 0.0) / factor
    return float(g) if g.ndim == 0 else g
