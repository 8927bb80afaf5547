"""Transients (evolve; Gaussian propagation and Fock dynamics), the Floquet state of L1, and
L0 against L1."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.integrate

import gravsim as gs
from gravsim.analysis import entanglement
from gravsim.fock import dynamics as fock_dynamics
from gravsim.fock import period_map as fock_period_map
from gravsim.fock import truncation
from gravsim.gaussian import floquet
from gravsim.gaussian.propagation import Propagator, initial_covariance
from gravsim.model import classical_field, description
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity, QuantumGravity
from tests.conftest import gravsim, one_error_line, strict_json


def _mech(v, modes):
    idx = [2 * modes.index(m) + k for m in ("a", "b") for k in (0, 1)]
    return v[..., idx, :][..., :, idx]


def test_gaussian_transient_tends_to_lyapunov_state():
    m = models.effective(gs.presets.get("small"), KTMGravity())
    v, s = Propagator(m).evolve(initial_covariance(m.modes, {"a": 0.5, "b": 0.5}), [0, 50, 2000])
    comp = gs.gaussian.compare_gravity(m)
    assert np.max(np.abs(v[-1] - comp.quantum.covariance)) < 1e-12
    assert np.max(np.abs(s[-1] - comp.shift)) < 1e-12


@pytest.mark.parametrize("preset", ["small", "paper"])
def test_van_loan_equals_direct_integration(preset):
    """The exact propagator against an ODE solve of dV/dt = AV + VAᵀ + D (rtol 1e-11)."""
    m = models.rwa(gs.presets.get(preset), KTMGravity())
    a, d = gs.gaussian.drift_diffusion(m)
    v0 = initial_covariance(m.modes, {"a": 3.0, "b": 3.0})
    times = np.array([0.0, 0.7, 3.0, 9.0])
    v, s = Propagator(m).evolve(v0, times)
    n = a.shape[0]
    sol = scipy.integrate.solve_ivp(
        lambda t, y: (a @ y.reshape(n, n) + y.reshape(n, n) @ a.T + d).ravel(),
        (0, times[-1]),
        v0.ravel(),
        t_eval=times,
        method="DOP853",
        rtol=1e-11,
        atol=1e-13,
    )
    direct = sol.y.T.reshape(-1, n, n)
    assert np.max(np.abs(v + s - direct)) <= 1e-8 * np.max(np.abs(direct))


def test_fock_transient_equals_gaussian_within_truncation_error():
    """Effective model, small preset: mesolve E_N(t) at N = 6, 8, 10 vs the exact Gaussian."""
    m = models.effective(gs.presets.get("small"), KTMGravity())
    times = np.linspace(0, 20, 11)
    start = {"a": 0.5, "b": 0.5}
    runs = [fock_dynamics.transient(m, (n, n), times, start).table for n in (6, 8, 10)]
    v, s = Propagator(m).evolve(initial_covariance(m.modes, {"a": 0.5, "b": 0.5}), times)
    exact = entanglement.log_negativity(_mech(v + s, m.modes))
    for i in range(len(times)):
        est = truncation.estimate([r["E_N"][i] for r in runs])
        assert abs(est.value - exact[i]) <= est.truncation_error + 1e-6, (i, est, exact[i])
    occ = 0.5 * (v[-1, 0, 0] + v[-1, 1, 1] - 1 + s[-1, 0, 0] + s[-1, 1, 1])
    assert runs[-1]["n_a"][-1] == pytest.approx(occ, abs=2e-3)


def test_secular_part_of_L1_is_L2():
    """…at the orbit's own sideband amplitudes G± = g|α_{±1}| (mean-field shifted)."""
    p = gs.presets.get("driven")
    avg = description.secular(models.linear(p, KTMGravity()), rung="rwa", note="average")
    orbit = classical_field.ClassicalField.of(p)
    q = p.replace(G_plus=p.g * abs(orbit.alpha[1]), G_minus=p.g * abs(orbit.alpha[-1]))
    a = gs.gaussian.compare_gravity(avg)
    b = gs.gaussian.compare_gravity(models.rwa(q, KTMGravity()))
    assert a.E_N_quantum() == pytest.approx(b.E_N_quantum(), abs=1e-12)
    assert a.delta_E() == pytest.approx(b.delta_E(), rel=1e-10)


