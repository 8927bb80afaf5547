"""Gaussian backend: analytic limits, the drift/diffusion rule against QuTiP, batching."""

from __future__ import annotations

import numpy as np
import pytest
import qutip

import gravsim as gs
from gravsim import fock, gaussian
from gravsim.analysis.entanglement import log_negativity
from gravsim.model import rungs as models
from gravsim.model.gravity import CQFloor, DiosiPenrose, KTMGravity, QuantumGravity
from tests.reference_systems import thermal_oscillator, two_mode_squeezed_vacuum

PAPER = gs.presets.get("paper")
SMALL = gs.presets.get("small")


@pytest.mark.parametrize("n_th", [0.0, 0.3, 4.17e6])
def test_thermal_oscillator_occupation_is_n_th(n_th):
    p = SMALL.replace(n_th=n_th)
    state = gaussian.steady_state(thermal_oscillator(p))
    assert state.occupations()["a"] == pytest.approx(n_th, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("r_target", [0.1, 0.5493, 1.3])
def test_two_mode_squeezed_vacuum_has_E_N_2r(r_target):
    state = gaussian.steady_state(two_mode_squeezed_vacuum(r_target))
    assert state.log_negativity() == pytest.approx(2 * r_target, rel=1e-12)
    assert state.log_negativity("2") == pytest.approx(2 * r_target / np.log(2), rel=1e-12)


def test_product_of_thermal_states_is_not_entangled():
    v = np.diag([3.0, 3.0, 0.5, 0.5])
    assert log_negativity(v) == 0.0
    # the conventional scheme's steady state with a hot bath is not entangled either
    state = gaussian.steady_state(models.conventional(PAPER, QuantumGravity()))
    assert state.log_negativity() == 0.0
    assert state.occupations()["a"] == pytest.approx(PAPER.n_th, rel=1e-6)


def _random_low_fock_state(dims, support, rng):
    dim = int(np.prod(dims))
    idx = [i for i in range(dim) if all(n <= support for n in np.unravel_index(i, dims))]
    psi = np.zeros((dim, 3), dtype=complex)
    psi[idx, :] = rng.normal(size=(len(idx), 3)) + 1j * rng.normal(size=(len(idx), 3))
    weights = rng.random(3)
    rho = sum(w * np.outer(psi[:, k], psi[:, k].conj()) for k, w in enumerate(weights))
    rho /= np.trace(rho)
    return qutip.Qobj(rho, dims=[list(dims), list(dims)])


def _quadratures(model, dims):
    ops = fock.ladder_operators(model.modes, dims)
    out = []
    for mode in model.modes:
        a = ops[gs.description.Ladder(mode, False)]
        out += [(a + a.dag()) / np.sqrt(2), -1j * (a - a.dag()) / np.sqrt(2)]
    return out


CASES = [
    ("effective", dict(reservoir="collective")),
    ("effective", dict(reservoir="double")),
    ("rwa", {}),
    ("conventional", {}),
]


@pytest.mark.parametrize(
    "grav",
    [KTMGravity(), DiosiPenrose(kappa=0.009), CQFloor(trade_off=2.0)],
    ids=["ktm", "dp", "cq"],
)
@pytest.mark.parametrize("rung,kwargs", CASES)
def test_drift_diffusion_rule_matches_qutip_liouvillian(rung, kwargs, grav):
    """d/dt Tr[½{R_i,R_j}ρ] from qutip.liouvillian equals (A S + S Aᵀ + D)_ij, S from ρ.

    For quadratic H and linear jump operators the uncentred second moments obey the same
    equation as the covariance.  ρ lives on Fock numbers ≤ 2 and every operator involved
    raises the number by at most 6 in total, so a truncation of 8 levels is exact.
    """
    p = SMALL.replace(k_M=0.013, kappa_G=0.007)
    builder = getattr(models, rung)
    model = builder(p, grav, **kwargs)
    dims = (8,) * len(model.modes)
    rng = np.random.default_rng(7)
    rho = _random_low_fock_state(dims, 2, rng)
    lrho = qutip.vector_to_operator(fock.liouvillian(model, dims) * qutip.operator_to_vector(rho))
    r = _quadratures(model, dims)
    n = len(r)
    s = np.array(
        [[0.5 * qutip.expect(r[i] * r[j] + r[j] * r[i], rho) for j in range(n)] for i in range(n)]
    )
    ds = np.array(
        [[0.5 * (lrho * (r[i] * r[j] + r[j] * r[i])).tr() for j in range(n)] for i in range(n)]
    )
    a, d = gaussian.drift_diffusion(model)
    predicted = a @ s + s @ a.T + d
    assert np.max(np.abs(ds.imag)) < 1e-12
    assert np.max(np.abs(ds.real - predicted)) <= 1e-10 * max(1.0, np.max(np.abs(predicted)))


def test_batched_solve_equals_per_point_solve():
    e_plus = np.linspace(60.0, 150.0, 7)[:, None]
    e_minus = np.linspace(180.0, 260.0, 5)[None, :]
    grid = PAPER.replace(E_plus=e_plus, E_minus=e_minus)
    for rung in ("effective", "rwa"):
        batched = gaussian.compare_gravity(models.build(rung, grid, KTMGravity()))
        eq, ec, de = batched.E_N_quantum(), batched.E_N_classical(), batched.delta_E()
        assert eq.shape == (7, 5)
        for i in range(7):
            for j in range(5):
                p = PAPER.replace(E_plus=float(e_plus[i, 0]), E_minus=float(e_minus[0, j]))
                single = gaussian.compare_gravity(models.build(rung, p, KTMGravity()))
                assert abs(single.E_N_quantum() - eq[i, j]) <= 1e-12 * eq[i, j]
                assert abs(single.E_N_classical() - ec[i, j]) <= 1e-12 * ec[i, j]
                assert abs(single.delta_E() - de[i, j]) <= 1e-12 * de[i, j]


def test_unstable_drift_is_refused_with_a_named_condition():
    # no thermal damping, no Ω mixing: the antisymmetric mode is undamped (Re λ = 0)
    p = SMALL.replace(gamma_m=0.0, Omega=0.0, k_M=0.0)
    with pytest.raises(gs.UnstableError, match="no steady state"):
        gaussian.steady_state(models.effective(p))


def test_lyapunov_residual_is_at_rounding_level():
    state = gaussian.steady_state(models.rwa(PAPER, KTMGravity()))
    assert state.residual < 1e-14


def test_classical_state_is_quantum_plus_exact_shift():
    """V is linear in κ_G: doubling κ_G doubles the shift (to rounding)."""
    c1 = gaussian.compare_gravity(models.effective(PAPER, KTMGravity()))
    c2 = gaussian.compare_gravity(models.effective(PAPER, KTMGravity(kappa_G=2 * PAPER.kappa_G)))
    np.testing.assert_allclose(c2.shift, 2 * c1.shift, rtol=1e-12, atol=1e-20)
    direct = gaussian.steady_state(models.effective(PAPER, KTMGravity()))
    np.testing.assert_allclose(direct.covariance, c1.classical.covariance, rtol=1e-13, atol=1e-15)


def test_model_description_reads_as_the_master_equation():
    text = models.effective(PAPER, KTMGravity()).describe()
    for needle in ("Ω a†a", "k_M (a†b + b†a)", "Γ D[β₁ + β₂]", "2κ_G D[a†]", "[gravity]"):
        assert needle in text


def test_a_comparison_names_its_two_hypotheses_as_first_and_second():
    """compare_hypotheses(DP, KTM): first/second hold each hypothesis's state, ΔE is
    E_N(first) − E_N(second); the quantum/classical names refuse a pair that is not quantum
    gravity first.  compare_gravity's pair keeps them (quantum = first)."""
    from gravsim.model.gravity import DiosiPenrose

    p = gs.presets.get("paper")
    pair = gs.gaussian.compare_hypotheses(
        gs.models.effective(p, DiosiPenrose()), gs.models.effective(p, KTMGravity())
    )
    assert (pair.first.gravity, pair.second.gravity) == ("diosi-penrose", "ktm")
    assert pair.delta_E() == pytest.approx(pair.E_N_first() - pair.E_N_second(), rel=1e-6)
    for name in ("quantum", "classical"):
        with pytest.raises(gs.errors.GravsimInputError, match=r"\.first/\.second"):
            getattr(pair, name)
    with pytest.raises(gs.errors.GravsimInputError, match="diosi-penrose \\(first\\)"):
        pair.E_N_quantum()
    comp = gs.gaussian.compare_gravity(gs.models.effective(p, KTMGravity()))
    assert comp.quantum is comp.first and comp.classical is comp.second
    assert comp.E_N_quantum() == comp.E_N_first()
