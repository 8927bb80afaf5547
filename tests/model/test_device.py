"""A real device's imperfections: each new term against its QuTiP Liouvillian, the ideal
device reproduced, the limits that fix the conventions (common heating is one collective
noise; a cavity alone sits at n̄_c), the closed forms refusing, the key rules."""

from __future__ import annotations

import numpy as np
import pytest
import qutip
import scipy.linalg

import gravsim as gs
from gravsim import fock, gaussian
from gravsim.model import rungs
from gravsim.model.description import JumpOperator, ann, cre
from gravsim.model.gravity import KTMGravity, QuantumGravity
from tests.gaussian.test_lyapunov import _quadratures, _random_low_fock_state

SMALL = gs.presets.get("small")
PAPER = gs.presets.get("paper")
#: A modestly imperfect `small` point (5 % coupling imbalance, warm and detuned cavity,
#: mis-set tones, unequal baths and masses, correlated heating).
IMPERFECT = SMALL.replace(
    g_a=1.05 * SMALL.g,
    n_c=0.01,
    Delta_m=0.1 * SMALL.Gamma,
    Delta_c=0.05,
    gamma_a=1.2 * SMALL.gamma_m,
    n_th_b=0.6,
    M_b=1.1 * SMALL.M,
    heating_a=2e-3,
    heating_b=1e-3,
    heating_corr=0.5,
)


def _moment_rates(model, dims):
    """d/dt ½⟨{R_i, R_j}⟩ from qutip.liouvillian, and A S + S Aᵀ + D from the Gaussian rule."""
    rho = _random_low_fock_state(dims, 2, np.random.default_rng(11))
    lrho = qutip.vector_to_operator(fock.liouvillian(model, dims) * qutip.operator_to_vector(rho))
    r = _quadratures(model, dims)
    sym = [[r[i] * r[j] + r[j] * r[i] for j in range(len(r))] for i in range(len(r))]
    s = np.array([[0.5 * qutip.expect(x, rho) for x in row] for row in sym])
    ds = np.array([[0.5 * (lrho * x).tr() for x in row] for row in sym])
    a, d = gaussian.drift_diffusion(model)
    return ds, a @ s + s @ a.T + d


@pytest.mark.parametrize("rung", ["rwa", "effective", "conventional"])
def test_every_new_term_obeys_its_qutip_moment_equations(rung):
    """Unequal couplings, baths and masses, a warm detuned cavity, mis-set tones and
    correlated heating: the Gaussian drift/diffusion of each rung equals the moment
    equations of its QuTiP Liouvillian (the truncation of 8 levels is exact here)."""
    model = rungs.build(rung, IMPERFECT, KTMGravity())
    ds, predicted = _moment_rates(model, (8,) * len(model.modes))
    assert np.max(np.abs(ds.imag)) < 1e-12
    assert np.max(np.abs(ds.real - predicted)) <= 1e-10 * max(1.0, np.max(np.abs(predicted)))


def test_the_new_terms_are_there():
    """Each imperfection shows in the description (a term is not silently dropped)."""
    labels = {j.label for j in rungs.rwa(IMPERFECT).jumps} | {
        h.label for h in rungs.rwa(IMPERFECT).hamiltonian
    }
    assert {"κ n̄_c D[c]", "κ n̄_c D[c†]", "Δ_c c†c", "Δ_m a†a"} <= labels
    assert any(label.startswith("heating l2") for label in labels)
    effective = {h.label for h in rungs.effective(IMPERFECT).hamiltonian}
    assert "L†L" in effective  # the detuned cavity's shift


@pytest.mark.parametrize("rung", ["rwa", "effective"])
def test_per_oscillator_keys_at_the_symmetric_values_reproduce_the_ideal_device(rung):
    p = SMALL.replace(K_others=0.0)
    same = p.replace(
        g_a=p.g, g_b=p.g, gamma_a=p.gamma_m, gamma_b=p.gamma_m, M_a=p.M, M_b=p.M, T_c=0.0
    )
    assert same.imperfections() == ()
    ideal = gs.steady.compute(p, model=rung).comparison()
    again = gs.steady.compute(same, model=rung).comparison()
    for key, value in ideal.items():
        assert again[key] == pytest.approx(value, rel=1e-13)


