"""Fock backend: agreement with the Gaussian backend within the reported truncation error."""

from __future__ import annotations

import json

import numpy as np
import pytest
import qutip

import gravsim as gs
from gravsim import fock, gaussian
from gravsim.analysis import fock_tails
from gravsim.analysis.entanglement import log_negativity_of_state
from gravsim.fock import solvers as liouville_solvers
from gravsim.fock import truncation
from gravsim.fock.levels import check_truncation
from gravsim.model import rungs as models
from gravsim.model.description import ModelDescription
from gravsim.model.gravity import KTMGravity, QuantumGravity
from gravsim.workflows import steady
from tests.conftest import gravsim as run

SMALL = gs.presets.get("small")
WEAK = gs.presets.get("small-weak")


def test_thermal_oscillator_fock_occupation_is_n_th():
    p = SMALL.replace(n_th=0.5)
    model = ModelDescription(
        "thermal", ("a",), (), models.thermal_baths(p, ("a",)), p, QuantumGravity()
    )
    state = fock.steady_state(model, (40,), parity=False)
    # the truncation cuts off (n/(n+1))^40 = 3^-40 ≈ 8e-20 of the population
    assert state.occupations()["a"] == pytest.approx(0.5, rel=1e-10)


@pytest.mark.parametrize("rung,dims", [("effective", (7, 7)), ("rwa", (4, 4, 3))])
def test_parity_block_solve_equals_full_solve(rung, dims):
    model = models.build(rung, SMALL, KTMGravity())
    even = fock.steady_state(model, dims, solver="superlu")
    full = fock.steady_state(model, dims, solver="superlu", parity=False)
    assert np.max(np.abs(even.rho.full() - full.rho.full())) <= 1e-10
    assert even.report.block_dim * 2 >= full.report.block_dim - 1


def test_solvers_agree():
    model = models.effective(SMALL, KTMGravity())
    ref = fock.steady_state(model, (8, 8), solver="superlu")
    other = fock.steady_state(model, (8, 8), solver="lgmres")
    assert np.max(np.abs(ref.rho.full() - other.rho.full())) <= 1e-10
    assert ref.report.residual < 1e-12 and other.report.residual < liouville_solvers.RESIDUAL_TOL


def test_log_negativity_base_matches_qutip_log2():
    state = fock.steady_state(models.effective(SMALL), (8, 8))
    rho = state.mechanical_rho
    bits = qutip.negativity(rho, 1, logarithmic=True)
    assert log_negativity_of_state(rho, "2") == pytest.approx(bits, rel=1e-10)
    assert log_negativity_of_state(rho, "e") == pytest.approx(bits * np.log(2), rel=1e-10)


QUANTITIES = ("E_N_quantum", "E_N_classical", "delta_E")
ERRORS = ("truncation_error_quantum", "truncation_error_classical", "truncation_error_delta_E")


def test_effective_fock_agrees_with_gaussian_and_error_shrinks():
    assert SMALL.k_M != 0 and SMALL.kappa_G != 0
    gauss = steady.compute(SMALL, model="effective")
    errors = []
    for n in (8, 10):
        fk = steady.compute(SMALL, model="effective", backend="fock", n_mech=n)
        for q, err_key in zip(QUANTITIES, ERRORS, strict=True):
            err = fk.values[err_key]
            assert abs(fk.values[q] - gauss.values[q]) <= err, (n, q)
        errors.append([fk.values[k] for k in ERRORS])
    assert np.all(np.array(errors[1]) < np.array(errors[0]))


def test_rwa_fock_agrees_with_gaussian():
    assert WEAK.k_M != 0 and WEAK.kappa_G != 0
    gauss = steady.compute(WEAK, model="rwa")
    fk = steady.compute(WEAK, model="rwa", backend="fock", n_mech=8, n_cav=3)
    for q, err_key in zip(QUANTITIES, ERRORS, strict=True):
        assert abs(fk.values[q] - gauss.values[q]) <= fk.values[err_key], q
    assert fk.values["residual"] < liouville_solvers.RESIDUAL_TOL


