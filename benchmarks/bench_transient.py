"""Transients: gravsim vs plain QuTiP (Fock) and plain SciPy (Gaussian), side by side.

(a) Fock: ``gravsim.fock.dynamics.transient`` against a plain ``qutip.mesolve`` on the same
    problem — the same H, c_ops, ρ(0), output times and rtol/atol — whose ``e_ops`` are the
    number operators (Qobj) plus plain callables for E_N (``qutip.partial_transpose`` +
    ``numpy.linalg.eigvalsh``) and the mechanical purity, i.e. the same outputs.  Both sides
    integrate the identical ODE, so the time difference is gravsim's overhead (building
    H and c_ops, its observer); E_N must agree to rounding.  A bare mesolve (no e_ops) shows
    how much of either is integration.  Models: effective (``small``, N = 10 and 14 levels)
    and rwa (``small``, 8×8×4); 200 output times over 0…40 s; best of ``--repeat``.
(c) One period of L0 (``driven`` preset, quantum gravity), the unit of its periodic-state
    search: gravsim's Hamiltonian (one QobjEvo term per distinct time dependence, mechanics
    rotating at ω_m) against plain QobjEvo lists H₀ + Σ_ν H_ν e^{−iνt}, one term per
    frequency, as a QuTiP script would write them — in the same rotating frame and in the
    laboratory frame; same ρ(0), rtol/atol; ρ(T) must agree to the integration tolerance.
(b) Gaussian: ``Propagator(model).evolve`` for 10³ output times at the paper point (effective
    and rwa over 0…200 s, linear (L1, periodic) too), and for the effective model a plain
    ``scipy.integrate.solve_ivp`` (DOP853, rtol 1e-10) on the Lyapunov ODEs of the
    quantum and the KTM covariance, dV/dt = AV + VAᵀ + D.

BLAS threads are capped at ``--blas-threads`` (default 1) for the whole run, both sides;
``--blas-threads 0`` leaves BLAS at its default (2 threads here).  With another process busy
on the second core, every small threaded eigvalsh of either side slows down by up to 100×.

Run:  python benchmarks/bench_transient.py
      python benchmarks/bench_transient.py --skip-fock        # Gaussian part only, seconds
      python benchmarks/bench_transient.py --blas-threads 0 --cases effective:10,10 --skip-gaussian
"""

from __future__ import annotations

import argparse
import time
from functools import reduce

import mpmath
import numpy as np
import qutip
import scipy
import scipy.integrate
from threadpoolctl import threadpool_limits

import gravsim as gs
from gravsim import fock
from gravsim.analysis.entanglement import delta_log_negativity, log_negativity
from gravsim.fock import dynamics as fock_dynamics
from gravsim.fock import period_map as fock_period_map
from gravsim.gaussian.moments import drift_diffusion
from gravsim.gaussian.propagation import Propagator, initial_covariance
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity, QuantumGravity

FOCK_CASES = ("effective:10,10", "effective:14,14", "rwa:8,8,4")


# -- (a) Fock ------------------------------------------------------------------------------


