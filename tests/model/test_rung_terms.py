"""Every rung's master equation, coefficient by coefficient, against the model ladder.

The expected terms are written here from the physics (``/work/shared/PHYSICS.md``, "The model
ladder"; ``docs/physics.md``), with every rate computed from the preset's *inputs* by its
formula (G± = g|E±|/sqrt(ω_m² + κ²/4), Γ = 4(G₋² − G₊²)/κ, k_M = k_G + K_others x²_zpf/ħ,
n̄ = 1/expm1(ħω_m/k_BT), …), never read from the derived properties of
:class:`~gravsim.model.parameters.Parameters` or from the rung builders.

A model is compared in a form that does not depend on how its builder happens to split it
into terms:

* the Hamiltonian as a dictionary {(normally ordered operator product, frequency):
  coefficient}, every ``hermitian_conjugate`` written out (so k_M(a†b + h.c.) is the two
  entries a†b and ab†, whichever of the two a builder writes);
* the dissipators of each group (``"system"``, ``"gravity"``) as their Kossakowski matrix
  Σ_jumps rate·c_k c_l* over pairs of ladder operators (and the difference of their
  frequencies): γ_m D[a] + γ_m n̄ D[a] and γ_m(n̄+1) D[a] are the same entry, whereas
  D[a] + D[a†] and D[a + a†] differ by the cross entries a·a†, and Γ D[β₁ + β₂] and
  Γ(D[β₁] + D[β₂]) by the a·b entries.

The sign of k_M: E_N does not see it, but the covariance does.  With real coefficients in
the Fock basis, the steady state of (Ω, −k_M) is that of (Ω, k_M) with the modes exchanged
and the momenta reversed (complex conjugation maps H to −H's state; the exchange a ↔ b
restores Ω), so ⟨x_a p_b⟩ + ⟨p_a x_b⟩ = 2 Im⟨ab⟩ is odd in k_M; its sign is fixed here
against the closed form (S2 Eq. 19).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from scipy import constants as sc

import gravsim as gs
from gravsim.analysis.entanglement import log_negativity
from gravsim.closed_form.effective import eq19_covariance
from gravsim.model import rungs
from gravsim.model.description import Ladder, ModelDescription
from gravsim.model.gravity import CQFloor, DiosiPenrose, KTMGravity, QuantumGravity, TilloyDiosi

#: Relative agreement required of every coefficient that is a formula of the inputs.
RTOL = 1e-12

# ---------------------------------------------------------------------------------------------
# The rates, from the inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """The rates a rung's coefficients are made of (rad/s; n̄, r dimensionless)."""

    omega_m: float
    Omega: float
    kappa: float
    g: float
    gamma: float
    n: float
    G_plus: float
    G_minus: float
    k_G: float
    k_M: float
    kappa_G: float
    x2: float  # x_zpf² (m²)

    @property
    def Gamma(self) -> float:
        """Γ = 4G²/κ with G² = G₋² − G₊²."""
        return 4 * (self.G_minus**2 - self.G_plus**2) / self.kappa


def rates(p: Any) -> Rates:
    """The rates of ``p`` from its inputs (PHYSICS.md), or from the value given directly.

    k_G: the form-factor convention ΛGρ/ω_m (the table's value) or the point-mass one
    K_G x²_zpf/ħ with K_G = 2GM²/d³, x²_zpf = ħ/2Mω_m; k_M = k_G + K_others x²_zpf/ħ;
    κ_G = k_G (KTM at its optimum Γ_a = Γ_b = K_G/2); G± = g|E±|/sqrt(ω_m² + κ²/4).
    """
    given = p.overrides
    w, kap = float(p.omega_m), float(p.kappa)
    x2 = sc.hbar / (2 * p.M * w)
    if "k_G" in given:
        k_g = given["k_G"]
    elif p.kG_convention == "point-mass":
        k_g = 2 * sc.G * p.M**2 / p.d**3 * x2 / sc.hbar
    else:
        k_g = p.form_factor * sc.G * p.rho / w
    amplitude = math.sqrt(w**2 + kap**2 / 4)
    return Rates(
        omega_m=w,
        Omega=float(p.Omega),
        kappa=kap,
        g=float(p.g),
        gamma=float(p.gamma_m),
        n=given.get("n_th", 1 / math.expm1(sc.hbar * w / (sc.k * p.T)) if p.T > 0 else 0.0),
        G_plus=given.get("G_plus", p.g * abs(p.E_plus) / amplitude),
        G_minus=given.get("G_minus", p.g * abs(p.E_minus) / amplitude),
        k_G=k_g,
        k_M=given.get("k_M", k_g + p.K_others * x2 / sc.hbar),
        kappa_G=given.get("kappa_G", k_g),
        x2=x2,
    )