def test_covariance_from_rho_tends_to_gaussian_covariance():
    model = models.effective(SMALL, KTMGravity())
    v_gauss = gaussian.steady_state(model).covariance
    gaps = [
        np.max(np.abs(fock.steady_state(model, (n, n)).mechanical_covariance - v_gauss))
        for n in (6, 8, 10)
    ]
    assert gaps[2] < gaps[1] < gaps[0] and gaps[2] < 1e-2


def test_truncation_too_small_is_refused():
    with pytest.raises(gs.OutOfRegimeError, match="truncation too small.*`n_mech`"):
        model = models.effective(SMALL, KTMGravity())
        check_truncation(model, (4, 4), gs.gaussian.steady_state(model))


def test_physical_occupation_is_out_of_reach():
    with pytest.raises(gs.OutOfRegimeError, match="out of reach"):
        steady.compute(gs.presets.get("paper"), model="conventional", backend="fock")


def test_truncation_estimate_rules():
    geometric = [1.0 - 0.2**k for k in (1, 2, 3)]
    est = truncation.estimate(geometric)
    assert est.extrapolated == pytest.approx(1.0, rel=1e-12)
    assert est.truncation_error >= abs(1.0 - geometric[-1])
    slow = [1.0 - 0.9**k for k in (1, 2, 3)]
    est = truncation.estimate(slow)
    assert est.extrapolated is None
    assert est.truncation_error >= 0.9 * abs(1.0 - slow[-1])  # q capped at 0.95


def test_cli_steady_fock_json():
    out = run("steady", "--preset", "small", "--backend", "fock", "--n-mech", "8", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("truncation", "truncation_error_quantum", "solver", "residual", "wall_time_s"):
        assert key in data
    assert data["truncation"]["dims"] == {"a": 8, "b": 8}
    assert data["backend"] == "fock" and data["log_base"] == "e"


def test_cli_fock_truncation_refused_with_exit_2():
    out = run("steady", "--preset", "small", "--backend", "fock", "--n-mech", "4")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "--n-mech" in out.stderr and "Traceback" not in out.stderr


def test_cli_validate_paper_exits_0_and_shows_the_gaussian_ladder():
    out = run("validate", "--preset", "paper", "--no-l0")  # L0: tests/test_periodic_steady
    assert out.returncode == 0, out.stdout + out.stderr
    for needle in ("effective Gaussian", "rwa Gaussian", "closed form", "all checks passed"):
        assert needle in out.stdout


@pytest.mark.parametrize(("r", "n"), [(0.0, 0.7), (0.4, 0.0), (0.3, 0.2)])
def test_gaussian_tail_equals_fock_populations(r, n):
    """P(n ≥ N) of a squeezed thermal state from its covariance vs QuTiP's Fock populations."""
    size = 80  # the truncated squeeze operator is exact far below its top
    s = qutip.squeeze(size, r)
    rho = s @ qutip.thermal_dm(size, n) @ s.dag()
    a = qutip.destroy(size)
    x, p = (a + a.dag()) / np.sqrt(2), -1j * (a - a.dag()) / np.sqrt(2)
    xp = qutip.expect((x * p + p * x) / 2, rho).real
    v = np.array([[qutip.expect(x * x, rho).real, xp], [xp, qutip.expect(p * p, rho).real]])
    pops = rho.diag().real
    for levels in (3, 6):
        tail = fock_tails.gaussian_tail(v, levels)
        assert tail == pytest.approx(1 - pops[:levels].sum(), rel=1e-9, abs=1e-14)


def test_auto_solver_says_once_how_to_get_the_fast_path(monkeypatch):
    """Without MKL, "auto" falls back to SuperLU and one warning names the install."""
    from gravsim.errors import GravsimWarning
    from gravsim.fock import solvers

    monkeypatch.setattr(type(qutip.settings), "has_mkl", property(lambda self: False))
    with pytest.warns(GravsimWarning, match="pip install 'mkl"):
        assert solvers.choose_solver(1000) == "superlu"
    monkeypatch.undo()
    if qutip.settings.has_mkl:
        assert solvers.choose_solver(1000) == "pardiso"
