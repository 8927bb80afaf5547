"""What measurements of the two gravity hypotheses yield: records, information, samples, time.

The hypotheses are the Gaussian steady states ρ₀ (quantum gravity, covariance V₀) and ρ₁
(KTM gravity, V₀ + V₁) of the mechanical modes (see :mod:`gravsim.analysis.distinguishability`
for the conventions and the state-level measures).  Here: the covariances of heterodyne and
homodyne records at efficiency η with added noise, the classical information in those records
(Fisher information, KL divergences, Chernoff exponents), the sample counts that the quantum
and classical bounds imply, the sampling error of an estimate of E_N, and the correlation
times that turn samples into measurement time.

Classical KL divergences and Chernoff exponents of the measured Gaussian records use the
eigenvalues μ of Σ₀^{−1/2} ΔΣ Σ₀^{−1/2} (ΔΣ passed separately) and series in μ, which are
cancellation-free in float64.  Information is in nats, sample counts in samples, times in s.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize

from gravsim.analysis.entanglement import log_negativity
from gravsim.errors import GravsimInputError

# ----------------------------------------------------------------------------- measurements


def heterodyne_covariance(V: Any, efficiency: float = 1.0, added_noise: float = 0.0) -> np.ndarray:
    """Covariance Σ of the raw heterodyne record (x, p per mode, quadrature units, vacuum ½).

    Each mode passes a beam splitter of transmission η (vacuum enters the other port), then an
    ideal heterodyne (projection on coherent states, outcome covariance = state + ½·I), then
    classical noise of ``added_noise`` = n_add quanta per quadrature (a thermal occupation n
    adds n to each quadrature variance):

        Σ = η V + (1 − η/2 + n_add) I.

    The rescaled record y/√η estimates V as Σ/η − (1/η − ½ + n_add/η) I.  At η = 0 Σ no
    longer depends on V, so every information quantity vanishes.  dΣ/dκ_G = η dV/dκ_G.
    """
    v = np.asarray(V, dtype=float)
    return efficiency * v + (1 - efficiency / 2 + added_noise) * np.eye(v.shape[0])


def homodyne_covariance(
    V: Any, angles: Any, efficiency: float = 1.0, added_noise: float = 0.0
) -> np.ndarray:
    """Covariance of homodyne records of x_θ = x cos θ + p sin θ, one angle (rad) per mode.

    Σ = η P V Pᵀ + ((1−η)/2 + n_add) I with P_k = (cos θ_k, sin θ_k) on mode k's block.
    """
    v = np.asarray(V, dtype=float)
    p = _homodyne_projector(angles, v.shape[0])
    m = p.shape[0]
    return efficiency * p @ v @ p.T + ((1 - efficiency) / 2 + added_noise) * np.eye(m)


def _homodyne_projector(angles: Any, dim: int) -> np.ndarray:
    angles = np.atleast_1d(np.asarray(angles, dtype=float))
    if 2 * len(angles) != dim:
        raise GravsimInputError(f"need one homodyne angle per mode ({dim // 2}), got {angles}")
    p = np.zeros((len(angles), dim))
    for k, th in enumerate(angles):
        p[k, 2 * k : 2 * k + 2] = (math.cos(th), math.sin(th))
    return p


def _mu(S0: np.ndarray, dS: np.ndarray) -> np.ndarray:
    chol = np.linalg.cholesky(S0)
    y = scipy.linalg.solve_triangular(chol, dS, lower=True)
    y = scipy.linalg.solve_triangular(chol, y.T, lower=True)
    return np.linalg.eigvalsh(0.5 * (y + y.T))


def _series(mu: np.ndarray, coeff: Any, direct: Any) -> float:
    mu = np.asarray(mu, dtype=float)
    small = np.abs(mu) < 0.05
    out = np.where(small, 0.0, direct(np.where(small, 0.5, mu)))
    k = np.arange(2, 40)
    terms = coeff(k)[None, :] * np.where(small, mu, 0.0)[:, None] ** k[None, :]
    return float(np.sum(out) + np.sum(terms))


def gaussian_kl(S0: Any, S1: Any | None = None, *, delta: Any | None = None) -> float:
    """KL(N(0,Σ₀) ‖ N(0,Σ₁)) in nats, cancellation-free.

    KL = ½[Tr(Σ₁⁻¹Σ₀) − d − ln det(Σ₁⁻¹Σ₀)] = ½ Σ_i [ln(1+μ_i) − μ_i/(1+μ_i)], μ the
    eigenvalues of Σ₀^{−1/2}ΔΣ Σ₀^{−1/2}, ΔΣ = Σ₁ − Σ₀.  For |μ| < 0.05 the bracket is summed
    as the series Σ_{k≥2} (−1)^k (k−1)/k μ^k.  Pass ``delta`` = ΔΣ to avoid forming Σ₁ − Σ₀.
    """
    s0 = np.asarray(S0, dtype=float)
    ds = np.asarray(S1, dtype=float) - s0 if delta is None else np.asarray(delta, dtype=float)
    mu = _mu(s0, ds)
    return 0.5 * _series(
        mu, lambda k: (-1.0) ** k * (k - 1) / k, lambda m: np.log1p(m) - m / (1 + m)
    )


def gaussian_kl_reverse(S0: Any, delta: Any) -> float:
    """KL(N(0,Σ₀+ΔΣ) ‖ N(0,Σ₀)) = ½ Σ_i [μ_i − ln(1+μ_i)], series Σ_{k≥2}(−1)^k μ^k/k."""
    mu = _mu(np.asarray(S0, dtype=float), np.asarray(delta, dtype=float))
    return 0.5 * _series(mu, lambda k: (-1.0) ** k / k, lambda m: m - np.log1p(m))


def gaussian_chernoff(S0: Any, delta: Any) -> tuple[float, float]:
    """Classical Chernoff information −ln min_s ∫p₀^s p₁^{1−s} of N(0,Σ₀), N(0,Σ₀+ΔΣ).

    With Σ₁ = Σ₀^{1/2}(I + M)Σ₀^{1/2}, M having eigenvalues μ_i, and t = 1 − s the weight of p₁,
    ∫p₀^s p₁^t = Π_i (1+μ_i)^{t/2}(1+tμ_i)^{−1/2}, i.e.
    −ln C = ½ Σ_i [ln(1+tμ_i) − t ln(1+μ_i)], summed as the series
    Σ_{k≥2} (−1)^{k+1}(t^k − t)μ^k/k for |μ| < 0.05.  Returns (exponent in nats, s*).
    """
    mu = _mu(np.asarray(S0, dtype=float), np.asarray(delta, dtype=float))

    def exponent(t: float) -> float:
        return 0.5 * _series(
            mu,
            lambda k: (-1.0) ** (k + 1) * (t**k - t) / k,
            lambda m: np.log1p(t * m) - t * np.log1p(m),
        )

    res = scipy.optimize.minimize_scalar(
        lambda t: -exponent(t), bounds=(1e-6, 1 - 1e-6), method="bounded"
    )
    return exponent(res.x), 1 - float(res.x)


def classical_fisher(S: Any, dS: Any) -> float:
    """Fisher information of N(0, Σ(θ)) for θ: I = ½ Tr[(Σ⁻¹ dΣ)²] (per sample)."""
    s = np.asarray(S, dtype=float)
    m = np.linalg.solve(s, np.asarray(dS, dtype=float))
    return float(0.5 * np.trace(m @ m))


def measurement_information(
    V0: Any,
    dV: Any,
    kappa_G: float,
    *,
    kind: str = "heterodyne",
    angles: Any = None,
    efficiency: float = 1.0,
    added_noise: float = 0.0,
    error_probability: float = 0.01,
) -> dict[str, float]:
    """Information in heterodyne or homodyne records for telling V₀ from V₀ + κ_G dV.

    Parameters
    ----------
    V0, dV : array_like
        Quantum-gravity covariance and dV/dκ_G ((rad/s)⁻¹), 4×4 mechanical blocks.
    kappa_G : float
        κ_G (rad/s).
    kind : {"heterodyne", "homodyne"}
    angles : sequence of float, optional
        Homodyne quadrature angles θ_k (rad), one per mode (homodyne only).
    efficiency, added_noise : float
        η and n_add (quanta), see :func:`heterodyne_covariance`.

    Returns
    -------
    dict
        ``fisher`` ((rad/s)⁻² per sample), ``kl_qc``, ``kl_cq``, ``chernoff_exponent`` (nats),
        ``samples_chernoff``, ``samples_stein`` (samples).
    """
    v0 = np.asarray(V0, dtype=float)
    dv = np.asarray(dV, dtype=float)
    if kind == "heterodyne":
        s0 = heterodyne_covariance(v0, efficiency, added_noise)
        ds = efficiency * dv
    elif kind == "homodyne":
        proj = _homodyne_projector(angles, v0.shape[0])
        s0 = homodyne_covariance(v0, angles, efficiency, added_noise)
        ds = efficiency * proj @ dv @ proj.T
    else:
        raise GravsimInputError(f"unknown measurement {kind!r}: heterodyne or homodyne")
    kl_qc = gaussian_kl(s0, delta=kappa_G * ds)
    xi, _ = gaussian_chernoff(s0, kappa_G * ds)
    return {
        "fisher": classical_fisher(s0, ds),
        "kl_qc": kl_qc,
        "kl_cq": gaussian_kl_reverse(s0, kappa_G * ds),
        "chernoff_exponent": xi,
        "samples_chernoff": samples_chernoff(xi, error_probability) if xi > 0 else math.inf,
        "samples_stein": samples_stein(kl_qc, error_probability) if kl_qc > 0 else math.inf,
    }


# ----------------------------------------------------------------------------- sample counts


def samples_chernoff(exponent: float, error_probability: float = 0.01) -> float:
    """N = ln(1/(2p)) / ξ: the Chernoff bound P_err ≤ ½ Q^N (equal priors, Audenaert et al.
    2007; classical analogue for measured records) guarantees error ≤ p; asymptotically tight.
    """
    return math.log(1 / (2 * error_probability)) / exponent if exponent > 0 else math.inf


def samples_stein(divergence: float, error_probability: float = 0.01) -> float:
    """N ≈ ln(1/p) / S: Stein's lemma, type-II error ~ e^{−N S} at fixed small type-I error."""
    return math.log(1 / error_probability) / divergence if divergence > 0 else math.inf