def test_common_heating_is_one_collective_noise_on_the_sum_mode():
    """heating_corr = 1 with equal rates: Γ_h(D[a + b] + D[a† + b†]), nothing else."""
    h = 3e-3
    p = SMALL.replace(heating_a=h, heating_b=h, heating_corr=1.0)
    common = gaussian.steady_state(rungs.effective(p))
    ideal = rungs.effective(SMALL)
    collective = (
        JumpOperator(h, ((1.0, ann("a")), (1.0, ann("b")))),
        JumpOperator(h, ((1.0, cre("a")), (1.0, cre("b")))),
    )
    by_hand = gaussian.steady_state(
        gs.description.ModelDescription(**{**ideal.__dict__, "jumps": ideal.jumps + collective})
    )
    np.testing.assert_allclose(common.covariance, by_hand.covariance, rtol=1e-12, atol=1e-14)
    anti = gaussian.steady_state(rungs.effective(p.replace(heating_corr=-1.0)))
    assert not np.allclose(anti.covariance, common.covariance)  # the difference mode heats


def test_heating_rate_is_phonons_per_second():
    """An oscillator alone (no reservoir, no bath) heats at Γ_h: d⟨n⟩/dt from the drift."""
    p = SMALL.replace(heating_a=0.25, gamma_m=0.0, G_plus=0.0, G_minus=1e-30, k_M=0.0)
    _, d = gaussian.drift_diffusion(rungs.effective(p))
    assert 0.5 * (d[0, 0] + d[1, 1]) == pytest.approx(0.25, rel=1e-12)
    _, d_lab = gaussian.drift_diffusion(rungs.conventional(p))  # momentum diffusion above RWA
    assert d_lab[0, 0] == 0 and 0.5 * d_lab[1, 1] == pytest.approx(0.25, rel=1e-12)


def test_a_cavity_alone_holds_n_c():
    """With G± → 0 the cavity's steady occupation is n̄_c, from T_c or given."""
    for p in (SMALL.replace(n_c=0.07), SMALL.replace(T_c=1e-11, omega_c=1.0)):
        q = p.replace(G_plus=0.0, G_minus=1e-12)
        state = gaussian.steady_state(rungs.rwa(q))
        assert state.occupations()["c"] == pytest.approx(float(p.n_c), rel=1e-9)
    assert SMALL.replace(T_c=1e-11, omega_c=1.0).n_c == pytest.approx(
        1 / np.expm1(gs.model.units.HBAR / (gs.model.units.K_B * 1e-11)), rel=1e-12
    )


def test_mis_set_tones_change_the_intracavity_amplitudes():
    """|c±| = |E±|/sqrt(κ²/4 + (ν ∓ Δ_c)²), ν = ω_m − Δ_m; the ideal value at Δ = 0."""
    p = PAPER.replace(Delta_m=0.3, Delta_c=2.0)
    nu = p.omega_m - 0.3
    assert p.c_plus == pytest.approx(p.E_plus / np.hypot(p.kappa / 2, nu - 2.0), rel=1e-14)
    assert p.c_minus == pytest.approx(p.E_minus / np.hypot(p.kappa / 2, nu + 2.0), rel=1e-14)
    assert PAPER.c_plus == pytest.approx(PAPER.E_plus / np.hypot(PAPER.omega_m, PAPER.kappa / 2))


def test_masses_enter_the_coupling_and_ktm():
    """K_G = 2G M_a M_b/d³, k_M = K_M x_a x_b/ħ, κ_G,j = k_G x_j/x_k (point-mass convention)."""
    p = gs.presets.get("paper-point-mass").replace(M_b=2 * PAPER.M)
    x_a, x_b = p.x_zpf_pair
    assert x_b == pytest.approx(x_a / np.sqrt(2), rel=1e-14)
    k_ga = gs.model.units.G_NEWTON * 2 * PAPER.M * 2 * PAPER.M / p.d**3
    assert p.K_G == pytest.approx(k_ga, rel=1e-12)
    assert p.k_G == pytest.approx(k_ga * x_a * x_b / gs.model.units.HBAR, rel=1e-12)
    ka, kb = KTMGravity().rates(p)
    assert (ka, kb) == pytest.approx((p.k_G * x_a / x_b, p.k_G * x_b / x_a), rel=1e-12)


