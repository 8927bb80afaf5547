"""Gravity models: each hypothesis's rate against an independent evaluation of its formula,
ΔE linear in the added diffusion, and the pairwise ΔE against a 50-digit solve."""

from __future__ import annotations

import functools
import math
import warnings

import mpmath as mp
import pytest

import gravsim as gs
from gravsim import gaussian
from gravsim.errors import GravsimWarning
from gravsim.model import rungs
from gravsim.model.gravity import (
    CQFloor,
    DiosiPenrose,
    KTMGravity,
    QuantumGravity,
    TilloyDiosi,
    choose,
    warn_validity,
)
from gravsim.model.units import ATOMIC_MASS, G_NEWTON, HBAR
from tests.mp_reference import mp_delta_E, mp_log_negativity, mp_lyapunov

PAPER = gs.presets.get("paper")


def _sphere_overlap_energy(s: mp.mpf, mass: mp.mpf, radius: mp.mpf) -> mp.mpf:
    """Newtonian mutual energy of two homogeneous spheres whose centres are ``s`` apart
    (s ≤ 2R): −(GM²/R)[6/5 − ½(s/R)² + (3/16)(s/R)³ − (1/160)(s/R)⁵]; it is −(6/5)GM²/R
    (twice the self-energy) at s = 0 and −GM²/s at contact."""
    u = s / radius
    return -(mp.mpf(G_NEWTON) * mass**2 / radius) * (
        mp.mpf(6) / 5 - u**2 / 2 + 3 * u**3 / 16 - u**5 / 160
    )


@pytest.mark.parametrize("preset", ["paper", "small"])
def test_diosi_penrose_rate_is_the_overlap_energy_of_the_displaced_sphere(preset):
    """κ_DP = x_zpf² [U(s) − U(0)]/(ħ s²) for s → 0, with U from the closed overlap formula
    of the sphere (M, R from M and ρ), evaluated in 40 digits; independent of (π/3)Gρ/ω."""
    p = gs.presets.get(preset)
    with mp.workdps(40):
        mass = mp.mpf(float(p.M))
        radius = mp.cbrt(3 * mass / (4 * mp.pi * mp.mpf(float(p.rho))))
        s = radius * mp.mpf("1e-12")
        du = _sphere_overlap_energy(s, mass, radius) - _sphere_overlap_energy(0, mass, radius)
        expected = float(mp.mpf(float(p.x_zpf)) ** 2 * du / (mp.mpf(HBAR) * s**2))
    kappa_a, kappa_b = DiosiPenrose().rates(p)
    assert kappa_a == kappa_b == pytest.approx(expected, rel=1e-12)


def test_diosi_penrose_is_twice_the_ktm_optimum_of_touching_spheres():
    """docs/physics.md: K_G = 2GM²/d³ at d = 2R gives the KTM optimum (π/6)Gρ/ω_m."""
    radius = (3 * PAPER.M / (4 * math.pi * PAPER.rho)) ** (1 / 3)
    touching = PAPER.replace(kG_convention="point-mass", d=2 * radius)
    assert DiosiPenrose().rates(touching)[0] == pytest.approx(2 * touching.k_G, rel=1e-12)
    assert DiosiPenrose().rates(PAPER)[0] == pytest.approx(
        math.pi / 3 * G_NEWTON * PAPER.rho / PAPER.omega_m, rel=1e-15
    )


#: The hypotheses beyond KTM, the collapse models without their mutual term (a correlated
#: diffusion, not proportional to KTM's: tested on its own below).
BEYOND_KTM = [
    DiosiPenrose(mutual="off"),
    TilloyDiosi(kernel_ratio=3.0, mutual="off"),
    CQFloor(),
    CQFloor(trade_off=0.2),
]


