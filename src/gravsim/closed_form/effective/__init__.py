"""Closed-form steady states of the effective two-mode model (paper S2 Eq. 19, S4 Eq. 24, Eq. 6).

This subpackage is gravsim's *independent check*: outside :mod:`gravsim.closed_form` it
imports nothing from the package but :mod:`gravsim.errors`, and writes its own
ladder→quadrature conversion and its own logarithmic negativity.
:mod:`~gravsim.closed_form.effective.eq19` holds the collective-reservoir results (S2 Eq. 19:
moments, covariance, E_N);
:mod:`~gravsim.closed_form.effective.eq24` the double-reservoir ones (S4 Eq. 24, the exact
ΔE, Eq. 6).  Physics and conventions: ``docs/physics.md``.

Model and conventions
---------------------
ħ = 1 and every rate or frequency is an **angular** frequency in rad/s.  Two mechanical modes
a, b obey the effective master equation of paper S1 Eq. (17), the **collective reservoir**::

    dρ/dt = −i[H, ρ] + γ(n̄+1)(D[a]+D[b])ρ + γn̄(D[a†]+D[b†])ρ
            + Γ D[β₁+β₂]ρ + 2κ_G(D[a]+D[a†]+D[b]+D[b†])ρ,
    H = Ω(a†a − b†b) + k(a†b + b†a),
    β₁ = a cosh r + b† sinh r,   β₂ = b cosh r + a† sinh r,   D[O]ρ = OρO† − ½{O†O, ρ},

with γ = ``gamma_m``, Γ = ``Gamma``, Ω = ``Omega``, k = ``k_M``, n̄ = ``n_th`` (dimensionless),
κ_G = ``kappa_G`` and r (dimensionless).  Note β₁ + β₂ = (a+b) cosh r + (a+b)† sinh r involves
the sum mode only: the difference mode is cooled only through the Ω mixing.  Quadratures are
X = (a+a†)/√2, P = −i(a−a†)/√2 (vacuum variance ½); the covariance matrix is
V_ij = ½⟨{R_i, R_j}⟩ with R = (X_a, P_a, X_b, P_b) (all first moments vanish).  n̄ and κ_G enter
every moment only through the combination n̄γ + 2κ_G (the KTM noise is an extra thermal
occupation 2κ_G/γ).

Which reservoir each closed form belongs to
-------------------------------------------
* :func:`eq19_moments`, :func:`eq19_covariance`, :func:`eq19_log_negativity` — paper S2
  Eq. (19): the exact steady state of the **collective** reservoir Γ D[β₁+β₂] above, any k, Ω.
* :func:`eq24_log_negativity` — paper S4 Eq. (24): **exact** for the **double** reservoir
  Γ(D[β₁] + D[β₂]) at k = 0 (any Ω); it is *not* the collective-reservoir result (the two
  differ by ≈ 3.6e-3 in E_N (nats) at the paper's reference point).
* :func:`eq24_delta_E` — exact difference E_N(κ_G = 0) − E_N(κ_G) of Eq. (24) (double
  reservoir, k = 0); :func:`eq6_delta_E` — paper Eq. (6), its first order in κ_G.

Every function has a ``*_from(p)`` twin reading the parameters from the attributes of ``p``
(e.g. a :class:`~gravsim.model.parameters.Parameters`).

Log base: ``base="e"`` (default) gives E_N in nats; ``base="2"`` in bits (= nats / ln 2).
"""

from gravsim.closed_form.effective.eq19 import (
    MOMENT_KEYS,
    eq19_covariance,
    eq19_covariance_from,
    eq19_delta_E_from,
    eq19_log_negativity,
    eq19_log_negativity_from,
    eq19_moments,
    eq19_moments_from,
)
from gravsim.closed_form.effective.eq24 import (
    eq6_delta_E,
    eq6_delta_E_from,
    eq24_delta_E,
    eq24_delta_E_from,
    eq24_log_negativity,
    eq24_log_negativity_from,
)

__all__ = [
    "MOMENT_KEYS",
    "eq19_moments",
    "eq19_covariance",
    "eq19_log_negativity",
    "eq24_log_negativity",
    "eq24_delta_E",
    "eq6_delta_E",
    "eq19_moments_from",
    "eq19_covariance_from",
    "eq19_log_negativity_from",
    "eq19_delta_E_from",
    "eq24_log_negativity_from",
    "eq24_delta_E_from",
    "eq6_delta_E_from",
]