# ---------------------------------------------------------------------------------------------
# Canonical forms of a model
# ---------------------------------------------------------------------------------------------


def _op(text: str) -> Ladder:
    """``"a"`` → a, ``"a†"`` → a†."""
    return Ladder(text.rstrip("†"), text.endswith("†"))


def _key(ops: tuple[Ladder, ...], frequency: float) -> tuple[tuple[str, ...], float]:
    """Normally ordered product (modes commute; a a† = a†a + const, constants dropped)."""
    ordered = sorted(ops, key=lambda o: (o.mode, not o.dagger))
    return tuple(str(o) for o in ordered), round(frequency, 9) + 0.0


def hamiltonian_terms(model: ModelDescription) -> dict[tuple, complex]:
    """H as {(normally ordered product, frequency ν): coefficient of e^{−iνt}}, with every
    Hermitian conjugate written out and equal products summed."""
    out: dict[tuple, complex] = defaultdict(complex)
    for term in model.hamiltonian:
        coeff = complex(term.coeff)
        out[_key(term.ops, term.frequency)] += coeff
        if term.hermitian_conjugate:
            conj = tuple(Ladder(o.mode, not o.dagger) for o in reversed(term.ops))
            out[_key(conj, -term.frequency)] += coeff.conjugate()
    return {k: v for k, v in out.items() if v != 0}


def dissipator_matrix(model: ModelDescription, group: str) -> dict[tuple, complex]:
    """Σ rate·c_k c_l* over the jump operators of ``group``, keyed (o_k, o_l, ν_k − ν_l)."""
    out: dict[tuple, complex] = defaultdict(complex)
    for jump in model.jumps:
        if jump.group != group:
            continue
        for k, (c_k, o_k) in enumerate(jump.terms):
            for m, (c_m, o_m) in enumerate(jump.terms):
                nu = round(jump.frequency(k) - jump.frequency(m), 9) + 0.0
                out[(str(o_k), str(o_m), nu)] += complex(jump.rate) * c_k * np.conj(c_m)
    return {k: v for k, v in out.items() if v != 0}


def expected_hamiltonian(*terms: tuple) -> dict[tuple, complex]:
    """{key: coefficient} of terms ``(coeff, "a† b", hc[, frequency])`` (hc: add the h.c.)."""
    out: dict[tuple, complex] = defaultdict(complex)
    for coeff, ops, hc, *frequency in terms:
        nu = frequency[0] if frequency else 0.0
        ladder = tuple(_op(o) for o in ops.split())
        out[_key(ladder, nu)] += coeff
        if hc:
            conj = tuple(Ladder(o.mode, not o.dagger) for o in reversed(ladder))
            out[_key(conj, -nu)] += np.conj(coeff)
    return dict(out)


def expected_dissipators(*jumps: tuple) -> dict[tuple, complex]:
    """The Kossakowski matrix of ``(rate, [(c, "a"), (c, "b†"), ...][, frequencies])``."""
    out: dict[tuple, complex] = defaultdict(complex)
    for rate, terms, *freqs in jumps:
        nus = freqs[0] if freqs else (0.0,) * len(terms)
        for (c_k, o_k), nu_k in zip(terms, nus, strict=True):
            for (c_m, o_m), nu_m in zip(terms, nus, strict=True):
                out[(o_k, o_m, round(nu_k - nu_m, 9) + 0.0)] += rate * c_k * np.conj(c_m)
    return dict(out)


