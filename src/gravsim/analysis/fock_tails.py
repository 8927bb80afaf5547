"""Fock-number tails of Gaussian states: the population a truncation to N levels cuts off.

Pure functions of an occupation or a single-mode covariance (vacuum ½·I); the workflows
(:mod:`gravsim.workflows.levels`) use them to decide Fock truncations from the exact
Gaussian state before any Fock space is built.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special


def thermal_tail(occupation: float, levels: int) -> float:
    """Population a truncation to ``levels`` cuts off a thermal state: (n/(n+1))^levels."""
    n = max(float(occupation), 0.0)
    if n == 0:
        return 0.0
    return math.exp(-levels * math.log1p(1.0 / n))


def gaussian_tail(covariance: np.ndarray, levels: int) -> float:
    """P(n ≥ ``levels``) of a zero-mean single-mode Gaussian state.

    The generating function of its photon-number distribution is
    G(z) = Σ P(n) zⁿ = det[I + (1 − z)(V − I/2)]^{−1/2} (V the 2×2 covariance, vacuum I/2),
    = Π_i (1 + λ_i)^{−1/2} (1 − q_i z)^{−1/2} with λ_i the eigenvalues of V − I/2 and
    q_i = λ_i/(1 + λ_i) ∈ (−1, 1); each factor's series has the coefficients
    C(2n, n)(q/4)ⁿ.  The tail is 1 − Σ_{n<N} P(n), accurate to ~1e-15 absolute, well below
    the limits it is compared with.  Thermal (λ₁ = λ₂ = n̄): (n̄/(n̄+1))^N.
    """
    lam = np.linalg.eigvalsh(0.5 * (covariance + covariance.T)) - 0.5
    lam = np.maximum(lam, -0.5 + 1e-15)  # physical states: V ≥ (squeezed) vacuum
    k = np.arange(levels)
    binom = np.exp(
        scipy.special.gammaln(2 * k + 1) - 2 * scipy.special.gammaln(k + 1) - 2 * k * np.log(2)
    )
    factors = [binom * (lam_i / (1 + lam_i)) ** k for lam_i in lam]
    p = np.convolve(factors[0], factors[1])[:levels] / np.sqrt(np.prod(1 + lam))
    return float(max(1.0 - np.sum(p), 0.0))
