"""Closed-form steady states of the effective two-mode model (paper S2 Eq. 19, S4 Eq. 24, Eq. 6).

This module is gravsim's *independent check*: it imports nothing from the rest of the package
and writes its own ladder→quadrature conversion and its own logarithmic negativity.

Model and conventions
---------------------
ħ = 1 and every rate or frequency is an **angular** frequency in rad/s.  Two mechanical modes
a, b obey the effective master equation of paper S1 Eq. (17), the **collective reservoir**::

    dρ/dt = −i[H, ρ] + γ(n̄+1)(D[a]+D[b])ρ + γn̄(D[a†]+D[b†])ρ
            + Γ D[β₁+β₂]ρ + 2κ_G(D[a]+D[a†]+D[b]+D[b†])ρ,
    H = Ω(a†a − b†b) + k(a†b + b†a),
    β₁ = a cosh r + b† sinh r,   β₂ = b cosh r + a† sinh r,   D[O]ρ = OρO† − ½{O†O, ρ},

with γ = ``gamma_m``, Γ = ``Gamma``, Ω = ``Omega``, k = ``k_M``, n̄ = ``n_th`` (dimensionless),
κ_G = ``kappa_G`` and r (dimensionless).  Note β₁ + β₂ = (a+b) cosh r + (a+b)† sinh r involves
the sum mode only: the difference mode is cooled only through the Ω mixing.  Quadratures are
X = (a+a†)/√2, P = −i(a−a†)/√2 (vacuum variance ½); the covariance matrix is
V_ij = ½⟨{R_i, R_j}⟩ with R = (X_a, P_a, X_b, P_b) (all first moments vanish).  n̄ and κ_G enter
every moment only through the combination n̄γ + 2κ_G (the KTM noise is an extra thermal
occupation 2κ_G/γ).

Which reservoir each closed form belongs to
-------------------------------------------
* :func:`eq19_moments`, :func:`eq19_covariance`, :func:`eq19_log_negativity` — paper S2
  Eq. (19): the exact steady state of the **collective** reservoir Γ D[β₁+β₂] above, any k, Ω.
* :func:`eq24_log_negativity` — paper S4 Eq. (24): **exact** for the **double** reservoir
  Γ(D[β₁] + D[β₂]) at k = 0 (any Ω); it is *not* the collective-reservoir result (the two
  differ by ≈ 3.6e-3 in E_N (nats) at the paper's reference point).
* :func:`eq24_delta_E` — exact difference E_N(κ_G = 0) − E_N(κ_G) of Eq. (24) (double
  reservoir, k = 0); :func:`eq6_delta_E` — paper Eq. (6), its first order in κ_G.

Moment equations (derived here, checked against the OCR of S2 Eq. 18)
--------------------------------------------------------------------
From d⟨O⟩/dt = Tr[O 𝓛ρ] = ⟨i[H,O] + Σ_j c_j (L_j† O L_j − ½{L_j†L_j, O})⟩ (derived
symbolically with sympy's boson algebra, and cross-checked in the tests against a Lyapunov
equation built directly from the jump operators), writing s₂ = sinh 2r, σ = sinh²r,
N = n̄γ + 2κ_G, the ten steady-state equations are::

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

Double reservoir and Eq. (24)
-----------------------------
For Γ(D[β₁] + D[β₂]) the drift of every quadrature is −Γ/2 (the β₁/β₂ contributions to the
a ↔ b† cross-drift cancel) and the diffusion matrix is Γ·½SSᵀ, with S the two-mode-squeezing
symplectic matrix (the two-mode squeezed vacuum annihilated by β₁ and β₂, ⟨ab⟩ = −½ sinh 2r:
½SSᵀ = ½[[c₂ I, −s₂ Z], [−s₂ Z, c₂ I]], c₂ = cosh 2r, s₂ = sinh 2r, Z = diag(1, −1)).
Thermal baths add drift −γ/2 and diffusion (n̄+½)γ; the KTM terms add no drift and
diffusion 2κ_G.  Ω(a†a − b†b) leaves ab, hence SSᵀ, invariant, so at
k = 0 the Lyapunov equation gives, for any Ω::

    V = [Γ/2 · SSᵀ + ((2n̄+1)γ/2 + 2κ_G) I] / (γ + Γ).

Partial transposition (P_b → −P_b) turns ½SSᵀ into ½[[c₂ I, −s₂ I], [−s₂ I, c₂ I]], which a
50:50 beam splitter (orthogonal *and* symplectic, so it leaves I unchanged) diagonalises to
½ diag(e^{−2r}, e^{−2r}, e^{2r}, e^{2r}).  Hence 2ν̃₋ = [(2n̄+1)γ + 4κ_G + Γe^{−2r}]/(γ+Γ) and
E_N = −ln 2ν̃₋ is Eq. (24) **exactly**.  The collective reservoir differs because its drift
acts on the sum mode only.  Eq. (24)'s κ_G dependence gives, exactly (when both E_N > 0),
ΔE = ln(1 + 4κ_G / B) with B = (2n̄+1)γ + Γe^{−2r}, whose first order is Eq. (6),
ΔE ≈ 4κ_G / B; the relative difference between the two is ≈ ΔE/2.

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
  (Σ − sqrt(Σ² − 4 det V))/2 but free of cancellation when ν̃₋ ≪ ν̃₊;
* :func:`eq24_delta_E` uses ``log1p`` (the difference of two E_N values would lose ~8 of
  16 digits at the reference point, where ΔE ≈ 5e-8 and E_N ≈ 0.75).

Measured against a 50-digit mpmath solve of the moment equations: the Eq. (19) moments agree
to ≤ 5e-16 relative and E_N to ≤ 1e-15 relative (reference point and O(1) points).  A
difference of two :func:`eq19_log_negativity` values (e.g. κ_G vs 0) carries an absolute
error ~1e-16: at the reference point ΔE ≈ 4.97e-8 comes out 2e-9 relative off; for smaller
differences use extended precision or the exact linearity of the covariance in κ_G.

Log base: ``base="e"`` (default) gives E_N in nats; ``base="2"`` in bits (= nats / ln 2).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gravsim.errors import GravsimInputError

__all__ = [
    "MOMENT_KEYS",
    "eq19_moments",
    "eq19_covariance",
    "eq19_log_negativity",
    "eq24_log_negativity",
    "eq24_delta_E",
    "eq6_delta_E",
    "eq19_moments_from",
    "eq19_covariance_from",
    "eq19_log_negativity_from",
    "eq24_log_negativity_from",
    "eq24_delta_E_from",
    "eq6_delta_E_from",
]

#: Keys of :func:`eq19_moments`: a2=⟨a²⟩, b2=⟨b²⟩, ad2=⟨a†²⟩, bd2=⟨b†²⟩, abd=⟨ab†⟩,
#: adb=⟨a†b⟩, ada=⟨a†a⟩, ab=⟨ab⟩, bdb=⟨b†b⟩, adbd=⟨a†b†⟩.
MOMENT_KEYS: tuple[str, ...] = ("a2", "b2", "ad2", "bd2", "abd", "adb", "ada", "ab", "bdb", "adbd")

_LN2 = math.log(2.0)


class _HasParams(Protocol):
    gamma_m: Any
    Gamma: Any
    r: Any
    Omega: Any
    k_M: Any
    n_th: Any
    kappa_G: Any


def _f(x: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(x, dtype=np.float64)


def _scalar_or_array(x: NDArray[Any]) -> Any:
    """Return a NumPy scalar for 0-d input, the array otherwise."""
    return x[()] if x.ndim == 0 else x


def _log_scale(base: str) -> float:
    if base == "e":
        return 1.0
    if base == "2":
        return 1.0 / _LN2
    raise GravsimInputError(f"unknown log base {base!r}: use 'e' or '2'")


# --------------------------------------------------------------------------------------------
# Collective reservoir: S2 Eq. (19)
# --------------------------------------------------------------------------------------------


def eq19_moments(
    *,
    gamma_m: ArrayLike,
    Gamma: ArrayLike,
    r: ArrayLike,
    Omega: ArrayLike,
    k_M: ArrayLike,
    n_th: ArrayLike,
    kappa_G: ArrayLike,
) -> dict[str, NDArray[np.complex128]]:
    """Steady-state second moments of the collective-reservoir model (S2 Eq. 19, corrected).

    Parameters
    ----------
    gamma_m : float or array
        Mechanical damping rate γ (rad/s).
    Gamma : float or array
        Engineered-reservoir rate Γ = 4G²/κ (rad/s).
    r : float or array
        Squeezing parameter r = atanh(G₊/G₋) (dimensionless).
    Omega : float or array
        Half the mechanical frequency difference Ω = (ω_a − ω_b)/2 (rad/s).
    k_M : float or array
        Beam-splitter coupling k in H = Ω(a†a − b†b) + k(a†b + b†a) (rad/s).
    n_th : float or array
        Thermal occupation n̄ of both baths (dimensionless).
    kappa_G : float or array
        KTM decoherence rate κ_G (rad/s); enters as 2κ_G(D[a]+D[a†]+D[b]+D[b†]).

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
    g, G, rr, W, k, n, kg = (_f(x) for x in (gamma_m, Gamma, r, Omega, k_M, n_th, kappa_G))
    shape = np.broadcast_shapes(g.shape, G.shape, rr.shape, W.shape, k.shape, n.shape, kg.shape)
    gG = g + G
    s2 = np.sinh(2.0 * rr)  # sinh 2r
    sh2 = np.sinh(rr) ** 2  # sinh² r
    W2, k2 = W * W, k * k
    Delta = gG * gG + 4.0 * (W2 + k2)
    # Γ² ± 4ikΓ − Δ = −[γ(γ+2Γ) + 4Ω² + 4k² ∓ 4ikΓ]  (no Γ² − (γ+Γ)² cancellation)
    base_real = g * (g + 2.0 * G) + 4.0 * W2 + 4.0 * k2
    den_p = -2.0 * gG * (base_real - 4j * k * G)  # 2(γ+Γ)(Γ² + 4ikΓ − Δ)
    den_m = -2.0 * gG * (base_real + 4j * k * G)  # 2(γ+Γ)(Γ² − 4ikΓ − Δ)
    den = g * (g + 2.0 * G) * Delta + 4.0 * G * G * W2  # γ(γ+2Γ)Δ + 4Γ²Ω²
    Gs2 = G * s2

    a2 = (gG - 2j * W) * (g - 2j * k) * Gs2 / den_p
    b2 = (gG + 2j * W) * (g - 2j * k) * Gs2 / den_p
    ad2 = (gG + 2j * W) * (g + 2j * k) * Gs2 / den_m
    bd2 = (gG - 2j * W) * (g + 2j * k) * Gs2 / den_m
    ab = (g * gG + 4.0 * W2 - 2j * k * gG) * Gs2 / den_p
    adbd = (g * gG + 4.0 * W2 + 2j * k * gG) * Gs2 / den_m

    # Corrected prefactor: −Γ (see module docstring).
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

    vals = {
        "a2": a2,
        "b2": b2,
        "ad2": ad2,
        "bd2": bd2,
        "abd": abd,
        "adb": adb,
        "ada": ada,
        "ab": ab,
        "bdb": bdb,
        "adbd": adbd,
    }
    return {
        key: np.broadcast_to(np.asarray(v, dtype=np.complex128), shape).copy()
        for key, v in vals.items()
    }


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