def assert_terms(got: dict, expected: dict, what: str, rtol: float = RTOL) -> None:
    """The same keys, every coefficient to ``rtol`` relative (and 1e-15 of the largest)."""
    scale = max([abs(v) for v in expected.values()] + [1e-300])
    missing = sorted(set(expected) - set(got), key=str)
    extra = sorted(set(got) - set(expected), key=str)
    assert not missing and not extra, f"{what}: missing {missing}, unexpected {extra}"
    for key, value in expected.items():
        assert abs(got[key] - value) <= rtol * abs(value) + 1e-15 * scale, (
            f"{what}: {key} is {got[key]}, expected {value}"
        )


def thermal(r: Rates) -> list[tuple]:
    """γ_m(n̄+1)D[j] + γ_m n̄ D[j†] for j = a, b."""
    return [
        jump
        for j in ("a", "b")
        for jump in ((r.gamma * (r.n + 1), [(1.0, j)]), (r.gamma * r.n, [(1.0, j + "†")]))
    ]


def position_diffusion(kappa: float, rwa: bool, omega: float = 0.0) -> list[tuple]:
    """2κ D[j + j†] per oscillator, or 2κ(D[j] + D[j†]) under the RWA; in a frame rotating at
    ``omega`` the lab-frame j + j† is j e^{−iωt} + j† e^{iωt}."""
    if rwa:
        return [(2 * kappa, [(1.0, op)]) for op in ("a", "a†", "b", "b†")]
    return [(2 * kappa, [(1.0, j), (1.0, j + "†")], (omega, -omega)) for j in ("a", "b")]


# ---------------------------------------------------------------------------------------------
# Points: presets as given, and with a non-gravitational coupling of either sign
# ---------------------------------------------------------------------------------------------

PAPER = gs.presets.get("paper")
POINTS = {
    "paper": PAPER,
    "paper-point-mass": gs.presets.get("paper-point-mass"),
    "paper-K_others": PAPER.replace(K_others=1e4 * float(PAPER.K_G)),
    "paper-negative-k_M": PAPER.replace(K_others=-1e4 * float(PAPER.K_G)),
    "small": gs.presets.get("small"),
    "small-weak": gs.presets.get("small-weak"),
    "driven": gs.presets.get("driven"),
}


def test_the_points_span_both_signs_of_k_M():
    """The formulas give k_M > 0 for gravity alone (attraction: H ⊃ +K_G x_a x_b) and
    k_M = (1 − 10⁴)k_G with K_others = −10⁴ K_G."""
    assert rates(POINTS["paper"]).k_M == pytest.approx(2 * math.pi * 7e-10, rel=1e-15)
    neg = rates(POINTS["paper-negative-k_M"])
    assert neg.k_M == pytest.approx((1 - 1e4) * neg.k_G, rel=1e-12)
    assert POINTS["paper-negative-k_M"].k_M == pytest.approx(neg.k_M, rel=RTOL)


@pytest.mark.parametrize("name", POINTS)
def test_rwa_rung(name):
    """L2: Ω(a†a − b†b) + k_M(a†b + h.c.) + Σ_j [G₋(j c† + h.c.) + G₊(j† c† + h.c.)];
    γ_m(n̄+1)D[j] + γ_m n̄ D[j†], κ D[c]; KTM 2κ_G(D[j] + D[j†])."""
    p = POINTS[name]
    r = rates(p)
    model = rungs.rwa(p, KTMGravity())
    h = [(r.Omega, "a† a", False), (-r.Omega, "b† b", False), (r.k_M, "a† b", True)]
    for j in ("a", "b"):
        h += [(r.G_minus, f"{j} c†", True), (r.G_plus, f"{j}† c†", True)]
    assert_terms(hamiltonian_terms(model), expected_hamiltonian(*h), "H")
    system = [*thermal(r), (r.kappa, [(1.0, "c")])]
    assert_terms(dissipator_matrix(model, "system"), expected_dissipators(*system), "system")
    gravity = position_diffusion(r.kappa_G, rwa=True)
    assert_terms(dissipator_matrix(model, "gravity"), expected_dissipators(*gravity), "gravity")
    assert {j.group for j in model.jumps} == {"system", "gravity"}
    assert dissipator_matrix(rungs.rwa(p, QuantumGravity()), "gravity") == {}