@pytest.mark.parametrize("model", BEYOND_KTM, ids=lambda m: m.name)
def test_delta_E_is_linear_in_the_added_diffusion(model):
    """ΔE(model)/ΔE(KTM at κ) = κ_model/κ to 1e-6 at the paper point (ΔE/E_N ~ 1e-7)."""
    delta = gaussian.compare_gravity(rungs.effective(PAPER, model)).delta_E()
    ktm = gaussian.compare_gravity(rungs.effective(PAPER, KTMGravity())).delta_E()
    ratio = model.rates(PAPER)[0] / PAPER.kappa_G
    assert delta / ktm == pytest.approx(ratio, rel=1e-6)


@pytest.mark.parametrize(
    "model", [DiosiPenrose(), *BEYOND_KTM[:3]], ids=["dp-mutual", "dp", "td", "cq"]
)
@pytest.mark.parametrize("rung", ["effective", "rwa"])
def test_pairwise_delta_E_matches_a_50_digit_solve(rung, model):
    description = rungs.build(rung, PAPER, model)
    exact, _ = mp_delta_E(description)
    assert gaussian.compare_gravity(description).delta_E() == pytest.approx(float(exact), rel=1e-8)


def _sphere_form_factor_squared(x: mp.mpf) -> mp.mpf:
    """|μ̃(k)/M|² of a homogeneous sphere at x = kR: [3(sin x − x cos x)/x³]²."""
    return (3 * (mp.sin(x) - x * mp.cos(x)) / x**3) ** 2 if x > mp.mpf("1e-3") else 1 - x**2 / 5


@functools.cache
def _sphere_k_integral() -> mp.mpf:
    """∫₀^∞ x²|μ̃/M|² dx over x = kR (20 digits; π/6·9 in closed form, not used here)."""
    with mp.workdps(20):
        return mp.quadosc(
            lambda x: x**2 * _sphere_form_factor_squared(x), [0, mp.inf], period=mp.pi
        )


@pytest.mark.parametrize("lam", [1.0, 3.0, 0.25])
def test_tilloy_diosi_rate_is_its_kernel_integrated_over_the_sphere(lam):
    """κ_TD from the Tilloy–Diósi decoherence kernel K̃ = γ̃/8 + Ṽ²/(2ħ²γ̃) (γ̃ = 2λṼ/ħ,
    Ṽ = 4πG/k²) integrated over the sphere's form factor in k-space:
    Λ = (1/6π²)∫k⁴ K̃(k)|μ̃(k)|² dk, κ = Λ x_zpf².  K̃k² does not depend on k, so the integral
    is K̃k² M² R⁻³ ∫x²|μ̃/M|²dx.  Independent of (π/3)Gρ/ω_m; at λ = 1 it is Diósi–Penrose."""
    p = PAPER
    with mp.workdps(20):
        mass, hbar, k = mp.mpf(float(p.M)), mp.mpf(HBAR), mp.mpf(1)
        radius = mp.cbrt(3 * mass / (4 * mp.pi * mp.mpf(float(p.rho))))
        v = 4 * mp.pi * mp.mpf(G_NEWTON) / k**2
        gamma = 2 * mp.mpf(lam) * v / hbar
        kernel_k2 = (gamma / 8 + v**2 / (2 * hbar**2 * gamma)) * k**2
        integral = kernel_k2 * mass**2 / radius**3 * _sphere_k_integral()
        expected = float(integral / (6 * mp.pi**2) * mp.mpf(float(p.x_zpf)) ** 2)
    assert TilloyDiosi(kernel_ratio=lam).rates(p)[0] == pytest.approx(expected, rel=1e-12)
    if lam == 1.0:
        assert expected == pytest.approx(DiosiPenrose().rates(p)[0], rel=1e-12)


