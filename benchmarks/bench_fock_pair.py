"""Two hypotheses in Fock space: one factorisation and the exact shift (``solve_pair``)
against two independent steady-state solves (``solve`` twice), in one process.

For each size: wall time of both, and ΔE from each against the exact Gaussian ΔE.

Run:  python benchmarks/bench_fock_pair.py --model effective --sizes 10,10 14,14 18,18
      python benchmarks/bench_fock_pair.py --model rwa --sizes 6,6,3 8,8,4
"""

from __future__ import annotations

import argparse
import time

import qutip

import gravsim as gs
from gravsim.fock import truncation
from gravsim.model import rungs
from gravsim.model.gravity import KTMGravity, QuantumGravity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="effective", choices=("rwa", "effective"))
    parser.add_argument("--preset", default="paper")
    parser.add_argument("--sizes", nargs="+", default=["10,10", "14,14"])
    args = parser.parse_args()
    p = gs.presets.get(args.preset)
    quantum, ktm = (rungs.build(args.model, p, g) for g in (QuantumGravity(), KTMGravity()))
    exact = gs.steady.compute(p, model=args.model).delta.value
    print(f"model {args.model}, preset {args.preset}, MKL: {qutip.settings.has_mkl}")
    print(f"exact Gaussian ΔE {exact:.10e}")
    for text in args.sizes:
        dims = tuple(int(x) for x in text.split(","))
        t0 = time.perf_counter()
        pair = truncation.solve_pair(quantum, ktm, dims, comparisons=0)
        t_pair = time.perf_counter() - t0
        d_pair = pair.delta_log_negativity().value
        t0 = time.perf_counter()
        a = truncation.solve(quantum, dims, comparisons=0).state
        b = truncation.solve(ktm, dims, comparisons=0).state
        t_two = time.perf_counter() - t0
        d_two = a.log_negativity() - b.log_negativity()
        print(
            f"{text:>8}  pair {t_pair:7.2f} s  two solves {t_two:7.2f} s  "
            f"ratio {t_two / t_pair:5.2f}x  ΔE pair {d_pair:.10e} (rel. to exact "
            f"{d_pair / exact - 1:+.2e})  two {d_two:.10e} ({d_two / exact - 1:+.2e})"
        )


if __name__ == "__main__":
    main()
