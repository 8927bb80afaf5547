"""The periodic rungs through ``steady``: L1 (Floquet, Gaussian) and L0/L1 (Fock)."""

from __future__ import annotations

import json
from functools import reduce

import numpy as np
import pytest
import qutip
import scipy.integrate

import gravsim as gs
from gravsim import fock
from gravsim.errors import GravsimInputError
from gravsim.model import classical_field
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity
from gravsim.workflows import scan
from tests.conftest import gravsim as _cli


def test_steady_linear_gaussian_is_the_floquet_period_average():
    p = gs.presets.get("driven")
    both = gs.steady.compute(p, model="linear").values
    quantum = gs.steady.compute(p, model="linear", gravity="quantum").values
    state = gs.floquet.periodic_state(models.linear(p, KTMGravity()))
    assert both["E_N_quantum"] == pytest.approx(float(np.mean(state.E_N_quantum())), rel=1e-14)
    assert quantum["E_N"] == both["E_N_quantum"]
    assert quantum["E_N_ripple"] == both["E_N_quantum_ripple"] > 0
    assert both["delta_E"] == pytest.approx(both["E_N_quantum"] - both["E_N_classical"], 1e-12)
    # occupations are linear in V: the period average equals the average of the samples
    n_a = 0.5 * (state.covariance[:, 0, 0] + state.covariance[:, 1, 1] - 1)
    assert both["occupations_quantum"]["a"] == pytest.approx(float(np.mean(n_a)), rel=1e-12)


def test_scan_of_linear_runs_point_by_point(tmp_path):
    base = gs.presets.get("driven")
    axes = [scan.parse_axis("G_plus=0.1,0.2")]
    path = scan.run(base, axes, tmp_path, model="linear", progress=False)
    rows = path.read_text().splitlines()[1:]
    assert len(rows) == 2 and all(",ok," in r for r in rows)
    one = gs.steady.compute(base.replace(G_plus=0.2), model="linear").values["E_N_quantum"]
    assert repr(one) in rows[1]


def test_full_model_has_no_gaussian_state():
    with pytest.raises(GravsimInputError, match="not Gaussian"):
        gs.steady.compute(gs.presets.get("driven"), model="full")
    for cmd in ("steady", "scan --grid G_plus=0.1,0.2 --out -", "evolve --t-final 1s --out -"):
        out = _cli(*cmd.split(), "--preset", "driven", "--model", "full")
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert "not Gaussian" in out.stderr


def test_time_dependent_hamiltonian_equals_its_terms():
    """fock.hamiltonian groups terms by time dependence; H(t) must equal Σ c e^{−iνt} O + h.c.

    The reference is built here term by term from the description, independently.
    """
    p = gs.presets.get("driven")
    dims = (3, 3, 2)
    for frame in ("displaced", "undisplaced"):
        model = models.full(p, frame=frame)
        ops = fock.ladder_operators(model.modes, dims)
        h = fock.hamiltonian(model, dims)
        for t in (0.0, 0.37, 2.9):
            ref = 0
            for term in model.hamiltonian:
                o = reduce(lambda x, y: x @ y, (ops[k] for k in term.ops))
                piece = complex(term.coeff) * np.exp(-1j * term.frequency * t) * o
                ref = ref + piece + (piece.dag() if term.hermitian_conjugate else 0)
            assert np.max(np.abs((h(t) - ref).full())) < 1e-12


def test_full_fock_steady_agrees_with_L1_within_its_stated_errors():
    """L0 on the Fock backend (6×6×4, displaced) against L1's exact Floquet average.

    Allowed: the reported truncation error (from 2, 4, 6 levels) plus the linearisation
    bound (g/κ)².
    """
    p = gs.presets.get("driven").replace(n_th=0.1)  # colder: 6 levels hold the state
    r = gs.steady.compute(p, model="full", backend="fock", gravity="quantum", n_mech=6, n_cav=4)
    v = r.values
    l1 = gs.steady.compute(p, model="linear", gravity="quantum").values["E_N"]
    assert abs(v["E_N"] - l1) <= v["truncation_error"] + (p.g / p.kappa) ** 2
    assert v["truncation"]["comparison_dims"] == [[2, 2, 2], [4, 4, 3]]
    assert v["stroboscopic_change"] < gs.fock_period_map.PERIODIC_TOL
    assert 0 < v["E_N_ripple"] < 0.05 and v["period_s"] == pytest.approx(2 * np.pi / p.omega_m)
    gauss = gs.steady.compute(p, model="linear", gravity="quantum").values["occupations"]
    assert v["occupations"]["a"] == pytest.approx(gauss["a"], abs=v["truncation_error"])
    assert any("displaced" in n for n in r.notes)


