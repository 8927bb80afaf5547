"""The Fock periodic state: harmonic balance against the period map, and against QuTiP's
``steadystate_fourier`` (matrix continued fractions) where QuTiP can express the model.

    python benchmarks/bench_periodic.py [--quick]

1. L0 (full driven model) and L1 on one truncation, both methods, in one process: wall time
   and the period-averaged E_N (they must agree to the period map's mesolve tolerance).
2. The period map on a ladder of truncations (``driven`` L0, 8×8×4 after 6×6×3): started
   from the smaller truncation's periodic state and preconditioned on it (two-grid, the
   default) against the earlier path (the averaged steady state as start, plain periods
   at this size) and against plain periods from the same start, in one process.
3. A driven damped oscillator H = Δa†a + F(a + a†)cos(ωt), κD[a] — one cos-drive operator,
   the form ``qutip.steadystate_fourier`` takes — at N levels: its ρ₀ (the period average)
   against gravsim's harmonic balance on the same model description.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import qutip  # noqa: E402

import gravsim as gs  # noqa: E402
from gravsim.fock import harmonic_balance, period_map, periodic  # noqa: E402
from gravsim.model import description, rungs  # noqa: E402
from gravsim.model.description import HamiltonianTerm, JumpOperator, ModelDescription  # noqa: E402
from gravsim.model.gravity import QuantumGravity  # noqa: E402


def ladder(preset: str, dims: tuple[int, ...]) -> None:
    """L0 and L1 by both methods."""
    p = gs.presets.get(preset)
    full = rungs.full(p, QuantumGravity())
    lin = description.quadratic_part(full, rung="linear", note="")
    average = rungs.period_average(rungs.linear(p, QuantumGravity()))
    w = full.base_frequency()
    for method in ("harmonic-balance", "period-map"):
        t0 = time.perf_counter()
        l0, shared = periodic.periodic_state(full, dims, average, method=method)
        t1 = time.perf_counter()
        l1, _ = periodic.periodic_state(lin, dims, average, method=method, omega0=w, shared=shared)
        t2 = time.perf_counter()
        print(
            f"{preset} {dims} {method:>16}: L0 {t1 - t0:7.1f} s  L1 {t2 - t1:7.1f} s  "
            f"E_N(L0) {l0.mean_log_negativity:.10f}  E_N(L1) {l1.mean_log_negativity:.10f}",
            flush=True,
        )


def two_grid(dims: tuple[int, ...], smaller: tuple[int, ...]) -> None:
    """The period map on ``dims`` after ``smaller``: two-grid against the earlier starts."""
    p = gs.presets.get("driven")
    full = rungs.full(p, QuantumGravity())
    average = rungs.period_average(rungs.linear(p, QuantumGravity()))
    coarse = period_map.periodic_state(
        full, smaller, period_map.averaged_start(full, average, smaller)
    )
    t0 = time.perf_counter()
    averaged = period_map.averaged_start(full, average, dims)
    runs = {"averaged start (before)": (averaged, None, time.perf_counter() - t0)}
    runs["smaller state, plain"] = (coarse.rho, False, 0.0)
    runs["smaller state, two-grid"] = (coarse.rho, None, 0.0)
    for name, (start, precondition, setup) in runs.items():
        t0 = time.perf_counter()
        state = period_map.periodic_state(full, dims, start, precondition=precondition)
        wall = setup + time.perf_counter() - t0
        print(
            f"driven L0 {dims} {name:>24}: {wall:6.1f} s, {state.periods} periods, "
            f"E_N {state.mean_log_negativity:.8f}",
            flush=True,
        )


def driven_oscillator(levels: int) -> None:
    """QuTiP's steadystate_fourier against gravsim's harmonic balance on one model."""
    delta, force, omega, kappa = 0.3, 0.4, 2.0, 1.0
    a = qutip.destroy(levels)
    t0 = time.perf_counter()
    h0, drive = delta * a.dag() * a, force * (a + a.dag())
    rho_q = qutip.steadystate_fourier(h0, [np.sqrt(kappa) * a], drive, omega, n_it=8)
    t1 = time.perf_counter()
    p = gs.presets.get("small")
    terms = (
        HamiltonianTerm(delta, (description.cre("a"), description.ann("a")), False, "Δ a†a"),
        HamiltonianTerm(force / 2, (description.ann("a"),), True, "F/2 a e^{−iωt}", omega),
        HamiltonianTerm(force / 2, (description.ann("a"),), True, "F/2 a e^{iωt}", -omega),
    )
    model = ModelDescription(
        rung="oscillator",
        modes=("a",),
        hamiltonian=terms,
        jumps=(JumpOperator(kappa, ((1.0, description.ann("a")),), "κ D[a]"),),
        parameters=p,
        gravity=QuantumGravity(),
        frame="lab",
        notes=(),
    )
    rhos, _, stats = harmonic_balance.periodic_coefficients(model, (levels,), omega0=omega)
    t2 = time.perf_counter()
    diff = np.abs(rhos[0] - rho_q.full()).max()
    print(
        f"driven oscillator N={levels}: qutip.steadystate_fourier {t1 - t0:.2f} s, gravsim "
        f"harmonic balance {t2 - t1:.2f} s ({stats['harmonics']} harmonics), "
        f"max |ρ₀ difference| {diff:.1e}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    two_grid((6, 6, 3) if args.quick else (8, 8, 4), (4, 4, 2) if args.quick else (6, 6, 3))
    for levels in (20, 40) if args.quick else (20, 40, 60):
        driven_oscillator(levels)
    cases = [("driven", (5, 5, 3)), ("small", (7, 7, 4)), ("driven", (7, 7, 4))]
    cases = cases[:1] if args.quick else cases
    for preset, dims in cases:
        ladder(preset, dims)


if __name__ == "__main__":
    main()
