"""Fock-number tails of Gaussian states: the population a truncation to N levels cuts off.

Pure functions of an occupation or a single-mode covariance (vacuum ½·I); the workflows
(:mod:`gravsim.fock.levels`) use them to decide Fock truncations from the exact
Gaussian state before any Fock space is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.special


def thermal_tail(occupation: float, levels: int) -> float:
    """Population a truncation to ``levels`` cuts off a thermal state: (n/(n+1))^levels."""
    n = max(float(occupation), 0.0)
    if n == 0:
        return 0.0
    return math.exp(-levels * math.log1p(1.0 / n))


#: Below this, 1 − Σ_{n<N} P(n) has lost its digits to rounding (~1e-16 per term): the tail is
#: then summed term by term instead.
_RESOLVED = 1e-8


def gaussian_tail(covariance: np.ndarray, levels: int) -> float:
    """P(n ≥ ``levels``) of a zero-mean single-mode Gaussian state.

    The generating function of its photon-number distribution is
    G(z) = Σ P(n) zⁿ = det[I + (1 − z)(V − I/2)]^{−1/2} (V the 2×2 covariance, vacuum I/2),
    = Π_i (1 + λ_i)^{−1/2} (1 − q_i z)^{−1/2} with λ_i the eigenvalues of V − I/2 and
    q_i = λ_i/(1 + λ_i) ∈ (−1, 1); each factor's series has the coefficients
    C(2n, n)(q/4)ⁿ.  The tail is 1 − Σ_{n<N} P(n) where that is above 1e-8, else the sum
    Σ_{n≥N} P(n) of the terms down to 1e-18 of the first: relative accuracy ~1e-12 at any
    size (the truncation-error model of :mod:`gravsim.fock.levels` takes ratios and
    differences of tails down to 1e-15).  Thermal (λ₁ = λ₂ = n̄): (n̄/(n̄+1))^N.
    """
    lam = np.linalg.eigvalsh(0.5 * (covariance + covariance.T)) - 0.5
    lam = np.maximum(lam, -0.5 + 1e-15)  # physical states: V ≥ (squeezed) vacuum
    q = lam / (1 + lam)
    head = 1.0 - float(np.sum(_number_distribution(lam, q, levels)))
    if head > _RESOLVED or np.max(np.abs(q)) == 0:
        return max(head, 0.0)
    extra = math.ceil(math.log(1e-18) / math.log(float(np.max(np.abs(q)))))
    return float(np.sum(_number_distribution(lam, q, levels + extra)[levels:]))


def _number_distribution(lam: np.ndarray, q: np.ndarray, size: int) -> np.ndarray:
    """P(0), …, P(size − 1) from the generating function of :func:`gaussian_tail`."""
    k = np.arange(size)
    binom = np.exp(
        scipy.special.gammaln(2 * k + 1) - 2 * scipy.special.gammaln(k + 1) - 2 * k * np.log(2)
    )
    factors = [binom * q_i**k for q_i in q]
    return np.convolve(factors[0], factors[1])[:size] / np.sqrt(np.prod(1 + lam))


def _symplectic_normal_form(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Williamson form of a positive-definite covariance ``v`` (2n×2n): symplectic
    eigenvalues ν (n,) and M (2n×2n) with v = M diag(ν₁, ν₁, ν₂, ν₂, …) Mᵀ.

    From the real Schur form of v^{1/2} Ω v^{1/2} (antisymmetric, 2×2 blocks ±ν);
    M = v^{1/2} Z diag(ν)^{−1/2}.  Which way round each block's x and p lie does not matter
    here: M is only used with diagonals that are constant on each block.
    """
    w, u = np.linalg.eigh(0.5 * (v + v.T))
    root = (u * np.sqrt(w)) @ u.T
    n = v.shape[0] // 2
    omega = np.kron(np.eye(n), np.array([[0.0, 1.0], [-1.0, 0.0]]))
    t, z = scipy.linalg.schur(root @ omega @ root, output="real")
    nus = np.abs(np.array([t[2 * k, 2 * k + 1] for k in range(n)]))
    return nus, root @ z @ np.diag(np.repeat(nus, 2) ** -0.5)