def _effective_reservoir(r: Rates, reservoir: str) -> list[tuple]:
    """(4/κ) D[G₋(a+b) + G₊(a†+b†)] (= Γ D[β₁ + β₂]), or (4/κ)(D[G₋a + G₊b†] + D[G₋b + G₊a†])
    (= Γ(D[β₁] + D[β₂])): Γ cosh²r = 4G₋²/κ, Γ sinh r cosh r = 4G₋G₊/κ, Γ sinh²r = 4G₊²/κ."""
    gm, gp = r.G_minus, r.G_plus
    if reservoir == "collective":
        return [(4 / r.kappa, [(gm, "a"), (gm, "b"), (gp, "a†"), (gp, "b†")])]
    return [
        (4 / r.kappa, [(gm, "a"), (gp, "b†")]),
        (4 / r.kappa, [(gm, "b"), (gp, "a†")]),
    ]


@pytest.mark.parametrize("reservoir", ["default", "collective", "double"])
@pytest.mark.parametrize("name", POINTS)
def test_effective_rung(name, reservoir):
    """L3: Ω(a†a − b†b) + k_M(a†b + h.c.); the engineered reservoir (the collective one by
    default); thermal baths; KTM 2κ_G(D[j] + D[j†])."""
    p = POINTS[name]
    r = rates(p)
    kwargs = {} if reservoir == "default" else {"reservoir": reservoir}
    model = rungs.effective(p, KTMGravity(), **kwargs)
    h = [(r.Omega, "a† a", False), (-r.Omega, "b† b", False), (r.k_M, "a† b", True)]
    assert_terms(hamiltonian_terms(model), expected_hamiltonian(*h), "H")
    form = "double" if reservoir == "double" else "collective"
    system = [*thermal(r), *_effective_reservoir(r, form)]
    assert_terms(dissipator_matrix(model, "system"), expected_dissipators(*system), "system")
    gravity = position_diffusion(r.kappa_G, rwa=True)
    assert_terms(dissipator_matrix(model, "gravity"), expected_dissipators(*gravity), "gravity")


def test_the_reservoir_is_gamma_with_cosh_and_sinh_r():
    """The collective jump operator is Γ D[β₁ + β₂], β₁ + β₂ = (a + b) cosh r + (a† + b†)
    sinh r with r = atanh(G₊/G₋), Γ = 4(G₋² − G₊²)/κ, read off its own terms."""
    for name in ("paper", "small", "driven"):
        p = POINTS[name]
        r = rates(p)
        (jump,) = [j for j in rungs.effective(p).jumps if len(j.terms) == 4]
        squeeze = math.atanh(r.G_plus / r.G_minus)
        assert float(jump.rate) == pytest.approx(r.Gamma, rel=RTOL)
        coefficients = {str(op): float(c) for c, op in jump.terms}
        cosh, sinh = math.cosh(squeeze), math.sinh(squeeze)
        assert coefficients == pytest.approx({"a": cosh, "b": cosh, "a†": sinh, "b†": sinh})


@pytest.mark.parametrize("name", ["paper", "paper-negative-k_M", "small", "driven"])
def test_conventional_rung(name):
    """Lab frame, no cavity: ω_m(a†a + b†b) + k_M(a + a†)(b + b†) (counter-rotating terms
    kept); thermal baths; KTM 2κ_G D[j + j†] (not its RWA form)."""
    p = POINTS[name]
    r = rates(p)
    model = rungs.conventional(p, KTMGravity())
    h = [(r.omega_m, "a† a", False), (r.omega_m, "b† b", False)]
    h += [(r.k_M, "a† b", True), (r.k_M, "a b", True)]
    assert_terms(hamiltonian_terms(model), expected_hamiltonian(*h), "H")
    assert_terms(dissipator_matrix(model, "system"), expected_dissipators(*thermal(r)), "system")
    gravity = position_diffusion(r.kappa_G, rwa=False)
    assert_terms(dissipator_matrix(model, "gravity"), expected_dissipators(*gravity), "gravity")


