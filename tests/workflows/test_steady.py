"""The paper's reference point: ΔE against Eq. (6), an mpmath 50-digit solve, and the RWA rung."""

from __future__ import annotations

import numpy as np
import pytest

import gravsim as gs
from gravsim import gaussian
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity
from tests.mp_reference import mp_delta_E
from tests.reference_systems import PAPER_POINT

PAPER = gs.presets.get("paper")


def test_delta_E_matches_mpmath_50_digits():
    model = models.effective(PAPER, KTMGravity())
    comp = gaussian.compare_gravity(model)
    exact, e_q = mp_delta_E(model)
    assert abs(comp.delta_E() - float(exact)) <= 1e-8 * float(exact)
    assert abs(comp.E_N_quantum() - float(e_q)) <= 1e-13
    # the naive difference of two float64 E_N values is only good to ~1e-16/5e-8 ≈ 1e-8
    # relative; the cancellation-free route does far better (measured ≤ 1e-12)
    assert abs(comp.delta_E() - float(exact)) <= 1e-12 * float(exact)


def test_delta_E_matches_mpmath_three_mode():
    model = models.rwa(PAPER, KTMGravity())
    comp = gaussian.compare_gravity(model)
    exact, _ = mp_delta_E(model)
    assert abs(comp.delta_E() - float(exact)) <= 1e-10 * float(exact)


def test_reference_point_numbers():
    comp = gaussian.compare_gravity(models.effective(PAPER, KTMGravity()))
    # the paper quotes E_N ≈ 0.75 (nats) and ΔE ≈ 5e-8; the 50-digit values have 11 and 9
    assert comp.E_N_classical() == pytest.approx(PAPER_POINT["E_N_classical"], rel=1e-10)
    assert comp.delta_E() == pytest.approx(PAPER_POINT["delta_E"], rel=1e-8)
    assert comp.delta_E("2") == pytest.approx(comp.delta_E() / np.log(2), rel=1e-14)


def test_delta_E_agrees_with_eq6_within_2_percent():
    p = PAPER
    eq6 = 4 * p.kappa_G / ((2 * p.n_th + 1) * p.gamma_m + p.Gamma * np.exp(-2 * p.r))
    comp = gaussian.compare_gravity(models.effective(p, KTMGravity()))
    assert abs(comp.delta_E() / eq6 - 1) < 0.02


def test_point_mass_convention_halves_delta_E():
    pm = gs.presets.get("paper-point-mass")
    c_table = gaussian.compare_gravity(models.effective(PAPER, KTMGravity()))
    c_pm = gaussian.compare_gravity(models.effective(pm, KTMGravity()))
    ratio = pm.k_G / PAPER.k_G
    assert 0.45 < ratio < 0.55
    # ΔE is linear in κ_G (and k_M only enters at second order)
    assert c_pm.delta_E() / c_table.delta_E() == pytest.approx(ratio, rel=1e-6)


def test_rwa_differs_from_effective_by_adiabatic_corrections():
    """The three-mode RWA model differs from the eliminated one by O((Ω/κ)², (G/κ)²).

    At the paper point (Ω/κ)² = 2.5e-3 and (G/κ)² = 3.0e-3; measured relative differences:
    E_N 3.9e-3, ΔE 7.0e-3.  We check they are of that size: within [0.1, 3] × the sum.
    """
    p = PAPER
    expected = (p.Omega / p.kappa) ** 2 + (p.G / p.kappa) ** 2
    eff = gaussian.compare_gravity(models.effective(p, KTMGravity()))
    rwa = gaussian.compare_gravity(models.rwa(p, KTMGravity()))
    for e_eff, e_rwa in [
        (eff.E_N_quantum(), rwa.E_N_quantum()),
        (eff.delta_E(), rwa.delta_E()),
    ]:
        rel = abs(e_rwa / e_eff - 1)
        assert 0.1 * expected < rel < 3 * expected


def test_rwa_converges_to_effective_as_kappa_grows():
    """Scaling κ up with G²/κ (Γ) fixed, the RWA–effective gap falls like 1/κ²."""
    gaps = []
    for scale in (1.0, 2.0, 4.0):
        p = gs.presets.get("small").replace(
            kappa=scale, G_plus=0.1 * np.sqrt(scale), G_minus=0.2 * np.sqrt(scale)
        )
        e_eff = gaussian.steady_state(models.effective(p)).log_negativity()
        e_rwa = gaussian.steady_state(models.rwa(p)).log_negativity()
        gaps.append(abs(e_rwa - e_eff))
    slopes = np.diff(np.log(gaps)) / np.log(2.0)
    # G/κ falls like κ^{-1/2} here, so the leading error (G/κ)² ~ 1/κ
    assert np.all(slopes < -0.8)


def test_lyapunov_moments_equal_eq19_closed_forms():
    """S2 Eq. (19) (collective reservoir, k_M ≠ 0) equals the effective model's Lyapunov V.

    Normwise relative tolerance 1e-10 (the moments span 1e-8 … 1, so element-wise relative
    error of the smallest ones is limited by the solve's absolute accuracy ~1e-16·‖V‖).
    """
    from gravsim import closed_form

    for p in (PAPER, PAPER.replace(K_others=1e4 * PAPER.K_G), gs.presets.get("small")):
        assert p.k_M != 0
        v_lyap = gaussian.compare_gravity(models.effective(p, KTMGravity())).classical.covariance
        v_cf = closed_form.eq19_covariance_from(p)
        assert np.max(np.abs(v_lyap - v_cf)) <= 1e-10 * np.max(np.abs(v_cf))


def test_closed_form_delta_E_is_cancellation_free():
    from gravsim.closed_form import eq19_delta_E_from as eq19_delta_E

    model = models.effective(PAPER, KTMGravity())
    exact, _ = mp_delta_E(model)
    assert abs(eq19_delta_E(PAPER) - float(exact)) <= 1e-10 * float(exact)


def test_fock_defaults_from_python_on_the_three_mode_rung():
    """``compute(p, model="rwa", backend="fock")`` with no levels: chosen from the Gaussian
    tails within the default budget (``small-weak``: 9x9x3 in ~6 s; 1e-3 would need 12x12x3,
    ~3 min), said in ``levels_chosen``; every error within [1, 10]x the true one."""
    p = gs.presets.get("small-weak")
    fock = gs.steady.compute(p, model="rwa", backend="fock")
    exact = gs.steady.compute(p, model="rwa").comparison()
    assert fock.stats["levels_chosen"].startswith("auto: Gaussian tails")
    assert fock.stats["n_cav_chosen"] == fock.stats["truncation"]["dims"]["c"] >= 3
    for key, error in fock.comparison_errors().items():
        true = abs(fock.comparison()[key] - exact[key])
        assert true <= error <= 10 * true, (key, error, true)
