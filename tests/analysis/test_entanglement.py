"""E_N of a density matrix: exactly 0 where the partial transpose's negativity is rounding,
and no accuracy lost where the state is entangled."""

from __future__ import annotations

import numpy as np
import pytest
import qutip

from gravsim.analysis.entanglement import log_negativity_of_state


@pytest.mark.parametrize("n", [0.01, 0.5, 3.0])
def test_a_product_of_thermal_states_has_e_n_exactly_zero(n):
    rho = qutip.tensor(qutip.thermal_dm(20, n), qutip.thermal_dm(20, 0.7 * n))
    rho = qutip.Qobj(rho.full() + 1e-17 * np.eye(400), dims=rho.dims)  # a rounded solve
    assert log_negativity_of_state(rho) == 0.0


@pytest.mark.parametrize("r", [1e-8, 1e-3, 0.3])
def test_a_two_mode_squeezed_vacuum_keeps_e_n_2r(r):
    """E_N = 2r nats for the pure two-mode squeezed vacuum, down to r = 1e-8: its negativity
    ~r is far above the rounding floor n·ε·max|λ| ≈ 1e-13 that the zero rests on (and E_N's
    absolute rounding ~1e-15 is 5e-8 of it)."""
    n = 24
    a, b = (
        qutip.tensor(qutip.destroy(n), qutip.qeye(n)),
        qutip.tensor(qutip.qeye(n), qutip.destroy(n)),
    )
    squeeze = (r * (a * b - a.dag() * b.dag())).expm()
    psi = squeeze * qutip.tensor(qutip.basis(n, 0), qutip.basis(n, 0))
    assert log_negativity_of_state(qutip.ket2dm(psi)) == pytest.approx(2 * r, rel=1e-6)