def transposed_norm_covariance(v: np.ndarray) -> np.ndarray:
    """Covariance of |ρ^{T_b}|/‖ρ^{T_b}‖₁ for a two-mode Gaussian ρ of covariance ``v`` (4×4).

    ρ^{T_b} is the Gaussian operator of the partially transposed covariance Ṽ = TVT,
    T = diag(1, 1, 1, −1).  In Ṽ's symplectic normal form it is a product of one-mode
    operators with Fock weights ∝ ((ν − ½)/(ν + ½))ⁿ; a symplectic eigenvalue ν̃ < ½ (the
    entangled case) gives alternating signs, and its absolute value is the thermal weight of
    ν' = 1/(4ν̃).  So |ρ^{T_b}|, normalised, is the Gaussian state with ν̃₋ replaced by
    1/(4ν̃₋), in the same normal-mode basis; its Fock populations in a and b (the diagonal,
    unchanged by the transposition) are what a truncation of the two modes cuts from
    ‖ρ^{T_b}‖₁ = e^{E_N}.  Without entanglement this is ρ's own covariance (with b's
    momentum reversed, which leaves its Fock populations alone).
    """
    flip = np.diag([1.0, 1.0, 1.0, -1.0])
    nus, m = _symplectic_normal_form(flip @ v @ flip)
    nus = np.where(nus < 0.5, 0.25 / nus, nus)
    return flip @ (m * np.repeat(nus, 2)) @ m.T @ flip


def negativity_tail(v: np.ndarray, levels: int) -> float:
    """P(n_a ≥ N) + P(n_b ≥ N) of |ρ^{T_b}|/‖ρ^{T_b}‖₁ (:func:`transposed_norm_covariance`)
    for a truncation to N = ``levels`` per mechanical mode: the weight of ‖ρ^{T_b}‖₁ outside
    the truncated space, to which the E_N error of the truncation is proportional to first
    order (:mod:`gravsim.fock.levels`)."""
    w = transposed_norm_covariance(v)
    return gaussian_tail(w[:2, :2], levels) + gaussian_tail(w[2:, 2:], levels)


# --- the truncation-error model built on these tails (gravsim.fock.truncation) ---

#: Safety factor of every bound, and the relative drift of an estimate's parts per step
#: with two or more pairs (the measured drift of the tail amplitude, ≤ 20 % per step).
SAFETY = 2.0
DRIFT = 0.25


@dataclass(frozen=True)
class Series:
    """One quantity at the truncations of one direction of a ladder (smallest first), with the
    tail t of each: the model E(k) = E∞ − c·t(k) (:func:`estimate_series`).  For a
    difference A − B, ``other`` is B's own series; its amplitude is fitted from B's values."""

    values: tuple[float, ...]
    tails: tuple[float, ...]
    other: Series | None = None

    def usable(self) -> bool:
        """Two values or more, tails positive and strictly monotone: falling along a ladder,
        rising where the last value is the smaller truncation (a cavity one level up)."""
        t = [np.diff(np.asarray(s.tails, float)) for s in (self, self.other) if s is not None]
        positive = all(np.all(np.asarray(s.tails) > 0) for s in (self, self.other) if s)
        return (
            len(self.values) >= 2
            and positive
            and all(len(x) == len(self.values) - 1 and (np.all(x < 0) or np.all(x > 0)) for x in t)
        )


def _pair_errors(s: Series) -> tuple[np.ndarray, np.ndarray]:
    """For each adjacent pair (oldest first): the error E∞ − E(last) it predicts, and the sum
    of the magnitudes of that prediction's parts."""
    v, t = np.asarray(s.values, float), np.asarray(s.tails, float)
    gap = t[:-1] - t[1:]
    fit = np.diff(v) * (t[-1] / gap)
    if s.other is None:
        return fit, np.abs(fit)
    vb, tb = np.asarray(s.other.values, float), np.asarray(s.other.tails, float)
    gap_b = tb[:-1] - tb[1:]
    shape = np.diff(vb) / gap_b * (gap_b * (t[-1] / gap) - tb[-1])
    return fit + shape, np.abs(fit) + np.abs(shape)


def series_error(s: Series) -> tuple[float, float]:
    """The signed error of ``s``'s last value and its bound
    (:func:`gravsim.fock.truncation.estimate_series` describes the model and the bound)."""
    errors, sizes = _pair_errors(s)
    if len(errors) == 1 and s.tails[-1] > s.tails[0]:  # the last value is the smaller one:
        measured = s.values[0] - s.values[-1]  # its error measured, up to the tail beyond
        beyond = abs(errors[-1] - measured)
        return float(errors[-1]), SAFETY * (abs(errors[-1]) + beyond + DRIFT * abs(measured))
    if len(errors) == 1:
        return float(errors[-1]), SAFETY * (abs(errors[-1]) + sizes[-1])
    ratio = max(x.tails[-1] / x.tails[-2] for x in (s, s.other) if x is not None)
    drift = abs(errors[-1] - errors[-2]) / (1 - ratio)
    relative = DRIFT
    if s.other is not None:  # a difference drifts at least as its hypotheses' amplitude does
        amp = _pair_errors(s.other)[0]
        change = abs(amp[-1] - amp[-2]) / (1 - ratio)
        relative = max(relative, min(1.0, change / abs(amp[-1])) if amp[-1] else 0.0)
    return float(errors[-1]), SAFETY * (abs(errors[-1]) + max(relative * sizes[-1], drift))
