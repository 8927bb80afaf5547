"""Tests of gravsim.analysis.distinguishability and .measurement (exact Gaussian formulas, metrics,
measurements); the budget workflow's own tests are tests/workflows/test_budget.py."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import qutip
import scipy.integrate
import scipy.linalg

import gravsim as gs
from gravsim import fock
from gravsim.analysis import distinguishability as dist
from gravsim.analysis import measurement as meas
from gravsim.analysis.entanglement import log_negativity
from gravsim.workflows.budget import budget


def _comparison(preset: str, kappa_g: float | None = None):
    p = gs.presets.get(preset)
    model = gs.models.effective(p, gs.gravity.KTMGravity(kappa_G=kappa_g))
    comp = gs.gaussian.compare_gravity(model)
    return model, comp.quantum.mechanical_covariance, comp.shift


def _geo(n: float, k: int) -> float:
    return n**k / (n + 1) ** (k + 1)


@pytest.fixture(scope="module")
def paper():
    _, v0, v1 = _comparison("paper")
    kappa = gs.presets.get("paper").kappa_G
    return v0, v1, kappa


@pytest.fixture(scope="module")
def paper_budget():
    return budget(gs.presets.get("paper"))


# ----------------------------------------------------------------------------- thermal checks


def test_thermal_mode_closed_forms():
    """One thermal mode each: everything is classical (geometric distributions)."""
    n1, n2 = 0.3, 0.5
    v1, v2 = (n1 + 0.5) * np.eye(2), (n2 + 0.5) * np.eye(2)
    f_sq = 1 / (math.sqrt((n1 + 1) * (n2 + 1)) - math.sqrt(n1 * n2)) ** 2
    assert dist.fidelity(v1, v2) == pytest.approx(f_sq, rel=1e-13)
    kl = sum(_geo(n1, k) * math.log(_geo(n1, k) / _geo(n2, k)) for k in range(400))
    assert dist.relative_entropy(v1, v2) == pytest.approx(kl, rel=1e-12)
    s = 0.4
    q = sum(_geo(n1, k) ** s * _geo(n2, k) ** (1 - s) for k in range(400))
    assert dist.chernoff_coefficient(v1, v2, s) == pytest.approx(q, rel=1e-12)
    fisher = 1 / ((n1 + 0.5) ** 2 - 0.25)  # geometric distribution, parameter ν
    assert dist.qfi_sld(v1, np.eye(2)) == pytest.approx(fisher, rel=1e-12)
    assert dist.kubo_mori_metric(v1, np.eye(2)) == pytest.approx(fisher, rel=1e-12)
    assert dist.relative_entropy(v1, v1) == pytest.approx(0.0, abs=1e-40)


# ----------------------------------------------------------------------------- against QuTiP


@pytest.fixture(scope="module")
def fock_states():
    p = gs.presets.get("small")
    out = {}
    for n in (8, 10):
        rho = []
        for grav in (gs.gravity.QuantumGravity(), gs.gravity.KTMGravity()):
            rho.append(fock.steady_state(gs.models.effective(p, grav), (n, n)).mechanical_rho)
        out[n] = rho
    return out


def test_against_qutip_fock_states(fock_states):
    """Gaussian formulas vs qutip.entropy_relative (nats) and qutip.fidelity (= √F).

    The truncation error at N = 10 is bounded by the change from N = 8 to N = 10 (Fock
    convergence is monotone here; measured: |Fock(10) − Gauss| is 0.3–0.5 of it).
    """
    _, v0, v1 = _comparison("small")
    vc = v0 + v1

    def quantities(rq, rc):
        return (
            qutip.entropy_relative(rq, rc),
            qutip.entropy_relative(rc, rq),
            qutip.fidelity(rq, rc) ** 2,
        )

    f8, f10 = quantities(*fock_states[8]), quantities(*fock_states[10])
    gauss = (dist.relative_entropy(v0, vc), dist.relative_entropy(vc, v0), dist.fidelity(v0, vc))
    for a8, a10, g in zip(f8, f10, gauss, strict=True):
        assert abs(a10 - g) <= abs(a10 - a8) + 1e-9


# ----------------------------------------------------------------------------- metric routes


def test_metric_routes_converge_as_kappa_decreases():
    """Exact (mpmath) / second-order ratio → 1 linearly in κ_G on the small preset."""
    errors = {"S_qc": [], "S_cq": [], "1-F": []}
    kappas = (1e-3, 1e-4, 1e-5)
    for x in kappas:
        _, v0, v1 = _comparison("small", x)
        dv = v1 / x
        vc = dist._as_mp(v0) + dist._as_mp(v1)
        km = 0.5 * dist.kubo_mori_metric(v0, dv) * x**2
        errors["S_qc"].append(dist.relative_entropy(v0, vc) / km - 1)
        errors["S_cq"].append(dist.relative_entropy(vc, v0) / km - 1)
        fq = dist.qfi_sld(v0, dv)
        omf = dist.one_minus_fidelity(v0, vc)
        errors["1-F"].append(omf / (0.25 * fq * x**2) - 1)
        # the optimal s tends to ½ (second-order symmetry) and Q ≤ Tr√ρ√σ ≤ √F
        xi, s = dist.chernoff(v0, vc)
        assert abs(s - 0.5) < 100 * x
        assert xi >= -0.5 * math.log1p(-omf)
    for name, err in errors.items():
        # the relative error of a second-order expansion is O(κ_G): ~2e-3 at 1e-5 here
        assert abs(err[-1]) < 5e-3, (name, err)
        assert abs(err[-1]) < 0.2 * abs(err[1]) < 0.04 * abs(err[0]), (name, err)


def test_qfi_matches_finite_difference_of_exact_fidelity():
    """F_Q = 4(1 − F)/κ² + O(κ): Richardson extrapolation of the mpmath fidelity."""
    _, v0, v1 = _comparison("small", 1e-4)
    dv = v1 / 1e-4
    r = []
    for x in (2e-5, 1e-5):
        vc = dist._as_mp(v0) + dist._as_mp(x * dv)
        r.append(4 * dist.one_minus_fidelity(v0, vc) / x**2)
    extrapolated = 2 * r[1] - r[0]
    assert extrapolated == pytest.approx(dist.qfi_sld(v0, dv), rel=2e-5)


def test_paper_point_exact_vs_metric(paper, paper_budget):
    """At κ_G = 2π·7e-10 rad/s (V₁/V₀ ~ 1e-8) the mpmath exact values equal the metrics."""
    b = paper_budget
    assert b.relative_entropy_qc == pytest.approx(b.relative_entropy_metric, rel=1e-6)
    assert b.relative_entropy_cq == pytest.approx(b.relative_entropy_metric, rel=1e-6)
    assert b.one_minus_fidelity == pytest.approx(b.one_minus_fidelity_metric, rel=1e-6)
    assert 1e-16 < b.relative_entropy_qc < 1e-13
    # the exact values are converged in the working precision
    v0, v1, _ = paper
    with mp.workdps(80):
        vc = dist._as_mp(v0) + dist._as_mp(v1)
        assert dist.relative_entropy(v0, vc, dps=80) == pytest.approx(
            b.relative_entropy_qc, rel=1e-12
        )
        assert dist.one_minus_fidelity(v0, vc, dps=80) == pytest.approx(
            b.one_minus_fidelity, rel=1e-12
        )


# ----------------------------------------------------------------------------- orderings


def test_chernoff_and_fidelity_orderings(paper_budget):
    for comp in (_comparison("small")[1:], _comparison("small", 1e-4)[1:]):
        v0, v1 = comp
        vc = dist._as_mp(v0) + dist._as_mp(v1)
        xi, _ = dist.chernoff(v0, vc)
        s01, s10 = dist.relative_entropy(v0, vc), dist.relative_entropy(vc, v0)
        omf = dist.one_minus_fidelity(v0, vc)
        assert 0 < xi <= min(s01, s10)
        assert xi >= -0.5 * math.log1p(-omf)  # Q ≤ Tr√ρ√σ ≤ √F
        assert -math.log1p(-omf) <= min(s01, s10)  # −ln F ≤ S (Rényi-½ ≤ Rényi-1)
    b = paper_budget
    assert b.chernoff_exponent <= min(b.relative_entropy_qc, b.relative_entropy_cq)
    assert b.samples_fidelity_necessary <= b.samples_chernoff <= b.samples_fidelity_sufficient
    # data processing: heterodyne ≤ quantum
    assert b.heterodyne_kl_qc <= b.relative_entropy_qc
    assert b.heterodyne_fisher <= b.qfi_sld
    assert b.heterodyne_chernoff_exponent <= b.chernoff_exponent


# ----------------------------------------------------------------------------- measurements


def test_measurement_covariances():
    vac = 0.5 * np.eye(4)
    assert np.allclose(meas.heterodyne_covariance(vac), np.eye(4))
    assert np.allclose(meas.heterodyne_covariance(vac, 0.3, 0.0), np.eye(4))
    assert np.allclose(meas.heterodyne_covariance(vac, 1.0, 0.2), 1.2 * np.eye(4))
    assert np.allclose(meas.homodyne_covariance(vac, [0.1, 1.2], 0.4), 0.5 * np.eye(2))


def test_gaussian_kl_and_fisher():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 4))
    s0 = a @ a.T + np.eye(4)
    b = rng.standard_normal((4, 4))
    d = 0.3 * (b + b.T)
    s1 = s0 + d
    direct = 0.5 * (
        np.trace(np.linalg.solve(s1, s0)) - 4 - np.log(np.linalg.det(np.linalg.solve(s1, s0)))
    )
    assert meas.gaussian_kl(s0, s1) == pytest.approx(direct, rel=1e-10)
    rev = 0.5 * (
        np.trace(np.linalg.solve(s0, s1)) - 4 - np.log(np.linalg.det(np.linalg.solve(s0, s1)))
    )
    assert meas.gaussian_kl_reverse(s0, d) == pytest.approx(rev, rel=1e-10)
    # tiny shift: KL = ½ I ε² without cancellation
    eps = 1e-9
    fisher = meas.classical_fisher(s0, d)
    assert meas.gaussian_kl(s0, delta=eps * d) == pytest.approx(0.5 * fisher * eps**2, rel=1e-8)
    xi, s = meas.gaussian_chernoff(s0, eps * d)
    assert xi == pytest.approx(fisher * eps**2 / 8, rel=1e-6)
    assert s == pytest.approx(0.5, abs=1e-4)


def test_no_information_at_zero_efficiency():
    _, v0, v1 = _comparison("small")
    for eta, bound in ((0.0, 0.0), (1e-4, 1e-7)):
        sig = meas.heterodyne_covariance(v0, eta, 0.1)
        assert meas.classical_fisher(sig, eta * v1) <= bound
        assert meas.gaussian_kl(sig, delta=eta * v1) <= bound
        hom = meas.homodyne_covariance(v0, [0.0, 0.5], eta)
        p = meas._homodyne_projector([0.0, 0.5], 4)
        assert meas.gaussian_kl(hom, delta=eta * p @ v1 @ p.T) <= bound
    # and heterodyne information grows with η, bounded by the QFI
    fish = [
        meas.classical_fisher(meas.heterodyne_covariance(v0, eta), eta * v1 / 0.01)
        for eta in (0.15, 0.26, 1.0)
    ]
    assert fish[0] < fish[1] < fish[2] <= dist.qfi_sld(v0, v1 / 0.01)


# ----------------------------------------------------------------------------- E_N estimation


@pytest.mark.parametrize(("eta", "n_add", "n_samples"), [(1.0, 0.0, 4000), (0.5, 0.2, 20000)])
def test_entanglement_estimator_std_monte_carlo(eta, n_add, n_samples):
    """Simulated heterodyne records: the empirical std of Ê_N matches σ₁/√N.

    R = 400 repetitions give a relative standard error of 1/√(2R) ≈ 3.5% on the std;
    tolerance 12% (3.4 standard errors, plus the O(σ/E_N) delta-method error).
    """
    _, v0, _ = _comparison("small")
    sigma1 = meas.entanglement_estimator_std(v0, eta, n_add)
    sig = meas.heterodyne_covariance(v0, eta, n_add)
    chol = np.linalg.cholesky(sig)
    rng = np.random.default_rng(12345)
    noise = (1 / eta - 0.5 + n_add / eta) * np.eye(4)
    est = []
    for _ in range(400):
        y = rng.standard_normal((n_samples, 4)) @ chol.T
        est.append(log_negativity((y.T @ y) / n_samples / eta - noise))
    ratio = np.std(est, ddof=1) / (sigma1 / math.sqrt(n_samples))
    assert abs(ratio - 1) < 0.12


def test_correlation_times_against_quadrature():
    model, _, _ = _comparison("small")
    comp = gs.gaussian.compare_gravity(model)
    a, _ = gs.gaussian.drift_diffusion(model)
    v = comp.quantum.covariance
    tau_relax, tau_int = meas.correlation_times(a, v, [0, 1, 2, 3])
    assert tau_relax == pytest.approx(1 / np.min(np.abs(np.linalg.eigvals(a).real)))

    def rho2(t: float, i: int) -> float:
        return (scipy.linalg.expm(a * t) @ v)[i, i] ** 2 / v[i, i] ** 2

    best = max(
        scipy.integrate.quad(rho2, 0, 40 * tau_relax, args=(i,), limit=200)[0] for i in range(4)
    )
    assert tau_int == pytest.approx(best, rel=1e-6)


def test_measurement_information(paper, paper_budget):
    v0, v1, kappa = paper
    het = meas.measurement_information(v0, v1 / kappa, kappa)
    assert het["fisher"] == pytest.approx(paper_budget.heterodyne_fisher, rel=1e-12)
    assert het["kl_qc"] == pytest.approx(0.5 * het["fisher"] * kappa**2, rel=1e-6)
    qfi = paper_budget.qfi_sld
    for angles in ([0.0, 0.0], [math.pi / 4, 3 * math.pi / 4], [1.0, 2.0]):
        hom = meas.measurement_information(v0, v1 / kappa, kappa, kind="homodyne", angles=angles)
        assert 0 <= hom["fisher"] <= qfi
        assert hom["kl_qc"] == pytest.approx(0.5 * hom["fisher"] * kappa**2, rel=1e-6)
        zero = meas.measurement_information(
            v0, v1 / kappa, kappa, kind="homodyne", angles=angles, efficiency=0.0
        )
        assert zero["fisher"] == 0.0 and zero["samples_stein"] == math.inf


def test_fidelity_sample_counts_of_orthogonal_states():
    """1 − F = 1 (F underflows to 0 for states far apart): one sample, not a domain error."""
    from gravsim.analysis import measurement

    assert measurement.samples_fidelity(1.0) == (1.0, 1.0)
    necessary, sufficient = measurement.samples_fidelity(0.5)
    assert 0 < necessary < sufficient < 20
