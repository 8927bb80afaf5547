"""Drift and diffusion of a model description (the Gaussian backend's reading of a model).

The general rule (quadratic H, linear jump operators), in the conventions of
:mod:`gravsim.model.quadratures`:

* a Hamiltonian term c·o₁o₂ contributes H_R = c(u₁u₂ᵀ + u₂u₁ᵀ) (plus its conjugate for
  ``hermitian_conjugate``), so that H = ½RᵀH_R R + const and the drift is J H_R;
* a jump operator rate·D[L], L = λᵀR, contributes M = rate·λ*λᵀ (Hermitian); the drift
  gains J Im M and the diffusion J Re M Jᵀ.

Then dV/dt = A V + V Aᵀ + D.  No model has a hand-written matrix: a term is written once in
:mod:`gravsim.model.rungs` and read here (and by the Fock backend).  Coefficients may be
arrays: A and D then carry the batch shape in front.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gravsim.errors import NumericalError, OutOfRegimeError, UnstableError
from gravsim.model.description import ModelDescription
from gravsim.model.quadratures import ladder_vector, symplectic_form


def _weighted(coeff: Any, matrix: np.ndarray) -> np.ndarray:
    return np.asarray(coeff)[..., None, None] * matrix


def drift_diffusion(
    model: ModelDescription, groups: tuple[str, ...] | None = None, t: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Drift A and diffusion D of ``model`` (batch shape + (2n, 2n)), at time ``t``.

    Parameters
    ----------
    model : ModelDescription
        Quadratic (or constant/linear) Hamiltonian terms and linear jump operators.
    groups : tuple of str, optional
        Only jump operators of these groups contribute (default: all).  The Hamiltonian
        always contributes to A.
    t : float, optional
        Time (s) at which time-dependent coefficients c·e^{−iνt} are taken; needed if the
        model has any.

    Raises
    ------
    OutOfRegimeError
        If a term is not quadratic (the model is not Gaussian), or is time dependent and
        no ``t`` is given (such a model has no Lyapunov steady state).
    """
    modes = model.modes
    n2 = 2 * len(modes)
    j = symplectic_form(len(modes))
    h_r = np.zeros(n2 * n2, dtype=complex).reshape(n2, n2)
    if t is None and not model.static:
        raise OutOfRegimeError(
            f"model {model.rung!r} is time dependent: it has no steady state; use its "
            "periodic (Floquet) state or a transient"
        )
    for term in model.hamiltonian:
        if term.order > 2:
            raise OutOfRegimeError(
                f"term {term.label!r} is of order {term.order}: model {model.rung!r} is not "
                "Gaussian; use the Fock backend"
            )
        if term.order < 2:
            continue  # constants and linear drives move the means, not the covariance
        u1, u2 = (ladder_vector(op, modes) for op in term.ops)
        block = np.outer(u1, u2) + np.outer(u2, u1)
        contribution = _weighted(_at(term.coeff, term.frequency, t), block)
        if term.hermitian_conjugate:
            contribution = contribution + np.conj(contribution)
        h_r = h_r + contribution
    scale = np.max(np.abs(h_r), axis=(-2, -1), keepdims=True)
    if np.any(np.abs(h_r.imag) > 1e-12 * np.where(scale > 0, scale, 1.0)):
        raise OutOfRegimeError(
            f"the Hamiltonian of model {model.rung!r} is not Hermitian: check the "
            "hermitian_conjugate flags of its terms"
        )
    drift, diffusion = _CompensatedSum(), _CompensatedSum()
    for jump in model.jumps:
        if groups is not None and jump.group not in groups:
            continue
        lam = sum(
            _weighted_vec(
                _at(c, 0.0 if jump.static else jump.frequency(k), t), ladder_vector(op, modes)
            )
            for k, (c, op) in enumerate(jump.terms)
        )
        m = np.asarray(jump.rate)[..., None, None] * (
            np.conj(lam)[..., :, None] * lam[..., None, :]
        )
        drift.add(j @ m.imag)
        diffusion.add(j @ m.real @ j.T)
    a = j @ h_r.real + drift.total()
    d = diffusion.total() + np.zeros_like(a)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(d))):
        raise NumericalError(
            f"the drift or diffusion of model {model.rung!r} overflows float64 (a rate such "
            "as gamma_m n_th is above 1e308): bring the largest rates nearer the others"
        )
    return a, d


