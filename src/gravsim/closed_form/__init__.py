"""Closed forms: the paper's formulas, written apart from the model on purpose.

:mod:`~gravsim.closed_form.effective` holds the effective two-mode results (S2/S4: Eq. 19
covariance, Eq. 24 E_N and ΔE, Eq. 6); :mod:`~gravsim.closed_form.conventional` the
conventional scheme's exact transient.  They are the independent check of both backends, so
they import nothing from them: only parameters and the covariance-level entanglement measure.
"""

from gravsim.closed_form import conventional, effective
from gravsim.closed_form.effective import *  # noqa: F403  (the names of effective.__all__)
from gravsim.closed_form.ideal import require_ideal

__all__ = ["conventional", "require_ideal", *effective.__all__]
