"""The two Gaussian states a measurement must tell apart, solved together.

:func:`hypothesis_pair` builds one rung with each of two gravity hypotheses and solves both
at once (:func:`~gravsim.gaussian.lyapunov.compare_hypotheses`): V₀ is the first's state and
V₁ the exact shift to the second's (no difference of two solves), dV = V₁/κ with κ the
difference of their diffusion rates (rad/s).  The distinguishability budget
(:mod:`gravsim.workflows.budget`) and experiment design read it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from gravsim.errors import GravsimError, GravsimInputError
from gravsim.gaussian.lyapunov import compare_hypotheses, steady_state
from gravsim.gaussian.moments import drift_diffusion
from gravsim.model import gravity
from gravsim.model import rungs as models
from gravsim.model.parameters import Parameters


class HypothesisPair(NamedTuple):
    """The two states to tell apart: V₀ (the first hypothesis) and V₀ + V₁, dV = V₁/κ."""

    v0: np.ndarray
    v1: np.ndarray
    dv: np.ndarray
    kappa: float
    covariance: np.ndarray  # the first hypothesis's full covariance (cavity included)
    drift: np.ndarray
    indices: list[int]  # the mechanical quadratures (x_a, p_a, x_b, p_b) in ``covariance``


def hypothesis_pair(p: Parameters, rung: str, compare: str = "both") -> HypothesisPair:
    """Rung ``rung`` with the two hypotheses of ``compare`` (``"A,B"``; ``"both"`` is
    quantum,ktm), solved at once.

    Raises
    ------
    GravsimInputError
        For one hypothesis, or two that add the same noise (nothing tells them apart).
    """
    chosen = gravity.choose(compare)
    if len(chosen) != 2:
        raise GravsimInputError(
            f"a budget tells two hypotheses apart, not {compare!r}: give `compare` A,B"
        )
    first, second = (models.build(rung, p, g) for g in chosen)
    comp = compare_hypotheses(first, second)
    kappa = float(gravity.rate(chosen[1], p) - gravity.rate(chosen[0], p))
    if kappa == 0:
        raise GravsimInputError(
            "the two hypotheses add the same noise (kappa_G = 0 for KTM, or equal rates): "
            "their states are the same, which no measurement tells apart; give k_G or "
            "kappa_G > 0, or compare other hypotheses"
        )
    modes = comp.first.modes
    idx = [2 * modes.index(x) + k for x in ("a", "b") for k in (0, 1)]
    v1 = comp.shift[idx, :][:, idx]
    a, _ = drift_diffusion(first)
    return HypothesisPair(
        comp.first.mechanical_covariance, v1, v1 / kappa, kappa, comp.first.covariance, a, idx
    )


def position_spread(p: Parameters) -> Any:
    """The oscillators' largest rms position (m) in the effective rung's steady state with
    quantum gravity: x_zpf,j sqrt(2 V_xx,j) (V the quadrature covariance, vacuum ½).

    What the collapse models' small-displacement forms are judged against: the engineered
    state holds ~0.4 phonons at the paper point (rms ~5×10⁻¹⁶ m), where the bath's
    x_zpf sqrt(2n̄ + 1) ≈ 10⁻¹² m overstates the motion ~10³ times.  None where the rung
    has no steady state (the solve's own refusal then speaks).
    """
    try:
        v = steady_state(models.effective(p)).mechanical_covariance
    except GravsimError:
        return None
    x_a, x_b = (np.asarray(x) for x in p.x_zpf_pair)
    spread = np.maximum(x_a * np.sqrt(2 * v[..., 0, 0]), x_b * np.sqrt(2 * v[..., 2, 2]))
    return float(np.max(spread))
