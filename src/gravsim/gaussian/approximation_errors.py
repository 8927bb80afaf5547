"""Leading-order error estimates of the ladder's two Gaussian approximations, derived.

Each estimate is the leading term(s) of a perturbation expansion of the upper rung about the
lower one, evaluated with its coefficient (nothing fitted, nothing read from the difference it
is compared with); ``gravsim validate`` checks the measured difference of the two rungs against
it.  Both return, for E_N of quantum gravity, E_N of the hypothesis and ΔE, the predicted
(upper − lower) difference.

Adiabatic elimination (L2 → L3): the cavity-correlation-time series
    With L2's drift in blocks over mechanics m and cavity c, T = −A_cc⁻¹ (the cavity's response
    time, 2/κ for a resonant cavity) and V = [[V, X], [Xᵀ, C]], the stationary Lyapunov equation
    reads A_mm V + V A_mmᵀ + A_mc Xᵀ + X A_mcᵀ + D_m = 0, X = (A_mm X + A_mc C + V A_cmᵀ)Tᵀ,
    A_cc C + C A_ccᵀ + A_cm X + Xᵀ A_cmᵀ + D_c = 0.  At fixed slow rates (Ω, Γ = 4G²/κ, k_M,
    γ_m n̄, κ_G) A_mc A_cm ∝ κ, so X = O(κ^{−1/2}) and the equations can be solved order by order
    in 1/κ::

        order 0: C₀ solves A_cc C₀ + C₀A_ccᵀ + D_c = 0 (the cavity's own noise),
                 A_eff V₀ + V₀A_effᵀ + D_m + A_mc(TC₀ + C₀Tᵀ)A_mcᵀ = 0,
                 A_eff = A_mm + A_mc T A_cm            (this is L3: the adiabatic elimination)
        order k ≥ 1: C_k from A_cc C_k + C_k A_ccᵀ + A_cm X_{k−1} + X_{k−1}ᵀA_cmᵀ = 0,
                 S_k = A_mc T(X_{k−1}ᵀ A_mmᵀ + C_k A_mcᵀ),  A_eff V_k + V_k A_effᵀ + S_k + S_kᵀ = 0,
        with X_k = (A_mm X_{k−1} + A_mc C_k + V_k A_cmᵀ)Tᵀ, X₀ = (A_mc C₀ + V₀A_cmᵀ)Tᵀ.

    V_k is of order κ^{−k}.  The first order holds the (G/κ)² = Γ/4κ corrections (the
    mechanics' admixture of cavity and its finite response time), the second the (Ω/κ)² ones
    (the reservoir seen at the mechanical frequencies ±Ω, off the centre of the cavity line);
    the first-order terms nearly cancel at the presets, so the estimate keeps both orders:
    E_N(V₀ + V₁ + V₂) − E_N(V₀).  The series sums to the exact L2 state (checked to 1e-8 at six
    orders in the tests); two orders give 96–100 % of L2 − L3 on the presets.  The gravity
    shift is linear in its diffusion and is expanded the same way (its D_c = 0).

Rotating-wave approximation (L1 → L2): the counter-rotating sidebands to second order
    E_N of L2 plus the terms of :mod:`gravsim.model.corrections` minus E_N of L2, both by the
    Lyapunov solver.  L1's E_N is the period average of its Floquet state; the micromotion
    adds to it only at order (G/ω_m)², below the terms kept.
"""

from __future__ import annotations

import numpy as np

from gravsim.analysis.entanglement import delta_log_negativity, log_negativity
from gravsim.gaussian.lyapunov import compare_gravity, solve_lyapunov
from gravsim.gaussian.moments import check_stable, split_gravity
from gravsim.model.corrections import rwa_second_order
from gravsim.model.description import ModelDescription
from gravsim.model.gravity import PositionDiffusion
from gravsim.model.parameters import Parameters
from gravsim.model.rungs import rwa

#: Orders of the cavity-correlation-time series the adiabatic estimate keeps.
ADIABATIC_ORDERS = 2


def _lyapunov(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    ((v, _),) = solve_lyapunov(a, 0.5 * (d + d.T))
    return v


def cavity_series(model: ModelDescription, d: np.ndarray, orders: int) -> list[np.ndarray]:
    """V₀, V₁, …, V_orders of the series in the module docstring for diffusion ``d``.

    ``model`` is a three-mode static model with a cavity ``c`` (L2); its drift is read from
    it, ``d`` is the full (6, 6) diffusion to expand (the system's, or a gravity shift's).
    Returns the mechanical (x_a, p_a, x_b, p_b) covariances of each order.
    """
    a_full = split_gravity(model)[0]
    check_stable(a_full, model)
    mech = [2 * model.modes.index(m) + k for m in ("a", "b") for k in (0, 1)]
    cav = [2 * model.modes.index("c") + k for k in (0, 1)]

    def block(x: np.ndarray, rows: list[int], cols: list[int]) -> np.ndarray:
        return x[np.ix_(rows, cols)]

    a_mm, a_mc = block(a_full, mech, mech), block(a_full, mech, cav)
    a_cm, a_cc = block(a_full, cav, mech), block(a_full, cav, cav)
    t = -np.linalg.inv(a_cc)
    a_eff = a_mm + a_mc @ t @ a_cm
    d_c = block(d, cav, cav)
    c = _lyapunov(a_cc, d_c) if np.any(d_c) else np.zeros((2, 2))
    v = [_lyapunov(a_eff, block(d, mech, mech) + a_mc @ (t @ c + c @ t.T) @ a_mc.T)]
    x = (a_mc @ c + v[0] @ a_cm.T) @ t.T
    for _ in range(orders):
        c = _lyapunov(a_cc, a_cm @ x + x.T @ a_cm.T)
        s = a_mc @ t @ (x.T @ a_mm.T + c @ a_mc.T)
        v.append(_lyapunov(a_eff, s + s.T))
        x = (a_mm @ x + a_mc @ c + v[-1] @ a_cm.T) @ t.T
    return v


def _triple(v: np.ndarray, shift: np.ndarray, base: str) -> np.ndarray:
    """E_N,q, E_N of the hypothesis and ΔE of covariance ``v`` and gravity shift ``shift``."""
    return np.array(
        [
            log_negativity(v, base),
            log_negativity(v + shift, base),
            delta_log_negativity(v, shift, base),
        ]
    )


def adiabatic(
    p: Parameters, hypothesis: PositionDiffusion, base: str = "e", orders: int = ADIABATIC_ORDERS
) -> np.ndarray:
    """Predicted L2 − L3 of (E_N,q, E_N of ``hypothesis``, ΔE): the series to ``orders``."""
    model = rwa(p, hypothesis)
    _, d0, d1 = split_gravity(model)
    v = cavity_series(model, d0, orders)
    s = cavity_series(model, d1, orders)
    return _triple(sum(v), sum(s), base) - _triple(v[0], s[0], base)


def rotating_wave(p: Parameters, hypothesis: PositionDiffusion, base: str = "e") -> np.ndarray:
    """Predicted L1 − L2 of (E_N,q, E_N of ``hypothesis``, ΔE): the sidebands' terms."""
    values = []
    for model in (rwa_second_order(p, hypothesis), rwa(p, hypothesis)):
        comp = compare_gravity(model)
        values.append(
            np.array([comp.E_N_quantum(base), comp.E_N_classical(base), comp.delta_E(base)])
        )
    return values[0] - values[1]
