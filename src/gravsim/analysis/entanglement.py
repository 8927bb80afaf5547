"""Logarithmic negativity of two modes, and its quantum–classical difference without cancellation.

Conventions: quadratures x = (a+a†)/√2, p = −i(a−a†)/√2 ordered (x_a, p_a, x_b, p_b),
covariance V_ij = ½⟨{ΔR_i, ΔR_j}⟩, vacuum V = ½·I.  E_N = max(0, −ln 2ν̃₋), ν̃₋ the smaller
symplectic eigenvalue of the partially transposed V.  With the local invariants
Σ̃ = det V_a + det V_b − 2 det V_ab (partial transpose flips the sign of det V_ab) and
Δ = det V,

    ν̃₋² = (Σ̃ − sqrt(Σ̃² − 4Δ)) / 2 = 2Δ / (Σ̃ + sqrt(Σ̃² − 4Δ)),

and the second form is used: it has no cancellation when ν̃₋ ≪ ν̃₊.  Δ is a fourth power
of the covariance, so a matrix whose largest entry lies outside 2^±60 is first scaled by a
power of two (exact) and ν̃₋ (homogeneous of degree one) scaled back in the logarithm:
covariances up to 10³⁰⁰ (a KTM rate far above every other) give E_N without overflow.

Base: natural log by default (``base="e"``, nats); ``base="2"`` gives bits, as QuTiP's
``negativity(..., logarithmic=True)`` does.  Every result that reports an E_N also reports
its base.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.errors import GravsimInputError, NumericalError


def log_base(base: str | float) -> str:
    """The log base ``base`` as gravsim writes it: ``"e"`` (nats) or ``"2"`` (bits).

    Accepts ``"e"``, ``"2"``, the number 2 and ``math.e`` (as QuTiP users write them).
    """
    if isinstance(base, str) and base in ("e", "2"):
        return base
    if not isinstance(base, bool) and isinstance(base, (int, float, np.integer, np.floating)):
        if base == 2:
            return "2"
        if base == np.e:
            return "e"
    raise GravsimInputError(f"unknown log base {base!r}: use 'e' (nats) or 2 (bits)")


def log_base_factor(base: str | float) -> float:
    """ln(base): divide an E_N in nats by this to express it in ``base`` (see :func:`log_base`)."""
    return 1.0 if log_base(base) == "e" else float(np.log(2.0))


def _det2(m: np.ndarray) -> np.ndarray:
    return m[..., 0, 0] * m[..., 1, 1] - m[..., 0, 1] * m[..., 1, 0]


def _invariants(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Σ̃, Δ) of two-mode covariance matrices ``v`` (..., 4, 4)."""
    sigma = _det2(v[..., :2, :2]) + _det2(v[..., 2:, 2:]) - 2 * _det2(v[..., :2, 2:])
    return sigma, np.linalg.det(v)


def _nu_minus_sq(sigma: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ν̃₋², u = Σ̃ + sqrt(Σ̃² − 4Δ)); u = 2ν̃₊²."""
    s = np.sqrt(np.maximum(sigma**2 - 4 * delta, 0.0))
    u = sigma + s
    return 2 * delta / u, u


def _unit_scale(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(exponent k, 2⁻ᵏ·v) per matrix: k = 0 where the largest |entry| lies within 2^±60
    (no fourth power overflows: results as without scaling), else the k that brings it into
    [½, 1); exact."""
    _, k = np.frexp(np.max(np.abs(v), axis=(-2, -1)))
    k = np.where(np.abs(k) > 60, k, 0)
    return k, np.ldexp(v, -k[..., None, None])


