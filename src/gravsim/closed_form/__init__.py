"""Closed forms: the paper's formulas, written apart from the model on purpose.

:mod:`~gravsim.closed_form.effective` holds the effective two-mode results (S2/S4: Eq. 19
covariance, Eq. 24 E_N and ΔE, Eq. 6); :mod:`~gravsim.closed_form.conventional` the
conventional scheme's exact transient.  They are the independent check of both backends, so
they import nothing from them: only parameters and the covariance-level entanglement measure.
"""

from gravsim.closed_form import conventional
from gravsim.closed_form.effective import (
    eq6_delta_E,
    eq6_delta_E_from,
    eq19_covariance,
    eq19_covariance_from,
    eq19_log_negativity,
    eq19_log_negativity_from,
    eq19_moments,
    eq19_moments_from,
    eq24_delta_E,
    eq24_delta_E_from,
    eq24_log_negativity,
    eq24_log_negativity_from,
)

__all__ = [
    "conventional",
    "eq6_delta_E",
    "eq6_delta_E_from",
    "eq19_covariance",
    "eq19_covariance_from",
    "eq19_log_negativity",
    "eq19_log_negativity_from",
    "eq19_moments",
    "eq19_moments_from",
    "eq24_delta_E",
    "eq24_delta_E_from",
    "eq24_log_negativity",
    "eq24_log_negativity_from",
]
