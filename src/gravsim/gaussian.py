"""Gaussian backend: drift and diffusion from a model description, Lyapunov steady states.

The general rule (quadratic H, linear jump operators).  With R = (x₁, p₁, …, x_n, p_n),
[R_i, R_j] = i J_ij (J = ⊕ [[0, 1], [−1, 0]]) and each ladder operator written as a row
vector u over R (a = (x + i p)/√2, a† = (x − i p)/√2):

* a Hamiltonian term c·o₁o₂ contributes H_R = c(u₁u₂ᵀ + u₂u₁ᵀ) (plus its conjugate for
  ``hermitian_conjugate``), so that H = ½RᵀH_R R + const and the drift is J H_R;
* a jump operator rate·D[L], L = λᵀR, contributes M = rate·λ*λᵀ (Hermitian); the drift
  gains J Im M and the diffusion J Re M Jᵀ.

Then dV/dt = A V + V Aᵀ + D for V_ij = ½⟨{ΔR_i, ΔR_j}⟩, and the steady state solves the
Lyapunov equation A V + V Aᵀ + D = 0.  No model has a hand-written matrix: a term is written
once in :mod:`gravsim.models` and read here (and by the Fock backend).

Batching: coefficients may be arrays; A and D then carry the batch shape in front and all
points are solved together — one batched LU of the (2n)²×(2n)² Kronecker system
(I⊗A + A⊗I) vec V = −vec D, with no Python loop over points.  The Kronecker form is
backward stable (LU with partial pivoting); the residual ‖AV + VAᵀ + D‖ relative to
‖A‖‖V‖ + ‖D‖ is reported with every state (≈1e-16 at the paper point).

Quantum vs classical gravity: the gravity model's dissipators (group ``"gravity"``) add
diffusion only, so V = V₀ + V₁ exactly, with V₁ solving A V₁ + V₁ Aᵀ + D_gravity = 0.
V₁ is computed on its own — never as a difference of two solves — and ΔE follows from
:func:`gravsim.entanglement.delta_log_negativity`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from .description import Ladder, ModelDescription
from .entanglement import delta_log_negativity, log_negativity
from .errors import GravsimInputError, NumericalError, OutOfRegimeError, UnstableError

_SQ2 = np.sqrt(0.5)


def symplectic_form(n_modes: int) -> np.ndarray:
    """J = ⊕ [[0, 1], [−1, 0]] for ``n_modes`` modes."""
    return np.kron(np.eye(n_modes), np.array([[0.0, 1.0], [-1.0, 0.0]]))


def ladder_vector(op: Ladder, modes: tuple[str, ...]) -> np.ndarray:
    """The row vector u with op = uᵀR (complex, length 2n)."""
    u = np.zeros(2 * len(modes), dtype=complex)
    k = modes.index(op.mode)
    u[2 * k] = _SQ2
    u[2 * k + 1] = -1j * _SQ2 if op.dagger else 1j * _SQ2
    return u


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
    accepted only if it is finite and positive definite (see :func:`_accept_marginal`).

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
    raise UnstableError(
        f"no steady state for model {model.rung!r}{where}: the drift has an eigenvalue "
        f"with real part {value:.3g} rad/s >= 0; the reservoir needs "
        "G_plus < G_minus and every mode damped (gamma_m > 0 or Omega != 0)"
    )


def _accept_marginal(
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


def solve_lyapunov(a: np.ndarray, *ds: np.ndarray) -> list[tuple[np.ndarray, Any]]:
    """Solve A V + V Aᵀ + D = 0 for each D, for a batch of (m, m) drifts, by one batched LU.

    Only the m(m+1)/2 independent entries of the symmetric V are unknowns: the restricted
    Lyapunov operator is assembled for the whole batch by one matrix product of A with a
    constant 0/1 tensor (:func:`_symmetric_lyapunov_map`) and factorised once per point with
    partial pivoting (``numpy.linalg.solve``); several D share that factorisation as extra
    right-hand sides.

    Returns
    -------
    list of (V, residual)
        The solutions and ‖A V + V Aᵀ + D‖_F / (2‖A‖_F‖V‖_F + ‖D‖_F) per point.
    """
    m = a.shape[-1]
    shape = np.broadcast_shapes(a.shape, *(d.shape for d in ds))
    batch = shape[:-2]
    a = np.broadcast_to(a, shape)
    tensor, rows, cols = _symmetric_lyapunov_map(m)
    n_sym = rows.size
    op = (a.reshape(-1, m * m) @ tensor).reshape(batch + (n_sym, n_sym))
    rhs = np.stack([-np.broadcast_to(d, shape)[..., rows, cols] for d in ds], -1)
    sol = np.linalg.solve(op, rhs)
    out = []
    for k, d in enumerate(ds):
        v = np.empty(shape)
        v[..., rows, cols] = sol[..., k]
        v[..., cols, rows] = sol[..., k]
        res = a @ v + v @ np.swapaxes(a, -1, -2) + d
        scale = 2 * _frobenius(a) * _frobenius(v) + _frobenius(d)  # 0 for D = 0 (κ_G = 0)
        residual = _frobenius(res) / np.where(scale > 0, scale, 1.0)
        out.append((v, _plain(residual)))
    return out


@functools.cache
def _symmetric_lyapunov_map(m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Constant tensor T with (A V + V Aᵀ)[e] = Σ_u (vec(A) @ T)[e, u] · v_u.

    e and u run over the upper triangle (i ≤ j) of an m×m symmetric matrix, v_u = V[i, j].
    Returns T reshaped to (m², p²) with p = m(m+1)/2, and the triangle's row/column indices.
    """
    rows, cols = np.triu_indices(m)
    index = np.zeros((m, m), dtype=int)
    index[rows, cols] = np.arange(rows.size)
    index[cols, rows] = np.arange(rows.size)
    p = rows.size
    tensor = np.zeros((m, m, p, p))
    for e, (i, j) in enumerate(zip(rows, cols, strict=True)):
        for k in range(m):
            tensor[i, k, e, index[k, j]] += 1.0  # A_ik V_kj
            tensor[j, k, e, index[i, k]] += 1.0  # V_ik A_jk
    return tensor.reshape(m * m, p * p), rows, cols