def eq19_covariance(
    *,
    gamma_m: ArrayLike,
    Gamma: ArrayLike,
    r: ArrayLike,
    Omega: ArrayLike,
    k_M: ArrayLike,
    n_th: ArrayLike,
    kappa_G: ArrayLike,
) -> NDArray[np.float64]:
    """Steady-state covariance matrix of the collective-reservoir model, from Eq. (19).

    Parameters
    ----------
    gamma_m, Gamma, r, Omega, k_M, n_th, kappa_G : float or array
        As in :func:`eq19_moments` (rates in rad/s; r, n_th dimensionless).

    Returns
    -------
    ndarray, shape (..., 4, 4)
        Real symmetric V_ij = ½⟨{R_i, R_j}⟩, R = (X_a, P_a, X_b, P_b), vacuum = ½ I
        (dimensionless).
    """
    m = eq19_moments(
        gamma_m=gamma_m,
        Gamma=Gamma,
        r=r,
        Omega=Omega,
        k_M=k_M,
        n_th=n_th,
        kappa_G=kappa_G,
    )
    return _covariance_from_moments(m)


def _log_negativity_from_covariance(V: NDArray[np.float64], base: str) -> Any:
    """E_N = max(0, −log 2ν̃₋) of a two-mode covariance (..., 4, 4), ordering (X_a,P_a,X_b,P_b).

    Σ = det V_a + det V_b − 2 det V_ab; ν̃₋² = 2 det V / (Σ + sqrt(Σ² − 4 det V)).
    """
    scale = _log_scale(base)
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
    en = np.maximum(0.0, -0.5 * np.log(4.0 * nu2)) * scale  # −ln(2ν̃₋)
    return _scalar_or_array(np.asarray(en))


