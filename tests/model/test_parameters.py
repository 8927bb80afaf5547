"""Parameters: derived quantities, overrides, validation, presets."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gravsim as gs
from gravsim.model.units import G_NEWTON, HBAR, K_B

PAPER = gs.presets.get("paper")


def test_paper_table_values():
    p = PAPER
    assert p.c_plus == pytest.approx(0.3167, abs=1e-4)
    assert p.c_minus == pytest.approx(0.6335, abs=1e-4)
    assert p.G_plus == pytest.approx(1.99, abs=0.01)
    assert p.G_minus == pytest.approx(3.98, abs=0.01)
    assert p.r == pytest.approx(math.atanh(0.5), rel=1e-12)
    assert p.G == pytest.approx(3.447, abs=1e-3)
    assert p.Gamma == pytest.approx(0.756, abs=1e-3)
    assert p.Q_m == pytest.approx(2.5e10, rel=1e-12)
    assert p.n_th == pytest.approx(4.17e6, rel=1e-3)
    assert p.x_zpf == pytest.approx(3.6e-16, rel=0.01)
    assert p.k_G == pytest.approx(2 * math.pi * 7e-10, rel=1e-15)
    assert p.kappa_G == p.k_G
    assert p.k_M == p.k_G


def test_n_th_keeps_precision_at_small_hbar_omega_over_kT():
    x = HBAR * PAPER.omega_m / (K_B * PAPER.T)
    # 1/expm1(x) = 1/x − 1/2 + x/12 + …
    assert PAPER.n_th == pytest.approx(1 / x - 0.5 + x / 12, rel=1e-13)


def test_point_mass_k_G_is_about_half_the_table_value():
    pm = gs.presets.get("paper-point-mass")
    k_expected = 2 * G_NEWTON * pm.M**2 / pm.d**3 * pm.x_zpf**2 / HBAR
    assert pm.k_G == pytest.approx(k_expected, rel=1e-14)
    assert pm.k_G / PAPER.k_G == pytest.approx(0.502, abs=0.01)


def test_form_factor_convention_matches_the_table():
    p = PAPER.replace(kG_convention="form-factor")
    assert not p.is_set_directly("k_G")
    assert p.k_G == pytest.approx(G_NEWTON * p.rho * math.pi / 3 / p.omega_m, rel=1e-14)
    assert p.k_G / (2 * math.pi) == pytest.approx(6.83e-10, rel=1e-2)


def test_overrides_and_their_clearing():
    p = PAPER.replace(G_plus=1.0)
    assert p.G_plus == 1.0 and p.is_set_directly("G_plus")
    assert p.replace(E_plus=50.0).G_plus == pytest.approx(
        50.0 * p.g / np.hypot(p.omega_m, p.kappa / 2)
    )
    assert PAPER.replace(n_th=3.0).replace(T=0.02).n_th == pytest.approx(2 * PAPER.n_th, rel=1e-6)
    # K_others adds to k_M through x_zpf
    q = PAPER.replace(K_others=PAPER.K_G)
    assert q.k_M == pytest.approx(2 * PAPER.k_G, rel=1e-12)


def test_Q_m_sets_gamma_m():
    p = PAPER.replace(Q_m=1e12)
    assert p.gamma_m == pytest.approx(p.omega_m / 1e12)
    p2 = PAPER.replace(omega_m=2 * math.pi * 100, Q_m=1e12)
    assert p2.gamma_m == pytest.approx(2 * math.pi * 100 / 1e12)


def test_ktm_measurement_rates():
    p = PAPER
    opt = gs.gravity.KTMGravity(Gamma_a=p.K_G / 2, Gamma_b=p.K_G / 2)
    ka, kb = opt.rates(p)
    assert ka == pytest.approx(p.k_G, rel=1e-12) and kb == pytest.approx(p.k_G, rel=1e-12)
    off = gs.gravity.KTMGravity(Gamma_a=p.K_G, Gamma_b=p.K_G)
    assert off.rates(p)[0] == pytest.approx(1.25 * p.k_G, rel=1e-12)  # (s + 1/s)/2 at s = 2


@pytest.mark.parametrize(
    "changes,match",
    [
        ({"gamma_m": -1.0}, "gamma_m must be >= 0"),
        ({"kappa": float("nan")}, "kappa is not finite"),
        ({"G_plus": 4.0, "G_minus": 3.0}, "G_plus < G_minus"),
        ({"E_plus": 300.0}, "G_plus < G_minus"),
        ({"T": -0.1}, "T must be >= 0"),
        ({"n_th": -1.0}, "n_th must be >= 0"),
        ({"no_such": 1.0}, "unknown parameter"),
        ({"kG_convention": "magic"}, "unknown kG_convention"),
        ({"Q_m": 0.0}, "Q_m must be"),
    ],
)
def test_validation_rejects_bad_input(changes, match):
    with pytest.raises(gs.GravsimInputError, match=match):
        PAPER.replace(**changes)


def test_unknown_preset():
    with pytest.raises(gs.GravsimInputError, match="unknown preset"):
        gs.presets.get("nope")


def test_every_preset_names_its_source_and_is_valid():
    for name in gs.presets.names():
        p = gs.presets.get(name)
        assert p.source and p.source != "user"
        assert p.G_plus < p.G_minus


def test_array_parameters_broadcast():
    p = PAPER.replace(
        E_plus=np.array([50.0, 100.0])[:, None], E_minus=np.array([200.0, 250.0, 300.0])
    )
    assert p.batch_shape == (2, 3)
    assert p.Gamma.shape == (2, 3)