def test_periodic_fock_refuses_small_truncation_and_undisplaced_overflow():
    p = gs.presets.get("driven")
    with pytest.raises(GravsimInputError, match="`n_mech`"):
        gs.steady.compute(p, model="linear", backend="fock", n_mech=4)
    with pytest.raises(GravsimInputError, match="`n_cav` 4"):  # squeezed cavity: P(n ≥ 2)
        gs.steady.compute(p, model="full", backend="fock", gravity="quantum")
    # the undisplaced cavity holds |c₋| + |c₊| ≈ 9 in amplitude: 4 levels cannot
    with pytest.raises(GravsimInputError, match="`frame=.displaced.`"):
        gs.steady.compute(
            p, model="full", backend="fock", gravity="quantum", n_cav=4, frame="undisplaced"
        )


def test_cli_steady_linear_json_keys():
    out = _cli("steady", "--preset", "driven", "--model", "linear", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("E_N_quantum", "E_N_classical", "delta_E", "E_N_quantum_ripple", "period_s"):
        assert key in data
    assert data["model"] == "linear" and data["backend"] == "gaussian"


def test_c_plus_follows_directly_given_G_plus():
    p = gs.presets.get("paper").replace(g=2.0).replace(G_plus=3.0, G_minus=6.0)
    assert p.c_plus == pytest.approx(1.5) and p.c_minus == pytest.approx(3.0)
    q = gs.presets.get("paper")
    assert q.c_plus == pytest.approx(q.E_plus / np.hypot(q.omega_m, q.kappa / 2))


def test_fock_transient_refused_where_the_gaussian_transient_overflows(tmp_path):
    """The thermal start's energy passes through the cavity: 3 levels overflow on the way
    (exact L1 Gaussian transient), although the steady cavity needs only 4."""
    out = _cli(
        *"evolve --preset driven --model full --backend fock --gravity quantum".split(),
        *"--n-mech 8 --n-cav 4 --t-final 20s --no-progress --out".split(),
        str(tmp_path),
    )
    assert out.returncode == 2 and "--n-cav 6" in out.stderr, out.stderr
    assert not any(tmp_path.iterdir())  # refused before any work


@pytest.mark.parametrize(
    ("g_plus", "g_minus", "harmonics"), [(0.15, 0.3, 9), (1.0, 2.0, 17), (5.0, 10.0, 33)]
)
def test_classical_orbit_solves_the_mean_field_equations(g_plus, g_minus, harmonics):
    """The harmonic-balance orbit, integrated independently over one period (DOP853).

    dα/dt = −i(E₊e^{−iω_m t} + E₋e^{iω_m t}) − (κ/2)α − i[2g Re(β_a + β_b) − δ_s]α,
    dβ_j/dt = −(iω_j + γ_m/2)β_j − i[g|α|² + 2k_M Re β_other].  The last case needs the
    under-relaxed iteration; each needs the harmonics it reports.
    """
    p = gs.presets.get("driven").replace(G_plus=g_plus, G_minus=g_minus)
    f = classical_field.ClassicalField.of(p)
    assert f.harmonics == harmonics and f.residual <= classical_field.ORBIT_TOL
    w, kap, g, gm, km = (float(x) for x in (p.omega_m, p.kappa, p.g, p.gamma_m, p.k_M))
    omegas = (float(p.omega_a), float(p.omega_b))

    def rhs(t, y):
        al, ba, bb = y[0] + 1j * y[1], y[2] + 1j * y[3], y[4] + 1j * y[5]
        drive = f.E_plus * np.exp(-1j * w * t) + f.E_minus * np.exp(1j * w * t)
        u = 2 * g * (ba.real + bb.real) - f.cavity_shift
        d_al = -1j * drive - kap / 2 * al - 1j * u * al
        force = g * abs(al) ** 2
        d_ba = -(1j * omegas[0] + gm / 2) * ba - 1j * (force + 2 * km * bb.real)
        d_bb = -(1j * omegas[1] + gm / 2) * bb - 1j * (force + 2 * km * ba.real)
        return [d_al.real, d_al.imag, d_ba.real, d_ba.imag, d_bb.real, d_bb.imag]

    def state(t):
        al, (ba, bb) = f.alpha_at(t), f.beta_at(t)
        return np.array([al.real, al.imag, ba.real, ba.imag, bb.real, bb.imag])

    period = 2 * np.pi / w
    times = period * np.array([0.3, 0.7, 1.0])
    sol = scipy.integrate.solve_ivp(
        rhs, (0, period), state(0.0), method="DOP853", t_eval=times, rtol=1e-12, atol=1e-12
    )
    scale = np.max(np.abs(state(0.0)))
    for k, t in enumerate(times):
        assert np.max(np.abs(sol.y[:, k] - state(t))) <= 1e-8 * scale


def test_no_classical_orbit_is_a_one_line_error():
    p = gs.presets.get("driven").replace(G_plus=20.0, G_minus=40.0)
    with pytest.raises(GravsimInputError, match="no periodic classical orbit"):
        classical_field.ClassicalField.of(p)
    out = _cli(*"steady --preset driven --model linear --set G_plus=20 --set G_minus=40".split())
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_linear_fock_periodic_state_equals_gaussian_floquet_within_truncation_error():
    """One rung (L1), two backends: mesolve's periodic state on 2, 4, 6 levels vs the exact
    Floquet state.  Measured: E_N 0.8132 vs 0.8335 (error estimate 0.084), Aitken
    extrapolation 0.8367; occupations within 1.3e-3."""
    p = gs.presets.get("driven").replace(n_th=0.1)
    fock_values = gs.steady.compute(
        p, model="linear", backend="fock", gravity="quantum", n_mech=6, n_cav=4
    ).values
    exact = gs.steady.compute(p, model="linear", gravity="quantum").values
    diff = abs(fock_values["E_N"] - exact["E_N"])
    assert diff <= fock_values["truncation_error"]
    assert abs(fock_values["E_N_extrapolated"] - exact["E_N"]) < diff
    for mode in ("a", "b", "c"):
        assert fock_values["occupations"][mode] == pytest.approx(
            exact["occupations"][mode], abs=3e-3
        )


def test_preconditioned_periodic_state_equals_plain_iteration():
    """The averaged-Liouvillian preconditioner changes the path, not the fixed point."""
    p = gs.presets.get("driven")
    dims = (4, 4, 2)
    full = models.full(p)
    average = gs.models.period_average(models.linear(p))
    start = gs.fock_period_map.averaged_start(full, average, dims)
    fast = gs.fock_period_map.periodic_state(full, dims, start, tol=1e-9)
    plain = gs.fock_period_map.periodic_state(full, dims, start, tol=1e-9, precondition=False)
    assert np.max(np.abs((fast.rho - plain.rho).full())) < 1e-8
    assert fast.mean_log_negativity == pytest.approx(plain.mean_log_negativity, abs=1e-8)
    assert fast.periods < plain.periods / 2


def test_two_grid_start_from_a_smaller_truncation_keeps_the_fixed_point():
    """Started from the periodic state on fewer levels and preconditioned there, the period
    map reaches the same fixed point as the plain iteration, in fewer periods."""
    p = gs.presets.get("driven")
    full = models.full(p)
    average = gs.models.period_average(models.linear(p))
    pm = gs.fock_period_map
    coarse = pm.periodic_state(full, (3, 3, 2), pm.averaged_start(full, average, (3, 3, 2)))
    dims = (5, 5, 2)
    two_grid = pm.periodic_state(full, dims, coarse.rho, tol=1e-9)
    plain = pm.periodic_state(full, dims, coarse.rho, tol=1e-9, precondition=False)
    assert np.max(np.abs((two_grid.rho - plain.rho).full())) < 1e-8
    assert two_grid.periods < plain.periods


def test_embedded_state_keeps_every_element_and_refuses_to_shrink():
    rho = qutip.rand_dm([3, 2])
    big = gs.fock_period_map.embedded(rho, (4, 3))
    assert big.dims == [[4, 3], [4, 3]]
    assert big.tr() == pytest.approx(1.0)
    kept = big.full().reshape(4, 3, 4, 3)[:3, :2, :3, :2].reshape(6, 6)
    assert np.array_equal(kept, rho.full())
    with pytest.raises(ValueError, match="does not embed"):
        gs.fock_period_map.embedded(big, (3, 3))