def test_diosi_penrose_cutoff_adds_each_nucleus_self_energy():
    """κ with a cut-off σ: the homogeneous sphere plus M/m_a Gaussian nuclei, each with
    U(s) = −G m_a² erf(s/2σ)/s (two Gaussians of width σ), at s = 10⁻⁶σ in 40 digits."""
    sigma, m_a = 1e-15, 196.966570 * ATOMIC_MASS
    with mp.workdps(40):
        s, sig, m = mp.mpf(sigma) * mp.mpf("1e-6"), mp.mpf(sigma), mp.mpf(m_a)

        def u(x: mp.mpf) -> mp.mpf:
            return -mp.mpf(G_NEWTON) * m**2 * mp.erf(x / (2 * sig)) / x

        u0 = -mp.mpf(G_NEWTON) * m**2 / (sig * mp.sqrt(mp.pi))
        atoms = mp.mpf(float(PAPER.M)) / m * (u(s) - u0) / (mp.mpf(HBAR) * s**2)
        expected = float(atoms * mp.mpf(float(PAPER.x_zpf)) ** 2) + DiosiPenrose().rates(PAPER)[0]
    got = DiosiPenrose(cutoff=sigma).rates(PAPER)[0]
    assert got == pytest.approx(expected, rel=1e-10)
    assert got / DiosiPenrose().rates(PAPER)[0] == pytest.approx(3.7e14, rel=0.05)


def test_cq_floor_is_the_efficient_measurement_and_feedback_optimum():
    """Sourcing decoherence Λ_s with record noise 1/(8Λ_s) fed back as the force K_G·record:
    κ = x²[Λ_s + K_G²/(16ħ²Λ_s)], minimised numerically over Λ_s, is the floor k_G/2, and
    Λ_s = λ K_G/4ħ gives the trade-off rate."""
    from scipy.optimize import minimize_scalar

    p = PAPER
    k_big, x2 = float(p.K_G), float(p.x_zpf) ** 2

    def kappa(log_lam_s: float) -> float:
        lam_s = math.exp(log_lam_s)  # sourcing decoherence, −Λ_s[x,[x,ρ]]
        record_noise = 1 / (8 * lam_s)  # efficient measurement: S_y = 1/(8Λ_s)
        force_noise = k_big**2 * record_noise  # S_F of the fed-back force K_G·y
        return x2 * (lam_s + force_noise / (2 * HBAR**2))  # −(S_F/2ħ²)[x,[x,ρ]]

    best = minimize_scalar(kappa, bracket=(40.0, 50.0), tol=1e-12)
    assert CQFloor().rates(p)[0] == pytest.approx(best.fun, rel=1e-9)
    assert CQFloor().rates(p)[0] == pytest.approx(p.k_G / 2, rel=1e-15)
    lam = 4.0
    assert CQFloor(trade_off=lam).rates(p)[0] == pytest.approx(
        kappa(math.log(lam * k_big / (4 * HBAR))), rel=1e-12
    )


def test_the_gravity_choice_names_each_hypothesis_once():
    assert [g.name for g in choose("both")] == ["quantum", "ktm"]
    assert [g.label for g in choose("diosi-penrose")] == ["diosi_penrose"]
    assert isinstance(choose("quantum")[0], QuantumGravity)
    with pytest.raises(gs.GravsimInputError, match="unknown gravity"):
        choose("penrose")


def test_a_hypothesis_takes_its_settings_by_name():
    assert choose("diosi-penrose:cutoff=1e-15")[0] == DiosiPenrose(cutoff=1e-15)
    assert choose("quantum,cq-floor:trade_off=3")[1] == CQFloor(trade_off=3.0)
    assert choose("tilloy-diosi:kernel_ratio=2:kappa=1e-9")[0] == TilloyDiosi(2.0, 1e-9)
    for text, words in (
        ("diosi-penrose:cut=1", "(kappa, cutoff, atom_mass, mutual, normalisation)"),
        ("cq-floor:trade_off=abc", "not a number"),
        ("cq-floor:trade_off=0", "must be > 0"),
        ("diosi-penrose:cutoff=-1", "must be > 0"),
        ("cq-floor,cq-floor:trade_off=2", "two different hypotheses"),
    ):
        with pytest.raises(
            gs.GravsimInputError, match=words.replace("(", r"\(").replace(")", r"\)")
        ):
            choose(text)