def test_floquet_state_is_periodic():
    """Propagated over one period by an independent integrator, the state comes back."""
    p = gs.presets.get("driven")
    m = models.linear(p, KTMGravity())
    state = floquet.periodic_state(m)
    assert state.periodicity_error <= 1e-10
    prop = Propagator(m)
    v0 = state.covariance[0]
    n = v0.shape[0]

    def rhs(t, y):
        a, d0, _ = prop.matrices(t)
        x = y.reshape(n, n)
        return (a @ x + x @ a.T + d0).ravel()

    sol = scipy.integrate.solve_ivp(
        rhs, (0, state.period), v0.ravel(), method="DOP853", rtol=1e-13, atol=1e-15
    )
    assert np.max(np.abs(sol.y[:, -1].reshape(n, n) - v0)) <= 1e-10 * np.max(np.abs(v0))


def test_L1_tends_to_L2_with_slope_two():
    """At k_M = 0 the period-averaged E_N approaches L2 as (κ/ω_m)²: log-log slope ≈ 2."""
    base = gs.presets.get("small")
    diffs = []
    omegas = (160.0, 320.0, 640.0)
    for w in omegas:
        p = base.replace(
            omega_m=w, G_plus=0.1, G_minus=0.2, n_th=0.5, k_G=0.0, kappa_G=0.01, g=0.05
        )
        p = p.replace(G_plus=0.1, G_minus=0.2)
        l1 = floquet.periodic_state(models.linear(p, KTMGravity())).summary()
        l2 = gs.gaussian.compare_gravity(models.rwa(p, KTMGravity()))
        diffs.append(abs(l1["E_N_quantum"] - l2.E_N_quantum()))
    slopes = np.diff(np.log(diffs)) / np.diff(np.log(omegas))
    assert np.all(np.abs(slopes + 2) < 0.2), slopes


def test_L1_first_order_in_k_M_over_omega_m():
    """With k_M ≠ 0 gravity's counter-rotating term adds a k_M/ω_m part (slope → 1)."""
    base = gs.presets.get("small")
    diffs = []
    omegas = (640.0, 1280.0)
    for w in omegas:
        p = base.replace(omega_m=w, g=0.05).replace(G_plus=0.1, G_minus=0.2)
        l1 = floquet.periodic_state(models.linear(p, QuantumGravity())).summary()
        l2 = gs.gaussian.steady_state(models.rwa(p, QuantumGravity())).log_negativity()
        diffs.append(abs(l1["E_N_quantum"] - l2))
    slope = np.log(diffs[1] / diffs[0]) / np.log(2)
    assert -1.2 < slope < -0.8


def _l0_minus_l1(g: float, dims=(4, 4, 2)) -> float:
    p = gs.presets.get("driven").replace(g=g, G_plus=0.15, G_minus=0.3)
    full = models.full(p, QuantumGravity())
    lin = description.quadratic_part(full, rung="linear", note="")
    avg = description.secular(models.linear(p, QuantumGravity()), rung="rwa", note="")
    start = gs.fock.steady_state(avg, dims).rho
    e0 = fock_period_map.periodic_state(full, dims, start, depth=20).mean_log_negativity
    e1 = fock_period_map.periodic_state(lin, dims, start, depth=20).mean_log_negativity
    return e0 - e1


def test_L0_agrees_with_L1_within_g_squared():
    """Displaced frame: the linearisation error is ≤ (g/κ)² and shrinks ~ g² at fixed G±."""
    d1 = abs(_l0_minus_l1(0.05))
    d2 = abs(_l0_minus_l1(0.025))
    assert d1 <= 0.05**2
    assert d2 <= 0.025**2
    assert d1 / d2 > 2.5


