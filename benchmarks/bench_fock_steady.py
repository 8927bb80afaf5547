"""gravsim's Fock steady state vs plain ``qutip.steadystate(L)`` on the same Liouvillians.

Both run in this one process, on the three-mode RWA model (or the two-mode effective model)
of the ``small`` preset with KTM gravity, over increasing truncations.  For each size it
prints wall time, peak resident memory growth and E_N of both, and their ratio.

Plain QuTiP runs with its default solver and with ``solver="mkl_spsolve"`` (where QuTiP
finds MKL); ``--qutip-solvers`` picks.

Run:  python benchmarks/bench_fock_steady.py --model rwa --sizes 6,6,3 8,8,4
      python benchmarks/bench_fock_steady.py --model rwa --sizes 10,10,5 --skip-qutip-above 0
      (``--solver auto`` takes the cavity split above 10⁴ unknowns; ``--solver pardiso`` the
      direct LU)
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import qutip

import gravsim as gs
from gravsim import fock
from gravsim.analysis.entanglement import log_negativity_of_state
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def mechanical(rho: qutip.Qobj, n_modes: int) -> qutip.Qobj:
    return rho if n_modes == 2 else rho.ptrace([0, 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="rwa", choices=("rwa", "effective"))
    parser.add_argument("--preset", default="small")
    parser.add_argument("--sizes", nargs="+", default=["6,6,3", "8,8,4"])
    parser.add_argument("--solver", default="auto")
    parser.add_argument("--skip-qutip-above", type=int, default=70_000, help="L-dim limit")
    parser.add_argument(
        "--qutip-solvers",
        default="default,mkl_spsolve",
        help="plain qutip.steadystate solvers to compare (default: QuTiP's own, then MKL)",
    )
    args = parser.parse_args()

    p = gs.presets.get(args.preset)
    description = models.build(args.model, p, KTMGravity())
    print(
        f"model {args.model}, preset {args.preset}, qutip {qutip.__version__}, "
        f"MKL available to QuTiP: {qutip.settings.has_mkl}"
    )
    for text in args.sizes:
        dims = tuple(int(x) for x in text.split(","))
        liouvillian = fock.liouvillian(description, dims)
        ldim = liouvillian.shape[0]
        rss0 = peak_rss_gib()
        t0 = time.perf_counter()
        state = fock.steady_state(description, dims, solver=args.solver)
        t_ours = time.perf_counter() - t0
        e_ours = state.log_negativity()
        rss_ours = peak_rss_gib()
        line = (
            f"dims {dims} L-dim {ldim}: gravsim {state.report.solver} {t_ours:8.2f} s "
            f"E_N {e_ours:.12f} residual {state.report.residual:.1e} peak RSS {rss_ours:.2f} GiB"
        )
        print(line, flush=True)
        if ldim > args.skip_qutip_above:
            continue
        for qutip_solver in args.qutip_solvers.split(","):
            if qutip_solver == "mkl_spsolve" and not qutip.settings.has_mkl:
                continue
            kwargs = {} if qutip_solver == "default" else {"solver": qutip_solver}
            t0 = time.perf_counter()
            rho_q = qutip.steadystate(liouvillian, **kwargs)
            t_q = time.perf_counter() - t0
            e_q = log_negativity_of_state(mechanical(rho_q, len(dims)))
            print(
                f"    plain qutip.steadystate ({qutip_solver}) {t_q:8.2f} s E_N {e_q:.12f} "
                f"|dE_N| {abs(e_q - e_ours):.1e} ratio {t_q / t_ours:6.1f}x "
                f"peak RSS {max(peak_rss_gib(), rss0):.2f} GiB",
                flush=True,
            )
            np.testing.assert_allclose(e_q, e_ours, atol=1e-8)


if __name__ == "__main__":
    main()
