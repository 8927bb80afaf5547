"""Analytic reference systems that several test modules check against.

* :func:`thermal_oscillator`: one mechanical mode with its bath only; its steady state is
  thermal with occupation n̄ (``p.n_th``) exactly, on either backend.
* :func:`two_mode_squeezed_vacuum`: the double reservoir without thermal noise or coupling;
  its dark state (β₁ = a cosh r + b† sinh r annihilates it) is the two-mode squeezed vacuum,
  E_N = 2r exactly.
* :data:`PAPER_POINT`: the paper preset's effective (L3) steady state, E_N and ΔE in nats
  from the S2 Eq. (19) covariance evaluated in 50-digit arithmetic (tests/mp_reference.py).
"""

from __future__ import annotations

import numpy as np

import gravsim as gs
from gravsim.model import rungs
from gravsim.model.description import ModelDescription
from gravsim.model.gravity import QuantumGravity


def thermal_oscillator(p: gs.Parameters) -> ModelDescription:
    """One mechanical oscillator ``a`` with its thermal bath only (steady ⟨a†a⟩ = n̄)."""
    return ModelDescription(
        "thermal", ("a",), (), rungs.thermal_baths(p, ("a",)), p, QuantumGravity()
    )


def two_mode_squeezed_vacuum(r: float) -> ModelDescription:
    """The effective double-reservoir rung whose steady state has E_N = 2r (nats)."""
    p = gs.presets.get("small").replace(G_plus=0.2 * np.tanh(r), G_minus=0.2, gamma_m=0.0, k_M=0.0)
    return rungs.effective(p, QuantumGravity(), reservoir="double")


#: The paper preset, effective rung: E_N with KTM gravity and ΔE (nats), from the S2
#: Eq. (19) covariance in 50-digit arithmetic (``test_closed_form``), 11 and 9 digits.
PAPER_POINT = {"E_N_classical": 0.74757609837, "delta_E": 4.96528527e-8}
