"""The ``gravsim`` command line: it parses arguments, calls :mod:`gravsim.workflows`, prints.

Every failure prints one line on stderr and exits with a code that says what kind it is
(:data:`EXIT_CODES`); no traceback.  Library messages name arguments in backticks
(`` `n_mech` ``, `` `force=True` ``); :func:`as_flags` rewrites those the subcommand has a
flag for.
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
from gravsim.errors import GravsimError, GravsimInputError
from gravsim.fock.solvers import SOLVERS
from gravsim.model import presets
from gravsim.model.inputs import duration_rates as _rates
from gravsim.model.inputs import parse_duration, parse_settings
from gravsim.model.parameters import UNITS, Parameters, known_keys
from gravsim.workflows import budget, evolve, figures, options, reference, scan, steady, validate
from gravsim.workflows.results import dumps, parameter_table

EXIT_CODES = (
    "exit codes: 0 done; 1 a validate check failed; 2 bad input (one line: the problem and "
    "the fix); 3 a numerical failure (did not converge, ill-conditioned, overflow; one line: "
    "what to change); 4 an internal error (a bug: please report it; GRAVSIM_TRACEBACK=1 "
    "shows the traceback); 130 interrupted"
)


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
    actions = sub._actions if sub is not None else []
    options = {a.dest: a.option_strings[-1] for a in actions if a.option_strings}
    aliases = _ALIASES | _COMMAND_ALIASES.get(sub.prog.split()[-1] if sub else "", {})

    def flag(match: re.Match) -> str:
        name, sep, value = match.group(1).partition("=")
        option = options.get(aliases.get(name, name))
        value = value.strip("'\"")
        if option is None:
            return match.group(1)
        switch = {"True": option, "False": "--no-" + option[2:]}
        return switch.get(value, f"{option} {value}" if sep else option)

    return re.sub(r"`([^`]+)`", flag, message)


def _parameters(args: argparse.Namespace) -> Parameters:
    return presets.get(args.preset).replace(**parse_settings(args.set))


def _add_point_options(sub: argparse.ArgumentParser) -> None:
    """--preset, --set KEY=VALUE, --json: the options of every subcommand run at a point."""
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
    _add_json(sub)


def _add_json(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--json", action="store_true", help="print one JSON object")


def _add_rung_options(sub: argparse.ArgumentParser, models: Sequence[str] = options.MODELS) -> None:
    sub.add_argument("--model", default="effective", choices=models)
    sub.add_argument("--gravity", default="both", choices=options.GRAVITY)
    sub.add_argument("--backend", default="gaussian", choices=options.BACKENDS)


def _add_fock_options(sub: argparse.ArgumentParser, n_mech: str, n_cav: int, solver: bool) -> None:
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


def _add_output_options(sub: argparse.ArgumentParser, out: str) -> None:
    sub.add_argument("--out", default=out, help=f"output folder (default ./{out})")
    sub.add_argument(
        "--force",
        action="store_true",
        help="replace a run in --out that was made with other inputs (else refused)",
    )
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
    for name, (add_options, _) in _SUBCOMMANDS.items():
        add_options(subs.add_parser(name, help=_HELP[name], epilog=EXIT_CODES))
    return parser


#: One-line help of each subcommand, in the order ``gravsim --help`` lists them.
_HELP = {
    "params": "every input and derived quantity with units",
    "steady": "steady-state E_N (and ΔE for --gravity both)",
    "evolve": "transient E_N(t) from a thermal start: CSV, JSON and a plot",
    "validate": "the model ladder side by side; exit 1 if a check fails",
    "scan": "grids over any parameters, resumable, with a plot",
    "budget": "samples and time needed to tell quantum from classical gravity",
    "figure": "the paper's Fig. 2 or Fig. 3 as CSV, JSON and PNG",
    "reference": "the paper's steady-state numbers for both k_G conventions",
}
_N_MECH_STEADY = f"{options.DEFAULT_N_MECH}; {options.DEFAULT_N_MECH_PERIODIC} for full and linear"


def _steady_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    _add_rung_options(sub)
    _add_log_base(sub)
    _add_fock_options(sub, _N_MECH_STEADY, options.DEFAULT_N_CAV, solver=True)
    _add_frame_option(sub)


def _evolve_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    _add_rung_options(sub, options.TRANSIENT_MODELS)
    sub.add_argument(
        "--t-final",
        required=True,
        help="last time, with a unit: 20s, 5ms, 300 periods (2π/ω_m), 10/Gamma (rates by name)",
    )
    sub.add_argument("--n-times", type=int, default=201, help="output times (default 201)")
    sub.add_argument("--grid", default="lin", choices=evolve.GRIDS, help="time grid")
    sub.add_argument("--t-first", default=None, help="first non-zero time of a log grid")
    sub.add_argument("--n-init", type=float, help="initial phonons per oscillator (default n̄)")
    sub.add_argument("--ground", action="store_true", help="start in the ground states")
    _add_frame_option(sub)
    sub.add_argument(
        "--truncation-error",
        type=int,
        metavar="K",
        help="Fock: K extra runs with 2, 4, … fewer levels for a per-time truncation error",
    )
    _add_log_base(sub)
    _add_output_options(sub, "evolve-out")
    sub.add_argument("--no-progress", action="store_true")
    _add_fock_options(sub, str(options.EVOLVE_N_MECH), options.EVOLVE_N_CAV, solver=False)


def _validate_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    _add_log_base(sub)
    sub.add_argument("--no-fock", action="store_true", help="Gaussian and closed-form rows only")
    sub.add_argument(
        "--l0",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include the full model's Fock row (default)",
    )
    _add_fock_options(sub, str(options.VALIDATE_N_MECH), options.DEFAULT_N_CAV, solver=True)


def _scan_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    sub.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="KEY=SPEC",
        help="axis: KEY=lin:START:STOP:N, KEY=log:START:STOP:N or KEY=v1,v2,...; repeat for a "
        "product grid (first axis slowest)",
    )
    _add_rung_options(sub)
    _add_log_base(sub)
    _add_frame_option(sub)
    _add_output_options(sub, "scan-out")
    sub.add_argument("--workers", type=int, help="Fock backend: parallel workers (default 1)")
    sub.add_argument(
        "--map",
        choices=scan.MAPS,
        help="Fock backend: QuTiP map (serial; parallel once --workers > 1; loky; mpi under "
        "mpiexec)",
    )
    sub.add_argument("--plot", help="quantity to plot (default delta_E, or E_N for one gravity)")
    sub.add_argument("--no-progress", action="store_true")
    _add_fock_options(sub, _N_MECH_STEADY, options.DEFAULT_N_CAV, solver=True)


def _budget_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    sub.add_argument("--model", default="effective", choices=("effective", "rwa"))
    sub.add_argument("--efficiency", type=float, default=1.0, help="detection efficiency η")
    sub.add_argument("--added-noise", type=float, default=0.0, help="added noise (quanta)")
    sub.add_argument("--error-probability", type=float, default=0.01)
    sub.add_argument("--plot-out", help="also write budget vs Q_m (CSV + PNG) into this folder")
    sub.add_argument(
        "--force", action="store_true", help="replace a budget in --plot-out with other inputs"
    )


def _figure_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("which", choices=("fig2", "fig3"))
    _add_log_base(sub)
    _add_output_options(sub, "out")


def _reference_options(sub: argparse.ArgumentParser) -> None:
    _add_log_base(sub)
    _add_json(sub)


def _cmd_params(args: argparse.Namespace) -> None:
    p = _parameters(args)
    data = {"preset": args.preset, "parameters": p.as_dict(), "units": UNITS}
    print(dumps(data) if args.json else f"preset {args.preset}\n{parameter_table(p)}")


def _cmd_steady(args: argparse.Namespace) -> None:
    p = _parameters(args)
    result = steady.compute(p, progress=_progress, **_run_options(args))
    _emit(args, result)


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The rung, gravity, backend, log base and Fock settings a subcommand was given
    (:class:`~gravsim.workflows.options.RunOptions`)."""
    names = ("model", "gravity", "backend", "n_mech", "n_cav", "solver", "frame")
    return {"base": args.log_base} | {k: getattr(args, k) for k in names if hasattr(args, k)}