def _mean_field_amplitudes(r: Rates) -> tuple[complex, complex]:
    """g c₊, g c₋ of the bare orbit α = c₊e^{−iω_m t} + c₋e^{iω_m t} of
    dα/dt = −i(E₊e^{−iω_m t} + E₋e^{iω_m t}) − (κ/2)α: c₊ = −iE₊/(κ/2 − iω_m),
    c₋ = −iE₋/(κ/2 + iω_m), with real tones E± = (G±/g) sqrt(ω_m² + κ²/4) (|g c±| = G±)."""
    amplitude = math.hypot(r.omega_m, r.kappa / 2)
    c_plus = -1j * r.G_plus * amplitude / (r.kappa / 2 - 1j * r.omega_m)
    c_minus = -1j * r.G_minus * amplitude / (r.kappa / 2 + 1j * r.omega_m)
    return c_plus, c_minus


#: |g α±₁ − g c±| / G±: the radiation-pressure modulation u(t) ~ G²/ω_m of the orbit moves α
#: from the bare c± (measured: ≤ 1.3e-4 on small, ≤ 2.1e-4 at paper, ≤ 4.8e-3 on driven).
ORBIT_RTOL = 1e-2


def _at(terms: dict, ops: str, frequency: float) -> complex:
    """The coefficient of ``ops`` (e.g. ``"a c†"``) at ``frequency`` in ``terms``."""
    return terms[_key(tuple(_op(o) for o in ops.split()), frequency)]


def _split_cavity_terms(h: dict) -> tuple[dict, dict, dict]:
    """(mechanics and gravity, sideband couplings j·c, the cavity's own c†c) of ``h``."""
    mech, side, cav = {}, {}, {}
    for key, value in h.items():
        ops = key[0]
        has_c = any(o.startswith("c") for o in ops)
        target = cav if ops == ("c†", "c") else side if has_c and len(ops) == 2 else mech
        target[key] = value
    return mech, side, cav


@pytest.mark.parametrize("name", ["small", "driven"])
def test_full_rung(name):
    """L0 (displaced frame, lab frame for the mechanics): ω_a a†a + ω_b b†b
    + k_M(a + a†)(b + b†) + g(j + j†)δc†δc + g(j + j†)(α*δc + αδc†); the classical field's
    two tones carry g α±₁ ≈ g c± at e^{∓iω_m t}; thermal baths, κ D[c], KTM 2κ_G D[j + j†]."""
    p = POINTS[name]
    r = rates(p)
    model = rungs.full(p, KTMGravity())
    mech, side, cav = _split_cavity_terms(hamiltonian_terms(model))
    h = [(r.omega_m + r.Omega, "a† a", False), (r.omega_m - r.Omega, "b† b", False)]
    h += [(r.k_M, "a† b", True), (r.k_M, "a b", True)]
    h += [(r.g, f"{j} c† c", False) for j in ("a", "a†", "b", "b†")]
    assert_terms(mech, expected_hamiltonian(*h), "H without the sidebands")
    g_plus, g_minus = _mean_field_amplitudes(r)
    w = r.omega_m
    for j in ("a", "b"):  # g(j + j†)(α*δc + h.c.): coefficient g α_k* of j δc at ν = −kω_m
        for op in (j, j + "†"):
            assert _at(side, f"{op} c", -w) == pytest.approx(np.conj(g_plus), rel=ORBIT_RTOL)
            assert _at(side, f"{op} c", w) == pytest.approx(np.conj(g_minus), rel=ORBIT_RTOL)
    big = {key for key, v in side.items() if abs(v) > ORBIT_RTOL * r.G_plus}
    assert {nu for _, nu in big} == {_key((), w)[1], _key((), -w)[1]}, "two tones only"
    harmonics = [nu / (2 * w) for _, nu in cav]
    assert all(h != 0 and abs(h - round(h)) < 1e-9 for h in harmonics), "u(t): 2mω_m, m ≠ 0"
    system = [*thermal(r), (r.kappa, [(1.0, "c")])]
    assert_terms(dissipator_matrix(model, "system"), expected_dissipators(*system), "system")
    gravity = position_diffusion(r.kappa_G, rwa=False)
    assert_terms(dissipator_matrix(model, "gravity"), expected_dissipators(*gravity), "gravity")


