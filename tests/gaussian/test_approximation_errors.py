"""The derived leading-order error estimates of the adiabatic elimination and the RWA.

Each estimate must predict the measured difference of two exact Gaussian rungs, and must
stop predicting it when a term of the upper rung is dropped or a coefficient changed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import gravsim as gs
from gravsim.gaussian import approximation_errors as ae
from gravsim.gaussian import floquet
from gravsim.gaussian.moments import split_gravity
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity

PRESETS = ("paper", "small", "small-weak", "driven")


def _triple(model) -> np.ndarray:
    comp = gs.gaussian.compare_gravity(model)
    return np.array([comp.E_N_quantum(), comp.E_N_classical(), comp.delta_E()])


def _l1(p, gravity=None) -> np.ndarray:
    s = floquet.periodic_state(rungs.linear(p, gravity or KTMGravity())).summary("e")
    return np.array([s["E_N_quantum"], s["E_N_classical"], s["delta_E"]])


@pytest.mark.parametrize("name", ["paper", "small"])
def test_cavity_series_sums_to_the_exact_rwa_state(name):
    """Twelve orders of the series in 2/κ give L2's mechanical covariance to 1e-8 (relative),
    and its zeroth order is L3 (the adiabatic elimination) to rounding."""
    p = gs.presets.get(name)
    model = rungs.rwa(p, KTMGravity())
    _, d0, _ = split_gravity(model)
    series = ae.cavity_series(model, d0, 12)
    exact = gs.gaussian.steady_state(rungs.rwa(p)).mechanical_covariance
    assert np.max(np.abs(sum(series) - exact)) <= 1e-8 * np.max(np.abs(exact))
    eff = gs.gaussian.steady_state(rungs.effective(p)).covariance
    assert np.max(np.abs(series[0] - eff)) <= 1e-12 * np.max(np.abs(eff))


@pytest.mark.parametrize("name", PRESETS)
def test_adiabatic_estimate_predicts_rwa_minus_effective(name):
    """Measured (L2 − L3)/estimate: 0.96–1.00 on the presets (E_N,q, E_N,c, ΔE)."""
    p = gs.presets.get(name)
    k = KTMGravity()
    measured = _triple(rungs.rwa(p, k)) - _triple(rungs.effective(p, k))
    ratio = measured / ae.adiabatic(p, k)
    assert np.all((ratio > 0.94) & (ratio < 1.02)), ratio


def test_adiabatic_first_order_is_exact_in_the_limit():
    """Along κ → κ/s at fixed Γ, Ω (G ∝ s^{-1/2}), what the first order leaves is of second
    order: (L2 − L3 − first order)/s² settles (to 1 % from s = 1/4 to 1/64)."""
    p0 = gs.presets.get("small")
    rest = []
    for s in (1 / 4, 1 / 16, 1 / 64):
        p = p0.replace(kappa=p0.kappa / s, G_plus=0.1 / s**0.5, G_minus=0.2 / s**0.5)
        k = KTMGravity()
        measured = _triple(rungs.rwa(p, k)) - _triple(rungs.effective(p, k))
        rest.append((measured[0] - ae.adiabatic(p, k, orders=1)[0]) / s**2)
    assert rest[1] == pytest.approx(rest[2], rel=0.01) and rest[0] == pytest.approx(rest[2], 0.02)


@pytest.mark.parametrize("name", PRESETS)
def test_rotating_wave_estimate_predicts_linear_minus_rwa(name):
    """Measured (L1 − L2)/estimate: 0.99–1.00 at paper and small-weak (ω_m/κ = 5, 20 with small
    k_M), 0.78–1.2 on small (k_M/ω_m = 5e-4 first order) and driven (ω_m/κ = 5)."""
    p = gs.presets.get(name)
    k = KTMGravity()
    ratio = (_l1(p) - _triple(rungs.rwa(p, k))) / ae.rotating_wave(p, k)
    close = name in ("paper", "small-weak")
    low, high = (0.99, 1.01) if close else (0.75, 1.25)
    assert np.all((ratio > low) & (ratio < high)), ratio


@dataclasses.dataclass(frozen=True)
class _NoCounterRotatingGravity(KTMGravity):
    """KTM whose coherent coupling keeps only k_M(a†b + b†a), even above the RWA: L1 and L0
    with gravity's counter-rotating term k_M(ab + a†b†) dropped (a planted bug)."""

    def hamiltonian(self, p, *, rwa):
        return super().hamiltonian(p, rwa=True)


def test_dropping_gravity_counter_rotating_term_breaks_the_rwa_prediction():
    """The first-order k_M/ω_m term: on small, L1 without k_M(ab + a†b†) moves E_N,c by
    2.3e-4 and the estimate no longer predicts L1 − L2 (E_N,c's ratio changes sign)."""
    p = gs.presets.get("small")
    k = KTMGravity()
    estimate = ae.rotating_wave(p, k)
    rwa = _triple(rungs.rwa(p, k))
    good = (_l1(p) - rwa) / estimate
    bad = (_l1(p, _NoCounterRotatingGravity()) - rwa) / estimate
    assert np.all((good > 1 / 3) & (good < 3))
    assert np.any((bad < 1 / 3) | (bad > 3)), bad


def test_counter_rotating_gravity_effect_is_linear_in_k_M():
    """L1's E_N,q with and without k_M(ab + a†b†): the difference doubles when k_M doubles
    (first order in k_M/ω_m, to 5 %), and the estimate's k_M cross term follows it."""
    p = gs.presets.get("small")
    effects = []
    for scale in (1.0, 2.0):
        q = p.replace(k_M=0.01 * scale, kappa_G=0.01)
        effects.append(_l1(q)[0] - _l1(q, _NoCounterRotatingGravity())[0])
    assert effects[1] / effects[0] == pytest.approx(2.0, rel=0.05)
