"""QuTiP objects in and out: ρ and covariances from steady results, a user's own ρ, log bases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import qutip

import gravsim as gs
from gravsim.analysis.entanglement import log_base, log_negativity_of_state
from gravsim.errors import GravsimInputError

SQUEEZING = 0.5
LEVELS = 24  # the two-mode squeezed vacuum's weight beyond 24 levels: tanh(r)^48 ~ 1e-16


def two_mode_squeezed_vacuum(r: float = SQUEEZING, levels: int = LEVELS) -> qutip.Qobj:
    """exp[r(ab − a†b†)]|00⟩ = Σ_n (−tanh r)ⁿ |n, n⟩ / cosh r on ``levels`` levels per mode."""
    amplitudes = (-math.tanh(r)) ** np.arange(levels) / math.cosh(r)
    psi = sum(
        c * qutip.tensor(qutip.basis(levels, n), qutip.basis(levels, n))
        for n, c in enumerate(amplitudes)
    )
    return psi.unit()  # the weight cut off, tanh(r)^(2 levels), put back (1e-16 at 24 levels)


def test_users_state_gets_the_exact_two_mode_squeezed_values():
    """E_N = 2 ln[Σ_{n<N} tanh(r)ⁿ / cosh r] (→ 2r as N → ∞); V = ½ cosh 2r on the diagonal,
    ±½ sinh 2r between the modes; ⟨n⟩ = sinh² r per mode (the state's analytic values)."""
    state = gs.fock.from_qobj(two_mode_squeezed_vacuum())  # a ket is accepted
    t = math.tanh(SQUEEZING)
    exact = 2 * math.log((1 - t**LEVELS) / ((1 - t) * math.cosh(SQUEEZING)))
    assert exact == pytest.approx(2 * SQUEEZING, rel=1e-7)
    assert state.log_negativity() == pytest.approx(exact, rel=1e-12)
    assert state.log_negativity(2) == pytest.approx(exact / math.log(2), rel=1e-12)
    c, s = 0.5 * math.cosh(2 * SQUEEZING), 0.5 * math.sinh(2 * SQUEEZING)
    expected = np.array([[c, 0, -s, 0], [0, c, 0, s], [-s, 0, c, 0], [0, s, 0, c]])
    assert np.allclose(state.covariance(), expected, atol=1e-12)
    assert np.allclose(state.mechanical_covariance, expected, atol=1e-12)
    for n in state.occupations().values():
        assert n == pytest.approx(math.sinh(SQUEEZING) ** 2, rel=1e-12)


def test_three_mode_state_names_its_cavity_and_keeps_the_mechanics():
    rho = qutip.tensor(qutip.ket2dm(two_mode_squeezed_vacuum(levels=12)), qutip.thermal_dm(4, 0.2))
    state = gs.fock.from_qobj(rho)
    assert state.modes == ("a", "b", "c")
    assert state.covariance().shape == (6, 6)
    cavity = qutip.expect(qutip.num(4), qutip.thermal_dm(4, 0.2))  # 0.2 on 4 levels, truncated
    assert state.occupations()["c"] == pytest.approx(cavity, rel=1e-12)
    assert state.covariance()[4, 4] == pytest.approx(cavity + 0.5, rel=1e-12)
    assert np.allclose(state.covariance()[:4, 4:], 0.0, atol=1e-14)  # a product state
    assert state.log_negativity() == pytest.approx(2 * SQUEEZING, rel=1e-3)  # 12 levels
    with pytest.raises(GravsimInputError, match="3 subsystems.*ptrace"):
        log_negativity_of_state(rho)


@pytest.mark.parametrize(
    ("rho", "message"),
    [
        (np.eye(4) / 4, "qutip.Qobj"),
        (qutip.tensor(*[qutip.fock_dm(2, 0)] * 4), "4 subsystem"),
        (2 * qutip.tensor(qutip.fock_dm(3, 0), qutip.fock_dm(3, 0)), "trace is 2"),
    ],
)
def test_a_state_that_is_not_one_is_refused_with_the_fix(rho, message):
    with pytest.raises(GravsimInputError, match=message):
        gs.fock.from_qobj(rho)


def test_mode_names_must_name_the_subsystems():
    rho = qutip.tensor(qutip.fock_dm(3, 0), qutip.fock_dm(3, 0))
    with pytest.raises(GravsimInputError, match="do not name"):
        gs.fock.from_qobj(rho, modes=("a", "c"))


def test_log_bases_as_qutip_users_write_them():
    assert log_base(2) == log_base("2") == log_base(2.0) == "2"
    assert log_base("e") == log_base(math.e) == "e"
    for wrong in (10, "10", "ln", True):
        with pytest.raises(GravsimInputError, match="log base"):
            log_base(wrong)


@pytest.fixture(scope="module")
def fock_small():
    p = gs.presets.get("small")
    return gs.steady.compute(p, model="effective", backend="fock", n_mech=10, base=2)


def test_steady_fock_result_gives_rho_and_its_covariance(fock_small):
    """ρ of each hypothesis, a Qobj on the solved levels, whose E_N is the reported one;
    its covariance within the truncation error of the exact Gaussian covariance."""
    assert fock_small.log_base == "2"
    gaussian = gs.steady.compute(fock_small.parameters, model="effective")
    for label in ("quantum", "classical"):
        rho = fock_small.state(label)
        assert isinstance(rho, qutip.Qobj)
        assert rho.dims == [[10, 10], [10, 10]]
        assert rho.tr() == pytest.approx(1.0, abs=1e-10)
        assert log_negativity_of_state(rho, 2) == fock_small.outcome(label).E_N
        v_fock, v_exact = fock_small.covariance(label), gaussian.covariance(label)
        assert v_fock.shape == v_exact.shape == (4, 4)
        # 10 levels leave ~1e-3 of the state's weight out (E_N off by 1.0e-3 and 1.3e-3
        # bits); the covariance moves by that order (measured 1.5e-4 and 1.8e-3)
        assert np.max(np.abs(v_fock - v_exact)) < 5e-3
    assert "state" not in fock_small.to_dict()  # never in the JSON


def test_gaussian_result_has_no_density_matrix():
    result = gs.steady.compute(gs.presets.get("paper"), model="effective")
    with pytest.raises(GravsimInputError, match="no density matrix.*backend='fock'"):
        result.state("quantum")