def test_undisplaced_frame_equals_displaced_frame():
    """The displaced frame is exact: both frames give one E_N(t) (weak tones, small α)."""
    p = gs.presets.get("driven").replace(g=0.05, G_plus=0.005, G_minus=0.01)
    times = np.linspace(0, 2 * 2 * np.pi / p.omega_m, 5)
    occ = {"a": 0.3, "b": 0.3}
    disp = fock_dynamics.transient(models.full(p, frame="displaced"), (5, 5, 3), times, occ).table
    und = fock_dynamics.transient(models.full(p, frame="undisplaced"), (5, 5, 4), times, occ).table
    assert np.max(np.abs(disp["E_N"] - und["E_N"])) < 2e-4


def test_evolve_cli_writes_csv_json_png(tmp_path):
    out = tmp_path / "ev"
    res = gravsim("evolve", "--preset", "paper", "--t-final", "20/Gamma", "--n-times", "11",
                  "--out", str(out), "--json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    summary = strict_json(res.stdout)
    assert summary["steady"]["delta_E"] == pytest.approx(4.965285e-8, rel=1e-6)
    header = (out / "evolve_effective_gaussian.csv").read_text().splitlines()[0].split(",")
    for key in ("time_s", "E_N_quantum", "E_N_classical", "delta_E", "n_a_quantum", "Q_m"):
        assert key in header
    sidecar = json.loads((out / "evolve_effective_gaussian.json").read_text())
    assert sidecar["units"]["time_s"] == "s" and "versions" in sidecar
    assert (out / "evolve_effective_gaussian.png").stat().st_size > 1000


def test_evolve_prints_a_summary_and_json_only_when_asked(tmp_path):
    args = ["evolve", "--t-final", "100/Gamma", "--n-times", "21", "--no-progress"]
    text = gravsim(*args, "--out", str(tmp_path / "t"))
    assert text.returncode == 0, text.stderr
    assert not text.stdout.lstrip().startswith("{")
    lines = text.stdout.splitlines()
    assert lines[0] == "preset paper" and "E_N in nats" in lines[1]
    row = next(x.split() for x in lines if x.strip().startswith("delta_E"))
    assert float(row[-1]) == pytest.approx(4.965285e-8, rel=1e-5)  # the steady ΔE
    assert sum(x.startswith("wrote ") for x in lines) == 3
    data = strict_json(gravsim(*args, "--out", str(tmp_path / "j"), "--json").stdout)
    assert data["steady"]["delta_E"] == pytest.approx(float(row[-1]), rel=1e-5)


@pytest.mark.parametrize(
    "extra",
    [
        ["--t-final", "5 parsecs"],
        ["--t-final", "-3s"],
        ["--t-final", "5s", "--model", "full"],
        ["--t-final", "5s", "--n-times", "1"],
    ],
)
def test_evolve_cli_bad_input_exits_2(extra, tmp_path):
    one_error_line(gravsim("evolve", "--out", str(tmp_path), *extra), 2)


def test_conventional_transient_matches_exact_normal_modes():
    """The generic Van Loan transient against the conventional scheme's exact solution."""
    p = gs.presets.get("small").replace(n_th=0.0, gamma_m=1e-3, k_G=0.5, omega_m=20.0)
    m = models.conventional(p, QuantumGravity())
    times = np.linspace(0, 0.3, 7)
    v, _ = Propagator(m).evolve(initial_covariance(m.modes, {}), times)
    kw = dict(omega_m=p.omega_m, k_M=p.k_M, gamma_m=p.gamma_m, n_th=p.n_th, kappa_G=0.0)
    exact = gs.conventional.log_negativity_transient(**kw, t=times)
    assert np.max(np.abs(entanglement.log_negativity(v) - exact)) < 1e-10