def eq19_log_negativity(
    *,
    gamma_m: ArrayLike,
    Gamma: ArrayLike,
    r: ArrayLike,
    Omega: ArrayLike,
    k_M: ArrayLike,
    n_th: ArrayLike,
    kappa_G: ArrayLike,
    base: str = "e",
) -> Any:
    """Logarithmic negativity of the collective-reservoir steady state (Eq. 19 covariance).

    Parameters
    ----------
    gamma_m, Gamma, r, Omega, k_M, n_th, kappa_G : float or array
        As in :func:`eq19_moments` (rates in rad/s; r, n_th dimensionless).
    base : {"e", "2"}
        Log base: "e" gives nats (default), "2" gives bits (= nats / ln 2).

    Returns
    -------
    float or ndarray
        E_N = max(0, −log 2ν̃₋), ν̃₋ the smaller symplectic eigenvalue of the partially
        transposed covariance, in nats or bits.
    """
    V = eq19_covariance(
        gamma_m=gamma_m,
        Gamma=Gamma,
        r=r,
        Omega=Omega,
        k_M=k_M,
        n_th=n_th,
        kappa_G=kappa_G,
    )
    return _log_negativity_from_covariance(V, base)


# --------------------------------------------------------------------------------------------
# Double reservoir, k = 0: S4 Eq. (24) and Eq. (6)
# --------------------------------------------------------------------------------------------