def plain_e_ops(dims: tuple[int, ...]) -> list:
    """Number operators as Qobj e_ops, then E_N (nats) and purity of the mechanical state."""
    numbers = []
    for k, n in enumerate(dims):
        factors = [qutip.qeye(m) for m in dims]
        factors[k] = qutip.num(n)
        numbers.append(reduce(qutip.tensor, factors))

    def mechanical(state: qutip.Qobj) -> qutip.Qobj:
        rho = state if state.isoper else qutip.vector_to_operator(state)
        return rho if len(dims) == 2 else rho.ptrace([0, 1])

    def e_n(t: float, state: qutip.Qobj) -> float:
        pt = qutip.partial_transpose(mechanical(state), [0, 1]).full()
        eig = np.linalg.eigvalsh(0.5 * (pt + pt.conj().T))
        return max(0.0, float(np.log(np.sum(np.abs(eig)))))

    def purity(t: float, state: qutip.Qobj) -> float:
        m = mechanical(state).full()
        return float(np.real(np.vdot(m, m)))

    return [*numbers, e_n, purity]


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def fock_case(name: str, dims: tuple[int, ...], repeat: int, bare: bool) -> dict:
    p = gs.presets.get("small")
    model = models.build(name, p, QuantumGravity())
    times = np.linspace(0.0, 40.0, 200)
    occupations = {"a": p.n_th, "b": p.n_th}
    options = {
        "store_states": False,
        "rtol": fock_dynamics.RTOL,
        "atol": fock_dynamics.ATOL,
        "progress_bar": "",
    }
    h = fock.hamiltonian(model, dims)
    c_ops = fock.collapse_operators(model, dims)
    rho0 = fock_dynamics.initial_state(model, dims, occupations)
    e_ops = plain_e_ops(dims)

    def ours():
        return fock_dynamics.transient(model, dims, times, occupations, progress=False).table

    def plain():
        return qutip.mesolve(h, rho0, times, c_ops, e_ops=e_ops, options=options)

    t_ours, t_plain = [], []
    for _ in range(repeat):  # alternate, so that load drifts hit both sides alike
        dt, r_ours = timed(ours)
        t_ours.append(dt)
        dt, r_plain = timed(plain)
        t_plain.append(dt)
    t_bare = np.nan
    if bare:
        t_bare = min(
            timed(lambda: qutip.mesolve(h, rho0, times, c_ops, options=options))[0]
            for _ in range(repeat)
        )
    t_build, _ = timed(
        lambda: (
            fock.hamiltonian(model, dims),
            fock.collapse_operators(model, dims),
            fock_dynamics.initial_state(model, dims, occupations),
        )
    )
    e_plain = np.asarray(r_plain.expect[len(dims)])
    n_plain = np.asarray(r_plain.expect[0]).real
    row = {
        "model": name,
        "dims": "×".join(map(str, dims)),
        "ours": min(t_ours),
        "plain": min(t_plain),
        "bare": t_bare,
        "build": t_build,
        "dE": float(np.max(np.abs(r_ours["E_N"] - e_plain))),
        "dn": float(np.max(np.abs(r_ours["n_a"] - n_plain))),
        "E_final": float(r_ours["E_N"][-1]),
    }
    row["overhead"] = 100.0 * (row["ours"] / row["plain"] - 1.0)
    print(
        f"  {name} {row['dims']}: gravsim {row['ours']:.2f} s, plain mesolve+e_ops "
        f"{row['plain']:.2f} s, bare mesolve {t_bare:.2f} s, building H, c_ops, rho0 "
        f"{t_build:.2f} s, overhead {row['overhead']:+.1f} %, "
        f"max|dE_N| {row['dE']:.1e}, max|dn_a| {row['dn']:.1e}",
        flush=True,
    )
    return row


# -- (c) one period of L0 -----------------------------------------------------------------


def plain_hamiltonian(model, dims: tuple[int, ...]) -> qutip.QobjEvo:
    """H₀ + Σ_ν H_ν e^{−iνt}, one QobjEvo term per frequency (a plain QuTiP script)."""
    ops = fock.ladder_operators(model.modes, dims)
    static = 0 * ops[model.hamiltonian[0].ops[0]]
    moving: dict[float, qutip.Qobj] = {}
    for term in model.hamiltonian:
        piece = complex(term.coeff) * reduce(lambda x, y: x @ y, (ops[o] for o in term.ops))
        parts = [(term.frequency, piece)]
        if term.hermitian_conjugate:
            parts.append((-term.frequency, piece.dag()))
        for nu, op in parts:
            if nu == 0:
                static = static + op
            else:
                moving[nu] = moving[nu] + op if nu in moving else op
    return qutip.QobjEvo(
        [static] + [[op, lambda t, nu=nu: np.exp(-1j * nu * t)] for nu, op in moving.items()]
    )


