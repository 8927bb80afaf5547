"""The ``gravsim`` command line: a thin layer over the Python API.

Subcommands: ``params``, ``steady``, ``evolve``, ``reference``, ``validate``, ``scan``,
``figure``, ``budget``.  Every failure prints one line on stderr and exits with a code that
says what kind it is (:data:`EXIT_CODES`); no traceback.  Library messages name arguments
in backticks (`` `n_mech` ``, `` `force=True` ``); :func:`as_flags` rewrites those the
subcommand has a flag for.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from gravsim import __version__
from gravsim.analysis import distinguishability
from gravsim.errors import GravsimError, GravsimInputError
from gravsim.fock.solvers import SOLVERS
from gravsim.model import presets
from gravsim.model.inputs import parse_duration, parse_number
from gravsim.model.parameters import INPUT_KEYS, OVERRIDABLE, UNITS, Parameters, known_keys
from gravsim.workflows import budget as feasibility
from gravsim.workflows import evolve, figures, scan, steady, validate
from gravsim.workflows.results import dumps, parameter_table

EXIT_CODES = (
    "exit codes: 0 done; 1 a validate check failed; 2 bad input (one line: the problem and "
    "the fix); 3 a numerical failure (did not converge, ill-conditioned, overflow; one line: "
    "what to change); 4 an internal error (a bug: please report it; GRAVSIM_TRACEBACK=1 "
    "shows the traceback); 130 interrupted"
)

_STRING_KEYS = {"kG_convention"}
_NUMBER_KEYS = set(INPUT_KEYS) - _STRING_KEYS - {"source"} | set(OVERRIDABLE) | {"Q_m"}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see {self.prog} --help)")


def _warn(message: str) -> None:
    print(f"gravsim: warning: {' '.join(message.split())}", file=sys.stderr, flush=True)


def _fail(message: str, code: int = 2) -> NoReturn:
    print(f"gravsim: error: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(code)


#: Library argument names that the command line spells differently (per subcommand).
_ALIASES = {"comparisons": "truncation_error", "map_name": "map", "base": "log_base"}
_COMMAND_ALIASES = {"budget": {"out": "plot_out"}}


def as_flags(message: str, sub: argparse.ArgumentParser | None) -> str:
    """Rewrite the backticked argument names of a library message as this subcommand's flags.

    `` `n_mech` `` → ``--n-mech``, `` `backend='gaussian'` `` → ``--backend gaussian``,
    `` `force=True` `` → ``--force``; a name without a flag loses its backticks.
    """
    options = {}
    if sub is not None:
        options = {a.dest: a.option_strings[-1] for a in sub._actions if a.option_strings}
    aliases = _ALIASES | _COMMAND_ALIASES.get(sub.prog.split()[-1] if sub else "", {})

    def flag(match: re.Match) -> str:
        name, sep, value = match.group(1).partition("=")
        option = options.get(aliases.get(name, name))
        value = value.strip("'\"")
        if option is None:
            return match.group(1)
        if value == "True":
            return option
        if value == "False":
            return "--no-" + option[2:]
        return f"{option} {value}" if sep else option

    return re.sub(r"`([^`]+)`", flag, message)


def parse_settings(items: Sequence[str]) -> dict[str, Any]:
    """``["KEY=VALUE", ...]`` → ``{KEY: value}`` with the keys checked."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise GravsimInputError(f"--set needs KEY=VALUE, got {item!r}")
        if key in _STRING_KEYS:
            out[key] = text.strip()
        elif key in _NUMBER_KEYS:
            out[key] = parse_number(text.strip())
        else:
            raise GravsimInputError(f"unknown --set key {key!r}: known keys are {known_keys()}")
    return out


def _parameters(args: argparse.Namespace) -> Parameters:
    return presets.get(args.preset).replace(**parse_settings(args.set))


def _add_point_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--preset",
        default="paper",
        help=f"parameter preset: {', '.join(presets.names())} (default: paper)",
    )
    sub.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one parameter (SI units, rad/s); repeatable. Values may use pi, "
        f"e.g. omega_m=2*pi*50. Keys: {known_keys()}",
    )
    sub.add_argument("--json", action="store_true", help="print one JSON object")


