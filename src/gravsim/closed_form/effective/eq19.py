"""Collective reservoir Γ D[β₁+β₂]: the exact steady state of paper S2 Eq. (19).

Model, symbols and units as in :mod:`gravsim.closed_form.effective` (ħ = 1, rates in rad/s;
s₂ = sinh 2r, σ = sinh²r, N = n̄γ + 2κ_G below).

Moment equations (derived here, checked against the OCR of S2 Eq. 18)
---------------------------------------------------------------------
From d⟨O⟩/dt = Tr[O 𝓛ρ] = ⟨i[H,O] + Σ_j c_j (L_j† O L_j − ½{L_j†L_j, O})⟩ (derived
symbolically with sympy's boson algebra, and cross-checked in the tests against a Lyapunov
equation built directly from the jump operators), the ten steady-state equations are::

    (A) (γ+Γ+2iΩ)⟨a²⟩   + (Γ+2ik)⟨ab⟩ + ½Γs₂ = 0
    (B) (γ+Γ−2iΩ)⟨b²⟩   + (Γ+2ik)⟨ab⟩ + ½Γs₂ = 0
    (C) (γ+Γ−2iΩ)⟨a†²⟩  + (Γ−2ik)⟨a†b†⟩ + ½Γs₂ = 0
    (D) (γ+Γ+2iΩ)⟨b†²⟩  + (Γ−2ik)⟨a†b†⟩ + ½Γs₂ = 0
    (E) (γ+Γ+2iΩ)⟨ab†⟩  + (Γ/2−ik)⟨a†a⟩ + (Γ/2+ik)⟨b†b⟩ − Γσ = 0
    (F) (γ+Γ−2iΩ)⟨a†b⟩  + (Γ/2+ik)⟨a†a⟩ + (Γ/2−ik)⟨b†b⟩ − Γσ = 0
    (G) (γ+Γ)⟨a†a⟩ + (Γ/2+ik)⟨a†b⟩ + (Γ/2−ik)⟨ab†⟩ − (Γσ + N) = 0
    (H) (γ+Γ)⟨ab⟩ + (Γ/2+ik)(⟨a²⟩ + ⟨b²⟩) + ½Γs₂ = 0
    (I) (γ+Γ)⟨b†b⟩ + (Γ/2+ik)⟨ab†⟩ + (Γ/2−ik)⟨a†b⟩ − (Γσ + N) = 0
    (J) (γ+Γ)⟨a†b†⟩ + (Γ/2−ik)(⟨a†²⟩ + ⟨b†²⟩) + ½Γs₂ = 0

They agree with the OCR of Eq. (18) except: in (E) the last term is −Γσ (the OCR's "4 Γσ" is
garbled); in (I) the coefficient of ⟨ab†⟩ is (Γ/2 + ik), not (Γ/2 − ik); in (J) the
bracket is the *sum* ⟨a†²⟩ + ⟨b†²⟩, not the difference.  The equations decouple into the
blocks {⟨a²⟩,⟨b²⟩,⟨ab⟩}, its conjugate {⟨a†²⟩,⟨b†²⟩,⟨a†b†⟩} and
{⟨ab†⟩,⟨a†b⟩,⟨a†a⟩,⟨b†b⟩}.

Corrections to the transcription of Eq. (19)
--------------------------------------------
Solving (A)–(J) symbolically (sympy, exact rational arithmetic) reproduces the transcribed
Eq. (19) for ⟨a²⟩, ⟨b²⟩, ⟨a†²⟩, ⟨b†²⟩, ⟨ab⟩, ⟨a†b†⟩, ⟨a†a⟩ and ⟨b†b⟩ exactly.  The only
correction: the garbled prefactor of ⟨ab†⟩ and ⟨a†b⟩ is **−1**::

    ⟨ab†⟩ = −Γ[(γ+Γ)(γ+Γ−2iΩ) + 4k²](γ(n̄ − sinh²r) + 2κ_G) / [γ(γ+2Γ)Δ + 4Γ²Ω²]
    ⟨a†b⟩ = −Γ[(γ+Γ)(γ+Γ+2iΩ) + 4k²](γ(n̄ − sinh²r) + 2κ_G) / [γ(γ+2Γ)Δ + 4Γ²Ω²]

(with Δ = (γ+Γ)² + 4(Ω² + k²)).  Physically: for n̄ > sinh²r the reservoir cools the sum mode
a+b below the thermal occupation, so Re⟨a†b⟩ < 0; +1 or ±i would violate (E)–(I).

Accuracy
--------
At the reference point n̄ ≈ 4.2e6, γ ≈ 1.3e-8, κ_G ≈ 4.4e-9, Γ ≈ 0.76, Ω ≈ 3.1 (rad/s) the
terms span ~10 orders of magnitude, so the forms are arranged to avoid subtracting nearly
equal numbers:

* Γ² ± 4ikΓ − Δ is evaluated as −[γ(γ+2Γ) + 4Ω² + 4k² ∓ 4ikΓ] (no Γ² − (γ+Γ)²);
* the ⟨a†a⟩, ⟨b†b⟩ numerators use the identities
  (γ+Γ)Δ ∓ 4ΓΩk = γΔ + Γ[(γ+Γ)² + (2Ω ∓ k)² + 3k²] and
  γΔ + 4Ω(ΓΩ ± kγ) = γ[(γ+Γ)² + (2Ω ± k)² + 3k²] + 4ΓΩ², sums of non-negative terms;
* every other numerator and denominator is a sum of non-negative terms (real parts) for
  γ, Γ ≥ 0; n̄γ − γ sinh²r + 2κ_G cancels only near its true zero (n̄ ≈ sinh²r);
* ν̃₋² is computed as 2 det V / (Σ + sqrt(Σ² − 4 det V)), algebraically equal to
  (Σ − sqrt(Σ² − 4 det V))/2 but free of cancellation when ν̃₋ ≪ ν̃₊.

Measured against a 50-digit mpmath solve of the moment equations: the Eq. (19) moments agree
to ≤ 5e-16 relative and E_N to ≤ 1e-15 relative (reference point and O(1) points).  A
difference of two :func:`eq19_log_negativity` values (e.g. κ_G vs 0) carries an absolute
error ~1e-16: at the reference point ΔE ≈ 4.97e-8 comes out 2e-9 relative off; for smaller
differences use extended precision or the exact linearity of the covariance in κ_G.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from gravsim.closed_form.effective._common import (
    _COLLECTIVE,
    _Arr,
    _attributes,
    _HasParams,
    _public,
)

__all__ = [
    "MOMENT_KEYS",
    "eq19_moments",
    "eq19_covariance",
    "eq19_log_negativity",
    "eq19_moments_from",
    "eq19_covariance_from",
    "eq19_log_negativity_from",
    "eq19_delta_E_from",
]

#: Keys of :func:`eq19_moments`: a2=⟨a²⟩, b2=⟨b²⟩, ad2=⟨a†²⟩, bd2=⟨b†²⟩, abd=⟨ab†⟩,
#: adb=⟨a†b⟩, ada=⟨a†a⟩, ab=⟨ab⟩, bdb=⟨b†b⟩, adbd=⟨a†b†⟩.
MOMENT_KEYS: tuple[str, ...] = ("a2", "b2", "ad2", "bd2", "abd", "adb", "ada", "ab", "bdb", "adbd")


def _anomalous_moments(g: _Arr, G: _Arr, rr: _Arr, W: _Arr, k: _Arr) -> dict[str, Any]:
    """⟨a²⟩, ⟨b²⟩, ⟨a†²⟩, ⟨b†²⟩, ⟨ab⟩, ⟨a†b†⟩: blocks (A, B, H) and (C, D, J), ∝ Γ sinh 2r.

    Inputs are γ, Γ, Ω, k (rad/s) and r (dimensionless) as float arrays; the moments are
    dimensionless.
    """
    gG = g + G
    s2 = np.sinh(2.0 * rr)  # sinh 2r
    W2, k2 = W * W, k * k
    # Γ² ± 4ikΓ − Δ = −[γ(γ+2Γ) + 4Ω² + 4k² ∓ 4ikΓ]  (no Γ² − (γ+Γ)² cancellation)
    base_real = g * (g + 2.0 * G) + 4.0 * W2 + 4.0 * k2
    den_p = -2.0 * gG * (base_real - 4j * k * G)  # 2(γ+Γ)(Γ² + 4ikΓ − Δ)
    den_m = -2.0 * gG * (base_real + 4j * k * G)  # 2(γ+Γ)(Γ² − 4ikΓ − Δ)
    Gs2 = G * s2
    return {
        "a2": (gG - 2j * W) * (g - 2j * k) * Gs2 / den_p,
        "b2": (gG + 2j * W) * (g - 2j * k) * Gs2 / den_p,
        "ad2": (gG + 2j * W) * (g + 2j * k) * Gs2 / den_m,
        "bd2": (gG - 2j * W) * (g + 2j * k) * Gs2 / den_m,
        "ab": (g * gG + 4.0 * W2 - 2j * k * gG) * Gs2 / den_p,
        "adbd": (g * gG + 4.0 * W2 + 2j * k * gG) * Gs2 / den_m,
    }


def _normal_moments(
    g: _Arr, G: _Arr, rr: _Arr, W: _Arr, k: _Arr, n: _Arr, kg: _Arr
) -> dict[str, Any]:
    """⟨ab†⟩, ⟨a†b⟩, ⟨a†a⟩, ⟨b†b⟩: block (E, F, G, I), driven by n̄γ + 2κ_G and Γ sinh²r.

    Inputs are γ, Γ, Ω, k, κ_G (rad/s) and r, n̄ (dimensionless) as float arrays; the moments
    are dimensionless.
    """
    gG = g + G
    sh2 = np.sinh(rr) ** 2  # sinh² r
    W2, k2 = W * W, k * k
    Delta = gG * gG + 4.0 * (W2 + k2)
    den = g * (g + 2.0 * G) * Delta + 4.0 * G * G * W2  # γ(γ+2Γ)Δ + 4Γ²Ω²

    # Corrected prefactor: −Γ (see the module docstring).
    drive = g * (n - sh2) + 2.0 * kg  # γ(n̄ − sinh²r) + 2κ_G
    cross_re = gG * gG + 4.0 * k2
    abd = -G * (cross_re - 2j * W * gG) * drive / den
    adb = -G * (cross_re + 2j * W * gG) * drive / den

    N = g * n + 2.0 * kg  # n̄γ + 2κ_G
    # (γ+Γ)Δ ∓ 4ΓΩk = γΔ + Γ[(γ+Γ)² + (2Ω ∓ k)² + 3k²]
    th_a = g * Delta + G * (gG * gG + (2.0 * W - k) ** 2 + 3.0 * k2)
    th_b = g * Delta + G * (gG * gG + (2.0 * W + k) ** 2 + 3.0 * k2)
    # γΔ + 4Ω(ΓΩ ± kγ) = γ[(γ+Γ)² + (2Ω ± k)² + 3k²] + 4ΓΩ²
    sq_a = g * (gG * gG + (2.0 * W + k) ** 2 + 3.0 * k2) + 4.0 * G * W2
    sq_b = g * (gG * gG + (2.0 * W - k) ** 2 + 3.0 * k2) + 4.0 * G * W2
    ada = (N * th_a + sq_a * G * sh2) / den
    bdb = (N * th_b + sq_b * G * sh2) / den
    return {"abd": abd, "adb": adb, "ada": ada, "bdb": bdb}


def _moments(*params: _Arr) -> dict[str, NDArray[np.complex128]]:
    """The ten moments for float arrays γ, Γ, r, Ω, k, n̄, κ_G, broadcast to their common shape."""
    shape = np.broadcast_shapes(*(x.shape for x in params))
    vals = {**_anomalous_moments(*params[:5]), **_normal_moments(*params)}
    return {
        key: np.broadcast_to(np.asarray(vals[key], dtype=np.complex128), shape).copy()
        for key in MOMENT_KEYS
    }


@_public(_COLLECTIVE, "dict[str, NDArray[np.complex128]]")
def eq19_moments(*params: _Arr) -> dict[str, NDArray[np.complex128]]:
    """Steady-state second moments of the collective-reservoir model (S2 Eq. 19, corrected).

    {parameters}

    Returns
    -------
    dict[str, ndarray of complex]
        Keys ``MOMENT_KEYS``: "a2"=⟨a²⟩, "b2"=⟨b²⟩, "ad2"=⟨a†²⟩, "bd2"=⟨b†²⟩, "abd"=⟨ab†⟩,
        "adb"=⟨a†b⟩, "ada"=⟨a†a⟩, "ab"=⟨ab⟩, "bdb"=⟨b†b⟩, "adbd"=⟨a†b†⟩ (dimensionless),
        all broadcast to the common shape of the inputs.

    Notes
    -----
    Exact for the collective reservoir Γ D[β₁+β₂] (see the module docstring, which also lists
    the moment equations and the correction of the OCR prefactor of ⟨ab†⟩, ⟨a†b⟩ to −1).
    Stable (hence meaningful) for γ + Γ > 0 with γ > 0 or Ω ≠ 0.
    """
    return _moments(*params)


def _covariance_from_moments(m: dict[str, NDArray[np.complex128]]) -> NDArray[np.float64]:
    """Ladder-operator second moments → quadrature covariance, ordering (X_a, P_a, X_b, P_b).

    With X = (a+a†)/√2, P = −i(a−a†)/√2 and [a, b] = [a, b†] = 0:
    ½⟨X_a²⟩·2 = ⟨a†a⟩ + ½ + (⟨a²⟩+⟨a†²⟩)/2, ⟨P_a²⟩ = ⟨a†a⟩ + ½ − (⟨a²⟩+⟨a†²⟩)/2,
    ½⟨{X_a,P_a}⟩ = −i(⟨a²⟩−⟨a†²⟩)/2, ⟨X_aX_b⟩ = (⟨ab⟩+⟨ab†⟩+⟨a†b⟩+⟨a†b†⟩)/2,
    ⟨X_aP_b⟩ = −i(⟨ab⟩−⟨ab†⟩+⟨a†b⟩−⟨a†b†⟩)/2, ⟨P_aX_b⟩ = −i(⟨ab⟩+⟨ab†⟩−⟨a†b⟩−⟨a†b†⟩)/2,
    ⟨P_aP_b⟩ = −(⟨ab⟩−⟨ab†⟩−⟨a†b⟩+⟨a†b†⟩)/2.
    """
    a2, ad2, b2, bd2 = m["a2"], m["ad2"], m["b2"], m["bd2"]
    ab, abd, adb, adbd = m["ab"], m["abd"], m["adb"], m["adbd"]
    ada, bdb = m["ada"], m["bdb"]
    xa = ada + 0.5 + 0.5 * (a2 + ad2)
    pa = ada + 0.5 - 0.5 * (a2 + ad2)
    xpa = -0.5j * (a2 - ad2)
    xb = bdb + 0.5 + 0.5 * (b2 + bd2)
    pb = bdb + 0.5 - 0.5 * (b2 + bd2)
    xpb = -0.5j * (b2 - bd2)
    xaxb = 0.5 * (ab + abd + adb + adbd)
    xapb = -0.5j * (ab - abd + adb - adbd)
    paxb = -0.5j * (ab + abd - adb - adbd)
    papb = -0.5 * (ab - abd - adb + adbd)
    rows = [
        [xa, xpa, xaxb, xapb],
        [xpa, pa, paxb, papb],
        [xaxb, paxb, xb, xpb],
        [xapb, papb, xpb, pb],
    ]
    V = np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)
    return np.ascontiguousarray(V.real)


@_public(_COLLECTIVE, "NDArray[np.float64]")
def eq19_covariance(*params: _Arr) -> NDArray[np.float64]:
    """Steady-state covariance matrix of the collective-reservoir model, from Eq. (19).

    {parameters}

    Returns
    -------
    ndarray, shape (..., 4, 4)
        Real symmetric V_ij = ½⟨{R_i, R_j}⟩, R = (X_a, P_a, X_b, P_b), vacuum = ½ I
        (dimensionless).
    """
    return _covariance_from_moments(_moments(*params))


def _log_negativity_from_covariance(V: NDArray[np.float64]) -> Any:
    """E_N = max(0, −ln 2ν̃₋) of a two-mode covariance (..., 4, 4), ordering (X_a,P_a,X_b,P_b).

    In nats (the caller applies the log base).
    Σ = det V_a + det V_b − 2 det V_ab; ν̃₋² = 2 det V / (Σ + sqrt(Σ² − 4 det V)).
    """
    V = np.asarray(V, dtype=np.float64)

    def det2(B: NDArray[np.float64]) -> NDArray[np.float64]:
        return B[..., 0, 0] * B[..., 1, 1] - B[..., 0, 1] * B[..., 1, 0]

    det_a = det2(V[..., 0:2, 0:2])
    det_b = det2(V[..., 2:4, 2:4])
    det_ab = det2(V[..., 0:2, 2:4])
    sigma = det_a + det_b - 2.0 * det_ab
    det_v = np.linalg.det(V)
    disc = np.sqrt(np.maximum(sigma * sigma - 4.0 * det_v, 0.0))
    nu2 = 2.0 * det_v / (sigma + disc)
    return np.maximum(0.0, -0.5 * np.log(4.0 * nu2))  # −ln(2ν̃₋)


@_public(_COLLECTIVE, "Any", log_base=True)
def eq19_log_negativity(*params: _Arr) -> Any:
    """Logarithmic negativity of the collective-reservoir steady state (Eq. 19 covariance).

    {parameters}

    Returns
    -------
    float or ndarray
        E_N = max(0, −log 2ν̃₋), ν̃₋ the smaller symplectic eigenvalue of the partially
        transposed covariance, in nats or bits.
    """
    return _log_negativity_from_covariance(_covariance_from_moments(_moments(*params)))


# --------------------------------------------------------------------------------------------
# Wrappers taking a parameter object with attributes gamma_m, Gamma, r, Omega, k_M, n_th, kappa_G
# --------------------------------------------------------------------------------------------


def eq19_moments_from(p: _HasParams) -> dict[str, NDArray[np.complex128]]:
    """:func:`eq19_moments` with the parameters read from ``p``'s attributes."""
    return eq19_moments(**_attributes(p, _COLLECTIVE))


