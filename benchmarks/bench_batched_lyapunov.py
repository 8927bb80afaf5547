"""Batched Gaussian steady states vs a Python loop over scipy's Lyapunov solver.

Both sides solve the same drift/diffusion matrices of a pump-strength grid (E₊ × E₋) in one
process; the ratio is what counts, not the absolute times.

Run:  python benchmarks/bench_batched_lyapunov.py [--points 10000] [--model effective]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy
from scipy.linalg import solve_continuous_lyapunov

import gravsim as gs
from gravsim import gaussian
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--model", default="effective", choices=("effective", "rwa"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    side = int(round(np.sqrt(args.points)))
    e_plus = np.linspace(20.0, 180.0, side)[:, None]
    e_minus = np.linspace(190.0, 400.0, side)[None, :]
    grid = gs.presets.get("paper").replace(E_plus=e_plus, E_minus=e_minus)
    description = models.build(args.model, grid, KTMGravity())
    a, d = gaussian.drift_diffusion(description)
    flat_a = a.reshape(-1, *a.shape[-2:])
    flat_d = d.reshape(-1, *d.shape[-2:])
    n = flat_a.shape[0]

    def batched() -> np.ndarray:
        return gaussian.solve_lyapunov(a, d)[0][0]

    def loop() -> list[np.ndarray]:
        return [solve_continuous_lyapunov(flat_a[i], -flat_d[i]) for i in range(n)]

    v_batch = batched().reshape(n, *a.shape[-2:])
    v_loop = np.array(loop())
    agreement = np.max(
        np.abs(v_batch - v_loop) / np.max(np.abs(v_loop), axis=(1, 2))[:, None, None]
    )

    t_batch = best_of(batched, args.repeat)
    t_loop = best_of(loop, max(1, args.repeat - 2))
    t_full = best_of(
        lambda: gaussian.compare_gravity(models.build(args.model, grid, KTMGravity())).delta_E(),
        args.repeat,
    )

    print(f"grid: {n} points ({side}x{side} in E_plus, E_minus), model {args.model}")
    print(f"numpy {np.__version__}, scipy {scipy.__version__}")
    print(f"python loop of solve_continuous_lyapunov : {t_loop * 1e3:9.1f} ms")
    print(f"gravsim batched solve_lyapunov           : {t_batch * 1e3:9.1f} ms")
    print(f"ratio (loop / batched)                    : {t_loop / t_batch:9.1f} x")
    print(f"gravsim full E_N,q, E_N,c, dE on the grid : {t_full * 1e3:9.1f} ms")
    print(f"max normwise difference batched vs loop   : {agreement:9.2e}")


if __name__ == "__main__":
    main()
