"""Quadrature conventions shared by every backend.

With R = (x₁, p₁, …, x_n, p_n) over the modes of a model description, [R_i, R_j] = i J_ij
(J = ⊕ [[0, 1], [−1, 0]]), and each ladder operator is a row vector u over R:
a = (x + i p)/√2, a† = (x − i p)/√2.  Covariances are V_ij = ½⟨{ΔR_i, ΔR_j}⟩ (vacuum ½·I).
The Gaussian backend builds its drift from these vectors; the Fock backend uses them to turn
normally ordered moments of ρ into the same V; so both report covariances in one convention.
"""

from __future__ import annotations

import numpy as np

from gravsim.model.description import Ladder

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


def mechanical_block(v: np.ndarray, modes: tuple[str, ...]) -> np.ndarray:
    """The (x_a, p_a, x_b, p_b) block of covariances ``v`` over ``modes`` (batch + (4, 4))."""
    idx = [2 * modes.index(m) + k for m in ("a", "b") for k in (0, 1)]
    return v[..., idx, :][..., :, idx]