def test_symmetric_and_per_oscillator_keys_of_one_quantity_are_refused_together():
    for bad in ({"g": 1.0, "g_a": 2.0}, {"Q_m": 1e8, "gamma_b": 1e-6}, {"T": 0.1, "n_th_a": 2}):
        with pytest.raises(gs.errors.GravsimInputError, match="given together"):
            SMALL.replace(**bad)
    assert SMALL.replace(g_a=0.06).replace(g=0.07).g_pair == (0.07, 0.07)  # g sets both
    assert SMALL.replace(Q_a=1e3).gamma_pair[0] == pytest.approx(SMALL.omega_m / 1e3)
    with pytest.raises(gs.errors.GravsimInputError, match="heating_corr must be in"):
        SMALL.replace(heating_corr=1.5)


def test_the_closed_forms_refuse_an_imperfect_device_in_one_line():
    with pytest.raises(gs.errors.GravsimInputError, match="ideal device, and n_c is set"):
        gs.steady.compute(SMALL.replace(n_c=0.01), model="closed-form")
    with pytest.raises(gs.errors.GravsimInputError, match="Delta_m is set"):
        gs.closed_form.eq19_log_negativity_from(SMALL.replace(Delta_m=0.01))
    with pytest.raises(gs.errors.GravsimInputError, match="heating_a is set"):
        gs.conventional.transient_maximum_from(SMALL.replace(heating_a=1.0))


def test_validate_passes_at_a_modestly_imperfect_point():
    """5 % coupling imbalance, n_c = 0.01, Δ_m = 0.1Γ, a detuned cavity: every rung that takes
    the inputs runs and passes (the detuned cavity's shift is checked by RWA vs effective:
    with its sign flipped that check fails, measured ratio 0.25)."""
    p = SMALL.replace(g_a=1.05 * SMALL.g, n_c=0.01, Delta_m=0.1 * SMALL.Gamma, Delta_c=0.1)
    v = gs.validate.run(p, fock=False)
    assert v.ok
    ran = {c.name for c in v.checks if c.ran}
    assert "RWA Gaussian vs effective Gaussian" in ran
    assert any("ideal device" in r.skipped for r in v.rows if r.rung == "L4")


def test_the_periodic_rungs_take_every_imperfection():
    """L1 (from L0's orbit at the tones' ν = ω_m − Δ_m, with g_a ≠ g_b, a detuned warm
    cavity, unequal baths and heating) against the RWA rung: validate's rotating-wave check
    runs and passes; its period is 2π/ν."""
    v = gs.validate.run(IMPERFECT, fock=False)
    l1 = [c for c in v.checks if c.name == "L1 Floquet vs RWA Gaussian"]
    assert len(l1) == 3 and all(c.ran and c.passed for c in l1), [c.line() for c in l1]
    nu = IMPERFECT.omega_m - IMPERFECT.Delta_m
    assert rungs.linear(IMPERFECT).base_frequency() == pytest.approx(nu, rel=1e-12)


@pytest.mark.parametrize("rung", ["effective", "rwa"])
def test_fock_and_gaussian_agree_at_an_imperfect_point(rung):
    """Within the reported truncation error (each E_N and ΔE), RWA and effective.  The RWA
    point has milder baths and cavity heat (8x8x5 levels, ~30 s; 10x10x5 at IMPERFECT takes
    ~140 s)."""
    p = IMPERFECT if rung == "effective" else IMPERFECT.replace(n_th_b=0.45, n_c=0.003)
    gauss = gs.steady.compute(p, model=rung).comparison()
    levels = {"n_mech": 10} if rung == "effective" else {"n_mech": 8, "n_cav": 5}
    f = gs.steady.compute(p, model=rung, backend="fock", **levels)
    values, errors = f.comparison(), f.comparison_errors()
    for key, value in values.items():
        assert abs(value - gauss[key]) <= errors[key], key


def test_quantum_gravity_only_needs_no_gravity_terms():
    """The imperfect device with quantum gravity: no 'gravity' group, as for the ideal one."""
    assert all(j.group != "gravity" for j in rungs.rwa(IMPERFECT, QuantumGravity()).jumps)


