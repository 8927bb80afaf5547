"""PARDISO factors are freed when dropped (QuTiP's ``mkl_lu`` has no finaliser)."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import qutip

import gravsim as gs
from gravsim.fock import liouville_system, operators
from gravsim.model import rungs


def test_pardiso_factor_deletes_its_memory_when_collected():
    deleted = []

    class FakeLU:
        def solve(self, b):
            return 2 * b

        def delete(self):
            deleted.append(True)

    factor = liouville_system.PardisoFactor(FakeLU())
    assert np.array_equal(factor.solve(np.ones(2)), 2 * np.ones(2))
    del factor
    gc.collect()
    assert deleted == [True]


@pytest.mark.skipif(not qutip.settings.has_mkl, reason="PARDISO needs MKL")
def test_repeated_factorisations_do_not_accumulate():
    """Eight factorisations of the RWA block at 6×6×3 (~60 MB each in MKL): resident memory
    grew by 490 MB before the factors were freed, by < 100 MB after."""
    liouvillian = operators.liouvillian(rungs.rwa(gs.presets.get("small")), (6, 6, 3))
    hs = liouville_system.HermitianSystem.build(liouvillian, (6, 6, 3))

    def resident_mb() -> float:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * 4096 / 2**20

    lu = liouville_system.factorise(hs.system)
    del lu
    gc.collect()
    start = resident_mb()
    for _ in range(8):
        lu = liouville_system.factorise(hs.system)
        x = lu.solve(hs.state_rhs())
        del lu
        gc.collect()
    assert np.linalg.norm(hs.system @ x - hs.state_rhs()) < 1e-12
    assert resident_mb() - start < 250


def test_a_pardiso_factor_that_is_no_inverse_is_taken_again_by_superlu():
    """At this RWA point (found by the error-bar sweep) PARDISO's LU of the 6×6×3 block left
    GMRES at residual 2e6; the pair of hypotheses now comes out, ΔE within its error."""
    p = gs.presets.get("small").replace(
        G_plus=0.07821,
        G_minus=0.28660,
        Omega=0.54908,
        gamma_m=0.004540,
        n_th=0.1724,
        kappa_G=3.33e-6,
        k_M=0.04889,
    )
    fock = gs.steady.compute(p, model="rwa", backend="fock", n_mech=6, n_cav=3)
    exact = gs.steady.compute(p, model="rwa")
    for key, error in (
        ("E_N_quantum", "truncation_error_quantum"),
        ("delta_E", "truncation_error_delta_E"),
    ):
        assert abs(fock.values[key] - exact.values[key]) <= fock.values[error]
