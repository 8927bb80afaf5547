"""Tests of gravsim.closed_form (paper S2 Eq. 19, S4 Eq. 24, Eq. 6).

The checks here are written independently of the module under test:

* the ten steady-state moment equations (derived from the collective-reservoir master
  equation, S1 Eq. 17, by d⟨O⟩/dt = Tr[O 𝓛ρ]) are coded below, both as residuals and as a
  10×10 linear system that is solved numerically (float64 and 50-digit mpmath);
* a generic Gaussian (Lyapunov) steady state is built directly from the Hamiltonian and the
  jump operators, for both the collective Γ D[β₁+β₂] and the double Γ(D[β₁]+D[β₂]) reservoir;
* the logarithmic negativity is recomputed from the symplectic eigenvalues of the partially
  transposed covariance (eigenvalues of iJṼ), not from the Σ/det formula.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import mpmath as mp
import numpy as np
import pytest
from scipy import constants as sc
from scipy.linalg import solve_continuous_lyapunov

from gravsim import closed_form as cf
from tests.reference_systems import PAPER_POINT

KEYS = ("a2", "b2", "ad2", "bd2", "abd", "adb", "ada", "ab", "bdb", "adbd")
TWO_PI = 2.0 * math.pi


def _reference() -> dict[str, float]:
    """Paper table S3 (rad/s)."""
    omega_m = TWO_PI * 50.0
    kappa = TWO_PI * 10.0
    g = TWO_PI * 1.0
    c_plus = 100.0 / math.sqrt(omega_m**2 + kappa**2 / 4)
    c_minus = 200.0 / math.sqrt(omega_m**2 + kappa**2 / 4)
    G_plus, G_minus = g * c_plus, g * c_minus
    return {
        "gamma_m": TWO_PI * 2e-9,
        "Gamma": 4.0 * (G_minus - G_plus) * (G_minus + G_plus) / kappa,
        "r": math.atanh(G_plus / G_minus),
        "Omega": TWO_PI * 0.5,
        "k_M": TWO_PI * 7e-10,
        "n_th": 1.0 / math.expm1(sc.hbar * omega_m / (sc.k * 0.01)),
        "kappa_G": TWO_PI * 7e-10,
    }


REF = _reference()
P1 = dict(gamma_m=0.01, Gamma=0.12, r=0.55, Omega=0.2, k_M=0.01, n_th=0.5, kappa_G=0.01)
P2 = dict(gamma_m=0.02, Gamma=1.0, r=0.9, Omega=0.7, k_M=-0.25, n_th=2.0, kappa_G=0.005)
P3 = dict(gamma_m=0.005, Gamma=2.0, r=0.3, Omega=0.5, k_M=0.4, n_th=10.0, kappa_G=0.0)
# not entangled (E_N clipped at 0), exercises the max(0, ·)
P4 = dict(gamma_m=0.3, Gamma=1.0, r=0.9, Omega=0.7, k_M=-0.25, n_th=2.0, kappa_G=0.05)
POINTS = {"ref": REF, "P1": P1, "P2": P2, "P3": P3, "P4": P4}


def _k0(p: dict[str, float]) -> dict[str, float]:
    return {key: p[key] for key in ("gamma_m", "Gamma", "r", "n_th", "kappa_G")}


# ---------------------------------------------------------------------------------------------
# Derived moment equations (collective reservoir), each as a list of terms summing to zero.
# ---------------------------------------------------------------------------------------------


def _equation_terms(m, p):
    g, G, W, k = p["gamma_m"], p["Gamma"], p["Omega"], p["k_M"]
    s2 = math.sinh(2 * p["r"])
    sh2 = math.sinh(p["r"]) ** 2
    N = p["n_th"] * g + 2 * p["kappa_G"]
    i = 1j
    return {
        "A": [(g + G + 2 * i * W) * m["a2"], (G + 2 * i * k) * m["ab"], G * s2 / 2],
        "B": [(g + G - 2 * i * W) * m["b2"], (G + 2 * i * k) * m["ab"], G * s2 / 2],
        "C": [(g + G - 2 * i * W) * m["ad2"], (G - 2 * i * k) * m["adbd"], G * s2 / 2],
        "D": [(g + G + 2 * i * W) * m["bd2"], (G - 2 * i * k) * m["adbd"], G * s2 / 2],
        "E": [
            (g + G + 2 * i * W) * m["abd"],
            (G / 2 - i * k) * m["ada"],
            (G / 2 + i * k) * m["bdb"],
            -G * sh2,
        ],
        "F": [
            (g + G - 2 * i * W) * m["adb"],
            (G / 2 + i * k) * m["ada"],
            (G / 2 - i * k) * m["bdb"],
            -G * sh2,
        ],
        "G": [
            (g + G) * m["ada"],
            (G / 2 + i * k) * m["adb"],
            (G / 2 - i * k) * m["abd"],
            -G * sh2,
            -N,
        ],
        "H": [(g + G) * m["ab"], (G / 2 + i * k) * m["a2"], (G / 2 + i * k) * m["b2"], G * s2 / 2],
        "I": [
            (g + G) * m["bdb"],
            (G / 2 + i * k) * m["abd"],
            (G / 2 - i * k) * m["adb"],
            -G * sh2,
            -N,
        ],
        "J": [
            (g + G) * m["adbd"],
            (G / 2 - i * k) * m["ad2"],
            (G / 2 - i * k) * m["bd2"],
            G * s2 / 2,
        ],
    }


def _linear_system(p, lib=np):
    """M x = rhs from the derived equations; x ordered as KEYS.  lib = np or mp."""
    if lib is np:
        g, G, W, k, n, kg, r = (
            p[key] for key in ("gamma_m", "Gamma", "Omega", "k_M", "n_th", "kappa_G", "r")
        )
        i, sinh, half = 1j, math.sinh, 0.5
        M = np.zeros((10, 10), dtype=complex)
        rhs = np.zeros(10, dtype=complex)
    else:
        g, G, W, k, n, kg, r = (
            mp.mpf(p[key]) for key in ("gamma_m", "Gamma", "Omega", "k_M", "n_th", "kappa_G", "r")
        )
        i, sinh, half = mp.mpc(0, 1), mp.sinh, mp.mpf(1) / 2
        M = mp.matrix(10, 10)
        rhs = mp.matrix(10, 1)
    s2, sh2, N = sinh(2 * r), sinh(r) ** 2, n * g + 2 * kg
    ix = {key: j for j, key in enumerate(KEYS)}
    rows = [
        ({"a2": g + G + 2 * i * W, "ab": G + 2 * i * k}, -G * s2 * half),
        ({"b2": g + G - 2 * i * W, "ab": G + 2 * i * k}, -G * s2 * half),
        ({"ad2": g + G - 2 * i * W, "adbd": G - 2 * i * k}, -G * s2 * half),
        ({"bd2": g + G + 2 * i * W, "adbd": G - 2 * i * k}, -G * s2 * half),
        ({"abd": g + G + 2 * i * W, "ada": G * half - i * k, "bdb": G * half + i * k}, G * sh2),
        ({"adb": g + G - 2 * i * W, "ada": G * half + i * k, "bdb": G * half - i * k}, G * sh2),
        ({"ada": g + G, "adb": G * half + i * k, "abd": G * half - i * k}, G * sh2 + N),
        ({"ab": g + G, "a2": G * half + i * k, "b2": G * half + i * k}, -G * s2 * half),
        ({"bdb": g + G, "abd": G * half + i * k, "adb": G * half - i * k}, G * sh2 + N),
        ({"adbd": g + G, "ad2": G * half - i * k, "bd2": G * half - i * k}, -G * s2 * half),
    ]
    for row, (coeffs, b) in enumerate(rows):
        for key, c in coeffs.items():
            M[row, ix[key]] = c
        rhs[row] = b
    return M, rhs


# ---------------------------------------------------------------------------------------------
# Independent Gaussian machinery
# ---------------------------------------------------------------------------------------------

_J = np.kron(np.eye(2), np.array([[0.0, 1.0], [-1.0, 0.0]]))
_S2 = 1.0 / math.sqrt(2.0)
# ladder operators as row vectors over R = (X_a, P_a, X_b, P_b)
_A = np.array([1, 1j, 0, 0]) * _S2
_AD = np.array([1, -1j, 0, 0]) * _S2
_B = np.array([0, 0, 1, 1j]) * _S2
_BD = np.array([0, 0, 1, -1j]) * _S2


def _lyapunov_covariance(p, reservoir: str) -> np.ndarray:
    """Steady V from A V + V Aᵀ + D = 0, A = J(H_m + Im C†C), D = J Re(C†C) Jᵀ."""
    g, G, W, k, n, kg, r = (
        p[key] for key in ("gamma_m", "Gamma", "Omega", "k_M", "n_th", "kappa_G", "r")
    )
    # H = Ω(a†a − b†b) + k(a†b + b†a) = ½ Rᵀ H_m R + const, H_m = 2 Re Σ h_ij conj(u_i)ᵀ u_j
    terms = [(W, _A, _A), (-W, _B, _B), (k, _A, _B), (k, _B, _A)]
    Hm = 2.0 * sum(h * np.outer(np.conj(u), v) for h, u, v in terms).real
    ch, sh = math.cosh(r), math.sinh(r)
    beta1, beta2 = ch * _A + sh * _BD, ch * _B + sh * _AD
    jumps = [
        (g * (n + 1), _A),
        (g * (n + 1), _B),
        (g * n, _AD),
        (g * n, _BD),
        (2 * kg, _A),
        (2 * kg, _AD),
        (2 * kg, _B),
        (2 * kg, _BD),
    ]
    if reservoir == "collective":
        jumps.append((G, beta1 + beta2))
    elif reservoir == "double":
        jumps += [(G, beta1), (G, beta2)]
    else:
        raise ValueError(reservoir)
    C = np.array([math.sqrt(rate) * u for rate, u in jumps])
    CC = C.conj().T @ C
    A = _J @ (Hm + CC.imag)
    D = _J @ CC.real @ _J.T
    V = solve_continuous_lyapunov(A, -D)
    return 0.5 * (V + V.T)


def _en_symplectic(V: np.ndarray) -> float:
    """E_N (nats) from the smallest symplectic eigenvalue of the partial transpose."""
    T = np.diag([1.0, 1.0, 1.0, -1.0])
    Vt = T @ V @ T
    nu = np.sort(np.abs(np.linalg.eigvals(1j * _J @ Vt)))
    return max(0.0, -math.log(2.0 * nu[0]))


def _double_reservoir_V(p) -> np.ndarray:
    """k = 0 double-reservoir steady state V = [Γ/2 SSᵀ + ((2n̄+1)γ/2 + 2κ_G) I]/(γ+Γ)."""
    g, G, n, kg, r = (p[key] for key in ("gamma_m", "Gamma", "n_th", "kappa_G", "r"))
    c2, s2 = math.cosh(2 * r), math.sinh(2 * r)
    Z = np.diag([1.0, -1.0])
    SST = np.block([[c2 * np.eye(2), -s2 * Z], [-s2 * Z, c2 * np.eye(2)]])  # TMSV: ⟨ab⟩ < 0
    return (0.5 * G * SST + ((2 * n + 1) * g / 2 + 2 * kg) * np.eye(4)) / (g + G)


def _mp_covariance(x):
    """50-digit covariance from the moment vector x (ordered as KEYS), generic conversion."""
    m = dict(zip(KEYS, [x[j] for j in range(10)], strict=True))
    half = mp.mpf(1) / 2
    # symmetrised ½⟨{c_k, c_l}⟩ for c = (a, a†, b, b†)
    sym = [
        [m["a2"], m["ada"] + half, m["ab"], m["abd"]],
        [m["ada"] + half, m["ad2"], m["adb"], m["adbd"]],
        [m["ab"], m["adb"], m["b2"], m["bdb"] + half],
        [m["abd"], m["adbd"], m["bdb"] + half, m["bd2"]],
    ]
    s = 1 / mp.sqrt(2)
    i = mp.mpc(0, 1)
    # R_i = Σ_k U[i][k] c_k
    U = [[s, s, 0, 0], [-i * s, i * s, 0, 0], [0, 0, s, s], [0, 0, -i * s, i * s]]
    V = mp.matrix(4, 4)
    for a in range(4):
        for b in range(4):
            V[a, b] = mp.re(
                mp.fsum(U[a][k] * U[b][ll] * sym[k][ll] for k in range(4) for ll in range(4))
            )
    return V


def _mp_en(V):
    def det2(i0, j0):
        return V[i0, j0] * V[i0 + 1, j0 + 1] - V[i0, j0 + 1] * V[i0 + 1, j0]

    sigma = det2(0, 0) + det2(2, 2) - 2 * det2(0, 2)
    dv = mp.det(V)
    nu2 = (sigma - mp.sqrt(sigma**2 - 4 * dv)) / 2
    return max(mp.mpf(0), -mp.log(4 * nu2) / 2)


def _mp_eq19(p):
    with mp.workdps(50):
        M, rhs = _linear_system(p, lib=mp)
        return _mp_en(_mp_covariance(mp.lu_solve(M, rhs)))


# ---------------------------------------------------------------------------------------------
# 1. Eq. 19 satisfies the derived equations
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(POINTS))
def test_eq19_satisfies_moment_equations(name):
    p = POINTS[name]
    m = {key: complex(v) for key, v in cf.eq19_moments(**p).items()}
    for eq, terms in _equation_terms(m, p).items():
        scale = max(abs(t) for t in terms)
        assert abs(sum(terms)) <= 1e-12 * scale, (name, eq)


def test_ocr_prefactor_of_cross_moments_is_minus_one():
    """With +1 (or ±i) instead of −1 in ⟨ab†⟩, ⟨a†b⟩ equation (E) fails."""
    m = {key: complex(v) for key, v in cf.eq19_moments(**P1).items()}
    for factor in (-1.0, 1j, -1j):
        bad = dict(m, abd=factor * m["abd"], adb=factor * m["adb"])
        terms = _equation_terms(bad, P1)["E"]
        assert abs(sum(terms)) > 1e-3 * max(abs(t) for t in terms)


# ---------------------------------------------------------------------------------------------
# 2. Independent numerical solutions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(POINTS))
def test_eq19_matches_linear_solve(name):
    p = POINTS[name]
    M, rhs = _linear_system(p)
    x = np.linalg.solve(M, rhs)
    m = cf.eq19_moments(**p)
    # the 4×4 {ab†, a†b, a†a, b†b} block has an eigenvalue ~γ: condition ~1/γ at "ref"
    rtol = 1e-7 if name == "ref" else 1e-12
    scale = max(abs(x))
    for j, key in enumerate(KEYS):
        assert abs(complex(m[key]) - x[j]) <= rtol * scale, key


@pytest.mark.parametrize("name", ["P1", "P2", "P3", "P4"])
def test_eq19_covariance_matches_lyapunov(name):
    p = POINTS[name]
    V = cf.eq19_covariance(**p)
    V_ly = _lyapunov_covariance(p, "collective")
    np.testing.assert_allclose(V, V_ly, rtol=0, atol=1e-11 * np.abs(V_ly).max())
    assert np.allclose(V, V.T, rtol=0, atol=1e-15)
    en = cf.eq19_log_negativity(**p)
    assert en == pytest.approx(_en_symplectic(V_ly), rel=1e-10, abs=1e-13)
    assert (en > 0.01) == (name != "P4")


def test_eq19_reference_against_mpmath():
    p = REF
    en_mp = _mp_eq19(p)
    en0_mp = _mp_eq19(dict(p, kappa_G=0.0))
    en = cf.eq19_log_negativity(**p)
    en0 = cf.eq19_log_negativity(**dict(p, kappa_G=0.0))
    assert en == pytest.approx(float(en_mp), rel=1e-13)
    # float64 difference: absolute error ~1e-16 on ΔE ≈ 5e-8
    assert en0 - en == pytest.approx(float(en0_mp - en_mp), rel=1e-7)
    assert float(en_mp) == pytest.approx(PAPER_POINT["E_N_classical"], rel=1e-10)
    assert float(en0_mp - en_mp) == pytest.approx(PAPER_POINT["delta_E"], rel=1e-8)
    # covariance at the reference point also matches an explicit Lyapunov solve
    V = cf.eq19_covariance(**p)
    np.testing.assert_allclose(V, _lyapunov_covariance(p, "collective"), rtol=0, atol=1e-7)


def test_broadcasting_and_wrappers():
    gammas = np.array([0.01, 0.02, 0.05])
    m = cf.eq19_moments(**dict(P1, gamma_m=gammas))
    assert all(m[key].shape == (3,) for key in KEYS)
    V = cf.eq19_covariance(**dict(P1, gamma_m=gammas[:, None], Omega=np.array([0.2, 0.3])))
    assert V.shape == (3, 2, 4, 4)
    en = cf.eq19_log_negativity(**dict(P1, gamma_m=gammas))
    for j, gj in enumerate(gammas):
        assert en[j] == pytest.approx(cf.eq19_log_negativity(**dict(P1, gamma_m=gj)), rel=1e-14)
    obj = SimpleNamespace(**P2)
    assert cf.eq19_log_negativity_from(obj) == cf.eq19_log_negativity(**P2)
    assert cf.eq24_log_negativity_from(obj) == cf.eq24_log_negativity(**_k0(P2))
    assert cf.eq24_delta_E_from(obj) == cf.eq24_delta_E(**_k0(P2))
    assert cf.eq6_delta_E_from(obj) == cf.eq6_delta_E(**_k0(P2))
    np.testing.assert_array_equal(cf.eq19_covariance_from(obj), cf.eq19_covariance(**P2))
    assert cf.eq19_moments_from(obj)["ada"] == cf.eq19_moments(**P2)["ada"]
    with pytest.raises(ValueError):
        cf.eq24_log_negativity(**_k0(P2), base="10")


# ---------------------------------------------------------------------------------------------
# 3. Eq. 24 is the double-reservoir result at k = 0, not the collective one
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(POINTS))
def test_eq24_exact_for_double_reservoir_k0(name):
    p = dict(POINTS[name], k_M=0.0)
    V = _double_reservoir_V(p)
    assert cf.eq24_log_negativity(**_k0(p)) == pytest.approx(_en_symplectic(V), rel=1e-12)
    if name != "ref":  # Lyapunov solve from the jump operators, any Ω
        V_ly = _lyapunov_covariance(p, "double")
        np.testing.assert_allclose(V, V_ly, rtol=0, atol=1e-12 * np.abs(V).max())


def test_eq24_differs_from_collective_at_reference():
    p = REF
    en19 = cf.eq19_log_negativity(**p)
    en24 = cf.eq24_log_negativity(**_k0(p))
    # measured: E_N(Eq.24) − E_N(Eq.19) = 3.6160e-3 nats (Eq.19 0.747576, Eq.24 0.751192)
    assert en24 - en19 == pytest.approx(3.61596e-3, rel=1e-4)
    assert en19 == pytest.approx(0.7475761, rel=1e-6)
    assert en24 == pytest.approx(0.7511921, rel=1e-6)
    # ΔE: collective 4.96529e-8 vs double 4.92988e-8 nats (relative difference 7.2e-3)
    dE19 = cf.eq19_log_negativity(**dict(p, kappa_G=0.0)) - en19
    dE24 = cf.eq24_delta_E(**_k0(p))
    assert dE19 == pytest.approx(4.96529e-8, rel=1e-5)
    assert dE24 == pytest.approx(4.92988e-8, rel=1e-5)
    assert (dE19 - dE24) / dE24 == pytest.approx(7.18e-3, rel=1e-2)
    # the collective result at k = 0 is equally far from Eq. 24: the gap is not a k effect
    en19_k0 = cf.eq19_log_negativity(**dict(p, k_M=0.0))
    assert en24 - en19_k0 == pytest.approx(3.61596e-3, rel=1e-4)


# ---------------------------------------------------------------------------------------------
# 4. ΔE: Eq. 24 exact difference vs mpmath, Eq. 6 first order
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(POINTS))
def test_eq24_delta_E_against_mpmath(name):
    p = _k0(POINTS[name])
    with mp.workdps(50):
        g, G, r, n, kg = (mp.mpf(p[key]) for key in ("gamma_m", "Gamma", "r", "n_th", "kappa_G"))

        def en(kappa):
            return max(
                mp.mpf(0), -mp.log(((2 * n + 1) * g + 4 * kappa + G * mp.exp(-2 * r)) / (g + G))
            )

        exact = en(mp.mpf(0)) - en(kg)
        en_mp = en(kg)
    got = cf.eq24_delta_E(**p)
    if exact == 0:
        assert got == 0
    else:
        assert got == pytest.approx(float(exact), rel=1e-12)
    assert cf.eq24_log_negativity(**p) == pytest.approx(float(en_mp), rel=1e-13, abs=1e-300)


def test_eq6_first_order_of_eq24():
    p = _k0(REF)
    d24 = cf.eq24_delta_E(**p)
    d6 = cf.eq6_delta_E(**p)
    assert d24 == pytest.approx(4.92988e-8, rel=1e-5)
    assert (d6 - d24) / d24 == pytest.approx(d24 / 2, rel=1e-4)
    # a point with a larger ΔE: relative difference u/log1p(u) − 1 ≈ ΔE/2 (to O(ΔE²))
    q = dict(gamma_m=0.01, Gamma=1.0, r=0.8, n_th=1.0, kappa_G=0.005)
    d24q, d6q = cf.eq24_delta_E(**q), cf.eq6_delta_E(**q)
    assert 0.02 < d24q < 0.2
    assert (d6q - d24q) / d24q == pytest.approx(d24q / 2, rel=0.1)


# ---------------------------------------------------------------------------------------------
# 5. Log base
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(POINTS))
def test_base_two(name):
    p = POINTS[name]
    ln2 = math.log(2.0)
    assert cf.eq19_log_negativity(**p, base="2") == pytest.approx(
        cf.eq19_log_negativity(**p) / ln2, rel=1e-15
    )
    for fn in (cf.eq24_log_negativity, cf.eq24_delta_E, cf.eq6_delta_E):
        assert fn(**_k0(p), base="2") == pytest.approx(fn(**_k0(p)) / ln2, rel=1e-15)


def test_eq19_delta_E_is_its_own_and_agrees_with_the_lyapunov_solve():
    """The closed form's ΔE (written apart, from its own invariants' shifts) equals the
    Gaussian backend's (a Lyapunov solve of the shift) across a batch where ΔE/E_N runs from
    1e-8 to 1e-7 (their covariances agree to 1e-10), and the plain difference of E_N where
    that has digits to spare (``small``, ΔE ≈ 0.5)."""
    import gravsim as gs
    from gravsim.gaussian import compare_gravity
    from gravsim.model import rungs
    from gravsim.model.gravity import KTMGravity

    grid = gs.presets.get("paper").replace(Q_m=np.logspace(11, 20, 6))
    lyapunov = compare_gravity(rungs.effective(grid, KTMGravity())).delta_E()
    np.testing.assert_allclose(cf.eq19_delta_E_from(grid), lyapunov, rtol=1e-9)
    small = gs.presets.get("small")
    plain = cf.eq19_log_negativity_from(small.replace(kappa_G=0.0)) - cf.eq19_log_negativity_from(
        small
    )
    assert cf.eq19_delta_E_from(small) == pytest.approx(plain, rel=1e-13)
    assert cf.eq19_delta_E_from(small, base="2") == pytest.approx(plain / math.log(2), rel=1e-13)
