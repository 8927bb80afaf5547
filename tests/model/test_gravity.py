"""Gravity models: each hypothesis's rate against an independent evaluation of its formula,
ΔE linear in the added diffusion, and the pairwise ΔE against a 50-digit solve."""

from __future__ import annotations

import math

import mpmath as mp
import pytest

import gravsim as gs
from gravsim import gaussian
from gravsim.model import rungs
from gravsim.model.gravity import DiosiPenrose, KTMGravity, QuantumGravity, choose
from gravsim.model.units import G_NEWTON, HBAR
from tests.mp_reference import mp_delta_E, mp_log_negativity, mp_lyapunov

PAPER = gs.presets.get("paper")


def _sphere_overlap_energy(s: mp.mpf, mass: mp.mpf, radius: mp.mpf) -> mp.mpf:
    """Newtonian mutual energy of two homogeneous spheres whose centres are ``s`` apart
    (s ≤ 2R): −(GM²/R)[6/5 − ½(s/R)² + (3/16)(s/R)³ − (1/160)(s/R)⁵]; it is −(6/5)GM²/R
    (twice the self-energy) at s = 0 and −GM²/s at contact."""
    u = s / radius
    return -(mp.mpf(G_NEWTON) * mass**2 / radius) * (
        mp.mpf(6) / 5 - u**2 / 2 + 3 * u**3 / 16 - u**5 / 160
    )


@pytest.mark.parametrize("preset", ["paper", "small"])
def test_diosi_penrose_rate_is_the_overlap_energy_of_the_displaced_sphere(preset):
    """κ_DP = x_zpf² [U(s) − U(0)]/(ħ s²) for s → 0, with U from the closed overlap formula
    of the sphere (M, R from M and ρ), evaluated in 40 digits; independent of (π/3)Gρ/ω."""
    p = gs.presets.get(preset)
    with mp.workdps(40):
        mass = mp.mpf(float(p.M))
        radius = mp.cbrt(3 * mass / (4 * mp.pi * mp.mpf(float(p.rho))))
        s = radius * mp.mpf("1e-12")
        du = _sphere_overlap_energy(s, mass, radius) - _sphere_overlap_energy(0, mass, radius)
        expected = float(mp.mpf(float(p.x_zpf)) ** 2 * du / (mp.mpf(HBAR) * s**2))
    kappa_a, kappa_b = DiosiPenrose().rates(p)
    assert kappa_a == kappa_b == pytest.approx(expected, rel=1e-12)


def test_diosi_penrose_is_twice_the_ktm_optimum_of_touching_spheres():
    """docs/physics.md: K_G = 2GM²/d³ at d = 2R gives the KTM optimum (π/6)Gρ/ω_m."""
    radius = (3 * PAPER.M / (4 * math.pi * PAPER.rho)) ** (1 / 3)
    touching = PAPER.replace(kG_convention="point-mass", d=2 * radius)
    assert DiosiPenrose().rates(touching)[0] == pytest.approx(2 * touching.k_G, rel=1e-12)
    assert DiosiPenrose().rates(PAPER)[0] == pytest.approx(
        math.pi / 3 * G_NEWTON * PAPER.rho / PAPER.omega_m, rel=1e-15
    )


def test_delta_E_is_linear_in_the_added_diffusion():
    """ΔE(model)/ΔE(KTM at κ) = κ_model/κ to 1e-6 at the paper point (ΔE/E_N ~ 1e-7)."""
    dp = gaussian.compare_gravity(rungs.effective(PAPER, DiosiPenrose())).delta_E()
    ktm = gaussian.compare_gravity(rungs.effective(PAPER, KTMGravity())).delta_E()
    ratio = DiosiPenrose().rates(PAPER)[0] / PAPER.kappa_G
    assert dp / ktm == pytest.approx(ratio, rel=1e-6)


@pytest.mark.parametrize("rung", ["effective", "rwa"])
def test_pairwise_delta_E_matches_a_50_digit_solve(rung):
    model = rungs.build(rung, PAPER, DiosiPenrose())
    exact, _ = mp_delta_E(model)
    assert gaussian.compare_gravity(model).delta_E() == pytest.approx(float(exact), rel=1e-8)


def test_the_gravity_choice_names_each_hypothesis_once():
    assert [g.name for g in choose("both")] == ["quantum", "ktm"]
    assert [g.label for g in choose("diosi-penrose")] == ["diosi_penrose"]
    assert isinstance(choose("quantum")[0], QuantumGravity)
    with pytest.raises(gs.GravsimInputError, match="unknown gravity"):
        choose("penrose")


def test_two_classical_hypotheses_compare_without_cancellation():
    """ΔE(KTM, DP) = E_N(KTM) − E_N(DP) ≈ −1.2e-9 from V₁ and one extra shift, against the
    three Lyapunov solutions in 50 digits (the float64 difference of the two E_N would keep
    only ~1e-7 of it)."""
    ktm, dp = rungs.effective(PAPER, KTMGravity()), rungs.effective(PAPER, DiosiPenrose())
    a, d0 = gaussian.drift_diffusion(ktm, groups=("system",))
    _, d_ktm = gaussian.drift_diffusion(ktm, groups=("gravity",))
    _, d_dp = gaussian.drift_diffusion(dp, groups=("gravity",))
    with mp.workdps(50):
        v0 = mp_lyapunov(a, d0)
        states = [v0 + mp_lyapunov(a, d) for d in (d_ktm, d_dp)]
        e_ktm, e_dp = (mp_log_negativity(mp.matrix(v.tolist())[:4, :4]) for v in states)
        exact = float(e_ktm - e_dp)
    delta = gaussian.compare_hypotheses(ktm, dp).delta_E()
    assert delta == pytest.approx(exact, rel=1e-8) and delta < 0
    out = gs.steady.compute(PAPER, gravity="ktm,diosi-penrose")
    assert out.delta.value == delta and set(out.outcomes) == {"classical", "diosi_penrose"}
