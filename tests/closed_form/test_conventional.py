"""Conventional scheme: the transient from the vacuum, checked against independent propagators.

The references are built directly in the (x_a, p_a, x_b, p_b) basis from the model
(H = ω_m(a†a + b†b) + k(a+a†)(b+b†), thermal baths, KTM 2κ_G D[a+a†] + 2κ_G D[b+b†]),
never through the module's normal-mode closed form: a dense float64 expm with the Van Loan
block matrix where float64 suffices, and mpmath (40–80 digits) at the paper's scale.
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import mpmath as mp
import numpy as np
import pytest
from scipy.linalg import expm, solve_continuous_lyapunov

from gravsim.closed_form import conventional
from gravsim.errors import GravsimInputError

TWO_PI = 2 * math.pi
PAPER = dict(omega_m=TWO_PI * 50.0, k_M=TWO_PI * 7e-10, n_th=4.17e6)
MODERATE = dict(omega_m=1.0, k_M=0.05, gamma_m=0.01, n_th=0.5)


# ------------------------------------------------------------------------------ references
def drift_diffusion(omega_m, k_M, gamma_m, n_th, kappa_G):
    """A and D of dV/dt = AV + VAᵀ + D in (x_a, p_a, x_b, p_b), from the model directly."""
    g2 = gamma_m / 2
    a = np.array(
        [
            [-g2, omega_m, 0, 0],
            [-omega_m, -g2, -2 * k_M, 0],
            [0, 0, -g2, omega_m],
            [-2 * k_M, 0, -omega_m, -g2],
        ]
    )
    d_th = gamma_m * (2 * n_th + 1) / 2
    d = np.diag([d_th, d_th + 4 * kappa_G, d_th, d_th + 4 * kappa_G])
    return a, d


def dense_covariance(omega_m, k_M, gamma_m, n_th, kappa_G, t):
    """V(t) from the vacuum: expm(A t) and the Van Loan block matrix for the noise integral."""
    a, d = drift_diffusion(omega_m, k_M, gamma_m, n_th, kappa_G)
    m = np.zeros((8, 8))
    m[:4, :4] = -a
    m[:4, 4:] = d
    m[4:, 4:] = a.T
    f = expm(m * t)
    phi = f[4:, 4:].T  # e^{At}
    noise = phi @ f[:4, 4:]  # ∫₀ᵗ e^{As} D e^{Aᵀs} ds
    return phi @ (0.5 * np.eye(4)) @ phi.T + noise


def nu_minus_float(v):
    """Smaller symplectic eigenvalue of the partial transpose (plain float64 formula)."""
    v = np.array(v, dtype=float)
    v[3, :] *= -1
    v[:, 3] *= -1
    det2 = np.linalg.det
    sigma = det2(v[:2, :2]) + det2(v[2:, 2:]) + 2 * det2(v[:2, 2:])
    return math.sqrt((sigma - math.sqrt(sigma**2 - 4 * np.linalg.det(v))) / 2)


def mp_covariance(omega_m, k_M, gamma_m, n_th, kappa_G, t):
    """V(t) in mpmath (current precision): mp.expm of the 8×8 Van Loan matrix."""
    wm, kk, g, n, kg, tt = (mp.mpf(x) for x in (omega_m, k_M, gamma_m, n_th, kappa_G, t))
    a = mp.matrix(
        [
            [-g / 2, wm, 0, 0],
            [-wm, -g / 2, -2 * kk, 0],
            [0, 0, -g / 2, wm],
            [-2 * kk, 0, -wm, -g / 2],
        ]
    )
    d_th = g * (2 * n + 1) / 2
    d = mp.diag([d_th, d_th + 4 * kg, d_th, d_th + 4 * kg])
    m = mp.zeros(8, 8)
    for i in range(4):
        for j in range(4):
            m[i, j] = -a[i, j] * tt
            m[i, 4 + j] = d[i, j] * tt
            m[4 + i, 4 + j] = a[j, i] * tt
    f = mp.expm(m)
    f22 = mp.matrix(4, 4)
    f12 = mp.matrix(4, 4)
    for i in range(4):
        for j in range(4):
            f22[i, j] = f[4 + i, 4 + j]
            f12[i, j] = f[i, 4 + j]
    phi = f22.T
    return phi * phi.T / 2 + phi * f12


def mp_log_negativity(v):
    """Unclipped −ln(2ν̃₋) of an mpmath covariance matrix."""
    v = v.copy()
    for i in range(4):
        v[3, i] *= -1
        v[i, 3] *= -1

    def det2(r, c):
        return v[r, c] * v[r + 1, c + 1] - v[r, c + 1] * v[r + 1, c]

    sigma = det2(0, 0) + det2(2, 2) + 2 * det2(0, 2)
    nu2 = (sigma - mp.sqrt(sigma * sigma - 4 * mp.det(v))) / 2
    return -mp.log(2 * mp.sqrt(nu2))


# ------------------------------------------------------------- 1. dense propagator, moderate
@pytest.mark.parametrize("kappa_G", [0.0, 0.02])
@pytest.mark.parametrize("t", [1e-3, 0.1, 0.3, 0.6, 1.0, 5.0, 20.0, 50.0])
def test_covariance_matches_dense_expm_van_loan(kappa_G, t):
    """Closed form (series branch for t < 1/2Ω, closed branch beyond) vs expm: ≤ 1e-10.

    Measured: ≤ 2e-16 for t ≤ 1, ≤ 1.5e-13 at t = 50 (the expm reference's own rounding).
    """
    v = conventional.covariance(**MODERATE, kappa_G=kappa_G, t=t)
    ref = dense_covariance(**MODERATE, kappa_G=kappa_G, t=t)
    assert np.max(np.abs(v - ref)) <= 1e-10
    assert np.allclose(v, v.T, rtol=0, atol=0)


def test_log_negativity_matches_dense_at_moderate_parameters():
    ts = np.linspace(0.05, 30.0, 40)
    maxima = {}
    for kappa_G in (0.0, 0.02):
        ours = conventional.log_negativity_transient(**MODERATE, kappa_G=kappa_G, t=ts)
        ref = [
            max(
                0.0,
                -math.log(2 * nu_minus_float(dense_covariance(**MODERATE, kappa_G=kappa_G, t=t))),
            )
            for t in ts
        ]
        assert np.max(np.abs(ours - np.array(ref))) <= 1e-10
        maxima[kappa_G] = np.max(ours)
    # initial slope k − γn̄ − 2κ_G: 0.045 and 0.005 (rad/s), both entangle, KTM much less
    assert maxima[0.0] > 0.05
    assert 0 < maxima[0.02] < 0.1 * maxima[0.0]


def test_true_phase_equals_decoupled_description_at_the_reduced_phase():
    s = conventional._scheme(**MODERATE, kappa_G=0.01)
    for t in (0.7, 13.0, 40.0):
        phase = (s.omega_bar * t) % math.pi
        a = conventional.covariance(**MODERATE, kappa_G=0.01, t=t)
        b = conventional.covariance(**MODERATE, kappa_G=0.01, t=t, phase=phase + 3 * math.pi)
        assert np.max(np.abs(a - b)) <= 1e-12


# ------------------------------------------------------------------ 2. mpmath, paper scale
@pytest.mark.parametrize("periods,offset", [(300, 0.5), (1000, 0.5), (3000, 0.5), (1000, 0.3)])
def test_paper_scale_against_mpmath_expm(periods, offset):
    """ω_m t ~ 1e3–1e4, γ far below threshold: E_N ~ 2.8e-11 to ≤ 1e-5 (measured ≤ 3e-16)."""
    p = dict(PAPER, gamma_m=TWO_PI * 1e-24, kappa_G=0.0)
    s = conventional._scheme(**p)
    t = (offset + periods) * math.pi / s.omega_bar
    with mp.workdps(40):
        v_mp = mp_covariance(**p, t=t)
        e_mp = float(mp_log_negativity(v_mp))
        dv_mp = np.array(
            [
                [float(v_mp[i, j] - (mp.mpf(1) / 2 if i == j else 0)) for j in range(4)]
                for i in range(4)
            ]
        )
    e = conventional.log_negativity_transient(**p, t=t)
    assert e_mp > 2e-11
    assert abs(e - e_mp) <= 1e-5 * e_mp
    assert abs(e - e_mp) <= 1e-12 * e_mp  # what is actually achieved (≲ 3e-16)
    dv = conventional.covariance_deviation(**p, t=t)
    assert np.max(np.abs(dv - dv_mp)) <= 1e-22  # ΔV itself ~ 1e-11


def test_paper_scale_huge_time_exact_phase_against_mpmath():
    """ω_m t ~ 3e10 rad (slow time 1e8 s): the true phase is reduced in extended precision."""
    p = dict(PAPER, gamma_m=TWO_PI * 1e-30, kappa_G=0.0)
    s = conventional._scheme(**p)
    t_slow = 1.0e8
    phis = np.linspace(0.0, math.pi, 721)
    best = phis[np.argmax(conventional.log_negativity_transient(**p, t=t_slow, phase=phis))]
    t = t_slow + ((best - conventional._phase_mod_pi(s, t_slow)) % math.pi) / s.omega_bar
    with mp.workdps(60):
        e_mp = float(mp_log_negativity(mp_covariance(**p, t=t)))
    e = conventional.log_negativity_transient(**p, t=t)
    e_dec = conventional.log_negativity_transient(**p, t=t, phase=conventional._phase_mod_pi(s, t))
    assert e_mp > 1e-11
    assert abs(e - e_mp) <= 1e-9 * e_mp  # measured ~5e-17
    assert abs(e_dec - e_mp) <= 1e-9 * e_mp


# ----------------------------------------------------------------------- 3. limiting cases
def test_ktm_at_its_optimum_never_entangles():
    for gamma in (0.0, TWO_PI * 1e-18, TWO_PI * 1e-16):
        r = conventional.transient_maximum(**PAPER, gamma_m=gamma, kappa_G=PAPER["k_M"])
        assert r.E_N == 0.0
        assert r.t_max == 0.0
    # already κ_G = k/2 (with γ = 0) kills it (initial slope |k| − 2κ_G − γn̄)
    r = conventional.transient_maximum(**PAPER, gamma_m=TWO_PI * 1e-20, kappa_G=PAPER["k_M"] / 2)
    assert r.E_N == 0.0


def test_hot_bath_gives_no_entanglement():
    gamma = 100 * PAPER["k_M"] / PAPER["n_th"]  # γn̄ = 100 k
    assert conventional.transient_maximum(**PAPER, gamma_m=gamma, kappa_G=0.0).E_N == 0.0


@pytest.mark.parametrize("k_hz", [7e-10, 3.5e-10])
def test_saturated_value_as_gamma_goes_to_zero(k_hz):
    p = dict(PAPER, k_M=TWO_PI * k_hz)
    sat = conventional.saturated_log_negativity(omega_m=p["omega_m"], k_M=p["k_M"])
    assert sat == pytest.approx(math.atanh(2 * p["k_M"] / p["omega_m"]), rel=1e-15)
    assert sat == pytest.approx(2 * p["k_M"] / p["omega_m"], rel=1e-15)
    for gamma in (0.0, TWO_PI * 1e-24):
        r = conventional.transient_maximum(**p, gamma_m=gamma, kappa_G=0.0)
        assert r.E_N == pytest.approx(sat, rel=0.01)
        assert r.E_N == pytest.approx(sat, rel=1e-8)  # achieved
        # at the first quarter period, not on the slow time scale 1/k
        assert r.t_max == pytest.approx(math.pi / 2 / p["omega_m"], rel=1e-4)
    bits = conventional.transient_maximum(**p, gamma_m=0.0, kappa_G=0.0, base="2")
    assert bits.E_N == pytest.approx(sat / math.log(2), rel=1e-8)
    assert bits.to_dict()["units"]["E_N"] == "bits"


@pytest.mark.parametrize("x", [0.1, 0.5, 0.9, 0.999])
def test_first_order_maximum_formula(x):
    """(2k/ω_m)[√(1−x²) − x arccos x], x = γn̄/k, at t = arccos(x)/ω_m."""
    gamma = x * PAPER["k_M"] / PAPER["n_th"]
    r = conventional.transient_maximum(**PAPER, gamma_m=gamma, kappa_G=0.0)
    fo = conventional.first_order_maximum(**PAPER, gamma_m=gamma)
    assert r.E_N == pytest.approx(fo, rel=1e-6)
    assert r.t_max == pytest.approx(math.acos(x) / PAPER["omega_m"], rel=1e-4)
    assert "true-time" in r.method


def test_maximum_is_at_first_quarter_period_against_brute_force():
    """Moderate parameters: dense expm stepping over three slow beats (t ≤ 470)."""
    p = dict(omega_m=1.0, k_M=0.01, gamma_m=1e-4, n_th=10.0, kappa_G=0.0)
    a, d = drift_diffusion(**p)
    dt = 0.005
    m = np.zeros((8, 8))
    m[:4, :4] = -a
    m[:4, 4:] = d
    m[4:, 4:] = a.T
    f = expm(m * dt)
    phi = f[4:, 4:].T
    q = phi @ f[:4, 4:]
    v = 0.5 * np.eye(4)
    best, t_best = -np.inf, 0.0
    for n in range(1, int(470 / dt)):
        v = phi @ v @ phi.T + q
        if n * dt > 5 and n % 50:  # later times: sample sparsely (the envelope only decays)
            continue
        e = -math.log(2 * nu_minus_float(v))
        if e > best:
            best, t_best = e, n * dt
    r = conventional.transient_maximum(**p)
    assert t_best < math.pi / 2
    assert r.t_max == pytest.approx(math.acos(p["gamma_m"] * p["n_th"] / p["k_M"]), rel=1e-2)
    assert best <= r.E_N * (1 + 1e-9)
    assert r.E_N == pytest.approx(best, rel=1e-4)
    assert r.t_search > 400


# ------------------------------------------------------------------------- 4. steady state
@pytest.mark.parametrize(
    "p",
    [
        dict(omega_m=1.0, k_M=0.05, gamma_m=0.01, n_th=0.5, kappa_G=0.02),
        dict(omega_m=1.0, k_M=0.05, gamma_m=0.01, n_th=0.5, kappa_G=0.0),
        dict(omega_m=1.0, k_M=1e-3, gamma_m=0.01, n_th=1e3, kappa_G=0.0),
    ],
)
def test_long_time_limit_is_the_lyapunov_steady_state(p):
    a, d = drift_diffusion(**p)
    vs = solve_continuous_lyapunov(a, -d)
    for t in (math.inf, 6000.0):
        v = conventional.covariance(**p, t=t)
        assert np.max(np.abs(v - vs)) <= 1e-12 * np.max(np.abs(vs))


def test_hot_steady_state_is_not_entangled():
    p = dict(omega_m=1.0, k_M=1e-3, gamma_m=0.01, n_th=1e3, kappa_G=0.0)
    v = conventional.covariance(**p, t=math.inf)
    nu = nu_minus_float(v)
    assert nu == pytest.approx(p["n_th"] + 0.5, rel=5e-3)  # (n̄+½)(1 − O(k/ω_m))
    assert conventional.log_negativity_transient(**p, t=math.inf) == 0.0
    # paper scale
    pp = dict(PAPER, gamma_m=TWO_PI * 1e-16, kappa_G=0.0)
    v = conventional.covariance(**pp, t=math.inf)
    with mp.workdps(40):  # ν̃₊ ≈ ν̃₋: the float64 formula would cancel catastrophically here
        nu = float(mp.sqrt(mp.exp(-2 * mp_log_negativity(mp.matrix(v.tolist()))))) / 2
    assert nu == pytest.approx(PAPER["n_th"] + 0.5, rel=1e-9)
    # more precisely ν̃₋ = (n̄+½)(1 − k/ω_m): measured −1.400002e-11 for k/ω_m = 1.4e-11
    eps = PAPER["k_M"] / PAPER["omega_m"]
    assert nu / (PAPER["n_th"] + 0.5) - 1 == pytest.approx(-eps, rel=1e-3)
    assert conventional.log_negativity_transient(**pp, t=math.inf) == 0.0


# ------------------------------------------------------------------------------ 5. threshold
@pytest.mark.parametrize("k_hz,kappa_frac", [(7e-10, 0.0), (3.5e-10, 0.0), (7e-10, 0.25)])
def test_threshold_gamma_bisection_vs_analytic(k_hz, kappa_frac):
    p = dict(PAPER, k_M=TWO_PI * k_hz)
    kappa_G = kappa_frac * p["k_M"]
    est = conventional.threshold_gamma_estimate(k_M=p["k_M"], n_th=p["n_th"], kappa_G=kappa_G)
    assert est == pytest.approx((p["k_M"] - 2 * kappa_G) / p["n_th"], rel=1e-15)
    num = conventional.threshold_gamma(**p, kappa_G=kappa_G)
    assert num == pytest.approx(est, rel=1e-6)  # stated factor: 1 ± 1e-6 (measured < 1e-9)
    for rel, entangled in ((1 - 1e-3, True), (1 + 1e-3, False)):
        r = conventional.transient_maximum(**p, gamma_m=num * rel, kappa_G=kappa_G)
        assert (r.E_N > 0) is entangled


def test_threshold_numbers_and_the_papers_bound():
    """γ*/2π = k/(2π n̄): 1.68e-16 Hz (table k), 8.39e-17 Hz (point-mass k = table k / 2).

    The paper's bound 2γn̄ < k_table is the exact threshold for the point-mass coupling.
    """
    g_table = conventional.threshold_gamma(**PAPER) / TWO_PI
    g_pm = conventional.threshold_gamma(**dict(PAPER, k_M=PAPER["k_M"] / 2)) / TWO_PI
    assert g_table == pytest.approx(7e-10 / 4.17e6, rel=1e-6)
    assert g_pm == pytest.approx(g_table / 2, rel=1e-6)
    paper_bound = PAPER["k_M"] / (2 * PAPER["n_th"]) / TWO_PI  # 2γn̄ < k
    assert g_pm == pytest.approx(paper_bound, rel=1e-6)


def test_threshold_special_cases():
    assert conventional.threshold_gamma(**PAPER, kappa_G=PAPER["k_M"]) == 0.0
    assert math.isinf(conventional.threshold_gamma(omega_m=1.0, k_M=0.01, n_th=0.0))


# ------------------------------------------------------------------ runtime, API, validation
def test_transient_maximum_runtime_and_fields():
    t0 = time.perf_counter()
    r = conventional.transient_maximum(**PAPER, gamma_m=TWO_PI * 2e-17, kappa_G=0.0)
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0
    d = r.to_dict()
    assert set(d) >= {"E_N", "t_max", "phase", "base", "t_search", "method"}
    assert d["base"] == "e" and d["units"]["t_max"] == "s"
    assert 0 <= r.phase < math.pi
    assert r.t_search > r.t_max > 0
    with pytest.raises(AttributeError):
        r.E_N = 1.0  # type: ignore[misc]


def test_bad_input_raises():
    with pytest.raises(GravsimInputError):
        conventional.covariance(**MODERATE, kappa_G=-1.0, t=1.0)
    with pytest.raises(GravsimInputError):
        conventional.covariance(omega_m=1.0, k_M=0.6, gamma_m=0.0, n_th=0.0, kappa_G=0.0, t=1.0)
    with pytest.raises(GravsimInputError):
        conventional.covariance(**MODERATE, kappa_G=0.0, t=-1.0)
    with pytest.raises(GravsimInputError):
        conventional.covariance(
            omega_m=1.0, k_M=0.1, gamma_m=0.0, n_th=0.0, kappa_G=0.0, t=math.inf
        )
    with pytest.raises(GravsimInputError):
        conventional.log_negativity_transient(**MODERATE, kappa_G=0.0, t=1.0, base="10")


def test_from_parameter_object_matches_keyword_calls():
    """The *_from(p) conveniences read omega_m, k_M, gamma_m, n_th, kappa_G from ``p``."""
    p = SimpleNamespace(**PAPER, gamma_m=TWO_PI * 2e-17, kappa_G=PAPER["k_M"] / 4)
    kw = dict(PAPER, gamma_m=p.gamma_m)
    assert conventional.transient_maximum_from(p) == conventional.transient_maximum(
        **kw, kappa_G=p.kappa_G
    )
    quantum = conventional.transient_maximum_from(p, kappa_G=0.0, base="2")
    assert quantum == conventional.transient_maximum(**kw, kappa_G=0.0, base="2")
    assert conventional.threshold_gamma_estimate_from(p) == (
        conventional.threshold_gamma_estimate(k_M=p.k_M, n_th=p.n_th, kappa_G=p.kappa_G)
    )
    assert conventional.threshold_gamma_estimate_from(p, kappa_G=0.0) == p.k_M / p.n_th
    assert conventional.saturated_log_negativity_from(p, base="2") == (
        conventional.saturated_log_negativity(omega_m=p.omega_m, k_M=p.k_M, base="2")
    )
    with pytest.raises(TypeError):
        conventional.transient_maximum(**PAPER, gamma=0.0, kappa_G=0.0)  # old name: k_M, gamma_m
