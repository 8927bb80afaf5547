"""How many samples, and how much time, tell quantum from classical (KTM) gravity.

The two hypotheses are the Gaussian steady states of the mechanical modes: ρ₀ (quantum
gravity, covariance V₀) and ρ₁ (KTM gravity, covariance V₀ + V₁).  Both have zero means.
V₁ is exactly linear in κ_G (KTM adds diffusion only), so dV/dκ_G = V₁/κ_G.

Conventions
-----------
Quadratures x = (a+a†)/√2, p = −i(a−a†)/√2 ordered (x_a, p_a, x_b, p_b); covariance
V_ij = ½⟨{ΔR_i, ΔR_j}⟩, vacuum ½·I; J = ⊕ [[0, 1], [−1, 0]].  A Gaussian state is written
ρ = exp(−½ RᵀGR)/Z; its Gibbs matrix is G = 2 iJ arccoth(2 V iJ) (symplectic eigenvalue ν ↦
β = 2 arccoth 2ν), and Z = Π_k (ν_k² − ¼)^{1/2}.  Matrix functions of V iJ are evaluated
through the Hermitian matrix H = V^{1/2} iJ V^{1/2} (eigenvalues ±ν_k):
f(V iJ) = V^{1/2} f(H) V^{−1/2}.

Fidelity: **F = (Tr|√ρ√σ|)²** (Uhlmann–Jozsa, squared).  QuTiP's ``qutip.fidelity`` returns
√F = Tr|√ρ√σ|.  Relative entropies and exponents are in nats.

Exact versus second-order routes
--------------------------------
At the paper point V₁/V₀ ~ 1e-8, so S(ρ‖σ), 1 − F and −ln Q are ~1e-16 to 1e-17: every
exact closed formula is a difference of O(1) terms.  The *exact* functions here
(:func:`relative_entropy`, :func:`fidelity`, :func:`chernoff`) therefore run in mpmath at
``dps`` decimal digits (default 50) and accept mpmath matrices, so that V₀ + V₁ can be formed
without rounding V₁ into V₀.  The *metric* functions (:func:`kubo_mori_metric`,
:func:`qfi_sld`, :func:`classical_fisher`) work in float64 from V and dV alone: they are
quadratic forms in dV, so nothing cancels and their relative accuracy is ~1e-14 however
small κ_G is.  Classical KL divergences and Chernoff exponents of the measured Gaussian
records use the eigenvalues μ of Σ₀^{−1/2} ΔΣ Σ₀^{−1/2} (ΔΣ passed separately) and series in μ,
which are cancellation-free in float64.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import mpmath as mp
import numpy as np
import scipy.linalg
import scipy.optimize

from gravsim.analysis.entanglement import delta_log_negativity, log_base_factor, log_negativity
from gravsim.errors import GravsimInputError, NumericalError
from gravsim.model.quadratures import symplectic_form

# ----------------------------------------------------------------------------- helpers


def _as_mp(v: Any) -> mp.matrix:
    if isinstance(v, mp.matrix):
        return v
    arr = np.asarray(v, dtype=float)
    return mp.matrix([[mp.mpf(float(x)) for x in row] for row in arr])


def _mp_ij(n: int) -> mp.matrix:
    j = symplectic_form(n // 2)
    return mp.matrix([[mp.mpc(0, x) for x in row] for row in j])


@dataclass
class _MpGaussian:
    """Spectral data of a covariance in mpmath: V^{±1/2}, H = V^{1/2} iJ V^{1/2} = U h U†."""

    v: mp.matrix
    vh: mp.matrix
    vhi: mp.matrix
    u: mp.matrix
    h: list

    @property
    def nu(self) -> list:
        """Symplectic eigenvalues (the positive eigenvalues of H)."""
        return sorted([x for x in self.h if x > 0])

    def func(self, f: Any) -> mp.matrix:
        """f(V iJ) for an odd scalar function f (complex matrix)."""
        d = mp.diag([f(x) for x in self.h])
        return self.vh * self.u * d * self.u.transpose_conj() * self.vhi

    def reduced(self, f: Any) -> mp.matrix:
        """Real symmetric S f̃(D) Sᵀ for V = S D Sᵀ, from the odd extension f of f̃."""
        n = self.v.rows
        m = self.func(f) * _mp_ij(n)
        return mp.matrix([[mp.re(m[i, k]) for k in range(n)] for i in range(n)])


def _mp_gaussian(v: Any) -> _MpGaussian:
    v = _as_mp(v)
    n = v.rows
    e, q = mp.eigsy(v)
    vh = q * mp.diag([mp.sqrt(x) for x in e]) * q.T
    vhi = q * mp.diag([1 / mp.sqrt(x) for x in e]) * q.T
    hm = vh * _mp_ij(n) * vh
    hm = (hm + hm.transpose_conj()) / 2
    h, u = mp.eighe(hm)
    if min(abs(x) for x in h) <= mp.mpf(1) / 2:
        raise GravsimInputError("covariance violates the uncertainty principle or is pure")
    return _MpGaussian(v, vh, vhi, u, [mp.re(x) for x in h])


def _g_entropy(nu: Any) -> Any:
    return (nu + 0.5) * mp.log(nu + 0.5) - (nu - 0.5) * mp.log(nu - 0.5)


# ----------------------------------------------------------------------------- exact (mpmath)


def relative_entropy(V_rho: Any, V_sigma: Any, *, dps: int = 50) -> float:
    """Quantum relative entropy S(ρ‖σ) = Tr ρ(ln ρ − ln σ) of zero-mean Gaussian states (nats).

    Exact closed form, evaluated in mpmath at ``dps`` digits (inputs may be mpmath matrices):
    with ln σ = −½ RᵀG_σR − ln Z_σ,

        S(ρ‖σ) = −Σ_k g(ν_k^ρ) + ½ Tr(G_σ V_ρ) + ½ Σ_k ln((ν_k^σ)² − ¼),

    g(ν) = (ν+½)ln(ν+½) − (ν−½)ln(ν−½) the von Neumann entropy of a thermal mode.
    At second order in a shift ε·dV it equals ½ g_KM(dV, dV) ε² (:func:`kubo_mori_metric`).
    """
    with mp.workdps(dps):
        r = _mp_gaussian(V_rho)
        s = _mp_gaussian(V_sigma)
        n = r.v.rows
        g_sigma = 2 * _mp_ij(n) * s.func(lambda x: mp.atanh(1 / (2 * x)))
        tr = mp.re(sum((g_sigma * r.v)[i, i] for i in range(n)))
        out = -sum(_g_entropy(x) for x in r.nu) + tr / 2
        out += sum(mp.log(x**2 - mp.mpf(1) / 4) for x in s.nu) / 2
        return float(out)


def fidelity(V1: Any, V2: Any, *, dps: int = 50) -> float:
    """Uhlmann fidelity F = (Tr|√ρ₁√ρ₂|)² of zero-mean Gaussian states (squared convention).

    Banchi, Braunstein & Pirandola, PRL 115, 260501 (2015), zero means, vacuum ½·I:
    V_aux = Jᵀ(V₁+V₂)⁻¹(J/4 + V₂JV₁) and

        F_tot⁴ = det[2(√(I + (V_aux J)⁻²/4) + I) V_aux] / det(V₁+V₂),

    where F_tot = Tr|√ρ₁√ρ₂| = √F (checked against single-mode thermal states and QuTiP in the
    tests).  Evaluated in mpmath at ``dps`` digits; 1 − F needs this at the paper point.
    """
    return float(_fidelity_mp(V1, V2, dps) ** 2)


def one_minus_fidelity(V1: Any, V2: Any, *, dps: int = 50) -> float:
    """1 − F (F squared convention), from the mpmath evaluation (no float64 cancellation)."""
    with mp.workdps(dps):
        return float(1 - _fidelity_mp(V1, V2, dps) ** 2)


def _fidelity_mp(V1: Any, V2: Any, dps: int) -> Any:
    with mp.workdps(dps):
        v1, v2 = _as_mp(V1), _as_mp(V2)
        n = v1.rows
        j = _as_mp(symplectic_form(n // 2))
        ssum = v1 + v2
        vaux = j.T * mp.inverse(ssum) * (j / 4 + v2 * j * v1)
        m = mp.inverse(vaux * j)
        inner = mp.eye(n) + m * m / 4
        root = mp.sqrtm(inner)
        num = mp.det(2 * (root + mp.eye(n)) * vaux)
        return mp.re(num / mp.det(ssum)) ** (mp.mpf(1) / 4)


def chernoff_coefficient(V1: Any, V2: Any, s: float, *, dps: int = 50) -> float:
    """Q_s = Tr ρ₁^s ρ₂^{1−s} of zero-mean Gaussian states (Pirandola & Lloyd, PRA 78, 012331).

    ρ^s = [Π_k 1/((ν_k+½)^s − (ν_k−½)^s)] ρ(s), with ρ(s) the normalised Gaussian state of
    covariance V(s) = S diag(ν_k(s)) Sᵀ, ν(s) = ½[(ν+½)^s + (ν−½)^s]/[(ν+½)^s − (ν−½)^s];
    and Tr ρ(s)σ(1−s) = det(V₁(s) + V₂(1−s))^{−1/2}.
    """
    with mp.workdps(dps):
        return float(_chernoff_qs(_mp_gaussian(V1), _mp_gaussian(V2), mp.mpf(s)))


def _chernoff_qs(r: _MpGaussian, t: _MpGaussian, s: Any) -> Any:
    def pref(nu: Any, x: Any) -> Any:
        return (nu + 0.5) ** x - (nu - 0.5) ** x

    def nu_s(x: Any) -> Any:
        def f(h: Any) -> Any:
            a = abs(h)
            return mp.sign(h) * ((a + 0.5) ** x + (a - 0.5) ** x) / (2 * pref(a, x))

        return f

    out = mp.mpf(1)
    for nu in r.nu:
        out /= pref(nu, s)
    for nu in t.nu:
        out /= pref(nu, 1 - s)
    return out / mp.sqrt(mp.det(r.reduced(nu_s(s)) + t.reduced(nu_s(1 - s))))


def chernoff(V1: Any, V2: Any, *, dps: int = 50, tol: float = 1e-7) -> tuple[float, float]:
    """Quantum Chernoff exponent ξ = −ln Q, Q = min_{0<s<1} Tr ρ₁^s ρ₂^{1−s}, and the optimal s.

    The minimum is found by golden-section search on (0, 1) in mpmath (``dps`` digits; the
    exponent is ~1e-17 at the paper point).  Returns (ξ in nats, s*).
    """
    with mp.workdps(dps):
        r, t = _mp_gaussian(V1), _mp_gaussian(V2)
        phi = (math.sqrt(5) - 1) / 2
        lo, hi = 1e-4, 1 - 1e-4
        c, d = hi - phi * (hi - lo), lo + phi * (hi - lo)
        fc, fd = _chernoff_qs(r, t, mp.mpf(c)), _chernoff_qs(r, t, mp.mpf(d))
        while hi - lo > tol:
            if fc < fd:
                hi, d, fd = d, c, fc
                c = hi - phi * (hi - lo)
                fc = _chernoff_qs(r, t, mp.mpf(c))
            else:
                lo, c, fc = c, d, fd
                d = lo + phi * (hi - lo)
                fd = _chernoff_qs(r, t, mp.mpf(d))
        s = (lo + hi) / 2
        return float(-mp.log(_chernoff_qs(r, t, mp.mpf(s)))), s


# ----------------------------------------------------------------------------- metrics (float64)


def _sqrt_sym(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e, q = np.linalg.eigh(v)
    return (q * np.sqrt(e)) @ q.T, (q / np.sqrt(e)) @ q.T


def symplectic_eigenvalues(V: Any) -> np.ndarray:
    """Symplectic eigenvalues ν_k of V (vacuum ½), ascending."""
    v = np.asarray(V, dtype=float)
    vh, _ = _sqrt_sym(v)
    h = np.linalg.eigvalsh(vh @ (1j * symplectic_form(v.shape[0] // 2)) @ vh)
    return np.sort(h[h > 0])


def kubo_mori_metric(V: Any, dV: Any) -> float:
    """Kubo–Mori (Bogoliubov) metric g_KM(dV, dV) = Tr[∂ρ ∂ln ρ] = −½ Tr(dG dV) (nats).

    S(ρ_θ‖ρ_{θ+ε}) = S(ρ_{θ+ε}‖ρ_θ) + O(ε³) = ½ g_KM ε².  dG is the Fréchet derivative of
    G = 2 iJ a(V iJ), a(x) = arccoth 2x, by the Daleckii–Krein formula in the eigenbasis of
    H = V^{1/2} iJ V^{1/2}; the divided differences of a are written as
    a[x, y] = −2/((2x−1)(2y+1)) · log1p(z)/z, z = −4(x−y)/((2x−1)(2y+1)), which has no
    cancellation for close eigenvalues (near z = −1, log(1 + z) is taken from the factors of
    1 + z = (2x+1)(2y−1)/((2x−1)(2y+1))).  A quadratic form in dV: no difference of nearly equal
    numbers, so its relative accuracy does not depend on how small dV is.
    """
    v = np.asarray(V, dtype=float)
    dv = np.asarray(dV, dtype=float)
    ij = 1j * symplectic_form(v.shape[0] // 2)
    vh, vhi = _sqrt_sym(v)
    h, u = np.linalg.eigh(vh @ ij @ vh)
    p, pinv = vh @ u, u.conj().T @ vhi
    x, y = h[:, None], h[None, :]
    den = (2 * x - 1) * (2 * y + 1)
    z = -4 * (x - y) / den
    # 1 + z = (2x+1)(2y−1)/den exactly: near z = −1 (x ≈ −y, a nearly pure state) its
    # logarithm comes from these factors, not from log1p of a sum that rounds to −1
    with np.errstate(divide="ignore", invalid="ignore"):
        log_1pz = np.where(z > -0.5, np.log1p(np.maximum(z, -0.5)),
                           np.log(np.abs((2 * x + 1) * (2 * y - 1) / den)))  # fmt: skip
    ratio = np.where(np.abs(z) < 1e-12, 1 - z / 2, log_1pz / np.where(z == 0, 1, z))
    dd = -2 / den * ratio
    dg = 2 * ij @ (p @ ((pinv @ (dv @ ij) @ p) * dd) @ pinv)
    return float(-0.5 * np.real(np.trace(dg @ dv)))


def qfi_sld(V: Any, dV: Any) -> float:
    """SLD quantum Fisher information of a zero-mean Gaussian family, F_Q = ½ Tr(dV Φ).

    The SLD is L = ½ RᵀΦR − const with Φ solving dV = VΦV − ¼ JΦJᵀ (Monras 2013,
    vacuum ½; checked on a thermal mode, where F_Q = 1/(ν² − ¼) is the classical Fisher
    information of the geometric distribution, and against the exact fidelity).  Bures:
    1 − √F = F_Q ε²/8 + O(ε³), hence 1 − F = F_Q ε²/4 (F squared).  Quadratic in dV, so it is
    free of cancellation.
    """
    v = np.asarray(V, dtype=float)
    dv = np.asarray(dV, dtype=float)
    n = v.shape[0]
    j = symplectic_form(n // 2)
    op = np.kron(v, v) - 0.25 * np.kron(j, j)
    phi = np.linalg.solve(op, dv.reshape(-1)).reshape(n, n)
    return float(0.5 * np.trace(dv @ phi))


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
    """
    p = error_probability
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