def eq24_log_negativity(
    *,
    gamma_m: ArrayLike,
    Gamma: ArrayLike,
    r: ArrayLike,
    n_th: ArrayLike,
    kappa_G: ArrayLike,
    base: str = "e",
) -> Any:
    """Paper S4 Eq. (24): E_N = max(0, −log{[(2n̄+1)γ + 4κ_G + Γe^{−2r}] / (γ + Γ)}).

    **Double reservoir** Γ(D[β₁] + D[β₂]) at k = 0: exact there for any Ω (derivation in the
    module docstring).  It is an approximation (3.6e-3 nats above it at the reference point)
    to the collective-reservoir model of :func:`eq19_log_negativity`.

    Parameters
    ----------
    gamma_m : float or array
        Mechanical damping rate γ (rad/s).
    Gamma : float or array
        Engineered-reservoir rate Γ (rad/s).
    r : float or array
        Squeezing parameter (dimensionless).
    n_th : float or array
        Thermal occupation n̄ (dimensionless).
    kappa_G : float or array
        KTM decoherence rate κ_G (rad/s).
    base : {"e", "2"}
        Log base of E_N: nats (default) or bits.

    Returns
    -------
    float or ndarray
        E_N in nats or bits.
    """
    scale = _log_scale(base)
    g, G, rr, n, kg = (_f(x) for x in (gamma_m, Gamma, r, n_th, kappa_G))
    num = (2.0 * n + 1.0) * g + 4.0 * kg + G * np.exp(-2.0 * rr)
    en = np.maximum(0.0, np.log(g + G) - np.log(num)) * scale
    return _scalar_or_array(np.asarray(en))


