"""The paper's figures: Fig. 2's slope and saturation, Fig. 3's ratio against mpmath."""

from __future__ import annotations

import json

import mpmath as mp
import numpy as np
import pytest

import gravsim as gs
from gravsim import gaussian
from gravsim.model import regime
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity, QuantumGravity
from gravsim.workflows import figures
from tests.conftest import gravsim
from tests.mp_reference import mp_log_negativity, mp_lyapunov


def test_tuning_rule_keeps_gamma_over_Gamma_and_r():
    p = gs.presets.get("paper")
    t = regime.tuned(p, np.array([1e11, 1e15]))
    np.testing.assert_allclose(t.gamma_m / t.Gamma, p.gamma_m / p.Gamma, rtol=1e-12)
    np.testing.assert_allclose(t.r, p.r, rtol=1e-12)


def test_fig2_slope_is_one_and_saturation_is_the_double_reservoir_value():
    data = figures.fig2(q_values=np.logspace(11, 15, 9))
    for tag in ("table", "point_mass"):
        assert abs(data.summary[tag]["slope_log_dE_vs_log_Qm_1e11_1e15"] - 1) < 0.01
    high = figures.fig2(q_values=np.array([1e21, 1e22]))
    # with Γ ≪ Ω the collective reservoir acts like the double one and KTM kills E_N,c:
    # ΔE → E_N,q → Eq. (24)'s value 0.7512 nats (1.084 bits: the paper's "near 1.0")
    assert high.summary["table"]["saturated_delta_E_bits"] == pytest.approx(1.0837, abs=1e-3)


def _mp_E_N(a: mp.matrix, d: np.ndarray) -> mp.mpf:
    return mp_log_negativity(mp_lyapunov(a, d))


@pytest.mark.parametrize("ratio", [1.0, 1e3, 1e6])
def test_fig3_numerator_matches_mpmath(ratio):
    """R from the exact covariance shift equals a 40-digit evaluation of the same model."""
    p0 = gs.presets.get("paper")
    p = p0.replace(K_others=ratio * p0.K_G)
    v0, dv, model0 = figures.coupling_shift(p, "effective", QuantumGravity())
    shift = -gs.entanglement.delta_log_negativity(v0, dv)
    a0, d0 = gaussian.drift_diffusion(model0)
    unit = figures._coupling_drift(model0, p.k_others)
    with mp.workdps(40):
        e0 = _mp_E_N(mp.matrix(a0.tolist()), d0)
        e1 = _mp_E_N(mp.matrix(a0.tolist()) + mp.matrix(unit.tolist()), d0)
        exact = float(e1 - e0)
    assert exact < 0  # the extra coupling lowers E_N: R < 0
    assert shift == pytest.approx(exact, rel=1e-6)


def test_fig3_sign_and_crossings():
    data = figures.fig3()
    assert data.summary["sign_of_R"] == "negative"
    x01 = data.summary["K_others_over_K_G_at_abs_R_0.1"]
    assert 1e4 < x01 < 1e5  # measured 3.5e4; the paper's text puts it near 1e5
    # quantum and KTM numerators agree to far better than the plot resolves
    assert data.summary["max_rel_difference_R_quantum_vs_classical"] < 1e-5


def test_fig3_matches_a_plain_difference_where_that_is_accurate():
    """At K_others/K_G = 1e7 the E_N shift is ~1e-2: a float64 difference is fine there."""
    p0 = gs.presets.get("paper")
    p = p0.replace(K_others=1e7 * p0.K_G)
    v0, dv, _ = figures.coupling_shift(p, "effective", KTMGravity())
    shift = -gs.entanglement.delta_log_negativity(v0, dv)
    direct = (
        gaussian.steady_state(models.effective(p, KTMGravity())).log_negativity()
        - gaussian.steady_state(models.effective(p0, KTMGravity())).log_negativity()
    )
    assert shift == pytest.approx(direct, rel=1e-9)


def test_cli_figure_writes_csv_json_png(tmp_path):
    for which in ("fig2", "fig3"):
        out = gravsim("figure", which, "--out", str(tmp_path))
        assert out.returncode == 0, out.stderr
        for ext in ("csv", "json", "png"):
            assert (tmp_path / f"{which}.{ext}").stat().st_size > 0
        sidecar = json.loads((tmp_path / f"{which}.json").read_text())
        assert "versions" in sidecar and "command" in sidecar and "units" in sidecar
