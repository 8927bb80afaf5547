"""Gaussian steady states: the Lyapunov equation A V + V Aᵀ + D = 0, batched.

Batching: A and D carry the batch shape in front and all points are solved together — one
batched LU of the (2n)²×(2n)² Kronecker system (I⊗A + A⊗I) vec V = −vec D, with no Python
loop over points.  The Kronecker form is backward stable (LU with partial pivoting); the
residual ‖AV + VAᵀ + D‖ relative to ‖A‖‖V‖ + ‖D‖ is reported with every state (≈1e-16 at
the paper point).

Quantum vs classical gravity: the gravity model's dissipators (group ``"gravity"``) add
diffusion only, so V = V₀ + V₁ exactly, with V₁ solving A V₁ + V₁ Aᵀ + D_gravity = 0.
V₁ is computed on its own — never as a difference of two solves — and ΔE follows from
:func:`gravsim.analysis.entanglement.delta_log_negativity`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from gravsim.analysis.entanglement import delta_log_negativity
from gravsim.analysis.states import MechanicalState
from gravsim.errors import GravsimInputError, NumericalError
from gravsim.gaussian.moments import accept_marginal, check_stable, drift_diffusion, split_gravity
from gravsim.model.description import ModelDescription
from gravsim.model.quadratures import mechanical_block


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


def _frobenius(x: np.ndarray) -> np.ndarray:
    """Frobenius norm over the last two axes, scaled by the largest entry (no overflow of
    the squares when a covariance is ~10³⁰⁰)."""
    scale = np.max(np.abs(x), axis=(-2, -1))
    safe = np.where(scale > 0, scale, 1.0)
    return safe * np.sqrt(np.sum((x / safe[..., None, None]) ** 2, axis=(-2, -1)))


@dataclass(frozen=True, eq=False)
class GaussianState(MechanicalState):
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
    accept_marginal(marginal, v, model, np.max(np.linalg.eigvals(a).real, axis=-1))
    _require_finite(model, v)
    return GaussianState(v, model.modes, model.rung, model.gravity.name, residual)


@dataclass(frozen=True, eq=False)
class GravityComparison:
    """Two gravity hypotheses' steady states of one rung, solved together.

    ``first`` is hypothesis A's state, ``second`` hypothesis B's; B adds position diffusion
    to A, so its covariance is ``first.covariance + shift`` exactly and ΔE = E_N(A) − E_N(B)
    is formed from the shift without cancellation.  From :func:`compare_gravity` A is quantum
    gravity and B the model's classical one (KTM by default); from
    :func:`compare_hypotheses` any two.  ``quantum``/``classical`` and ``E_N_quantum``/
    ``E_N_classical`` name the pair where A is quantum gravity, and refuse otherwise.
    """

    first: GaussianState
    second: GaussianState
    shift: np.ndarray

    def E_N_first(self, base: str = "e") -> Any:
        """E_N of hypothesis A (``first.gravity``)."""
        return self.first.log_negativity(base)

    def E_N_second(self, base: str = "e") -> Any:
        """E_N of hypothesis B (``second.gravity``)."""
        return self.second.log_negativity(base)

    def delta_E(self, base: str = "e") -> Any:
        """ΔE = E_N(A) − E_N(B) from V_A and the shift, without cancellation."""
        shift = mechanical_block(self.shift, self.first.modes)
        return delta_log_negativity(self.first.mechanical_covariance, shift, base)

    @property
    def quantum(self) -> GaussianState:
        """The quantum-gravity state (A, where A is quantum gravity)."""
        self._require_quantum_first("quantum")
        return self.first

    @property
    def classical(self) -> GaussianState:
        """The classical hypothesis's state (B, where A is quantum gravity)."""
        self._require_quantum_first("classical")
        return self.second

    def E_N_quantum(self, base: str = "e") -> Any:
        """E_N with quantum gravity (A, where A is quantum gravity)."""
        return self.quantum.log_negativity(base)

    def E_N_classical(self, base: str = "e") -> Any:
        """E_N with the classical hypothesis (B, where A is quantum gravity)."""
        return self.classical.log_negativity(base)

    def _require_quantum_first(self, name: str) -> None:
        if self.first.gravity != "quantum":
            raise GravsimInputError(
                f"this comparison is of {self.first.gravity} (first) and "
                f"{self.second.gravity} (second), not of quantum gravity and another: read "
                f".first/.second (E_N_first, E_N_second) instead of {name}"
            )


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
    accept_marginal(marginal, v0, model, np.max(np.linalg.eigvals(a).real, axis=-1))
    _require_finite(model, v0, v1)
    quantum = GaussianState(v0, model.modes, model.rung, "quantum", r0)
    classical = GaussianState(v0 + v1, model.modes, model.rung, model.gravity.name, r1)
    return GravityComparison(quantum, classical, v1)


def _plain(x: Any) -> Any:
    return float(x) if np.ndim(x) == 0 else x


def compare_hypotheses(first: ModelDescription, second: ModelDescription) -> GravityComparison:
    """Two gravity hypotheses on one rung, solved together: ``first`` holds the first's state,
    ``second`` the second's, and ΔE = E_N(first) − E_N(second) without cancellation.

    With quantum gravity first this is :func:`compare_gravity` of the second.  Two models that
    both add diffusion share the drift A and the system diffusion D₀, so
    V₂ = V₁ + S with S solving A S + S Aᵀ + (D₂ − D₁) = 0: the difference of the two gravity
    diffusions enters once, as a matrix (its entries 2(κ₂ − κ₁)·m carry a relative rounding
    error ~ε κ/|κ₂ − κ₁|, e.g. 1e-14 for Diósi–Penrose against KTM at the paper point).

    Raises
    ------
    GravsimInputError
        If the second model adds no diffusion, or the two are not the same system.
    """
    if not any(jump.group == "gravity" for jump in first.jumps):
        return compare_gravity(second)
    a, d0, d1 = split_gravity(first)
    a2, d0_2, d2 = split_gravity(second)
    if not (np.array_equal(a, a2) and np.array_equal(d0, d0_2)):
        raise GravsimInputError(
            "the two hypotheses must act on the same rung and parameters: they differ in more "
            "than their gravity dissipators"
        )
    marginal = check_stable(a, first)
    with np.errstate(all="ignore"):
        (v0, _), (v1, r1), (s, r2) = _solve_or_singular(a, d0, d1, d2 - d1)
    accept_marginal(marginal, v0, first, np.max(np.linalg.eigvals(a).real, axis=-1))
    _require_finite(first, v0, v1, s)
    one = GaussianState(v0 + v1, first.modes, first.rung, first.gravity.name, r1)
    two = GaussianState(v0 + v1 + s, first.modes, first.rung, second.gravity.name, r2)
    return GravityComparison(one, two, s)
