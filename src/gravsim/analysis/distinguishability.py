"""How far apart the quantum-gravity and KTM-gravity states are: exact measures and metrics.

The two hypotheses are the Gaussian steady states of the mechanical modes: ρ₀ (quantum
gravity, covariance V₀) and ρ₁ (KTM gravity, covariance V₀ + V₁).  Both have zero means.
V₁ is exactly linear in κ_G (KTM adds diffusion only), so dV/dκ_G = V₁/κ_G.  What a
measurement of them yields (heterodyne and homodyne records, sample counts, times) is in
:mod:`gravsim.analysis.measurement`; the budget of one parameter point, which builds the
model and solves for V₀ and V₁, in :mod:`gravsim.workflows.budget`.

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
(:func:`relative_entropy`, :func:`fidelity`, :func:`chernoff`, and all of them at once for
V₀ against V₀ + V₁ in :func:`exact_divergences`) therefore run in mpmath at ``dps`` decimal
digits (default 50) and accept mpmath matrices, so that V₀ + V₁ can be formed without
rounding V₁ into V₀.  The *metric* functions (:func:`kubo_mori_metric`, :func:`qfi_sld`)
work in float64 from V and dV alone: they are quadratic forms in dV, so nothing cancels and
their relative accuracy is ~1e-14 however small κ_G is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath as mp
import numpy as np

from gravsim.errors import GravsimInputError
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


def exact_divergences(V0: Any, shift: Any, *, dps: int | None = None) -> dict[str, float]:
    """Every exact measure between ρ₀ (covariance V₀) and ρ₁ (covariance V₀ + ΔV), in nats.

    V₀ + ΔV is formed in mpmath, so a shift ΔV far below float64's resolution of V₀ (1e-8
    relative at the paper point) is kept whole.  The formulas subtract terms as large as
    the covariances' condition number allows, so the digits they need grow with it: with
    ``dps`` None the measures are computed at 50 + 2·log₁₀ cond(V₀) digits and again with 40
    more, and taken once two in a row agree to 1e-6 (else 40 more digits again, up to
    :data:`MAX_DPS`).  At a thermal occupation of 1e30 (cond ~ 1e39), 50 digits gave a
    relative entropy of −1e-12 where the converged one is 9e-80, as the Kubo–Mori metric
    predicts.  An integer ``dps`` computes once at that precision.

    Returns
    -------
    dict
        ``relative_entropy_qc`` = S(ρ₀‖ρ₁), ``relative_entropy_cq`` = S(ρ₁‖ρ₀),
        ``one_minus_fidelity`` (1 − F, F squared), ``chernoff_exponent`` (ξ = −ln Q) and
        ``chernoff_s`` (the optimal s of :func:`chernoff`).

    Raises
    ------
    ZeroDivisionError, ValueError, OverflowError
        From mpmath, for covariances far outside the physical range; ValueError also where
        :data:`MAX_DPS` digits do not converge.
    """
    if dps is not None:
        return _divergences_at(V0, shift, dps)
    cond = float(np.linalg.cond(np.asarray(V0, dtype=float)))
    digits = 50 + 2 * math.ceil(math.log10(max(cond, 1.0)))
    previous = _divergences_at(V0, shift, digits)
    while digits < MAX_DPS:
        digits += 40
        current = _divergences_at(V0, shift, digits)
        if all(
            abs(current[k] - previous[k]) <= 1e-6 * max(abs(current[k]), abs(previous[k]))
            for k in _CONVERGED
        ):
            return current
        previous = current
    raise ValueError(f"the exact measures do not converge within {MAX_DPS} digits")


#: Most decimal digits :func:`exact_divergences` tries.
MAX_DPS = 600
_CONVERGED = (
    "relative_entropy_qc",
    "relative_entropy_cq",
    "one_minus_fidelity",
    "chernoff_exponent",
)


def _divergences_at(V0: Any, shift: Any, dps: int) -> dict[str, float]:
    with mp.workdps(dps):
        v1 = _as_mp(V0) + _as_mp(shift)
        s_qc = relative_entropy(V0, v1, dps=dps)
        s_cq = relative_entropy(v1, V0, dps=dps)
        omf = one_minus_fidelity(V0, v1, dps=dps)
        xi, s_opt = chernoff(V0, v1, dps=dps)
    return {
        "relative_entropy_qc": s_qc,
        "relative_entropy_cq": s_cq,
        "one_minus_fidelity": omf,
        "chernoff_exponent": xi,
        "chernoff_s": s_opt,
    }


# ----------------------------------------------------------------------------- metrics (float64)


def _sqrt_sym(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e, q = np.linalg.eigh(v)
    return (q * np.sqrt(e)) @ q.T, (q / np.sqrt(e)) @ q.T


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
        log_1pz = np.where(
            z > -0.5, np.log1p(np.maximum(z, -0.5)), np.log(np.abs((2 * x + 1) * (2 * y - 1) / den))
        )
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