@pytest.mark.parametrize("name", ["small", "driven", "paper"])
def test_linear_rung(name):
    """L1 (frame rotating at ω_m): Ω(a†a − b†b) (ω_m cancels exactly), k_M(a†b + h.c.)
    static and the counter-rotating k_M(ab e^{−2iω_m t} + h.c.); the static sidebands are
    G₋(j c† + h.c.) and G₊(j† c† + h.c.) with the phases of c∓; KTM becomes
    2κ_G D[j e^{−iω_m t} + j† e^{iω_m t}]; thermal baths and κ D[c] unchanged."""
    p = POINTS[name]
    r = rates(p)
    model = rungs.linear(p, KTMGravity())
    w = r.omega_m
    mech, side, _ = _split_cavity_terms(hamiltonian_terms(model))
    h = [(r.Omega, "a† a", False), (-r.Omega, "b† b", False), (r.k_M, "a† b", True)]
    h += [(r.k_M, "a b", True, 2 * w)]  # k_M ab e^{−2iω_m t} + k_M a†b† e^{2iω_m t}
    assert_terms(mech, expected_hamiltonian(*h), "H without the sidebands")
    g_plus, g_minus = _mean_field_amplitudes(r)
    for j in ("a", "b"):
        assert _at(side, f"{j} c†", 0) == pytest.approx(g_minus, rel=ORBIT_RTOL)  # G₋ j c†
        assert _at(side, f"{j}† c†", 0) == pytest.approx(g_plus, rel=ORBIT_RTOL)  # G₊ j† c†
        assert _at(side, f"{j} c", 2 * w) == pytest.approx(np.conj(g_minus), rel=ORBIT_RTOL)
        assert _at(side, f"{j}† c", -2 * w) == pytest.approx(np.conj(g_plus), rel=ORBIT_RTOL)
    system = [*thermal(r), (r.kappa, [(1.0, "c")])]
    assert_terms(dissipator_matrix(model, "system"), expected_dissipators(*system), "system")
    gravity = position_diffusion(r.kappa_G, rwa=False, omega=w)
    assert_terms(dissipator_matrix(model, "gravity"), expected_dissipators(*gravity), "gravity")


def test_ktm_rates_at_unequal_measurement_rates():
    """κ_G,a = Γ_a x²_zpf/ħ + K_G² x²_zpf/(4Γ_b ħ) (a ↔ b likewise), K_G = k_G ħ/x²_zpf, on
    each oscillator's own D[j] and D[j†] (factor 2)."""
    p = POINTS["paper"]
    r = rates(p)
    k_big = r.k_G * sc.hbar / r.x2
    gamma_a, gamma_b = 0.3 * k_big, 2.0 * k_big
    kappa_a = gamma_a * r.x2 / sc.hbar + k_big**2 * r.x2 / (4 * gamma_b * sc.hbar)
    kappa_b = gamma_b * r.x2 / sc.hbar + k_big**2 * r.x2 / (4 * gamma_a * sc.hbar)
    assert kappa_a != pytest.approx(kappa_b, rel=0.1)
    model = rungs.effective(p, KTMGravity(Gamma_a=gamma_a, Gamma_b=gamma_b))
    expected = [(2 * kappa_a, [(1.0, "a")]), (2 * kappa_a, [(1.0, "a†")])]
    expected += [(2 * kappa_b, [(1.0, "b")]), (2 * kappa_b, [(1.0, "b†")])]
    assert_terms(dissipator_matrix(model, "gravity"), expected_dissipators(*expected), "KTM")
    optimum = rungs.effective(p, KTMGravity(Gamma_a=k_big / 2, Gamma_b=k_big / 2))
    at_k_g = expected_dissipators(*position_diffusion(r.k_G, rwa=True))
    assert_terms(dissipator_matrix(optimum, "gravity"), at_k_g, "KTM optimum", rtol=1e-9)


