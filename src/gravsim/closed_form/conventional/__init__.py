r"""The conventional scheme: gravity alone entangles two thermal oscillators (a transient).

:mod:`~gravsim.closed_form.conventional.modes` validates the rates and holds the normal modes
and the fast phase; :mod:`~gravsim.closed_form.conventional.transient` the exact propagator,
V(t) and E_N(t) from the vacuum (and the steady state);
:mod:`~gravsim.closed_form.conventional.maximum` the maximum over time and its first-order
and saturated values; :mod:`~gravsim.closed_form.conventional.threshold` the damping
threshold γ*.  Parameters are named as in :class:`~gravsim.model.parameters.Parameters`
(``omega_m``, ``k_M``, ``gamma_m``, ``n_th``, ``kappa_G``); the ``*_from(p)`` functions read
them from ``p``'s attributes.
Physics and conventions: ``docs/physics.md``.

Model (ħ = 1; every rate and frequency is angular, rad/s)
----------------------------------------------------------
Two identical mechanical oscillators a, b at ω_m, lab frame, no rotating-wave approximation,
coupled only by gravity (k = ``k_M``), each with its own thermal bath (γ = ``gamma_m``,
n̄ = ``n_th``); KTM (classical) gravity adds measurement noise::

    H = ω_m (a†a + b†b) + k (a + a†)(b + b†)
    L = γ(n̄+1) D[a] + γ n̄ D[a†] + γ(n̄+1) D[b] + γ n̄ D[b†]
        + 2κ_G D[a + a†] + 2κ_G D[b + b†]          (κ_G = 0: quantum gravity)

With R = (x_a, p_a, x_b, p_b), x = (a + a†)/√2, p = −i(a − a†)/√2 and V = ½⟨{R, Rᵀ}⟩
(vacuum V = ½ I) the state stays Gaussian, dV/dt = A V + V Aᵀ + D, with::

    A = [[-γ/2, ω_m, 0, 0], [-ω_m, -γ/2, -2k, 0], [0, 0, -γ/2, ω_m], [-2k, 0, -ω_m, -γ/2]]
    D = diag(d_th, d_th + 4κ_G, d_th, d_th + 4κ_G),   d_th = γ(2n̄+1)/2.

(2κ_G D[a+a†] = 4κ_G D[x_a] diffuses p_a only, at rate 4κ_G.)  These A and D were checked
against a QuTiP Liouvillian on truncated Fock spaces (moment equations agree to 1e-15).
The normal modes x± = (x_a ± x_b)/√2 (same for p) decouple exactly: 2k x_a x_b =
k(x₊² − x₋²), so each obeys A± = [[−γ/2, ω_m], [−w±, −γ/2]] with w± = ω_m ± 2k, the same
thermal diffusion d_th·I and KTM diffusion 4κ_G in p±.  From the vacuum (also ½ I in the
normal modes) the ± modes stay uncorrelated, and V_a = V_b = (V₊ + V₋)/2,
V_ab = (V₊ − V₋)/2.
"""

from gravsim.closed_form.conventional.maximum import (
    TransientMaximum,
    first_order_maximum,
    saturated_log_negativity,
    saturated_log_negativity_from,
    transient_maximum,
    transient_maximum_from,
)
from gravsim.closed_form.conventional.modes import _phase_mod_pi, _scheme  # noqa: F401 (tests)
from gravsim.closed_form.conventional.threshold import (
    threshold_gamma,
    threshold_gamma_estimate,
    threshold_gamma_estimate_from,
)
from gravsim.closed_form.conventional.transient import (
    covariance,
    covariance_deviation,
    log_negativity_transient,
)

__all__ = [
    "TransientMaximum",
    "covariance",
    "covariance_deviation",
    "first_order_maximum",
    "log_negativity_transient",
    "saturated_log_negativity",
    "saturated_log_negativity_from",
    "threshold_gamma",
    "threshold_gamma_estimate",
    "threshold_gamma_estimate_from",
    "transient_maximum",
    "transient_maximum_from",
]
