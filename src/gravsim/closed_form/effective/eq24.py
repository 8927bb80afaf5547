"""Double reservoir Γ(D[β₁] + D[β₂]) at k = 0: paper S4 Eq. (24), its exact ΔE, and Eq. (6).

Model, symbols and units as in :mod:`gravsim.closed_form.effective` (ħ = 1, rates in rad/s).

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
:func:`eq24_delta_E` uses ``log1p`` (the difference of two E_N values would lose ~8 of
16 digits at the reference point, where ΔE ≈ 5e-8 and E_N ≈ 0.75).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.closed_form.effective._common import _DOUBLE, _Arr, _attributes, _HasParams, _public

__all__ = [
    "eq24_log_negativity",
    "eq24_delta_E",
    "eq6_delta_E",
    "eq24_log_negativity_from",
    "eq24_delta_E_from",
    "eq6_delta_E_from",
]


def _b(g: _Arr, G: _Arr, rr: _Arr, n: _Arr) -> _Arr:
    """B = (2n̄+1)γ + Γe^{−2r} (rad/s): the κ_G-free part of Eq. (24)'s numerator."""
    return (2.0 * n + 1.0) * g + G * np.exp(-2.0 * rr)


@_public(_DOUBLE, "Any", log_base=True)
def eq24_log_negativity(g: _Arr, G: _Arr, rr: _Arr, n: _Arr, kg: _Arr) -> _Arr:
    """Paper S4 Eq. (24): E_N = max(0, −log{[(2n̄+1)γ + 4κ_G + Γe^{−2r}] / (γ + Γ)}).

    **Double reservoir** Γ(D[β₁] + D[β₂]) at k = 0: exact there for any Ω (derivation in the
    module docstring).  It is an approximation (3.6e-3 nats above it at the reference point)
    to the collective-reservoir model of
    :func:`~gravsim.closed_form.effective.eq19.eq19_log_negativity`.

    {parameters}

    Returns
    -------
    float or ndarray
        E_N in nats or bits.
    """
    num = (2.0 * n + 1.0) * g + 4.0 * kg + G * np.exp(-2.0 * rr)
    return np.maximum(0.0, np.log(g + G) - np.log(num))


@_public(_DOUBLE, "Any", log_base=True)
def eq24_delta_E(g: _Arr, G: _Arr, rr: _Arr, n: _Arr, kg: _Arr) -> _Arr:
    """Exact ΔE = E_N(κ_G = 0) − E_N(κ_G) of Eq. (24) (double reservoir, k = 0).

    With B = (2n̄+1)γ + Γe^{−2r} and both E_N > 0, ΔE = log1p(4κ_G / B), computed without
    subtracting two E_N values.  When E_N(κ_G) is clipped at 0 the result is E_N(0).

    {parameters}

    Returns
    -------
    float or ndarray
        ΔE in nats or bits.
    """
    B = _b(g, G, rr, n)
    gG = g + G
    en0 = np.maximum(0.0, np.log(gG) - np.log(B))
    both_positive = B + 4.0 * kg < gG
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.log1p(4.0 * kg / B)
    return np.where(both_positive, exact, en0)


@_public(_DOUBLE, "Any", log_base=True)
def eq6_delta_E(g: _Arr, G: _Arr, rr: _Arr, n: _Arr, kg: _Arr) -> _Arr:
    """Paper Eq. (6): ΔE ≈ 4κ_G / [(2n̄+1)γ + Γe^{−2r}] (double reservoir, k = 0).

    First order in κ_G of :func:`eq24_delta_E`; relative error ≈ ΔE/2.

    {parameters}

    Returns
    -------
    float or ndarray
        ΔE to first order in κ_G, in nats or bits.
    """
    return 4.0 * kg / _b(g, G, rr, n)


# --------------------------------------------------------------------------------------------
# Wrappers taking a parameter object with attributes gamma_m, Gamma, r, n_th, kappa_G
# --------------------------------------------------------------------------------------------


def eq24_log_negativity_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq24_log_negativity` with the parameters read from ``p`` (Ω, k_M unused)."""
    return eq24_log_negativity(**_attributes(p, _DOUBLE), base=base)


def eq24_delta_E_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq24_delta_E` with the parameters read from ``p`` (Ω, k_M unused)."""
    return eq24_delta_E(**_attributes(p, _DOUBLE), base=base)


def eq6_delta_E_from(p: _HasParams, base: str = "e") -> Any:
    """:func:`eq6_delta_E` with the parameters read from ``p`` (Ω, k_M unused)."""
    return eq6_delta_E(**_attributes(p, _DOUBLE), base=base)