class _CompensatedSum:
    """Neumaier-compensated sum of arrays: exact cancellation of opposite contributions.

    A bath γn̄(D[a] + D[a†]) contributes drifts ±γn̄/2 that must cancel exactly next to
    the −γ/2 of γD[a] (n̄ ≈ 4×10⁶); plain accumulation would leave an error ~ε·γn̄.
    """

    def __init__(self) -> None:
        self.s: Any = 0.0
        self.c: Any = 0.0

    def add(self, x: np.ndarray) -> None:
        t = self.s + x
        big = np.abs(self.s) >= np.abs(x)
        self.c = self.c + np.where(big, (self.s - t) + x, (x - t) + self.s)
        self.s = t

    def total(self) -> Any:
        return self.s + self.c


def _at(coeff: Any, frequency: float, t: float | None) -> Any:
    """The coefficient c·e^{−iνt} at time t (c itself when ν = 0)."""
    return coeff if frequency == 0 else np.asarray(coeff) * np.exp(-1j * frequency * t)


def _weighted_vec(coeff: Any, vector: np.ndarray) -> np.ndarray:
    return np.asarray(coeff)[..., None] * vector


#: Eigenvalues of A are accurate to ~ε‖A‖; within this band a sign is undecidable by eig.
MARGINAL_BAND = 1e-10


def check_stable(a: np.ndarray, model: ModelDescription) -> np.ndarray:
    """Raise :class:`UnstableError` where the drift clearly has an eigenvalue with Re ≥ 0.

    Eigenvalues are accurate only to ~ε‖A‖: at Q_m = 10²⁰ the conventional scheme's damping
    γ_m/2 ≈ 10⁻¹⁸ rad/s sits far below ε·ω_m ≈ 10⁻¹⁴.  Points whose largest real part lies
    within ±``MARGINAL_BAND``·‖A‖ are returned as *marginal*: their Lyapunov solution is
    accepted only if it is finite and positive definite (see :func:`accept_marginal`).

    Returns
    -------
    ndarray of bool
        The marginal points (batch shape).
    """
    eig = np.linalg.eigvals(a)
    worst = np.max(eig.real, axis=-1)
    band = MARGINAL_BAND * np.max(np.abs(a), axis=(-2, -1))
    if np.any(worst > band):
        _raise_unstable(model, worst, float(np.max(worst)))
    return worst >= -band


def _raise_unstable(model: ModelDescription, worst: np.ndarray, value: float) -> None:
    idx = np.unravel_index(int(np.argmax(worst)), worst.shape) if worst.ndim else ()
    where = f" at grid index {tuple(int(i) for i in idx)}" if worst.ndim else ""
    sign = (
        ">= 0"
        if value >= 0
        else f"indistinguishable from 0 at the drift's scale (±{MARGINAL_BAND:g}·|A|), and "
        "the covariance it gives is not positive definite"
    )
    raise UnstableError(
        f"no steady state for model {model.rung!r}{where}: the drift has an eigenvalue "
        f"with real part {value:.3g} rad/s {sign}; the reservoir needs "
        "G_plus < G_minus and every mode damped (gamma_m > 0 or Omega != 0)"
    )


def accept_marginal(
    marginal: np.ndarray, v: np.ndarray, model: ModelDescription, worst_re: np.ndarray
) -> None:
    """Refuse marginal points whose Lyapunov solution is not finite and positive definite."""
    if not np.any(marginal):
        return
    finite = np.all(np.isfinite(v), axis=(-2, -1))
    safe = np.where(finite[..., None, None], v, 0.0)
    positive = finite & (np.linalg.eigvalsh(safe)[..., 0] > 0)
    bad = marginal & ~positive
    if np.any(bad):
        _raise_unstable(model, np.where(bad, 1.0, -1.0), float(np.max(worst_re[bad])))


def split_gravity(
    model: ModelDescription, t: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drift A, system diffusion D₀ and gravity diffusion D₁ of ``model`` (at time ``t``).

    Raises
    ------
    OutOfRegimeError
        If the gravity dissipators change the drift (then V is not linear in κ_G).
    """
    a, d0 = drift_diffusion(model, groups=("system",), t=t)
    a_h, _ = drift_diffusion(model, groups=(), t=t)
    a_g, d1 = drift_diffusion(model, groups=("gravity",), t=t)
    if np.any(np.abs(a_g - a_h) > 1e-14 * np.max(np.abs(a), axis=(-2, -1), keepdims=True)):
        raise OutOfRegimeError(
            f"gravity model {model.gravity.name!r} changes the drift: the quantum/classical "
            "split needs a gravity model that adds diffusion only"
        )
    return a, d0, d1
