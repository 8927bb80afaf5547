"""The Fock periodic state of L0 or L1 by the faster of the two methods for the model.

* harmonic balance (:mod:`gravsim.fock.harmonic_balance`): one factorisation of the period
  average on the even half of Liouville space and GMRES over the Fourier coefficients; fast
  where the drive is fast against the damped dynamics (ω_m ≫ κ), where the harmonics couple
  weakly and the n ≠ 0 blocks are dominated by nω_m;
* the period map (:func:`gravsim.fock.period_map.periodic_state`): mesolve period by period,
  preconditioned by the averaged Liouvillian; its cost grows with the number of periods the
  state needs to settle, i.e. with ω_m over the slowest relaxation rate.

``"auto"`` takes harmonic balance for ω_m ≥ :data:`FAST_DRIVE`·κ.  Measured on 2 cores
(benchmarks/RESULTS.md, ``bench_periodic.py``, L0 + L1 on one truncation): ``small``
(ω_m = 20κ) 7×7×4, harmonic balance 41 s against the period map's 114 s; ``driven``
(ω_m = 5κ) 5×5×3, 13 s against 24 s, but 7×7×4, 843 s against 116 s: there the coherent
couplings inside L₀ are no longer small against ω_m, the diagonal preconditioner of the n ≠ 0
harmonics fails and GMRES needs hundreds of steps.
"""

from __future__ import annotations

from typing import Any

from gravsim.errors import GravsimInputError
from gravsim.fock import dynamics, harmonic_balance, period_map
from gravsim.model.description import ModelDescription

METHODS = ("auto", "harmonic-balance", "period-map")
#: ω_m/κ from which ``"auto"`` solves by harmonic balance.
FAST_DRIVE = 10.0


def choose(model: ModelDescription, method: str = "auto") -> str:
    """The method ``"auto"`` stands for on ``model`` (others returned as given)."""
    if method not in METHODS:
        raise GravsimInputError(
            f"unknown periodic-state method {method!r}: choose one of {', '.join(METHODS)}"
        )
    if method != "auto":
        return method
    p = model.parameters
    fast = float(p.omega_m) >= FAST_DRIVE * float(p.kappa)
    return "harmonic-balance" if fast else "period-map"


def periodic_state(
    model: ModelDescription,
    dims: tuple[int, ...],
    average: ModelDescription,
    *,
    base: str = "e",
    method: str = "auto",
    omega0: float | None = None,
    shared: Any = None,
    smaller: dynamics.FockPeriodicState | None = None,
    progress: Any = None,
) -> tuple[dynamics.FockPeriodicState, Any]:
    """The periodic state of ``model`` on ``dims`` by ``method``.

    ``average`` is the period average of the model's linearisation (the RWA rung in its
    frame), the period map's start; ``shared`` is what a previous call on a model with the
    same period average returned (the factorisation, or the start), ``omega0`` that call's
    base frequency.  ``smaller``: the periodic state of the same model on a smaller
    truncation, where the period map starts instead and preconditions on (harmonic balance
    needs no start).  Returns the state and what to share with the next such call.
    """
    if choose(model, method) == "harmonic-balance":
        return harmonic_balance.periodic_state(
            model, dims, base=base, omega0=omega0, average=shared, progress=progress
        )
    if smaller is not None:
        start = smaller.rho
    elif shared is not None:
        start = shared
    else:
        start = period_map.averaged_start(model, average, dims)
    return period_map.periodic_state(model, dims, start, base=base, progress=progress), start