def samples_fidelity(one_minus_f: float, error_probability: float = 0.01) -> tuple[float, float]:
    """(necessary, sufficient) N from the Fuchs–van de Graaf bounds, F squared, F_N = F^N.

    1 − √F_N ≤ D_N ≤ √(1 − F_N) and P_err = ½(1 − D_N) give
    necessary: F^N ≤ 4p(1−p) ⇒ N ≥ ln(1/(4p(1−p))) / (−ln F);
    sufficient: ½F^{N/2} ≤ p ⇒ N = 2 ln(1/(2p)) / (−ln F).
    Where F underflows to 0 (1 − F = 1: states far apart) one sample is both.
    """
    p = error_probability
    if one_minus_f >= 1:  # F = 0 to float64: orthogonal states, one sample tells them apart
        return 1.0, 1.0
    mlnf = -math.log1p(-one_minus_f)
    if not mlnf > 0:  # identical states: no number of samples tells them apart
        return math.inf, math.inf
    return math.log(1 / (4 * p * (1 - p))) / mlnf, 2 * math.log(1 / (2 * p)) / mlnf


def log_negativity_gradient(V: Any, step: float = 1e-6) -> np.ndarray:
    """∂E_N/∂V (nats) as a symmetric matrix g with dE_N = Σ_ij g_ij dV_ij (central differences)."""
    v = np.asarray(V, dtype=float)
    n = v.shape[0]
    g = np.zeros((n, n))
    for i in range(n):
        for k in range(i, n):
            e = np.zeros((n, n))
            e[i, k] = e[k, i] = step
            diff = log_negativity(v + e) - log_negativity(v - e)
            g[i, k] = g[k, i] = diff / (2 * step) / (1 if i == k else 2)
    return g