def _emit(args: argparse.Namespace, result: Any) -> None:
    """Print a result as one JSON object (``--json``) or as text, with the preset's name."""
    if args.json:
        print(dumps({"preset": args.preset} | result.to_dict()))
    else:
        print(f"preset {args.preset}")
        print(as_flags(str(result), args.subparser))


def _cmd_evolve(args: argparse.Namespace) -> None:
    p = _parameters(args)
    rates = _rates(p)
    inputs = _run_options(args) | dict(
        t_final=parse_duration(args.t_final, rates),
        n_times=args.n_times,
        grid=args.grid,
        t_first=None if args.t_first is None else parse_duration(args.t_first, rates),
        n_init=args.n_init,
        ground=args.ground,
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
    table = reference.compute(base=args.log_base)
    print(table.to_json() if args.json else table)


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
        workers=args.workers,
        map_name=args.map,
        force=args.force,
        plot=args.plot or True,
        pdf=args.pdf,
        progress=not args.no_progress,
        preset=args.preset,
        command=_command_line(),
        **_run_options(args),
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
    result = budget.run(
        _parameters(args),
        model=args.model,
        efficiency=args.efficiency,
        added_noise=args.added_noise,
        error_probability=args.error_probability,
        out=args.plot_out,
        force=args.force,
        preset=args.preset,
        command=_command_line(),
    )
    data = {"preset": args.preset} | result.to_dict()
    print(dumps(data) if args.json else f"preset {args.preset}: {result}")


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


#: Each subcommand's options and what runs it (its help: :data:`_HELP`).
_SUBCOMMANDS = {
    "params": (_add_point_options, _cmd_params),
    "steady": (_steady_options, _cmd_steady),
    "evolve": (_evolve_options, _cmd_evolve),
    "validate": (_validate_options, _cmd_validate),
    "scan": (_scan_options, _cmd_scan),
    "budget": (_budget_options, _cmd_budget),
    "figure": (_figure_options, _cmd_figure),
    "reference": (_reference_options, _cmd_reference),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gravsim`` console script (see :data:`EXIT_CODES`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    sub = args.subparser = parser.subcommands[args.command]
    # library warnings: one line each, once, after the results (none before an error line)
    caught: dict[str, None] = {}
    warnings.showwarning = lambda message, *_, **__: caught.setdefault(str(message))
    args.on_interrupt = "nothing was written"
    try:
        for flag in ("out", "plot_out"):
            if getattr(args, flag, None) is not None and not getattr(args, flag).strip():
                raise GravsimInputError(f"--{flag.replace('_', '-')} is empty: name a folder")
        status = _SUBCOMMANDS[args.command][1](args)
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
    what = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (ArithmeticError, np.linalg.LinAlgError)):
        why = "the inputs may span more orders of magnitude than float64 resolves"
        return f"numerical failure ({what}); {why}", 3
    why = "please report it with the command (GRAVSIM_TRACEBACK=1 shows the traceback)"
    return f"internal error ({what}); {why}", 4


if __name__ == "__main__":
    raise SystemExit(main())
