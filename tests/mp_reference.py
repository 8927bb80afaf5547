"""Extended-precision (mpmath) references shared by the tests."""

from __future__ import annotations

import mpmath as mp
import numpy as np


def mp_log_negativity(v: mp.matrix) -> mp.mpf:
    def det2(m):
        return m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]

    va = v[0:2, 0:2]
    vb = v[2:4, 2:4]
    vc = v[0:2, 2:4]
    sigma = det2(va) + det2(vb) - 2 * det2(vc)
    delta = mp.det(v)
    nu2 = (sigma - mp.sqrt(sigma**2 - 4 * delta)) / 2
    return -mp.log(2 * mp.sqrt(nu2))


def mp_lyapunov(a: np.ndarray | mp.matrix, d: np.ndarray) -> mp.matrix:
    """Solve A V + V Aᵀ + D = 0 in the current mpmath precision (Kronecker system)."""
    am = a if isinstance(a, mp.matrix) else mp.matrix(a.tolist())
    m = am.rows
    big = mp.matrix(m * m, m * m)
    rhs = mp.matrix(m * m, 1)
    for i in range(m):
        for j in range(m):
            row = i * m + j
            rhs[row] = -mp.mpf(d[i, j])
            for k in range(m):
                big[row, k * m + j] += am[i, k]
                big[row, i * m + k] += am[j, k]
    sol = mp.lu_solve(big, rhs)
    return mp.matrix([[sol[i * m + j] for j in range(m)] for i in range(m)])


def mp_delta_E(model) -> tuple[mp.mpf, mp.mpf]:
    """ΔE and E_N,q of ``model`` (its ``"gravity"`` dissipators against none), with the float64
    A, D as exact inputs, solved in 50 digits."""
    from gravsim import gaussian

    a, d0 = gaussian.drift_diffusion(model, groups=("system",))
    _, d1 = gaussian.drift_diffusion(model, groups=("gravity",))
    with mp.workdps(50):
        v0 = mp_lyapunov(a, d0)
        v1 = mp_lyapunov(a, d1)
        idx = [0, 1, 2, 3]
        mech0 = mp.matrix([[v0[i, j] for j in idx] for i in idx])
        mech1 = mp.matrix([[v0[i, j] + v1[i, j] for j in idx] for i in idx])
        e_q = mp_log_negativity(mech0)
        return e_q - mp_log_negativity(mech1), e_q
