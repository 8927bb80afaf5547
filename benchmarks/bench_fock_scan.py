"""A Fock-backend scan with 2 workers (QuTiP's parallel_map) vs the serial map, one process tree.

Run:  python benchmarks/bench_fock_scan.py [--points 16] [--n-mech 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import gravsim as gs
from gravsim.workflows import scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=16)
    parser.add_argument("--n-mech", type=int, default=10)
    parser.add_argument("--solver", default="auto")
    args = parser.parse_args()
    p = gs.presets.get("small").replace(k_G=0.002)
    axes = [scan.parse_axis(f"G_plus=lin:0.02:0.09:{args.points}")]
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, workers, map_name in (("serial", 1, "serial"), ("2 workers", 2, "parallel")):
            t0 = time.perf_counter()
            scan.run(
                p,
                axes,
                Path(tmp) / label.replace(" ", "_"),
                backend="fock",
                n_mech=args.n_mech,
                workers=workers,
                map_name=map_name,
                solver=args.solver,
                plot=False,
                progress=False,
            )
            times[label] = time.perf_counter() - t0
    print(
        f"Fock scan, effective model, {args.points} points, n_mech {args.n_mech} "
        f"(3 truncations x 2 gravity models per point), solver {args.solver}"
    )
    for label, t in times.items():
        print(f"  {label:<10} {t:8.1f} s")
    print(f"  speed-up  {times['serial'] / times['2 workers']:8.2f} x")


if __name__ == "__main__":
    main()