def _rwa_by_hand(p, kappa_g):
    """The imperfect RWA rung written here from docs/physics.md's conventions, apart from
    the model description: Langevin equations for α = (a, a†, b, b†, c, c†), turned into the
    quadratures' drift; the diffusion of each bath, the warm cavity, KTM and the heating."""
    (ga_m, gb_m), (ga_p, gb_p) = p.G_minus_pair, p.G_plus_pair
    w_a, w_b = p.Omega + p.Delta_m, -p.Omega + p.Delta_m
    (gam_a, gam_b), (n_a, n_b) = p.gamma_pair, p.n_th_pair
    m = np.zeros((6, 6), complex)  # dα/dt = M α (the a† rows are the conjugates)
    for j, (w, g_m, g_p, gam) in enumerate(((w_a, ga_m, ga_p, gam_a), (w_b, gb_m, gb_p, gam_b))):
        other = 2 * (1 - j)
        m[2 * j, 2 * j] = -1j * w - gam / 2
        m[2 * j, other] = -1j * p.k_M
        m[2 * j, 4], m[2 * j, 5] = -1j * g_m, -1j * g_p
        m[4, 2 * j], m[4, 2 * j + 1] = -1j * g_m, -1j * g_p
    m[4, 4] = -1j * p.Delta_c - p.kappa / 2
    swap = [1, 0, 3, 2, 5, 4]  # α ↔ α†
    for k in (0, 2, 4):
        m[k + 1] = np.conj(m[k][swap])
    t = np.kron(np.eye(3), np.array([[1, 1], [-1j, 1j]]) / np.sqrt(2))
    a = (t @ m @ np.linalg.inv(t)).real
    d = np.zeros((6, 6))
    rows = (gam_a * (n_a + 0.5) + 2 * kappa_g[0], gam_b * (n_b + 0.5) + 2 * kappa_g[1])
    for j, value in enumerate(rows):
        d[2 * j, 2 * j] = d[2 * j + 1, 2 * j + 1] = value + (p.heating_a, p.heating_b)[j]
    cross = p.heating_corr * np.sqrt(p.heating_a * p.heating_b)
    d[0, 2] = d[2, 0] = d[1, 3] = d[3, 1] = cross
    d[4, 4] = d[5, 5] = p.kappa * (p.n_c + 0.5)
    return scipy.linalg.solve_continuous_lyapunov(a, -d)


@pytest.mark.parametrize("gravity", [QuantumGravity(), KTMGravity()], ids=["quantum", "ktm"])
def test_the_imperfect_rwa_rung_equals_its_conventions_written_by_hand(gravity):
    """Every imperfection at once: gravsim's RWA covariance equals a solve of the Langevin
    equations written from the conventions (G±,j = g_j|c±|, Δ_c c†c + Δ_m(a†a + b†b),
    κ(n̄_c + ½) on the cavity, κ_G,j = k_G x_zpf,j/x_zpf,k, the heating kernel)."""
    kappa_g = (0.0, 0.0) if isinstance(gravity, QuantumGravity) else gravity.rates(IMPERFECT)
    expected = _rwa_by_hand(IMPERFECT, kappa_g)
    ours = gaussian.steady_state(rungs.rwa(IMPERFECT, gravity)).covariance
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def test_every_command_takes_the_imperfections(tmp_path):
    """A scan over an imperfection (as a grid axis), a transient, the budget and the
    hypotheses table at an imperfect point: each runs and reports the imperfect device's
    numbers (ΔE moves with Δ_c along the scan as steady says)."""
    axis = gs.scan.parse_axis("Delta_c=lin:0:0.2:3")
    gs.scan.run(SMALL, [axis], tmp_path / "s", model="rwa", progress=False)
    data = gs.load(tmp_path / "s")
    for value, delta in zip(data.columns["Delta_c"], data.columns["delta_E"], strict=True):
        expected = gs.steady.compute(SMALL.replace(Delta_c=value), model="rwa").comparison()
        assert delta == pytest.approx(expected["delta_E"], rel=1e-12)
    ev = gs.evolve.compute(IMPERFECT, model="effective", t_final=5.0, n_times=3)
    assert ev.parameters.imperfections() == IMPERFECT.imperfections()
    b = gs.budget.budget(IMPERFECT)
    assert b.delta_E == pytest.approx(gs.steady.compute(IMPERFECT).comparison()["delta_E"])
    table = gs.workflows.hypotheses.table(IMPERFECT)
    assert table.parameters.imperfections() and len(table.rows) == 5