def _dp_rate(p: Any) -> float:
    """Diósi–Penrose for a homogeneous sphere: (π/3) G ρ / ω_m."""
    return math.pi / 3 * sc.G * p.rho / p.omega_m


@pytest.mark.parametrize(
    "model, kappa",
    [
        (DiosiPenrose(mutual="off"), _dp_rate),  # the mutual term: tests/model/test_gravity.py
        (TilloyDiosi(kernel_ratio=3.0, mutual="off"), lambda p: _dp_rate(p) * (3 + 1 / 3) / 2),
        (CQFloor(), lambda p: rates(p).k_G / 2),
        (CQFloor(trade_off=0.25), lambda p: rates(p).k_G * (0.25 + 4) / 4),
    ],
    ids=["diosi-penrose", "tilloy-diosi", "cq-floor", "cq-trade-off"],
)
@pytest.mark.parametrize("rung", ["effective", "conventional"])
def test_collapse_models_add_their_position_diffusion(rung, model, kappa):
    """Each hypothesis beyond KTM: the coherent k_M kept, 2κ D[j] + 2κ D[j†] under the RWA
    and 2κ D[j + j†] above it, group ``"gravity"``, with its own κ."""
    p = POINTS["paper"]
    description = rungs.build(rung, p, model)
    expected = position_diffusion(kappa(p), rwa=rung == "effective")
    got = dissipator_matrix(description, "gravity")
    assert_terms(got, expected_dissipators(*expected), model.name)
    assert _at(hamiltonian_terms(description), "a b†", 0) == pytest.approx(rates(p).k_M)


# ---------------------------------------------------------------------------------------------
# The sign of k_M, where the state shows it
# ---------------------------------------------------------------------------------------------


def _xp_cross(v: np.ndarray) -> float:
    """⟨x_a p_b⟩ + ⟨p_a x_b⟩ (symmetrised) of a covariance ordered (x_a, p_a, x_b, p_b)."""
    return float(v[0, 3] + v[1, 2])


def _closed_form_covariance(p: Any, k_m: float) -> np.ndarray:
    r = rates(p)
    return eq19_covariance(
        gamma_m=r.gamma,
        Gamma=r.Gamma,
        r=math.atanh(r.G_plus / r.G_minus),
        Omega=r.Omega,
        k_M=k_m,
        n_th=r.n,
        kappa_G=0.0,
    )


@pytest.mark.parametrize("name", ["small", "paper-K_others", "paper-negative-k_M"])
def test_the_sign_of_k_M_shows_in_the_xp_correlation(name):
    """⟨x_a p_b⟩ + ⟨p_a x_b⟩ of the effective rung equals the closed form's at the formula's
    k_M (measured: ~1e-17 on a sum of 0.015 on small, of 2.3e-7 at the paper point with
    K_others = 1e4 K_G), is odd in k_M and, for γ_m ≪ Γ and |k_M| < Ω, has the sign of −k_M
    (Eq. 19: 2 Im⟨ab⟩ ∝ −k_M·8Γ(Ω² − k_M²) as γ_m → 0).  E_N is even in k_M, so it alone
    cannot see this sign."""
    p = POINTS[name]
    k_m = rates(p).k_M
    plus = gs.gaussian.steady_state(rungs.effective(p)).covariance
    minus = gs.gaussian.steady_state(rungs.effective(p.replace(k_M=-k_m))).covariance
    scale = np.max(np.abs(plus))
    closed_plus, closed_minus = _closed_form_covariance(p, k_m), _closed_form_covariance(p, -k_m)
    assert abs(_xp_cross(closed_plus)) > 1e-8 * scale  # the sign is visible above rounding
    assert np.sign(_xp_cross(closed_plus)) == -np.sign(k_m)
    assert _xp_cross(closed_minus) == pytest.approx(-_xp_cross(closed_plus), rel=1e-9)
    assert abs(_xp_cross(plus) - _xp_cross(closed_plus)) <= 1e-13 * scale
    assert abs(_xp_cross(minus) - _xp_cross(closed_minus)) <= 1e-13 * scale
    assert log_negativity(plus) == pytest.approx(log_negativity(minus), rel=1e-12)
