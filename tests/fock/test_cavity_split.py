"""The cavity-split solver: GMRES preconditioned by the exact factorisation of the lowest
cavity levels, against the direct solve it replaces."""

from __future__ import annotations

import numpy as np
import pytest
import qutip

import gravsim as gs
from gravsim.fock import cavity_split, liouville_system, operators, response, solvers
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity, QuantumGravity
from tests.conftest import gravsim, one_error_line, strict_json

SMALL = gs.presets.get("small")
DIMS = (6, 6, 4)  # a 10 368-unknown block: above SPLIT_ABOVE
#: The direct reference: PARDISO (3 s here; SuperLU takes 50 s at DIMS).
DIRECT = "pardiso" if qutip.settings.has_mkl else "superlu"


@pytest.mark.parametrize("gravity", [QuantumGravity(), KTMGravity()], ids=["quantum", "ktm"])
def test_cavity_split_is_the_direct_solve(gravity):
    """Same ρ as the direct LU to 1e-12 (GMRES stops at a residual 1e-14 of ‖b‖)."""
    model = rungs.rwa(SMALL, gravity)
    split = operators.steady_state(model, DIMS, solver="cavity-split")
    direct = operators.steady_state(model, DIMS, solver=DIRECT)
    assert split.report.solver == "cavity-split" and split.report.residual < 1e-13
    assert np.max(np.abs((split.rho - direct.rho).full())) < 1e-12
    assert split.log_negativity() == pytest.approx(direct.log_negativity(), abs=1e-12)


def test_the_low_block_is_the_model_on_fewer_cavity_levels():
    """The exactly factorised part of the preconditioner, A_ll, is the Liouvillian truncated
    to K cavity levels: its solve, padded with empty higher levels, is that steady state."""
    model = rungs.rwa(SMALL, KTMGravity())
    hs = liouville_system.HermitianSystem.build(operators.liouvillian(model, DIMS), DIMS)
    split = cavity_split.CavitySplit.build(hs, DIMS, cavity=2)
    k = cavity_split.LOW_LEVELS
    u = np.zeros(hs.system.shape[0])
    u[split.low] = split.low_lu.solve(hs.state_rhs()[split.low])
    rho, _ = hs.density_matrix(u, DIMS, "low block", 0.0)
    full = rho.full().reshape(DIMS + DIMS)
    alone = operators.steady_state(model, (6, 6, k), solver=DIRECT).rho.full()
    assert np.max(np.abs(full[:, :, :k, :, :, :k].reshape(alone.shape) - alone)) < 1e-10
    assert np.max(np.abs(full[:, :, k:])) == 0


def test_auto_splits_large_blocks_of_models_with_a_cavity():
    big = solvers.SPLIT_ABOVE + 1
    assert solvers.choose_solver(big, 4) == "cavity-split"
    assert solvers.choose_solver(big, 2) != "cavity-split"  # nothing above K = 2 levels
    assert solvers.choose_solver(big, None) != "cavity-split"
    assert solvers.choose_solver(solvers.SPLIT_ABOVE - 1, 5) != "cavity-split"


def test_cavity_split_refuses_a_model_without_a_cavity():
    with pytest.raises(gs.GravsimInputError, match="needs a cavity mode"):
        operators.steady_state(rungs.effective(SMALL), (4, 4), solver="cavity-split")


def test_the_shift_through_a_split_inverse_is_the_second_solve():
    """Quantum vs KTM on the RWA rung with the split preconditioner: ρ_A + δρ equals the KTM
    state solved on its own directly (κ_G/Γ ~ 0.1 on ``small``: no small-shift shortcut)."""
    first, second = rungs.rwa(SMALL, QuantumGravity()), rungs.rwa(SMALL, KTMGravity())
    state_a, state_b, shift = response.shifted_states(first, second, DIMS)
    assert state_a.report.solver == "cavity-split"
    alone = operators.steady_state(second, DIMS, solver=DIRECT)
    assert np.max(np.abs((state_a.rho + shift - alone.rho).full())) < 1e-12
    assert state_b.report.residual < 1e-13


def test_cli_cavity_split_and_its_refusal():
    """Forced on a three-mode model it gives the direct solver's E_N and truncation error (the
    comparison truncations with 2 cavity levels have nothing to split: solved directly)."""
    args = ("steady", "--preset", "small-weak", "--model", "rwa", "--backend", "fock",
            "--gravity", "ktm", "--n-mech", "8", "--n-cav", "3", "--json")  # fmt: skip
    split = strict_json(gravsim(*args, "--solver", "cavity-split").stdout)
    direct = strict_json(gravsim(*args, "--solver", "pardiso").stdout)
    assert split["solver"] == "cavity-split" and direct["solver"] == "pardiso"
    assert split["E_N"] == pytest.approx(direct["E_N"], abs=1e-12)
    assert split["truncation_error"] == pytest.approx(direct["truncation_error"], abs=1e-12)
    bad = gravsim("steady", "--preset", "small", "--model", "effective", "--backend", "fock",
                  "--solver", "cavity-split")  # fmt: skip
    assert "needs a cavity mode" in one_error_line(bad, 2)


@pytest.mark.slow
def test_rwa_at_10x10x5():
    """Issue 14's acceptance: the RWA model at 10×10×5 (L-dim 2.5×10⁵) within 5 min and
    16 GiB, E_N within 3× its reported error of the Gaussian value (measured: 108 s, 2.3 GiB,
    |ΔE_N| = 1.2e-3 against a reported 1.2e-2)."""
    out = gravsim("steady", "--preset", "small", "--model", "rwa", "--gravity", "ktm",
                  "--backend", "fock", "--n-mech", "10", "--n-cav", "5", "--json")  # fmt: skip
    data = strict_json(out.stdout)
    exact = gs.steady.compute(SMALL, model="rwa", gravity="ktm").E_N
    assert data["solver"] == "cavity-split"
    assert abs(data["E_N"] - exact) <= 3 * data["truncation_error"]