def _add_fock_options(
    sub: argparse.ArgumentParser, n_mech: str, n_cav: int, solver: bool = True
) -> None:
    """--n-mech, --n-cav (and --solver); None defaults: the library knows which apply."""
    sub.add_argument(
        "--n-mech", type=int, help=f"Fock levels per mechanical mode (default {n_mech})"
    )
    sub.add_argument(
        "--n-cav",
        type=int,
        help=f"Fock levels of the cavity, three-mode rungs only (default {n_cav})",
    )
    if solver:
        sub.add_argument(
            "--solver",
            choices=SOLVERS,
            help="Fock linear solver (default auto: PARDISO if QuTiP finds MKL, else by size)",
        )


def _add_frame_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--frame",
        choices=("displaced", "undisplaced"),
        help="frame of the full model: fluctuations about the classical field (default), or "
        "the cavity field itself (needs ~|c±|² photons of room)",
    )


def _add_output_options(sub: argparse.ArgumentParser, out: str, pdf: bool = True) -> None:
    sub.add_argument("--out", default=out, help=f"output folder (default ./{out})")
    sub.add_argument(
        "--force",
        action="store_true",
        help="replace a run in --out that was made with other inputs (else refused)",
    )
    if pdf:
        sub.add_argument("--pdf", action="store_true", help="also write the plot as PDF")


def _add_log_base(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--log-base", default="e", choices=("e", "2"), help="base of E_N (default e: nats)"
    )


def _command_line() -> str:
    return "gravsim " + " ".join(sys.argv[1:])


