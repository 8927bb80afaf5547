"""Harmonic balance: the Fock periodic state of L0/L1 from the Liouvillian's Fourier series."""

from __future__ import annotations

import numpy as np
import pytest
import qutip

import gravsim as gs
from gravsim.fock import dynamics, harmonic_balance, operators, periodic
from gravsim.model import corrections, description, rungs
from gravsim.model.gravity import KTMGravity, QuantumGravity

DRIVEN = gs.presets.get("driven")
DIMS = (4, 4, 3)


def test_fourier_components_sum_to_the_liouvillian_at_any_time():
    """Σ_m L_m e^{−imω₀t} equals QuTiP's Liouvillian of H(t) and the c_ops(t) at t = 0.37 T,
    for L1 with KTM (time-dependent dissipators: the cross terms at ±2ω_m) and for L0."""
    for model in (rungs.linear(DRIVEN, KTMGravity()), rungs.full(DRIVEN, QuantumGravity())):
        frame = dynamics.propagation_frame(model)
        w = frame.base_frequency()
        t = 0.37 * 2 * np.pi / w
        comps = harmonic_balance.fourier_components(frame, DIMS, w)
        total = sum(lm * np.exp(-1j * m * w * t) for m, lm in comps.items())
        h = operators.hamiltonian(frame, DIMS)
        collapse = operators.collapse_operators(frame, DIMS)
        c_ops = [c(t) if isinstance(c, qutip.QobjEvo) else c for c in collapse]
        ref = qutip.liouvillian(h(t) if isinstance(h, qutip.QobjEvo) else h, c_ops)
        diff = abs(total - ref.data.as_scipy()).max()
        assert diff <= 1e-12 * abs(ref.data.as_scipy()).max()


def test_harmonic_balance_equals_the_period_map():
    """L0 on driven 4×4×3: the period-averaged E_N and its ripple agree with the period
    map's (mesolve rtol 1e-8) to 1e-7."""
    full = rungs.full(DRIVEN, QuantumGravity())
    average = rungs.period_average(rungs.linear(DRIVEN, QuantumGravity()))
    hb, _ = periodic.periodic_state(full, DIMS, average, method="harmonic-balance")
    pm, _ = periodic.periodic_state(full, DIMS, average, method="period-map")
    assert hb.method == "harmonic balance" and pm.method == "period map"
    assert hb.mean_log_negativity == pytest.approx(pm.mean_log_negativity, abs=1e-7)
    assert hb.ripple == pytest.approx(pm.ripple, abs=1e-7)
    assert hb.stats["highest_harmonic"] <= harmonic_balance.HARMONIC_TOL


def test_linearisation_estimate_is_second_order_in_g():
    """L0 − L1 on the same truncation against L1's second-order response to the dropped
    g(j + j†)δc†δc: ratio 0.996 at g = 0.05 and 0.999 at g = 0.025, and the difference
    falls by 4.0 when g halves (at fixed G±)."""
    diffs = []
    for g in (0.05, 0.025):
        p = DRIVEN.replace(g=g, G_plus=0.15, G_minus=0.3)
        full = rungs.full(p, QuantumGravity())
        l0, shared = harmonic_balance.periodic_state(full, DIMS)
        lin = description.quadratic_part(full, rung="linear", note="")
        w = full.base_frequency()
        l1, _ = harmonic_balance.periodic_state(lin, DIMS, omega0=w, average=shared)
        e1, shift = harmonic_balance.second_order_shift(
            lin, corrections.radiation_pressure_nonlinearity(p), DIMS, omega0=w, average=shared
        )
        assert e1 == pytest.approx(l1.mean_log_negativity, abs=1e-12)
        diff = l0.mean_log_negativity - l1.mean_log_negativity
        assert diff / shift == pytest.approx(1.0, abs=0.01)
        diffs.append(diff)
    assert diffs[0] / diffs[1] == pytest.approx(4.0, rel=0.01)


def test_auto_takes_harmonic_balance_only_for_a_fast_drive():
    """ω_m ≥ 10κ: harmonic balance (small: 20κ); below: the period map (driven: 5κ)."""
    small = rungs.full(gs.presets.get("small"), QuantumGravity())
    assert periodic.choose(small) == "harmonic-balance"
    assert periodic.choose(rungs.full(DRIVEN, QuantumGravity())) == "period-map"
    with pytest.raises(gs.errors.GravsimInputError, match="harmonic-balance"):
        periodic.choose(small, "newton")