# ----------------------------------------------------------------------------- budget

_YEAR = 365.25 * 86400.0


@dataclass(frozen=True)
class Budget:
    """Samples and time needed to tell quantum (ρ₀) from KTM (ρ₁) gravity at one point.

    Information quantities are in nats; E_N, ΔE and ``sigma_E_N_single`` in ``base``;
    sample counts in samples; times in s (``times`` also in hours and years); κ_G in rad/s;
    Fisher informations in (rad/s)⁻² per sample.  ``*_metric`` fields are the second-order
    (κ_G²) values from the metrics; the others are exact (mpmath where stated).
    """

    model: str
    base: str
    kappa_G: float
    error_probability: float
    efficiency: float
    added_noise: float
    E_N_quantum: float
    E_N_classical: float
    delta_E: float
    relative_entropy_qc: float
    relative_entropy_cq: float
    relative_entropy_metric: float
    kubo_mori: float
    one_minus_fidelity: float
    one_minus_fidelity_metric: float
    qfi_sld: float
    chernoff_exponent: float
    chernoff_s: float
    samples_chernoff: float
    samples_fidelity_necessary: float
    samples_fidelity_sufficient: float
    samples_stein: float
    heterodyne_fisher: float
    heterodyne_kl_qc: float
    heterodyne_kl_cq: float
    heterodyne_chernoff_exponent: float
    samples_heterodyne_chernoff: float
    samples_heterodyne_stein: float
    sigma_E_N_single: float
    samples_estimate_E_N: float
    relaxation_time: float
    correlation_time: float
    sample_interval: float
    samples_per_second: float
    times: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-ready)."""
        return asdict(self)


def budget(
    p: Any,
    *,
    model: str = "effective",
    efficiency: float = 1.0,
    added_noise: float = 0.0,
    error_probability: float = 0.01,
    base: str = "e",
) -> Budget:
    """Distinguishability budget of quantum vs KTM gravity for parameters ``p``.

    Parameters
    ----------
    p : Parameters
    model : {"effective", "rwa"}
        Rung whose steady states (and drift, for the times) are used.
    efficiency : float
        Heterodyne efficiency η ∈ [0, 1].
    added_noise : float
        Added detector noise n_add (quanta per quadrature).
    error_probability : float
        Target error probability p of the test (equal priors).
    base : {"e", "2"}
        Log base of E_N, ΔE and σ_E.
    """
    from gravsim import gaussian
    from gravsim.model import gravity
    from gravsim.model import rungs as models

    factor = log_base_factor(base)
    if not 0 < efficiency <= 1:
        raise GravsimInputError(f"`efficiency` must be in (0, 1], got {efficiency}")
    if not 0 <= added_noise < math.inf:
        raise GravsimInputError(f"`added_noise` must be a finite number >= 0, got {added_noise}")
    if not 0 < error_probability < 0.5:
        raise GravsimInputError(f"`error_probability` must be in (0, 0.5), got {error_probability}")
    ktm = gravity.KTMGravity()
    m = models.build(model, p, ktm)
    comp = gaussian.compare_gravity(m)
    kappa = float(ktm.rates(p)[0])
    if not kappa > 0:
        raise GravsimInputError(
            "kappa_G = 0: KTM gravity then adds no noise and both hypotheses give the same "
            "state, which no measurement tells apart; give k_G or kappa_G > 0"
        )
    modes = comp.quantum.modes
    idx = [2 * modes.index(x) + k for x in ("a", "b") for k in (0, 1)]
    v0 = comp.quantum.mechanical_covariance
    v1 = comp.shift[idx, :][:, idx]
    dv = v1 / kappa
    try:
        with mp.workdps(50):
            v1_mp = _as_mp(v0) + _as_mp(v1)
            s_qc = relative_entropy(v0, v1_mp)
            s_cq = relative_entropy(v1_mp, v0)
            omf = one_minus_fidelity(v0, v1_mp)
            xi, s_opt = chernoff(v0, v1_mp)
    except (ZeroDivisionError, ValueError, OverflowError) as exc:  # mpmath at the extremes
        raise NumericalError(
            f"the exact (50-digit) relative entropy, fidelity and Chernoff bound fail for "
            f"these covariances ({type(exc).__name__}); the state is too far from the "
            "physical range (largest variance {:.3g}): bring the rates nearer the others".format(
                float(np.max(np.abs(v0)))
            )
        ) from None
    km = kubo_mori_metric(v0, dv)
    fq = qfi_sld(v0, dv)
    n_f = samples_fidelity(omf, error_probability)

    sig0 = heterodyne_covariance(v0, efficiency, added_noise)
    dsig = efficiency * v1
    fisher_h = classical_fisher(sig0, efficiency * dv)
    kl_qc = gaussian_kl(sig0, delta=dsig)
    kl_cq = gaussian_kl_reverse(sig0, dsig)
    xi_h, _ = gaussian_chernoff(sig0, dsig)

    e_q = log_negativity(v0)
    d_e = delta_log_negativity(v0, v1)
    sigma_e = entanglement_estimator_std(v0, efficiency, added_noise)
    n_est = (2 * sigma_e / d_e) ** 2 if d_e > 0 else math.inf  # no gap in E_N to resolve

    a, _ = gaussian.drift_diffusion(m)
    tau_relax, tau_int = correlation_times(a, comp.quantum.covariance, idx)
    dt = 2 * tau_int
    counts = {
        "chernoff": samples_chernoff(xi, error_probability),
        "fidelity_sufficient": n_f[1],
        "stein": samples_stein(s_qc, error_probability),
        "heterodyne_chernoff": samples_chernoff(xi_h, error_probability),
        "heterodyne_stein": samples_stein(kl_qc, error_probability),
        "estimate_E_N": n_est,
    }
    times = {
        k: {"samples": n, "s": n * dt, "hours": n * dt / 3600, "years": n * dt / _YEAR}
        for k, n in counts.items()
    }
    return Budget(
        model=model,
        base=base,
        kappa_G=kappa,
        error_probability=error_probability,
        efficiency=efficiency,
        added_noise=added_noise,
        E_N_quantum=e_q / factor,
        E_N_classical=(e_q - d_e) / factor,
        delta_E=d_e / factor,
        relative_entropy_qc=s_qc,
        relative_entropy_cq=s_cq,
        relative_entropy_metric=0.5 * km * kappa**2,
        kubo_mori=km,
        one_minus_fidelity=omf,
        one_minus_fidelity_metric=0.25 * fq * kappa**2,
        qfi_sld=fq,
        chernoff_exponent=xi,
        chernoff_s=s_opt,
        samples_chernoff=counts["chernoff"],
        samples_fidelity_necessary=n_f[0],
        samples_fidelity_sufficient=n_f[1],
        samples_stein=counts["stein"],
        heterodyne_fisher=fisher_h,
        heterodyne_kl_qc=kl_qc,
        heterodyne_kl_cq=kl_cq,
        heterodyne_chernoff_exponent=xi_h,
        samples_heterodyne_chernoff=counts["heterodyne_chernoff"],
        samples_heterodyne_stein=counts["heterodyne_stein"],
        sigma_E_N_single=sigma_e / factor,
        samples_estimate_E_N=n_est,
        relaxation_time=tau_relax,
        correlation_time=tau_int,
        sample_interval=dt,
        samples_per_second=1 / dt,
        times=times,
    )
