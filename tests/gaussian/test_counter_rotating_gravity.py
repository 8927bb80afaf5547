"""L1's counter-rotating gravity term k_M(ab + a†b†), seen where it acts first: the static
position correlation of the two oscillators in the laboratory frame.

``tests/gaussian/test_approximation_errors.py`` checks the term through E_N (the RWA
estimate stops predicting L1 − L2 without it; its effect on E_N,q is linear in k_M).  Here the
observable is the one the term moves at first order, with its coefficient derived:

In the frame rotating at ω_m the term is k_M(ab e^{−2iω_m t} + a†b† e^{2iω_m t}).  It drives
d⟨ab⟩/dt ⊃ −i k_M e^{2iω_m t}⟨[ab, a†b†]⟩ = −i k_M (n_a + n_b + 1) e^{2iω_m t}, so, far from
resonance with the slow rates (Γ, Ω, κ ≪ 2ω_m), ⟨ab⟩ gains −k_M(n_a + n_b + 1) e^{2iω_m t}/(2ω_m).
In the laboratory frame (a_lab = a e^{−iω_m t}) that is a static ⟨ab⟩_lab, and with
X = (a + a†)/√2 the period average of ⟨X_a X_b⟩_lab = Re⟨ab⟩_lab + Re⟨a†b⟩ moves by

    δ⟨X_a X_b⟩ = −k_M (n_a + n_b + 1) / (2ω_m),     δ⟨P_a P_b⟩ = −δ⟨X_a X_b⟩,

the static polarisation of two coupled oscillators by k_M x_a x_b (attraction, k_M > 0,
anticorrelates the positions).  The rotating-wave part k_M(a†b + b†a) has no such term, so the
difference between L1 with and without k_M(ab + a†b†) (the latter: a gravity model whose
``hamiltonian`` always takes its RWA form) must be this, linear in k_M/ω_m, with corrections
of relative order (Γ, Ω, κ)/ω_m (measured: 0.999 of it on ``small`` and at 2ω_m, 2k_M).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import gravsim as gs
from gravsim.gaussian import approximation_errors as ae
from gravsim.gaussian import floquet
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity
from gravsim.model.quadratures import mechanical_block
from gravsim.workflows.ladder_checks import against_estimate

SMALL = gs.presets.get("small")
#: The smallest |δ⟨X_a X_b⟩| accepted as the term's effect (measured ≥ 2.1e-4 at the points
#: below; the Floquet state's periodicity error is ~1e-16).
THRESHOLD = 1e-4
#: Points with the cavity couplings held (G± given, so that changing ω_m does not move them).
POINTS = {
    "small": dict(),
    "2k_M": dict(k_M=0.02),
    "2omega_m": dict(omega_m=40.0),
    "2k_M-2omega_m": dict(k_M=0.02, omega_m=40.0),
}


@dataclasses.dataclass(frozen=True)
class NoCounterRotatingGravity(KTMGravity):
    """KTM gravity whose coherent coupling keeps only k_M(a†b + b†a) even above the RWA (the
    planted bug of L0/L1 without k_M(ab + a†b†))."""

    def hamiltonian(self, p, *, rwa):
        """The rotating-wave coupling, whatever ``rwa`` says."""
        return super().hamiltonian(p, rwa=True)


def _point(name: str):
    return SMALL.replace(G_plus=0.1, G_minus=0.2, kappa_G=0.01, **POINTS[name])


def lab_frame_average(state: floquet.FloquetState, omega: float) -> np.ndarray:
    """Period average of the mechanical covariance in the laboratory frame (quantum gravity):
    at τ, X_lab = X cos ωτ + P sin ωτ and P_lab = −X sin ωτ + P cos ωτ for each oscillator."""
    v = mechanical_block(state.covariance, state.modes)
    c, s = np.cos(omega * state.times), np.sin(omega * state.times)
    rot = np.zeros((len(state.times), 4, 4))
    for k in (0, 2):
        rot[:, k, k], rot[:, k, k + 1] = c, s
        rot[:, k + 1, k], rot[:, k + 1, k + 1] = -s, c
    return np.mean(rot @ v @ np.swapaxes(rot, -1, -2), axis=0)


def counter_rotating_effect(p) -> tuple[np.ndarray, float]:
    """(δV_lab, predicted δ⟨X_a X_b⟩): L1's period-averaged lab-frame covariance with minus
    without k_M(ab + a†b†), and −k_M(n_a + n_b + 1)/(2ω_m) with the occupations without it."""
    omega = float(p.omega_m)
    with_term = floquet.periodic_state(rungs.linear(p, KTMGravity()))
    without = floquet.periodic_state(rungs.linear(p, NoCounterRotatingGravity()))
    occupations = without.occupations()["quantum"]
    n_sum = occupations["a"] + occupations["b"]
    delta = lab_frame_average(with_term, omega) - lab_frame_average(without, omega)
    return delta, -float(p.k_M) * (n_sum + 1) / (2 * omega)


@pytest.mark.parametrize("name", POINTS)
def test_counter_rotating_gravity_polarises_the_lab_frame_positions(name):
    """δ⟨X_a X_b⟩ = −k_M(n_a + n_b + 1)/(2ω_m) within 2 % (measured 0.9988–0.9991) and
    δ⟨P_a P_b⟩ = −δ⟨X_a X_b⟩, above :data:`THRESHOLD`; the other entries move ≥ 20× less."""
    delta, predicted = counter_rotating_effect(_point(name))
    assert abs(delta[0, 2]) >= THRESHOLD
    assert delta[0, 2] / predicted == pytest.approx(1.0, abs=0.02)
    assert delta[1, 3] / -predicted == pytest.approx(1.0, abs=0.02)
    others = np.abs(delta).copy()
    for i, j in ((0, 2), (2, 0), (1, 3), (3, 1)):
        others[i, j] = 0.0
    assert np.max(others) <= abs(predicted) / 20


def test_the_effect_is_linear_in_k_M_over_omega_m():
    """Doubling k_M at fixed κ_G doubles δ⟨X_a X_b⟩ (to 1 %; measured 2.0004); doubling ω_m
    at fixed G±, κ_G halves it (to 2 %; measured 0.4997: n_a, n_b move slightly); doubling both
    leaves it (to 2 %)."""
    effect = {name: counter_rotating_effect(_point(name))[0][0, 2] for name in POINTS}
    assert effect["2k_M"] / effect["small"] == pytest.approx(2.0, rel=0.01)
    assert effect["2omega_m"] / effect["small"] == pytest.approx(0.5, rel=0.02)
    assert effect["2k_M-2omega_m"] / effect["small"] == pytest.approx(1.0, rel=0.02)


def test_the_rotating_wave_check_fails_for_an_estimate_ten_times_off():
    """validate's L1-vs-L2 rule (:func:`~gravsim.workflows.ladder_checks.against_estimate`)
    on the real numbers of ``small`` with k_M = 0.05, where the first-order k_M/ω_m term of
    the estimate matters: the derived estimate passes (ratios 0.99), an estimate ten times
    too large or too small (a coefficient of the sidebands off by 10) fails."""
    p = SMALL.replace(k_M=0.05, kappa_G=0.002)
    hypothesis = KTMGravity()
    s = floquet.periodic_state(rungs.linear(p, hypothesis)).summary("e")
    l1 = np.array([s["E_N_quantum"], s["E_N_classical"], s["delta_E"]])
    comp = gs.gaussian.compare_gravity(rungs.rwa(p, hypothesis))
    l2 = np.array([comp.E_N_quantum(), comp.E_N_classical(), comp.delta_E()])
    estimate = ae.rotating_wave(p, hypothesis)
    for quantity, upper, lower, est in zip(("q", "c", "delta"), l1, l2, estimate, strict=True):
        assert against_estimate("L1 vs L2", quantity, upper, lower, est, "RWA").passed
        for wrong in (10 * est, est / 10):
            check = against_estimate("L1 vs L2", quantity, upper, lower, wrong, "RWA")
            assert not check.passed, check.line()