def _solve_or_singular(a: np.ndarray, *ds: np.ndarray) -> list[tuple[np.ndarray, Any]]:
    """:func:`solve_lyapunov`, with a singular system giving NaN (refused by the caller)."""
    try:
        return solve_lyapunov(a, *ds)
    except np.linalg.LinAlgError:
        nan = np.full(np.broadcast_shapes(a.shape, *(d.shape for d in ds)), np.nan)
        return [(nan, float("nan")) for _ in ds]


def _require_finite(model: ModelDescription, *covariances: np.ndarray) -> None:
    """Raise :class:`NumericalError` where a Lyapunov solution is not finite.

    A valid, stable point whose rates span more than float64 holds (e.g. κ_G = 10³⁰⁰ next
    to γ_m ≈ 10⁻⁸) overflows in the solve; its E_N would be NaN.
    """
    for v in covariances:
        bad = ~np.all(np.isfinite(v), axis=(-2, -1))
        if np.any(bad):
            idx = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()
            where = f" at grid index {tuple(int(i) for i in idx)}" if bad.ndim else ""
            raise NumericalError(
                f"the steady state of model {model.rung!r}{where} overflows float64: its "
                "rates span more orders of magnitude than a covariance can hold; bring the "
                "largest rates (kappa_G, gamma_m n_th, G_plus, G_minus) nearer the others"
            )


def mechanical_block(v: np.ndarray, modes: tuple[str, ...]) -> np.ndarray:
    """The (x_a, p_a, x_b, p_b) block of covariances ``v`` over ``modes`` (batch + (4, 4))."""
    idx = [2 * modes.index(m) + k for m in ("a", "b") for k in (0, 1)]
    return v[..., idx, :][..., :, idx]


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


def _frobenius(x: np.ndarray) -> np.ndarray:
    """Frobenius norm over the last two axes, scaled by the largest entry (no overflow of
    the squares when a covariance is ~10³⁰⁰)."""
    scale = np.max(np.abs(x), axis=(-2, -1))
    safe = np.where(scale > 0, scale, 1.0)
    return safe * np.sqrt(np.sum((x / safe[..., None, None]) ** 2, axis=(-2, -1)))