def _log_4nu2(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ln 4ν̃₋², the exponent k, the scaled matrices 2⁻ᵏ·v) of covariances ``v``."""
    k, scaled = _unit_scale(v)
    nu2, _ = _nu_minus_sq(*_invariants(scaled))
    return np.log(4 * nu2) + 2 * k * np.log(2.0), k, scaled


def log_negativity(v: Any, base: str = "e") -> Any:
    """E_N = max(0, −ln 2ν̃₋) of two-mode covariance matrices ``v`` (..., 4, 4).

    Parameters
    ----------
    v : array_like
        Covariance matrix (vacuum ½·I), or a stack of them.
    base : {"e", "2"}
        Logarithm base of the result.

    Returns
    -------
    float or ndarray
        E_N in nats (``base="e"``) or bits (``base="2"``).
    """
    factor = log_base_factor(base)
    v = np.asarray(v, dtype=float)
    _check_shape(v)
    # + 0.0 turns the −0.0 of a separable state (−ln 1) into 0.0
    return _out(np.maximum(0.0, -0.5 * _log_4nu2(v)[0]) / factor + 0.0)


def delta_log_negativity(v0: Any, v1: Any, base: str = "e") -> Any:
    """E_N(V₀) − E_N(V₀ + V₁) for a small positive semi-definite shift V₁, without cancellation.

    This is ΔE = E_N,q − E_N,c when V₀ is the quantum-gravity covariance and V₁ the KTM
    shift (V is exactly linear in κ_G because KTM adds diffusion only).

    Method: the shift of each invariant is formed directly from V₁, never as a difference
    of two nearly equal numbers:

    * δ det V_x (2×2 blocks) = tr(adj(V_x,0) V_x,1) + det V_x,1, exact;
    * δΔ = Δ₀ · expm1(Σ_i log1p μ_i), μ_i the eigenvalues of L⁻¹V₁L⁻ᵀ (V₀ = LLᵀ), exact;
    * δ sqrt(Σ̃² − 4Δ) = δ(Σ̃² − 4Δ) / (sqrt(·)₀ + sqrt(·)₁);
    * δν̃₋²/ν̃₋² = (δΔ/Δ₀)(u₀/u₁) − δu/u₁ with u = Σ̃ + sqrt(Σ̃² − 4Δ) = 2ν̃₊²;

    then ΔE = ½ log1p(δν̃₋²/ν̃₋²).  The only cancellation left is between δΔ/Δ and
    δν̃₊²/ν̃₊², a factor of order ν̃₊²/(ν̃₊² − ν̃₋²) ≈ 1–2; the relative accuracy of ΔE is
    therefore ~1e-14 independently of how small V₁ is (measured against a 50-digit mpmath
    solve: ≤ 1e-13 at the paper point, where ΔE/E_N ≈ 7e-8).

    Where V₀ + V₁ is not entangled (E_N,c = 0) the result is E_N(V₀) itself.
    """
    factor = log_base_factor(base)
    with np.errstate(over="ignore", invalid="ignore"):  # only where E_N,c = 0 (not used)
        return _out(_delta_log_negativity(np.asarray(v0, float), np.asarray(v1, float)) / factor)


def _delta_log_negativity(v0: np.ndarray, v1: np.ndarray) -> np.ndarray:
    _check_shape(v0)
    _check_shape(v1)
    v0, v1 = np.broadcast_arrays(v0, v1)
    # E_N,c = 0 decided on V₀ + V₁ itself: the shift formulas below overflow for a huge V₁
    entangled_c = _log_4nu2(v0 + v1)[0] < 0
    log_4nu2_0, k, v0 = _log_4nu2(v0)  # both scaled by the same power of two: ratios exact
    v1 = np.ldexp(v1, -k[..., None, None])
    sigma0, delta0 = _invariants(v0)
    blocks = ((slice(0, 2), slice(0, 2), 1.0), (slice(2, 4), slice(2, 4), 1.0))
    d_sigma = np.zeros(v0.shape[:-2])
    for rows, cols, weight in blocks + ((slice(0, 2), slice(2, 4), -2.0),):
        x0, x1 = v0[..., rows, cols], v1[..., rows, cols]
        adj = np.stack(
            [
                np.stack([x0[..., 1, 1], -x0[..., 0, 1]], -1),
                np.stack([-x0[..., 1, 0], x0[..., 0, 0]], -1),
            ],
            -2,
        )
        d_sigma = d_sigma + weight * (np.einsum("...ij,...ji->...", adj, x1) + _det2(x1))
    chol = np.linalg.cholesky(v0)
    y = np.linalg.solve(chol, np.swapaxes(np.linalg.solve(chol, v1), -1, -2))
    mu = np.linalg.eigvalsh(0.5 * (y + np.swapaxes(y, -1, -2)))
    rel_d_delta = np.expm1(np.sum(np.log1p(mu), axis=-1))
    d_delta = delta0 * rel_d_delta
    sigma1 = sigma0 + d_sigma
    s0 = np.sqrt(np.maximum(sigma0**2 - 4 * delta0, 0.0))
    s1 = np.sqrt(np.maximum(sigma1**2 - 4 * (delta0 + d_delta), 0.0))
    # S = sqrt(Σ̃² − 4Δ) vanishes when ν̃₋ = ν̃₊; then δS is 0 too
    d_s_num = d_sigma * (sigma0 + sigma1) - 4 * d_delta
    d_s = np.divide(d_s_num, s0 + s1, out=np.zeros_like(d_s_num), where=(s0 + s1) > 0)
    u0, u1 = sigma0 + s0, sigma1 + s1
    rel_d_nu2 = rel_d_delta * (u0 / u1) - (d_sigma + d_s) / u1
    e_q = np.maximum(0.0, -0.5 * log_4nu2_0)
    return np.where(entangled_c, 0.5 * np.log1p(rel_d_nu2), e_q)


def _check_shape(v: np.ndarray) -> None:
    if not np.all(np.isfinite(v)):
        raise NumericalError(
            "a covariance matrix is not finite (its rates overflowed float64): bring the "
            "largest rates nearer the others"
        )
    if v.shape[-2:] != (4, 4):
        raise GravsimInputError(
            f"a two-mode covariance matrix is 4x4, got shape {v.shape[-2:]}: "
            "pass the mechanical block"
        )


def _out(x: np.ndarray) -> Any:
    return float(x) if np.ndim(x) == 0 else x


def log_negativity_of_state(rho: Any, base: str = "e") -> float:
    """E_N = log‖ρ^{T_b}‖₁ of a two-mode density matrix (``qutip.Qobj``), in ``base``.

    The partial transpose of the second subsystem is Hermitian; its trace norm is the sum of
    the absolute eigenvalues (``eigvalsh``).  A negativity within the eigensolver's rounding
    (see :func:`_transpose_trace_norm`) is no entanglement: E_N is then exactly 0, not
    ~10⁻¹⁵.  Unlike ``qutip.negativity(..., logarithmic=True)``, which returns log₂, the
    default here is the natural log.
    """
    return float(max(0.0, np.log(_transpose_trace_norm(rho))) / log_base_factor(base))


def _transpose_trace_norm(rho: Any) -> float:
    """‖ρ^{T_b}‖₁ of a two-mode ``qutip.Qobj``: the absolute eigenvalues of the (Hermitian)
    partial transpose, summed; exactly 1 where its negative eigenvalues are rounding.

    ``eigvalsh`` is backward stable: each computed eigenvalue lies within ~ε‖X‖₂ of an exact
    one, so a separable state's n eigenvalues can come out negative by at most ~nε‖X‖₂ in
    all.  A total negativity Σ|λ₋| at or below n·ε·max|λ| is therefore indistinguishable
    from none, and the trace norm is taken as 1 there (E_N = 0).  Above it the plain sum is
    kept, so entangled states lose no accuracy.
    """
    import qutip

    if len(rho.dims[0]) != 2:
        raise GravsimInputError(
            f"E_N here is between two modes, and the state has {len(rho.dims[0])} subsystems "
            f"(dims {rho.dims[0]}): keep the two with rho.ptrace([0, 1]), or use "
            "gs.fock.from_qobj(rho).log_negativity()"
        )
    pt = qutip.partial_transpose(rho, [0, 1]).full()
    eigenvalues = np.linalg.eigvalsh(0.5 * (pt + pt.conj().T))
    negativity = -np.sum(eigenvalues[eigenvalues < 0])
    rounding = eigenvalues.size * np.finfo(float).eps * np.max(np.abs(eigenvalues))
    if negativity <= rounding:
        return 1.0
    return float(np.sum(np.abs(eigenvalues)))


def log_negativity_shift(rho: Any, shift: Any, base: str = "e") -> float:
    """E_N(ρ) − E_N(ρ + δρ) of two-mode density matrices (``qutip.Qobj``), in ``base``.

    Both partial transposes come from ρ and the exact shift δρ (never from a second, separately
    rounded solve); ‖X‖₁ − ‖X + δX‖₁ is a difference of two eigenvalue sums, accurate to
    ~10⁻¹⁵ absolute (a few ulps of ‖X‖₁ ≈ e^{E_N}), i.e. ~2×10⁻⁸ relative at the paper's
    ΔE ≈ 5×10⁻⁸.  Where both states are entangled, ΔE = −log1p(Δ‖·‖₁/‖X‖₁) keeps the
    relative accuracy of that difference; where one is not, E_N is clipped at 0 as in
    :func:`log_negativity_of_state`.
    """
    factor = log_base_factor(base)
    before, after = _transpose_trace_norm(rho), _transpose_trace_norm(rho + shift)
    if before > 1 and after > 1:
        return float(-np.log1p((after - before) / before) / factor)
    return float((max(0.0, np.log(before)) - max(0.0, np.log(after))) / factor)
