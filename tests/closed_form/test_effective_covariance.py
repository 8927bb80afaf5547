"""The effective rung's whole steady state against the closed form (paper S2 Eqs. 18–21).

E_N is a function of four invariants of the 4×4 covariance; a wrong sign of k_M, a wrong
factor on the KTM diffusion or a wrong reservoir can leave it (nearly) unchanged while the
covariance changes.  So the Gaussian backend's covariance (quantum gravity), its classical
covariance and its gravity shift V₁ (:func:`gravsim.gaussian.compare_gravity`) are compared
here **entry by entry** with the closed form (:func:`~gravsim.closed_form.effective.eq19_moments`),
at points where both k_M ≠ 0 and κ_G ≠ 0 (so that every term of Eq. 19 is exercised).

The closed form's moments are turned into a covariance here, by the test's own conversion
(quadratures X = (a+a†)/√2, P = −i(a−a†)/√2, V_ij = ½⟨{R_i, R_j}⟩, R = (X_a, P_a, X_b, P_b)).
The gravity shift is taken from Eq. (19) without cancellation: the drift of the effective
model does not depend on r (Γ(cosh²r − sinh²r) = Γ), and n̄ and κ_G enter the moments only
through N = γ_m n̄ + 2κ_G, so the part of the moments linear in κ_G is Eq. (19) itself at
n̄ = 0, r = 0 (there the vacuum's ½ is the only other part of V, and it is left out).

Tolerance: every entry to 1e-13 of the largest entry of its matrix (measured ≤ 6.2e-16 for V
and ≤ 6.7e-16 for V₁ at these points).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gravsim as gs
from gravsim.closed_form.effective import eq19_log_negativity, eq19_moments
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity

#: Largest |Gaussian − closed form| of an entry, relative to the largest entry of its matrix.
TOL = 1e-13

PAPER = gs.presets.get("paper")
SMALL = gs.presets.get("small")
POINTS = {
    "small-k0.03-kG0.02": SMALL.replace(k_M=0.03, kappa_G=0.02),
    "small-k-0.05-kG0.005": SMALL.replace(k_M=-0.05, kappa_G=0.005),
    "small-weak-k0.004": gs.presets.get("small-weak").replace(k_M=0.004),
    "driven": gs.presets.get("driven"),
    "paper-K_others-1e3": PAPER.replace(K_others=1e3 * float(PAPER.K_G)),
    "paper-K_others-1e5": PAPER.replace(K_others=1e5 * float(PAPER.K_G)),
}

_S = 1 / math.sqrt(2)
#: Rows: X_a, P_a, X_b, P_b as combinations of (a, a†, b, b†).
_U = np.array(
    [
        [_S, _S, 0, 0],
        [-1j * _S, 1j * _S, 0, 0],
        [0, 0, _S, _S],
        [0, 0, -1j * _S, 1j * _S],
    ]
)


def covariance_from_moments(m: dict, vacuum: float = 0.5) -> np.ndarray:
    """V = U S Uᵀ with S the symmetrised second moments ½⟨{o, o'}⟩ over (a, a†, b, b†):
    ½⟨{a, a†}⟩ = ⟨a†a⟩ + ``vacuum``; ``vacuum=0`` gives the part of V that the normally
    ordered moments carry (the shift of a covariance)."""
    m = {k: complex(v) for k, v in m.items()}
    s = np.array(
        [
            [m["a2"], m["ada"] + vacuum, m["ab"], m["abd"]],
            [m["ada"] + vacuum, m["ad2"], m["adb"], m["adbd"]],
            [m["ab"], m["adb"], m["b2"], m["bdb"] + vacuum],
            [m["abd"], m["adbd"], m["bdb"] + vacuum, m["bd2"]],
        ]
    )
    v = _U @ s @ _U.T
    assert np.max(np.abs(v.imag)) <= 1e-14 * np.max(np.abs(v.real))
    return v.real


def _closed_form_args(p, **changes) -> dict:
    args = dict(
        gamma_m=p.gamma_m,
        Gamma=p.Gamma,
        r=p.r,
        Omega=p.Omega,
        k_M=p.k_M,
        n_th=p.n_th,
        kappa_G=p.kappa_G,
    )
    return args | changes


def _assert_entrywise(got: np.ndarray, expected: np.ndarray, what: str) -> None:
    scale = np.max(np.abs(expected))
    worst = np.max(np.abs(got - expected)) / scale
    assert worst <= TOL, f"{what}: entries differ by {worst:.2e} of the largest\n{got - expected}"


def test_the_points_have_coupling_and_ktm_noise():
    """Every point has k_M ≠ 0 and κ_G ≠ 0, and the classical state differs visibly from the
    quantum one (the shift is not at rounding level)."""
    for p in POINTS.values():
        assert p.k_M != 0 and p.kappa_G != 0
        shift = gs.gaussian.compare_gravity(rungs.effective(p, KTMGravity())).shift
        assert np.max(np.abs(shift)) > 1e-9


@pytest.mark.parametrize("name", POINTS)
def test_quantum_covariance_equals_eq19(name):
    """Quantum gravity (κ_G = 0): the 4×4 covariance of the effective rung is Eq. (19)'s."""
    p = POINTS[name]
    comp = gs.gaussian.compare_gravity(rungs.effective(p, KTMGravity()))
    expected = covariance_from_moments(eq19_moments(**_closed_form_args(p, kappa_G=0.0)))
    _assert_entrywise(comp.quantum.covariance, expected, "quantum covariance")
    direct = gs.gaussian.steady_state(rungs.effective(p)).covariance
    _assert_entrywise(direct, expected, "quantum covariance, steady_state")


@pytest.mark.parametrize("name", POINTS)
def test_classical_covariance_equals_eq19(name):
    """KTM gravity: V₀ + V₁ is Eq. (19)'s covariance at the point's κ_G (2κ_G on D[j] and on
    D[j†] of each oscillator: Eq. 19's N = γ_m n̄ + 2κ_G)."""
    p = POINTS[name]
    comp = gs.gaussian.compare_gravity(rungs.effective(p, KTMGravity()))
    expected = covariance_from_moments(eq19_moments(**_closed_form_args(p)))
    _assert_entrywise(comp.classical.covariance, expected, "classical covariance")
    direct = gs.gaussian.steady_state(rungs.effective(p, KTMGravity())).covariance
    _assert_entrywise(direct, expected, "classical covariance, steady_state")


@pytest.mark.parametrize("name", POINTS)
def test_gravity_shift_equals_the_kappa_G_part_of_eq19(name):
    """V₁ of compare_gravity (its own Lyapunov solve, no difference of two states) is Eq. (19)
    at n̄ = 0, r = 0 without the vacuum (the module docstring), entry by entry; and it is the
    difference of the two closed-form covariances within that difference's rounding."""
    p = POINTS[name]
    shift = gs.gaussian.compare_gravity(rungs.effective(p, KTMGravity())).shift
    moments = eq19_moments(**_closed_form_args(p, n_th=0.0, r=0.0))
    expected = covariance_from_moments(moments, vacuum=0.0)
    _assert_entrywise(shift, expected, "gravity shift")
    full = covariance_from_moments(eq19_moments(**_closed_form_args(p)))
    zero = covariance_from_moments(eq19_moments(**_closed_form_args(p, kappa_G=0.0)))
    rounding = 1e-14 * np.max(np.abs(full))
    assert np.max(np.abs(full - zero - expected)) <= rounding
    linear = gs.gaussian.compare_gravity(rungs.effective(p, KTMGravity(kappa_G=3 * p.kappa_G)))
    _assert_entrywise(linear.shift, 3 * expected, "gravity shift at 3κ_G")


@pytest.mark.parametrize("name", POINTS)
def test_log_negativities_equal_eq19(name):
    """E_N,q and E_N,c from the Gaussian states equal Eq. (19)'s (to 1e-12 relative)."""
    p = POINTS[name]
    comp = gs.gaussian.compare_gravity(rungs.effective(p, KTMGravity()))
    e_q = eq19_log_negativity(**_closed_form_args(p, kappa_G=0.0))
    e_c = eq19_log_negativity(**_closed_form_args(p))
    assert comp.E_N_quantum() == pytest.approx(float(e_q), rel=1e-12, abs=1e-15)
    assert comp.E_N_classical() == pytest.approx(float(e_c), rel=1e-12, abs=1e-15)


def test_the_covariance_sees_what_E_N_does_not():
    """At ``small`` with k_M = 0.03: the covariance at −k_M differs from that at +k_M in
    ⟨x_a p_a⟩, ⟨x_a p_b⟩, … by up to 0.09, far above the tolerance, while E_N is the same
    (to 1e-12): an entry-by-entry comparison is what pins the sign of k_M."""
    p = POINTS["small-k0.03-kG0.02"]
    plus = gs.gaussian.compare_gravity(rungs.effective(p, KTMGravity()))
    minus = gs.gaussian.compare_gravity(rungs.effective(p.replace(k_M=-0.03), KTMGravity()))
    assert np.max(np.abs(plus.quantum.covariance - minus.quantum.covariance)) > 0.05
    assert plus.E_N_quantum() == pytest.approx(minus.E_N_quantum(), rel=1e-12)
    assert plus.delta_E() == pytest.approx(minus.delta_E(), rel=1e-12)