@dataclass(frozen=True, eq=False)
class GaussianState:
    """A Gaussian steady state: its covariance and where it came from.

    Attributes
    ----------
    covariance : ndarray
        Full covariance (batch + (2n, 2n)), ordering (x₁, p₁, …), vacuum ½·I.
    modes : tuple of str
    rung : str
    gravity : str
        Name of the gravity model.
    residual : ndarray or float
        Relative Lyapunov residual.
    """

    covariance: np.ndarray
    modes: tuple[str, ...]
    rung: str
    gravity: str
    residual: Any

    @property
    def mechanical_covariance(self) -> np.ndarray:
        """The (x_a, p_a, x_b, p_b) block (batch + (4, 4))."""
        return mechanical_block(self.covariance, self.modes)

    def log_negativity(self, base: str = "e") -> Any:
        """E_N between the two mechanical modes (nats by default)."""
        return log_negativity(self.mechanical_covariance, base)

    def occupations(self) -> dict[str, Any]:
        """Mean phonon/photon number ⟨j†j⟩ = (V_xx + V_pp − 1)/2 of every mode."""
        v = self.covariance
        out = {}
        for k, mode in enumerate(self.modes):
            occ = 0.5 * (v[..., 2 * k, 2 * k] + v[..., 2 * k + 1, 2 * k + 1] - 1.0)
            out[mode] = float(occ) if np.ndim(occ) == 0 else occ
        return out


def steady_state(model: ModelDescription) -> GaussianState:
    """Steady state of ``model`` with all its dissipators (stability checked first)."""
    a, d = drift_diffusion(model)
    marginal = check_stable(a, model)
    with np.errstate(all="ignore"):
        ((v, residual),) = _solve_or_singular(a, d)
    _accept_marginal(marginal, v, model, np.max(np.linalg.eigvals(a).real, axis=-1))
    _require_finite(model, v)
    return GaussianState(v, model.modes, model.rung, model.gravity.name, residual)


@dataclass(frozen=True, eq=False)
class GravityComparison:
    """Quantum and classical (KTM) gravity steady states of one rung, solved together.

    ``quantum`` has the coherent coupling only; ``classical`` adds the gravity group's
    diffusion: its covariance is ``quantum.covariance + shift`` exactly.
    """

    quantum: GaussianState
    classical: GaussianState
    shift: np.ndarray

    def E_N_quantum(self, base: str = "e") -> Any:
        """E_N with quantum gravity."""
        return self.quantum.log_negativity(base)

    def E_N_classical(self, base: str = "e") -> Any:
        """E_N with KTM gravity."""
        return self.classical.log_negativity(base)

    def delta_E(self, base: str = "e") -> Any:
        """ΔE = E_N,q − E_N,c from V₀ and the shift V₁, without cancellation."""
        shift = mechanical_block(self.shift, self.quantum.modes)
        return delta_log_negativity(self.quantum.mechanical_covariance, shift, base)


def compare_gravity(model: ModelDescription) -> GravityComparison:
    """Solve ``model`` (built with a KTM-like gravity) for both gravity models at once.

    The quantum state drops the ``"gravity"`` dissipators; the classical shift solves the
    Lyapunov equation with the same drift and only the gravity diffusion.

    Raises
    ------
    GravsimInputError
        If ``model`` has no gravity dissipators (built with quantum gravity): its classical
        state would be its quantum state, ΔE = 0 by construction.
    OutOfRegimeError
        If the gravity dissipators would change the drift (then V is not linear in κ_G).
    """
    if not any(jump.group == "gravity" for jump in model.jumps):
        raise GravsimInputError(
            f"compare_gravity needs a model built with a classical gravity model, e.g. "
            f"models.{model.rung}(p, gravity.KTMGravity()); this one ({model.gravity.name!r}) "
            "has no gravity dissipators, so its ΔE would be 0 by construction"
        )
    a, d0, d1 = split_gravity(model)
    marginal = check_stable(a, model)
    with np.errstate(all="ignore"):
        (v0, r0), (v1, r1) = _solve_or_singular(a, d0, d1)
    _accept_marginal(marginal, v0, model, np.max(np.linalg.eigvals(a).real, axis=-1))
    _require_finite(model, v0, v1)
    quantum = GaussianState(v0, model.modes, model.rung, "quantum", r0)
    classical = GaussianState(v0 + v1, model.modes, model.rung, model.gravity.name, r1)
    return GravityComparison(quantum, classical, v1)


def _plain(x: Any) -> Any:
    return float(x) if np.ndim(x) == 0 else x
