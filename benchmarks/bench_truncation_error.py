"""Fock truncation errors against the exact Gaussian values over random points: the
distribution of reported/true for E_N of both hypotheses and ΔE, on the effective and RWA
rungs, with the last two and three values of the ladder (the CI test's sweep, larger).

Random points in the presets' regime (κ = 1 ≫ G±, Ω; Ω ≳ Γ), as the CI test draws them
(tests/fock/test_truncation_error.py).  Effective rung: N from the tails (t(N) ≤ 3e-3,
6–10 levels); RWA rung: every (N, N_c) of --rwa-dims on points squeezed less (G₊/G₋
0.15–0.35).  A row counts where E_N,q's true error lies in [1e-6, 1e-2].  "envelope": the
error's size where the true error is accidentally small (a sign change of ΔE's error, the
cavity's and the mechanics' parts cancelling): the error at N−2 carried by the tails' ratio.

Run:  python benchmarks/bench_truncation_error.py --effective 300 --rwa 60
      (2 cores, ~15 min; PARDISO factorisations freed after each point)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fock.test_truncation_error import (  # noqa: E402  (the CI test's own sweep)
    _levels_for,
    _random_points,
    _ratios,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--effective", type=int, default=300, help="effective-rung points")
    parser.add_argument("--rwa", type=int, default=60, help="RWA-rung points")
    parser.add_argument("--rwa-dims", nargs="+", default=["6,6,3", "8,8,3", "8,8,4"])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rows, t0 = [], time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in _random_points(args.seed, args.effective):
            n = _levels_for(p, 3e-3)
            rows += [("effective",) + r for r in _ratios(p, "effective", (n, n), (2, 3))]
        t_eff = time.perf_counter() - t0
        for p in _random_points(args.seed + 1, args.rwa, squeeze=(0.15, 0.35)):
            for text in args.rwa_dims:
                dims = tuple(int(x) for x in text.split(","))
                try:
                    rows += [("rwa",) + r for r in _ratios(p, "rwa", dims, (3,))]
                except Exception as exc:  # noqa: BLE001  (a solver failure: say so, go on)
                    print(f"rwa {text}: {type(exc).__name__}: {str(exc)[:120]}")
    print(f"effective {t_eff:.0f} s, rwa {time.perf_counter() - t0 - t_eff:.0f} s")
    table(rows)


def table(rows: list[tuple]) -> None:
    """Markdown: per rung, quantity and values used, reported/true and reported/envelope."""
    groups = defaultdict(list)
    for rung, key, count, ratio, envelope in rows:
        groups[(rung, key, count)].append((ratio, envelope))
    print(
        "| rung | quantity | values | rows | min | q1 | median | q3 | max | max/envelope "
        "| <1 | >10 (envelope) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (rung, key, count), values in sorted(groups.items()):
        a = np.array(values)
        q = np.quantile(a[:, 0], [0, 0.25, 0.5, 0.75, 1])
        print(
            f"| {rung} | {key} | {count} | {len(a)} | "
            + " | ".join(f"{x:.2f}" for x in q)
            + f" | {a[:, 1].max():.2f} | {(a[:, 0] < 1).sum()} | {(a[:, 1] > 10).sum()} |"
        )


if __name__ == "__main__":
    main()