def test_small_displacement_forms_warn_only_where_they_fail():
    """At the paper point the thermal amplitude (~1e-12 m) is far below the radius, and far
    above a nuclear cut-off (10⁻¹⁵ m); a cut-off near the atomic spacing is not a nucleus."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_validity(choose("diosi-penrose") + choose("tilloy-diosi") + choose("cq-floor"), PAPER)
    with pytest.warns(GravsimWarning, match="well below the cut-off"):
        warn_validity(choose("diosi-penrose:cutoff=1e-15"), PAPER)
    with pytest.warns(GravsimWarning, match="atomic spacing"):
        warn_validity(choose("diosi-penrose:cutoff=1e-10"), PAPER)
    hot = PAPER.replace(M=1e-20, rho=19.3e3)  # a tiny sphere: x_zpf ~ radius
    with pytest.warns(GravsimWarning, match="well below the sphere radius"):
        warn_validity(choose("tilloy-diosi"), hot)


def test_two_classical_hypotheses_compare_without_cancellation():
    """ΔE(KTM, DP) = E_N(KTM) − E_N(DP) ≈ −1.2e-9 from V₁ and one extra shift, against the
    three Lyapunov solutions in 50 digits (the float64 difference of the two E_N would keep
    only ~1e-7 of it)."""
    ktm, dp = rungs.effective(PAPER, KTMGravity()), rungs.effective(PAPER, DiosiPenrose())
    a, d0 = gaussian.drift_diffusion(ktm, groups=("system",))
    _, d_ktm = gaussian.drift_diffusion(ktm, groups=("gravity",))
    _, d_dp = gaussian.drift_diffusion(dp, groups=("gravity",))
    with mp.workdps(50):
        v0 = mp_lyapunov(a, d0)
        states = [v0 + mp_lyapunov(a, d) for d in (d_ktm, d_dp)]
        e_ktm, e_dp = (mp_log_negativity(mp.matrix(v.tolist())[:4, :4]) for v in states)
        exact = float(e_ktm - e_dp)
    delta = gaussian.compare_hypotheses(ktm, dp).delta_E()
    assert delta == pytest.approx(exact, rel=1e-8) and delta < 0
    out = gs.steady.compute(PAPER, gravity="ktm,diosi-penrose")
    assert out.delta.value == delta and set(out.outcomes) == {"classical", "diosi_penrose"}


def _functional_rate(shift_a, shift_b, mass, radius, d) -> mp.mpf:
    """ħ × the Diósi functional's decay rate of ⟨X|ρ|0⟩ for the sphere shifts X = (Δ_a, Δ_b)
    along the line of centres: ½[2E(X,0) − E(X,X) − E(0,0)], E the Newtonian energy of the
    two mass distributions — each sphere with the other's copy at its centre distance
    (exact overlap formula within 2R, −GM²/r outside)."""

    def pair(r):
        return (
            _sphere_overlap_energy(abs(r), mass, radius)
            if abs(r) <= 2 * radius
            else (-mp.mpf(G_NEWTON) * mass**2 / abs(r))
        )

    def energy(x, y):  # sphere a at x_a, b at d + x_b; the copy at y
        return pair(x[0] - y[0]) + pair(x[1] - y[1]) + pair(d + y[1] - x[0]) + pair(d + x[1] - y[0])

    zero, shift = (0, 0), (shift_a, shift_b)
    return (2 * energy(shift, zero) - energy(shift, shift) - energy(zero, zero)) / 2


def test_diosi_penrose_mutual_term_is_the_functional_of_two_displaced_spheres():
    """Direct evaluation of the functional (40 digits, finite shifts 1e-9 R) for two spheres
    apart: the cross coefficient equals κ_ab = −G M/(2ω_m d³) = −2(R/d)³ κ_DP, negative —
    the difference coordinate decoheres faster than the centre of mass."""
    p = PAPER.replace(d=0.6e-3)  # apart: 2R = 0.505 mm
    with mp.workdps(40):
        mass = mp.mpf(float(p.M))
        radius = mp.cbrt(3 * mass / (4 * mp.pi * mp.mpf(float(p.rho))))
        s = radius * mp.mpf("1e-9")
        d = mp.mpf(float(p.d))
        same = _functional_rate(s, s, mass, radius, d)
        opposite = _functional_rate(s, -s, mass, radius, d)
        single = _functional_rate(s, 0, mass, radius, d)
        scale = mp.mpf(float(p.x_zpf)) ** 2 / (mp.mpf(HBAR) * s**2)
        cross = float((same - opposite) / 4 * scale)  # Γ(s,s) − Γ(s,−s) = 4 c_ab s²
        self_term = float(single * scale)
    dp = DiosiPenrose()
    assert dp.rates(p)[0] == pytest.approx(self_term, rel=1e-8)
    assert dp.cross_rate(p) == pytest.approx(cross, rel=1e-8)
    assert opposite > same  # the difference coordinate decoheres faster
    r_over_d = float(radius) / p.d
    assert dp.cross_rate(p) == pytest.approx(-2 * r_over_d**3 * dp.rates(p)[0], rel=1e-12)


def test_the_mutual_term_enters_as_a_correlated_diffusion_and_can_be_dropped():
    """The gravity group's diffusion has the cross entries 2κ_ab (RWA: q_a q_b and p_a p_b)
    and 4κ_ab above the RWA (p_a p_b); `mutual=off` drops them; Penrose's normalisation
    doubles both terms; the moment equations equal QuTiP's Liouvillian."""
    from gravsim.gaussian.moments import split_gravity

    p = gs.presets.get("small").replace(rho=1e9, d=1.5e-5)  # a mutual term of order the self
    dp = DiosiPenrose()
    k, m = dp.rates(p)[0], dp.cross_rate(p)
    assert -1 < m / k < -0.1
    _, _, d_rwa = split_gravity(rungs.effective(p, dp))
    assert d_rwa[0, 2] == pytest.approx(2 * m) and d_rwa[1, 3] == pytest.approx(2 * m)
    assert d_rwa[0, 0] == pytest.approx(2 * k)
    _, _, d_lab = split_gravity(rungs.conventional(p, dp))
    assert d_lab[1, 3] == pytest.approx(4 * m) and d_lab[0, 2] == 0
    off = choose("diosi-penrose:mutual=off")[0]
    assert split_gravity(rungs.effective(p, off))[2][0, 2] == 0
    penrose = choose("diosi-penrose:normalisation=penrose")[0]
    assert penrose.rates(p)[0] == pytest.approx(2 * k) and penrose.cross_rate(p) == 2 * m
    with pytest.raises(gs.errors.GravsimInputError, match="mutual must be on or off"):
        choose("diosi-penrose:mutual=maybe")
    on = gaussian.compare_gravity(rungs.effective(PAPER, dp)).delta_E()
    without = gaussian.compare_gravity(rungs.effective(PAPER, off)).delta_E()
    assert on / without == pytest.approx(1.0026, abs=2e-4)  # measured: the modes share it
    from tests.model.test_device import _moment_rates

    for model in (rungs.rwa(p, dp), rungs.conventional(p, dp)):
        ds, predicted = _moment_rates(model, (8,) * len(model.modes))
        assert abs(ds.real - predicted).max() <= 1e-10 * max(1.0, abs(predicted).max())


def test_the_small_displacement_warning_reads_the_steady_state_spread():
    """At the paper point the steady state's rms position (~5e-16 m, occupation ~0.4) is ~10³
    below the bath's thermal amplitude (~1e-12 m): the warning for a 10⁻¹⁵ m cut-off says so."""
    spread = gaussian.position_spread(PAPER)
    bath = float(PAPER.x_zpf * math.sqrt(2 * PAPER.n_th + 1))
    assert 3e-16 < spread < 1e-15 and 1e3 < bath / spread < 1e4
    with pytest.warns(GravsimWarning, match=r"steady state's rms position is 0\.4"):
        warn_validity(choose("diosi-penrose:cutoff=1e-15"), PAPER, lambda: spread)