def period_case(dims: tuple[int, ...], repeat: int) -> dict:
    p = gs.presets.get("driven")
    lab = models.full(p, QuantumGravity())
    rotating = fock_dynamics.propagation_frame(lab)
    period = 2 * np.pi / float(p.omega_m)
    average = gs.models.period_average(models.linear(p, QuantumGravity()))
    rho0 = fock_period_map.averaged_start(lab, average, dims)
    c_ops = fock.collapse_operators(lab, dims)  # thermal baths and κ: static in both frames
    options = {"store_final_state": True, "rtol": fock_dynamics.RTOL, "atol": fock_dynamics.ATOL}
    hams = {
        "gravsim": fock.hamiltonian(rotating, dims),
        "plain, rotating frame": plain_hamiltonian(rotating, dims),
        "plain, laboratory frame": plain_hamiltonian(lab, dims),
    }
    out = {}
    for name, h in hams.items():
        best, final = np.inf, None
        for _ in range(repeat):
            dt, res = timed(lambda h=h: qutip.mesolve(h, rho0, [0, period], c_ops, options=options))
            best, final = min(best, dt), res.final_state
        out[name] = (best, len(h.to_list()) - 1, final)
    ref = out["gravsim"][2]
    row = {"dims": "×".join(map(str, dims))}
    for name, (t, terms, final) in out.items():
        row[name] = (t, terms, float(np.max(np.abs((final - ref).full()))))
        print(
            f"  L0 one period {row['dims']}, {name}: {t:.2f} s, {terms} time-dependent terms, "
            f"max|rho(T) - gravsim| {row[name][2]:.1e}",
            flush=True,
        )
    return row


# -- (b) Gaussian --------------------------------------------------------------------------


def best_of(fn, repeat: int) -> float:
    return min(timed(fn)[0] for _ in range(repeat))


def mech(v: np.ndarray, modes: tuple[str, ...]) -> np.ndarray:
    idx = [2 * modes.index(m) + k for m in ("a", "b") for k in (0, 1)]
    return v[..., idx, :][..., :, idx]


def gaussian_case(name: str, times: np.ndarray, grid: str, repeat: int) -> dict:
    p = gs.presets.get("paper")
    model = models.build(name, p, KTMGravity())
    v0 = initial_covariance(model.modes, {"a": p.n_th, "b": p.n_th})
    t_build = best_of(lambda: Propagator(model), repeat)
    prop = Propagator(model)
    t_evolve = best_of(lambda: prop.evolve(v0, times), repeat)
    row = {
        "model": name,
        "grid": grid,
        "build": t_build,
        "evolve": t_evolve,
        "per_time": t_evolve / len(times),
    }
    print(
        f"  {name} ({grid} grid, {len(times)} times to {times[-1]:g} s): Propagator() "
        f"{1e3 * t_build:.2f} ms, evolve {1e3 * t_evolve:.2f} ms, "
        f"{1e6 * row['per_time']:.1f} us per output time",
        flush=True,
    )
    return row


def plain_lyapunov(model, v0: np.ndarray, times: np.ndarray, rtol: float):
    """Quantum and KTM covariances by solve_ivp on dV/dt = AV + VAᵀ + D (both stacked)."""
    a, d0 = drift_diffusion(model, groups=("system",))
    _, d1 = drift_diffusion(model, groups=("gravity",))
    m = a.shape[0]
    ds = np.stack([d0, d0 + d1])

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        v = y.reshape(2, m, m)
        return (a @ v + v @ a.T + ds).ravel()

    y0 = np.concatenate([v0.ravel(), v0.ravel()])
    sol = scipy.integrate.solve_ivp(
        rhs,
        (times[0], times[-1]),
        y0,
        method="DOP853",
        t_eval=times,
        rtol=rtol,
        atol=rtol * float(np.max(np.abs(v0))),
    )
    v = sol.y.T.reshape(len(times), 2, m, m)
    return v[:, 0], v[:, 1], sol.nfev