def eq19_covariance_from(p: _HasParams) -> NDArray[np.float64]:
    """:func:`eq19_covariance` with the parameters read from ``p``'s attributes."""
    return eq19_covariance(**_attributes(p, _COLLECTIVE))


def eq19_log_negativity_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq19_log_negativity` with the parameters read from ``p``'s attributes."""
    return eq19_log_negativity(**_attributes(p, _COLLECTIVE), base=base)


def eq19_delta_E_from(p: _HasParams, base: str = "e", kappa_G: Any = None) -> Any:
    """ΔE = E_N,q − E_N,c of the Eq. (19) state, without cancellation.

    ``kappa_G`` (rad/s) is the diffusion rate of the hypothesis compared with quantum gravity
    (default ``p.kappa_G``, KTM's).  Eq. (19) is affine in κ_G, so the shift
    V₁ = V(κ_G) − V(0) is [V(K) − V(0)]·κ_G/K at a scale K comparable to the other noise rates
    (a difference of two numbers that differ at order one).  With V₀ = V(0), each invariant's
    shift is formed from V₁ (:func:`_delta_log_negativity`), never as a difference of two
    nearly equal numbers, so ΔE keeps ~13 digits at ΔE/E_N ≈ 1e-8 (the paper point).
    """
    params = _attributes(p, _COLLECTIVE)
    kappa = np.asarray(params.pop("kappa_G") if kappa_G is None else kappa_G, dtype=float)
    params.pop("kappa_G", None)
    v0 = eq19_covariance(**params, kappa_G=0.0)
    scale = np.maximum(np.asarray(p.Gamma), np.asarray(p.gamma_m) * (2 * np.asarray(p.n_th) + 1))
    v1 = (eq19_covariance(**params, kappa_G=scale) - v0) * (kappa / scale)[..., None, None]
    nats = _delta_log_negativity(v0, v1)
    return nats if base == "e" else nats / np.log(2.0)


def _delta_log_negativity(v0: NDArray[np.float64], v1: NDArray[np.float64]) -> Any:
    """E_N(V₀) − E_N(V₀ + V₁) in nats, from the shifts of the invariants.

    With Σ = det V_a + det V_b − 2 det V_ab, Δ = det V and u = Σ + sqrt(Σ² − 4Δ), the
    smaller symplectic eigenvalue is ν̃₋² = 2Δ/u, so
    ΔE = ½[log1p(δΔ/Δ₀) − log1p(δu/u₀)] where E_N,c > 0.  δ of a 2×2 determinant is its
    exact polynomial in the shift; δΔ = Δ₀·expm1(Σ log1p μᵢ), μᵢ the eigenvalues of V₀⁻¹V₁;
    δ sqrt(X) = δX/(sqrt(X₀) + sqrt(X₁)).  Where V₀ + V₁ is not entangled, ΔE = E_N(V₀);
    where either covariance is not finite (inputs beyond float64), NaN.
    """

    def det2(b: NDArray[np.float64]) -> NDArray[np.float64]:
        return b[..., 0, 0] * b[..., 1, 1] - b[..., 0, 1] * b[..., 1, 0]

    def shift_det2(b: NDArray[np.float64], db: NDArray[np.float64]) -> NDArray[np.float64]:
        cross = b[..., 0, 0] * db[..., 1, 1] + db[..., 0, 0] * b[..., 1, 1]
        cross -= b[..., 0, 1] * db[..., 1, 0] + db[..., 0, 1] * b[..., 1, 0]
        return cross + det2(db)

    blocks = ((slice(0, 2), slice(0, 2), 1.0), (slice(2, 4), slice(2, 4), 1.0))
    blocks += ((slice(0, 2), slice(2, 4), -2.0),)
    sigma0 = sum(w * det2(v0[..., i, j]) for i, j, w in blocks)
    d_sigma = sum(w * shift_det2(v0[..., i, j], v1[..., i, j]) for i, j, w in blocks)
    delta0 = np.linalg.det(v0)
    finite = np.all(np.isfinite(v0) & np.isfinite(v1), axis=(-2, -1))  # else NaN, said above
    with np.errstate(all="ignore"):
        ratio = np.linalg.solve(_or_identity(v0, finite), _or_identity(v1, finite))
    finite &= np.all(np.isfinite(ratio), axis=(-2, -1))
    mu = np.linalg.eigvals(_or_identity(ratio, finite)).real
    d_delta = delta0 * np.expm1(np.sum(np.log1p(mu), axis=-1))
    root0 = np.sqrt(np.maximum(sigma0**2 - 4 * delta0, 0.0))
    d_x = d_sigma * (2 * sigma0 + d_sigma) - 4 * d_delta
    root1 = np.sqrt(np.maximum(root0**2 + d_x, 0.0))
    u0 = sigma0 + root0
    # root0 + root1 = 0 only where both partial transposes have degenerate symplectic
    # eigenvalues, which no entangled state has (at most one lies below 1): e0 is used there
    with np.errstate(divide="ignore", invalid="ignore"):
        d_u = d_sigma + d_x / (root0 + root1)
        shift = 0.5 * (np.log1p(d_delta / delta0) - np.log1p(d_u / u0))
    e0 = _log_negativity_from_covariance(v0)
    entangled = _log_negativity_from_covariance(v0 + v1) > 0
    return np.where(finite, np.where(entangled, shift, e0), np.nan)[()]


def _or_identity(v: NDArray[np.float64], keep: NDArray[np.bool_]) -> NDArray[np.float64]:
    """``v`` where ``keep``, else the identity (a matrix the eigenvalue solver accepts)."""
    return np.where(keep[..., None, None], np.nan_to_num(v), np.eye(v.shape[-1]))