def _progress(message: str) -> None:
    print(f"gravsim: {message}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gravsim`` command."""
    parser = _Parser(
        prog="gravsim",
        description="Quantum vs classical (KTM) gravity in a reservoir-engineered "
        "optomechanical system: steady states, transients, scans, the paper's figures.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"gravsim {__version__}")
    subs = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    parser.subcommands = subs.choices
    n_mech_steady = f"{steady.DEFAULT_N_MECH}; {steady.DEFAULT_N_MECH_PERIODIC} for full and linear"

    p_params = subs.add_parser("params", help="every input and derived quantity with units")
    _add_point_options(p_params)

    p_steady = subs.add_parser("steady", help="steady-state E_N (and ΔE for --gravity both)")
    _add_point_options(p_steady)
    p_steady.add_argument("--model", default="effective", choices=steady.MODELS)
    p_steady.add_argument("--gravity", default="both", choices=steady.GRAVITY)
    p_steady.add_argument("--backend", default="gaussian", choices=steady.BACKENDS)
    _add_log_base(p_steady)
    _add_fock_options(p_steady, n_mech_steady, steady.DEFAULT_N_CAV)
    _add_frame_option(p_steady)

    p_evo = subs.add_parser(
        "evolve", help="transient E_N(t) from a thermal start: CSV, JSON and a plot"
    )
    _add_point_options(p_evo)
    p_evo.add_argument("--model", default="effective", choices=evolve.MODELS)
    p_evo.add_argument("--gravity", default="both", choices=steady.GRAVITY)
    p_evo.add_argument("--backend", default="gaussian", choices=steady.BACKENDS)
    p_evo.add_argument(
        "--t-final",
        required=True,
        help="last time, with a unit: 20s, 5ms, 300 periods (2π/ω_m), 10/Gamma (rates by name)",
    )
    p_evo.add_argument("--n-times", type=int, default=201, help="output times (default 201)")
    p_evo.add_argument("--grid", default="lin", choices=evolve.GRIDS, help="time grid")
    p_evo.add_argument("--t-first", default=None, help="first non-zero time of a log grid")
    p_evo.add_argument(
        "--n-init", type=float, default=None, help="initial phonons per oscillator (default n̄)"
    )
    p_evo.add_argument("--ground", action="store_true", help="start in the ground states")
    _add_frame_option(p_evo)
    p_evo.add_argument(
        "--truncation-error",
        type=int,
        metavar="K",
        help="Fock: K extra runs with 2, 4, … fewer levels for a per-time truncation error",
    )
    _add_log_base(p_evo)
    _add_output_options(p_evo, "evolve-out")
    p_evo.add_argument("--no-progress", action="store_true")
    _add_fock_options(p_evo, str(evolve.DEFAULT_N_MECH), evolve.DEFAULT_N_CAV, solver=False)

    p_val = subs.add_parser(
        "validate", help="the model ladder side by side; exit 1 if a check fails"
    )
    _add_point_options(p_val)
    _add_log_base(p_val)
    p_val.add_argument("--no-fock", action="store_true", help="Gaussian and closed-form rows only")
    p_val.add_argument(
        "--l0",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include the full model's Fock row (default)",
    )
    _add_fock_options(p_val, str(validate.DEFAULT_N_MECH), steady.DEFAULT_N_CAV)

    p_scan = subs.add_parser("scan", help="grids over any parameters, resumable, with a plot")
    _add_point_options(p_scan)
    p_scan.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="KEY=SPEC",
        help="axis: KEY=lin:START:STOP:N, KEY=log:START:STOP:N or KEY=v1,v2,...; repeat for a "
        "product grid (first axis slowest)",
    )
    p_scan.add_argument("--model", default="effective", choices=steady.MODELS)
    p_scan.add_argument("--gravity", default="both", choices=steady.GRAVITY)
    p_scan.add_argument("--backend", default="gaussian", choices=steady.BACKENDS)
    _add_log_base(p_scan)
    _add_frame_option(p_scan)
    _add_output_options(p_scan, "scan-out")
    p_scan.add_argument("--workers", type=int, help="Fock backend: parallel workers (default 1)")
    p_scan.add_argument(
        "--map",
        choices=scan.MAPS,
        help="Fock backend: QuTiP map (serial; parallel once --workers > 1; loky; mpi under "
        "mpiexec)",
    )
    p_scan.add_argument(
        "--plot", default=None, help="quantity to plot (default delta_E, or E_N for one gravity)"
    )
    p_scan.add_argument("--no-progress", action="store_true")
    _add_fock_options(p_scan, n_mech_steady, steady.DEFAULT_N_CAV)

    p_bud = subs.add_parser(
        "budget", help="samples and time needed to tell quantum from classical gravity"
    )
    _add_point_options(p_bud)
    p_bud.add_argument("--model", default="effective", choices=("effective", "rwa"))
    p_bud.add_argument("--efficiency", type=float, default=1.0, help="detection efficiency η")
    p_bud.add_argument("--added-noise", type=float, default=0.0, help="added noise (quanta)")
    p_bud.add_argument("--error-probability", type=float, default=0.01)
    p_bud.add_argument(
        "--plot-out", default=None, help="also write budget vs Q_m (CSV + PNG) into this folder"
    )
    p_bud.add_argument(
        "--force", action="store_true", help="replace a budget in --plot-out with other inputs"
    )

    p_fig = subs.add_parser("figure", help="the paper's Fig. 2 or Fig. 3 as CSV, JSON and PNG")
    p_fig.add_argument("which", choices=("fig2", "fig3"))
    _add_log_base(p_fig)
    _add_output_options(p_fig, "out")

    p_ref = subs.add_parser(
        "reference",
        help="the paper's steady-state numbers for both k_G conventions",
    )
    _add_log_base(p_ref)
    p_ref.add_argument("--json", action="store_true", help="print one JSON object")
    for sub in subs.choices.values():
        sub.epilog = EXIT_CODES
    return parser


def _cmd_params(args: argparse.Namespace) -> None:
    p = _parameters(args)
    if args.json:
        print(dumps({"preset": args.preset, "parameters": p.as_dict(), "units": UNITS}))
    else:
        print(f"preset {args.preset}")
        print(parameter_table(p))


def _cmd_steady(args: argparse.Namespace) -> None:
    p = _parameters(args)
    result = steady.compute(
        p,
        model=args.model,
        gravity=args.gravity,
        backend=args.backend,
        base=args.log_base,
        n_mech=args.n_mech,
        n_cav=args.n_cav,
        solver=args.solver,
        frame=args.frame,
        progress=_progress,
    )
    _emit(args, result)


def _emit(args: argparse.Namespace, result: Any) -> None:
    """Print a result as one JSON object (``--json``) or as text, with the preset's name."""
    if args.json:
        print(dumps({"preset": args.preset} | result.to_dict()))
    else:
        print(f"preset {args.preset}")
        print(as_flags(str(result), args.subparser))


def _rates(p: Parameters) -> dict[str, float]:
    """Rates (rad/s) a duration may be written in."""
    names = ("omega_m", "Omega", "kappa", "Gamma", "gamma_m", "G", "G_plus", "G_minus", "k_M")
    return {k: float(getattr(p, k)) for k in names}


def _cmd_evolve(args: argparse.Namespace) -> None:
    p = _parameters(args)
    rates = _rates(p)
    inputs = dict(
        model=args.model,
        gravity=args.gravity,
        backend=args.backend,
        t_final=parse_duration(args.t_final, rates),
        n_times=args.n_times,
        grid=args.grid,
        t_first=None if args.t_first is None else parse_duration(args.t_first, rates),
        n_init=args.n_init,
        ground=args.ground,
        base=args.log_base,
        n_mech=args.n_mech,
        n_cav=args.n_cav,
        frame=args.frame,
        comparisons=args.truncation_error,
    )
    with evolve.run_folder(Path(args.out), p, inputs, args.preset, args.force) as folder:
        result = evolve.compute(p, **inputs, progress=not args.no_progress)
        paths = result.write(folder, _command_line(), pdf=args.pdf)
    summary = {"preset": args.preset, "model": args.model, "backend": args.backend}
    summary |= result.summary() | {"files": [str(x) for x in paths]}
    if not args.json:
        for path in paths:
            print(f"wrote {path}")
    print(dumps(summary))


def _cmd_reference(args: argparse.Namespace) -> None:
    rows = []
    for name in ("paper", "paper-point-mass"):
        p = presets.get(name)
        for model in ("effective", "rwa", "closed-form"):
            r = steady.compute(p, model=model, gravity="both", base=args.log_base)
            rows.append(
                {
                    "preset": name,
                    "model": model,
                    "E_N_quantum": r.values["E_N_quantum"],
                    "E_N_classical": r.values["E_N_classical"],
                    "delta_E": r.values["delta_E"],
                    "k_G": p.k_G,
                    "kG_convention": p.kG_source,
                }
            )
    if args.json:
        print(dumps({"log_base": args.log_base, "rows": rows}))
        return
    unit = "nats (natural log)" if args.log_base == "e" else "bits (log base 2)"
    print(f"Steady-state entanglement at the paper's reference point; E_N and ΔE in {unit}.")
    print("Backend: exact Gaussian (Lyapunov) for effective/rwa; closed-form = S2 Eq. (19).")
    for name in ("paper", "paper-point-mass"):
        first = next(r for r in rows if r["preset"] == name)
        print(f"\npreset {name}: k_G = {first['k_G']:.6g} rad/s, {first['kG_convention']}")
        print(f"  source: {presets.get(name).source}")
        print(f"  {'model':<12} {'E_N quantum':>14} {'E_N classical':>14} {'ΔE':>14}")
        for r in rows:
            if r["preset"] == name:
                print(
                    f"  {r['model']:<12} {r['E_N_quantum']:>14.8f} {r['E_N_classical']:>14.8f} "
                    f"{r['delta_E']:>14.6e}"
                )


def _cmd_figure(args: argparse.Namespace) -> None:
    inputs = {"ratios" if args.which == "fig3" else "q_values": None, "base": args.log_base}
    if args.which == "fig3":
        inputs["rung"] = "effective"
    with figures.run_folder(Path(args.out), args.which, inputs, args.force) as folder:
        data = (figures.fig2 if args.which == "fig2" else figures.fig3)(**inputs)
        paths = data.write(folder, _command_line(), pdf=args.pdf)
    for path in paths:
        print(f"wrote {path}")
    print(dumps(data.summary))


def _cmd_scan(args: argparse.Namespace) -> None:
    axes = [scan.parse_axis(spec) for spec in args.grid]
    out = Path(args.out)
    args.on_interrupt = f"the rows done are in {out / 'scan.csv'}; rerun the command to resume"
    csv_path = scan.run(
        _parameters(args),
        axes,
        out,
        model=args.model,
        gravity=args.gravity,
        backend=args.backend,
        base=args.log_base,
        n_mech=args.n_mech,
        n_cav=args.n_cav,
        workers=args.workers,
        map_name=args.map,
        solver=args.solver,
        frame=args.frame,
        force=args.force,
        plot=args.plot or True,
        pdf=args.pdf,
        progress=not args.no_progress,
        preset=args.preset,
        command=_command_line(),
    )
    files = [str(p) for p in (csv_path.with_suffix(x) for x in (".csv", ".json", ".png", ".pdf"))
             if p.exists()]  # fmt: skip
    if args.json:
        sidecar = json.loads(csv_path.with_suffix(".json").read_text())
        print(dumps({"preset": args.preset, "points": sidecar["points"], "files": files}))
        return
    for path in files:
        print(f"wrote {path}")


def _cmd_budget(args: argparse.Namespace) -> None:
    p = _parameters(args)
    options = dict(
        efficiency=args.efficiency,
        added_noise=args.added_noise,
        error_probability=args.error_probability,
    )
    b = distinguishability.budget(p, model=args.model, **options)
    data = {"preset": args.preset} | b.to_dict()
    if args.plot_out is not None:
        inputs = options | {"model": args.model, "q_values": feasibility.Q_GRID.tolist()}
        with feasibility.run_folder(
            Path(args.plot_out), p, inputs, args.preset, args.force
        ) as folder:
            cols = feasibility.versus_quality_factor(p, feasibility.Q_GRID, **options)
            paths = feasibility.write(folder, cols, args.efficiency, _command_line())
        data["files"] = [str(x) for x in paths]
    elif args.force:
        _warn("--force has no effect without --plot-out")
    if args.json:
        print(dumps(data))
        return
    print(
        f"preset {args.preset}: distinguishing quantum from KTM gravity, error probability "
        f"{args.error_probability:g}"
    )
    print(
        f"  ΔE = {b.delta_E:.4e} nats; sample interval {b.sample_interval:.3g} s "
        f"(correlation time {b.correlation_time:.3g} s)"
    )
    for key, label in (
        ("chernoff", "optimal measurement (quantum Chernoff)"),
        ("stein", "optimal, asymmetric (Stein, relative entropy)"),
        ("heterodyne_chernoff", f"heterodyne, η = {args.efficiency:g}"),
        ("estimate_E_N", "estimate E_N to ±ΔE/2 from heterodyne"),
    ):
        t = b.times[key]
        print(f"  {label:<48} {t['samples']:10.3e} samples  {t['years']:10.3e} years")
    for path in data.get("files", []):
        print(f"wrote {path}")


def _cmd_validate(args: argparse.Namespace) -> int:
    p = _parameters(args)
    result = validate.run(
        p,
        base=args.log_base,
        fock=not args.no_fock,
        n_mech=args.n_mech,
        n_cav=args.n_cav,
        solver=args.solver,
        progress=_progress,
        l0=args.l0,
    )
    _emit(args, result)
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gravsim`` console script (see :data:`EXIT_CODES`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    sub = args.subparser = parser.subcommands[args.command]
    commands = {
        "params": _cmd_params,
        "steady": _cmd_steady,
        "evolve": _cmd_evolve,
        "reference": _cmd_reference,
        "validate": _cmd_validate,
        "figure": _cmd_figure,
        "scan": _cmd_scan,
        "budget": _cmd_budget,
    }

    # library warnings: one line each, once, after the results (none before an error line)
    caught: dict[str, None] = {}
    warnings.showwarning = lambda message, *_, **__: caught.setdefault(str(message))
    args.on_interrupt = "nothing was written"
    try:
        for flag in ("out", "plot_out"):
            if getattr(args, flag, None) is not None and not getattr(args, flag).strip():
                raise GravsimInputError(f"--{flag.replace('_', '-')} is empty: name a folder")
        status = commands[args.command](args)
        for message in caught:
            _warn(as_flags(message, sub))
    except GravsimError as exc:
        _fail(as_flags(str(exc), sub), exc.exit_code)
    except KeyboardInterrupt:
        _fail(f"interrupted: {args.on_interrupt}", 130)
    except BrokenPipeError:  # output piped into head & co.
        sys.stdout = None  # type: ignore[assignment]
        return 0
    except Exception as exc:  # not raised by gravsim itself: still one line
        if os.environ.get("GRAVSIM_TRACEBACK"):
            raise
        _fail(*_unexpected(exc))
    return int(status or 0)


def _unexpected(exc: Exception) -> tuple[str, int]:
    """The one line and exit code for an exception gravsim did not raise (:data:`EXIT_CODES`)."""
    if isinstance(exc, OSError):  # a file that cannot be read or written
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or exc}; choose another path or free space", 2
    if isinstance(exc, MemoryError):
        return "out of memory: use a smaller truncation or grid", 3
    if isinstance(exc, (ArithmeticError, np.linalg.LinAlgError)):
        return (
            f"numerical failure ({type(exc).__name__}: {exc}); the inputs may span more orders "
            "of magnitude than float64 resolves",
            3,
        )
    return (
        f"internal error ({type(exc).__name__}: {exc}); please report it with the command "
        "(GRAVSIM_TRACEBACK=1 shows the traceback)",
        4,
    )


if __name__ == "__main__":
    raise SystemExit(main())