def reference_log_negativity(model, v0: np.ndarray, t: float, digits: int = 50) -> float:
    """E_N,q(t) from Van Loan's block exponential in ``digits``-digit mpmath arithmetic."""
    a, d = drift_diffusion(model, groups=("system",))
    m = a.shape[0]
    block = np.zeros((2 * m, 2 * m))
    block[:m, :m], block[:m, m:], block[m:, m:] = -a, d, a.T
    with mpmath.workdps(digits):
        e = mpmath.expm(mpmath.matrix((block * t).tolist()))
        f, g = e[m:, m:], e[:m, m:]
        phi = f.T
        v = phi * mpmath.matrix(v0.tolist()) * phi.T + f.T * g
        return log_negativity(np.array(v.tolist(), dtype=float))


def gaussian_vs_scipy(times: np.ndarray, repeat: int) -> dict:
    p = gs.presets.get("paper")
    model = models.effective(p, KTMGravity())
    v0 = initial_covariance(model.modes, {"a": p.n_th, "b": p.n_th})

    def ours():
        v, s = Propagator(model).evolve(v0, times)
        return log_negativity(v), log_negativity(v + s), delta_log_negativity(v, s)

    def plain():
        vq, vc, _ = plain_lyapunov(model, v0, times, 1e-10)
        return log_negativity(vq), log_negativity(vc)

    t_ours = best_of(ours, repeat)
    t_plain = best_of(plain, max(1, repeat // 5))
    eq, ec, de = ours()
    vq, vc, nfev = plain_lyapunov(model, v0, times, 1e-10)
    pq, pc = log_negativity(vq), log_negativity(vc)
    worst = int(np.argmax(np.abs(eq - pq)))
    ref = {k: reference_log_negativity(model, v0, float(times[k])) for k in (worst, len(times) - 1)}
    row = {
        "ours": t_ours,
        "plain": t_plain,
        "ratio": t_plain / t_ours,
        "nfev": nfev,
        "dEq": float(np.max(np.abs(eq - pq))),
        "dEc": float(np.max(np.abs(ec - pc))),
        "delta_E_ours": float(de[-1]),
        "delta_E_plain": float(pq[-1] - pc[-1]),
        "E_final": float(eq[-1]),
        "ref_ours": max(abs(eq[k] - e) for k, e in ref.items()),
        "ref_plain": max(abs(pq[k] - e) for k, e in ref.items()),
        "ref_times": [float(times[k]) for k in ref],
    }
    print(
        f"  effective vs solve_ivp: gravsim (Propagator + evolve + E_N,q, E_N,c, dE) "
        f"{1e3 * t_ours:.2f} ms, solve_ivp DOP853 rtol 1e-10 ({nfev} RHS calls) + E_N "
        f"{1e3 * t_plain:.1f} ms, ratio {row['ratio']:.0f}x; max|dE_N,q| {row['dEq']:.1e}, "
        f"max|dE_N,c| {row['dEc']:.1e}; final dE: gravsim {row['delta_E_ours']:.6e}, "
        f"solve_ivp E_q - E_c {row['delta_E_plain']:.6e}",
        flush=True,
    )
    print(
        f"  50-digit Van Loan reference at t = {row['ref_times'][0]:.2f}, "
        f"{row['ref_times'][1]:.0f} s: |E_N,q error| gravsim {row['ref_ours']:.1e}, "
        f"solve_ivp {row['ref_plain']:.1e}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2, help="Fock repeats (best of)")
    parser.add_argument("--gaussian-repeat", type=int, default=20)
    parser.add_argument("--blas-threads", type=int, default=1, help="0: leave BLAS alone")
    parser.add_argument("--cases", nargs="*", default=FOCK_CASES, help="model:dims (Fock)")
    parser.add_argument("--skip-fock", action="store_true")
    parser.add_argument("--skip-gaussian", action="store_true")
    parser.add_argument("--skip-period", action="store_true", help="skip (c), one period of L0")
    parser.add_argument("--period-dims", nargs="*", default=("6,6,3", "8,8,3"))
    parser.add_argument("--no-bare", action="store_true", help="skip the bare mesolve runs")
    args = parser.parse_args()

    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, qutip {qutip.__version__}, "
        f"BLAS threads {args.blas_threads or 'default'}"
    )
    limit = threadpool_limits(args.blas_threads) if args.blas_threads else None
    try:
        fock_rows = []
        if not args.skip_fock:
            print("(a) Fock transients, small preset, quantum gravity, 200 times over 0..40 s")
            for case in args.cases:
                name, levels = case.split(":")
                dims = tuple(int(x) for x in levels.split(","))
                fock_rows.append(fock_case(name, dims, args.repeat, not args.no_bare))
        period_rows = []
        if not args.skip_period:
            print("(c) one period of L0, driven preset, quantum gravity")
            for levels in args.period_dims:
                dims = tuple(int(x) for x in levels.split(","))
                period_rows.append(period_case(dims, args.repeat))
        if not args.skip_gaussian:
            print("(b) Gaussian transients, paper preset, KTM gravity (V and its KTM shift S)")
            lin = np.linspace(0.0, 200.0, 1000)
            log = np.concatenate([[0.0], np.geomspace(0.02, 200.0, 999)])
            gauss_rows = [
                gaussian_case("effective", lin, "lin", args.gaussian_repeat),
                gaussian_case("effective", log, "log", args.gaussian_repeat),
                gaussian_case("rwa", lin, "lin", args.gaussian_repeat),
                gaussian_case("rwa", log, "log", args.gaussian_repeat),
                gaussian_case("linear", lin, "lin", max(1, args.gaussian_repeat // 4)),
            ]
            versus = gaussian_vs_scipy(lin, args.gaussian_repeat)
    finally:
        if limit is not None:
            limit.unregister()

    print()
    if fock_rows:
        print(
            "| model | dims | gravsim transient | plain mesolve + e_ops | overhead | bare "
            "mesolve | building H, c_ops, ρ₀ | max \\|ΔE_N\\| |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for r in fock_rows:
            print(
                f"| {r['model']} | {r['dims']} | {r['ours']:.2f} s | {r['plain']:.2f} s | "
                f"{r['overhead']:+.1f} % | {r['bare']:.2f} s | {r['build']:.3f} s | "
                f"{r['dE']:.1e} |"
            )
        print()
    if period_rows:
        names = ("gravsim", "plain, rotating frame", "plain, laboratory frame")
        print("| L0, one period | " + " | ".join(names) + " |")
        print("|---|---|---|---|")
        for r in period_rows:
            cells = [
                f"{r[n][0]:.2f} s ({r[n][1]} terms"
                + (f", Δρ {r[n][2]:.0e})" if n != "gravsim" else ")")
                for n in names
            ]
            print(f"| {r['dims']} | " + " | ".join(cells) + " |")
        print()
    if args.skip_gaussian:
        return
    print("| model (paper) | output times | Propagator() | evolve | per output time |")
    print("|---|---|---|---|---|")
    for r in gauss_rows:
        print(
            f"| {r['model']} | 10³, {r['grid']} | {1e3 * r['build']:.2f} ms | "
            f"{1e3 * r['evolve']:.2f} ms | {1e6 * r['per_time']:.1f} μs |"
        )
    print()
    print(
        "| effective, 10³ lin times to 200 s | time | max \\|E_N,q − gravsim\\| | "
        "max \\|E_N,c − gravsim\\| | \\|E_N,q error\\| vs 50-digit reference |"
    )
    print("|---|---|---|---|---|")
    print(
        f"| gravsim (Propagator + evolve + E_N, ΔE) | {1e3 * versus['ours']:.2f} ms | – | – | "
        f"{versus['ref_ours']:.1e} |"
    )
    print(
        f"| solve_ivp DOP853 rtol 1e-10 + E_N | {1e3 * versus['plain']:.1f} ms "
        f"({versus['ratio']:.1f}×) | {versus['dEq']:.1e} | {versus['dEc']:.1e} | "
        f"{versus['ref_plain']:.1e} |"
    )


if __name__ == "__main__":
    main()