def entanglement_estimator_std(V: Any, efficiency: float = 1.0, added_noise: float = 0.0) -> float:
    """Single-sample std σ₁ (nats) of Ê_N = E_N(V̂) from heterodyne records.

    V̂ = Ŝ/η − (1/η − ½ + n_add/η) I with Ŝ = N⁻¹Σ y yᵀ (zero mean known).  Wishart:
    Cov(Ŝ_ij, Ŝ_kl) = (Σ_ikΣ_jl + Σ_ilΣ_jk)/N, so to first order (delta method)
    Var Ê_N = 2 Tr(gΣgΣ)/(η² N) = σ₁²/N, g = ∂E_N/∂V.
    """
    sigma = heterodyne_covariance(V, efficiency, added_noise)
    g = log_negativity_gradient(V)
    return math.sqrt(2 * np.trace(g @ sigma @ g @ sigma)) / efficiency


# ----------------------------------------------------------------------------- time


def correlation_times(a: np.ndarray, v: np.ndarray, indices: list[int]) -> tuple[float, float]:
    """(τ_relax, τ_int) in s.

    τ_relax = 1/min|Re λ(A)|.  τ_int = max_i ∫₀^∞ ρ_i(τ)² dτ over the measured quadratures i,
    ρ_i(τ) = [e^{Aτ}V]_ii / V_ii the stationary autocorrelation (C(τ) = e^{Aτ}V): for a
    Gaussian record the estimator of a second moment decorrelates as ρ² (Isserlis), and
    Var(T⁻¹∫y²dt) = Var(y²)·2τ_int/T, so samples taken 2τ_int apart count as independent.
    The integral is uᵀXu with AX + XAᵀ = −wwᵀ, w = Ve_i, u = e_i.
    """
    lam = np.linalg.eigvals(a)
    tau_relax = 1.0 / np.min(np.abs(lam.real))
    taus = []
    for i in indices:
        w = v[:, i : i + 1]
        x = scipy.linalg.solve_continuous_lyapunov(a, -w @ w.T)
        taus.append(x[i, i] / v[i, i] ** 2)
    return float(tau_relax), float(max(taus))
