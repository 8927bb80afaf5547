"""The regime measures and the tuning rule (model/regime.py), from their definitions."""

from __future__ import annotations

import numpy as np
import pytest

import gravsim as gs
from gravsim.model import regime

PAPER = gs.presets.get("paper")


def test_regime_measures_at_the_paper_point():
    """(κ/ω_m)² = 0.04 exactly at the paper point (κ = ω_m/5), |k_M|/ω_m = 1.4e-11 beside it;
    G₋ ≥ G makes the pump's measure the larger."""
    p = PAPER
    assert regime.rwa_epsilon(p) == pytest.approx(0.04 + abs(p.k_M) / p.omega_m, rel=1e-12)
    assert regime.adiabatic_epsilon(p) == pytest.approx(
        (p.Omega**2 + p.G_minus**2 - p.G_plus**2) / p.kappa**2, rel=1e-12
    )
    assert regime.pump_adiabaticity(p) > regime.adiabatic_epsilon(p)


def test_ladder_tolerance_is_three_epsilon_of_the_larger_rung():
    upper = {"E_N_quantum": 0.5, "delta_E": 2e-8}
    lower = {"E_N_quantum": -0.6, "delta_E": 1e-8}
    assert regime.ladder_tolerance("E_N_classical", 0.1, upper, lower) == pytest.approx(0.18)
    assert regime.ladder_tolerance("delta_E", 0.1, upper, lower) == pytest.approx(6e-9)


@pytest.mark.parametrize("q_m", [1e11, 1e13, np.array([1e12, 1e15])])
def test_tuning_keeps_the_squeezing_and_the_ratio_of_damping_to_gamma(q_m):
    t = regime.tuned(PAPER, q_m)
    assert np.allclose(t.r, PAPER.r, rtol=1e-12)
    assert np.allclose(t.gamma_m / t.Gamma, PAPER.gamma_m / PAPER.Gamma, rtol=1e-12)
    assert np.allclose(t.Q_m, q_m, rtol=1e-12)