def eq24_delta_E(
    *,
    gamma_m: ArrayLike,
    Gamma: ArrayLike,
    r: ArrayLike,
    n_th: ArrayLike,
    kappa_G: ArrayLike,
    base: str = "e",
) -> Any:
    """Exact ΔE = E_N(κ_G = 0) − E_N(κ_G) of Eq. (24) (double reservoir, k = 0).

    With B = (2n̄+1)γ + Γe^{−2r} and both E_N > 0, ΔE = log1p(4κ_G / B), computed without
    subtracting two E_N values.  When E_N(κ_G) is clipped at 0 the result is E_N(0).

    Parameters
    ----------
    gamma_m, Gamma, r, n_th, kappa_G : float or array
        As in :func:`eq24_log_negativity` (rates in rad/s).
    base : {"e", "2"}
        Log base: nats (default) or bits.

    Returns
    -------
    float or ndarray
        ΔE in nats or bits.
    """
    scale = _log_scale(base)
    g, G, rr, n, kg = (_f(x) for x in (gamma_m, Gamma, r, n_th, kappa_G))
    B = (2.0 * n + 1.0) * g + G * np.exp(-2.0 * rr)
    gG = g + G
    en0 = np.maximum(0.0, np.log(gG) - np.log(B))
    both_positive = B + 4.0 * kg < gG
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.log1p(4.0 * kg / B)
    dE = np.where(both_positive, exact, en0) * scale
    return _scalar_or_array(np.asarray(dE))


def eq6_delta_E(
    *,
    gamma_m: ArrayLike,
    Gamma: ArrayLike,
    r: ArrayLike,
    n_th: ArrayLike,
    kappa_G: ArrayLike,
    base: str = "e",
) -> Any:
    """Paper Eq. (6): ΔE ≈ 4κ_G / [(2n̄+1)γ + Γe^{−2r}] (double reservoir, k = 0).

    First order in κ_G of :func:`eq24_delta_E`; relative error ≈ ΔE/2.

    Parameters
    ----------
    gamma_m, Gamma, r, n_th, kappa_G : float or array
        As in :func:`eq24_log_negativity` (rates in rad/s).
    base : {"e", "2"}
        Log base: nats (default) or bits.

    Returns
    -------
    float or ndarray
        ΔE in nats or bits.
    """
    scale = _log_scale(base)
    g, G, rr, n, kg = (_f(x) for x in (gamma_m, Gamma, r, n_th, kappa_G))
    dE = 4.0 * kg / ((2.0 * n + 1.0) * g + G * np.exp(-2.0 * rr)) * scale
    return _scalar_or_array(np.asarray(dE))


# --------------------------------------------------------------------------------------------
# Wrappers taking a parameter object with attributes gamma_m, Gamma, r, Omega, k_M, n_th, kappa_G
# --------------------------------------------------------------------------------------------


def _all(p: _HasParams) -> dict[str, Any]:
    return {
        "gamma_m": p.gamma_m,
        "Gamma": p.Gamma,
        "r": p.r,
        "Omega": p.Omega,
        "k_M": p.k_M,
        "n_th": p.n_th,
        "kappa_G": p.kappa_G,
    }


def _k0(p: _HasParams) -> dict[str, Any]:
    return {
        "gamma_m": p.gamma_m,
        "Gamma": p.Gamma,
        "r": p.r,
        "n_th": p.n_th,
        "kappa_G": p.kappa_G,
    }


def eq19_moments_from(p: _HasParams) -> dict[str, NDArray[np.complex128]]:
    """:func:`eq19_moments` with the parameters read from ``p``'s attributes."""
    return eq19_moments(**_all(p))


def eq19_covariance_from(p: _HasParams) -> NDArray[np.float64]:
    """:func:`eq19_covariance` with the parameters read from ``p``'s attributes."""
    return eq19_covariance(**_all(p))


def eq19_log_negativity_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq19_log_negativity` with the parameters read from ``p``'s attributes."""
    return eq19_log_negativity(**_all(p), base=base)


def eq24_log_negativity_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq24_log_negativity` with the parameters read from ``p`` (Ω, k_M unused)."""
    return eq24_log_negativity(**_k0(p), base=base)


def eq24_delta_E_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq24_delta_E` with the parameters read from ``p`` (Ω, k_M unused)."""
    return eq24_delta_E(**_k0(p), base=base)


def eq6_delta_E_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq6_delta_E` with the parameters read from ``p`` (Ω, k_M unused)."""
    return eq6_delta_E(**_k0(p), base=base)
