"""The ``gravsim`` argument parser: one option builder per subcommand, shared groups once."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from gravsim import __version__
from gravsim.fock.solvers import SOLVERS
from gravsim.model import presets
from gravsim.model.parameters import known_keys
from gravsim.workflows import (
    budget,
    evolve,
    hypotheses,
    optimize,
    options,
    scan,
    tolerances,
    validate,
)
from gravsim.workflows.optimize import design

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
    options = {
        a.dest: next(o for o in a.option_strings if o.startswith("--"))
        for a in actions
        if any(o.startswith("--") for o in a.option_strings)
    }
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


#: The library's defaults: argparse reads them, never repeats them.
RUN_DEFAULTS = options.RunOptions()
VALIDATE = options.defaults(validate.run)
BUDGET = options.defaults(budget.budget)
HYPOTHESES = options.defaults(hypotheses.table)
OPTIMIZE = options.defaults(optimize.optimize)


def _add_rung_options(sub: argparse.ArgumentParser, models: Sequence[str] = options.RUNGS) -> None:
    sub.add_argument(
        "--model", default=RUN_DEFAULTS.model, choices=models, help="rung of the model ladder"
    )
    sub.add_argument(
        "--gravity",
        default=RUN_DEFAULTS.gravity,
        metavar="{" + ",".join(options.GRAVITY) + "}",
        help="one hypothesis, or both (= --compare quantum,ktm); settings as NAME:KEY=VALUE, "
        "e.g. diosi-penrose:cutoff=1e-15",
    )
    sub.add_argument(
        "--backend",
        default=RUN_DEFAULTS.backend,
        choices=options.BACKENDS,
        help="covariance matrices (gaussian) or density matrices (fock)",
    )
    sub.add_argument(
        "--compare",
        metavar="A,B",
        help="two hypotheses and their ΔE, e.g. quantum,diosi-penrose (both = quantum,ktm)",
    )


def _add_fock_options(sub: argparse.ArgumentParser, solver: bool, transient: bool = False) -> None:
    """--n-mech, --n-cav (and --solver, --tol); None defaults: the library knows which
    apply.  ``steady``, ``validate`` and ``scan`` choose the static rungs' levels from the
    Gaussian state (:data:`gravsim.workflows.options.DEFAULT_TARGET`); a transient has no
    steady state to choose them from, so ``evolve`` has fixed levels (said in its help)."""
    if transient:
        n_mech = (
            f"{options.EVOLVE_N_MECH}, fixed: a transient has no steady state to choose levels "
            "from; --truncation-error measures the error"
        )
        cav_text = str(options.EVOLVE_N_CAV)
    else:
        n_mech = (
            f"on effective, rwa, conventional chosen from the Gaussian state for a truncation "
            f"error <= {options.DEFAULT_TARGET:g} within ~{options.AUTO_TIME_BUDGET:.0f} s; "
            f"{options.DEFAULT_N_MECH_PERIODIC} for full and linear"
        )
        cav_text = f"chosen as --n-mech; {options.DEFAULT_N_CAV} for full and linear"
    sub.add_argument(
        "--n-mech", type=int, help=f"Fock levels per mechanical mode (default {n_mech})"
    )
    sub.add_argument(
        "--n-cav",
        type=int,
        help=f"Fock levels of the cavity, three-mode rungs only (default {cav_text})",
    )
    if solver:
        sub.add_argument(
            "--solver",
            choices=SOLVERS,
            help="Fock linear solver (default auto: cavity-split for three-mode blocks above "
            "10^4 unknowns, else PARDISO if QuTiP finds MKL, else by size)",
        )
        sub.add_argument(
            "--tol",
            type=float,
            metavar="EPS",
            help="Fock steady states: choose the levels (or add levels from --n-mech/--n-cav) "
            "until every E_N's truncation error is <= EPS; exit 3 naming the levels EPS needs "
            "where the time (15 min) or memory budget stops it; the result names the "
            "truncation chosen",
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
        "--log-base",
        default=RUN_DEFAULTS.base,
        choices=("e", "2"),
        help=f"base of E_N (default {RUN_DEFAULTS.base}: nats)",
    )


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
    for name, add_options in OPTIONS.items():
        sub = subs.add_parser(name, help=_HELP[name], epilog=EXIT_CODES)
        add_options(sub)
        _state_defaults(sub)
    return parser


def _state_defaults(sub: argparse.ArgumentParser) -> None:
    """Every option's help ends with its default where it has one and does not say it."""
    for action in sub._actions:
        default = action.default
        if not action.help or default in (None, False, argparse.SUPPRESS) or default == []:
            continue
        if "default" not in action.help:
            action.help += f" (default {default})"


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
    "optimize": "the pump settings that tell quantum from KTM gravity best, within the regime",
    "hypotheses": "each gravity hypothesis's rate and its ΔE against quantum gravity",
    "tolerances": "how far each imperfection of a device may go before ΔE moves 10 or 50 percent",
}


def _steady_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    _add_rung_options(sub)
    _add_log_base(sub)
    _add_fock_options(sub, solver=True)
    _add_frame_option(sub)


def _evolve_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    _add_rung_options(sub, options.TRANSIENT_RUNGS)
    sub.add_argument(
        "--t-final",
        required=True,
        help="last time, with a unit: 20s, 5ms, 300 periods (2π/ω_m), 10/Gamma (rates by name)",
    )
    sub.add_argument("--n-times", type=int, default=201, help="output times")
    sub.add_argument(
        "--grid", default="lin", choices=evolve.GRIDS, help="time grid: evenly or log-spaced"
    )
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
    sub.add_argument("--no-progress", action="store_true", help="no progress bar or messages")
    _add_fock_options(sub, solver=False, transient=True)


def _validate_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    _add_log_base(sub)
    sub.add_argument(
        "--compare",
        metavar="quantum,B",
        default=VALIDATE["compare"],
        help="the hypothesis B set against quantum gravity (default quantum,ktm)",
    )
    sub.add_argument("--no-fock", action="store_true", help="Gaussian and closed-form rows only")
    sub.add_argument(
        "--l0",
        action=argparse.BooleanOptionalAction,
        default=VALIDATE["l0"],
        help="include the full model's Fock row (default)",
    )
    sub.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 also when a check could not run (out of reach, or left out on request)",
    )
    sub.add_argument(
        "--scaling",
        action="store_true",
        help="instead of the ladder: each approximation's error at its small parameter x 1, "
        "1/2, 1/4, 1/8, its log-log slope against the predicted one (table, --out files)",
    )
    _add_output_options(sub, "scaling-out")
    _add_fock_options(sub, solver=True)


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
    sub.add_argument("--no-progress", action="store_true", help="no progress bar or messages")
    _add_fock_options(sub, solver=True)


def _budget_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    sub.add_argument("--model", default=BUDGET["model"], choices=("effective", "rwa"), help="rung")
    sub.add_argument(
        "--efficiency", type=float, default=BUDGET["efficiency"], help="detection efficiency η"
    )
    sub.add_argument(
        "--added-noise", type=float, default=BUDGET["added_noise"], help="added noise (quanta)"
    )
    sub.add_argument(
        "--error-probability",
        type=float,
        default=BUDGET["error_probability"],
        help="allowed probability of telling the hypotheses apart wrongly",
    )
    sub.add_argument(
        "--compare",
        metavar="A,B",
        default=BUDGET["compare"],
        help="the two hypotheses to tell apart (default quantum,ktm)",
    )
    sub.add_argument(
        "--out",
        "--plot-out",
        dest="plot_out",
        metavar="DIR",
        help="also write the budget against Q_m (CSV, JSON, PNG) into this folder "
        "(--plot-out: the same)",
    )
    sub.add_argument(
        "--force", action="store_true", help="replace a budget in --out with other inputs"
    )
    sub.add_argument(
        "--no-progress", action="store_true", help="no progress bar for the budget vs Q_m"
    )


def _figure_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("which", choices=("fig2", "fig3"), help="the paper's Fig. 2 or Fig. 3")
    _add_log_base(sub)
    _add_output_options(sub, "out")


def _reference_options(sub: argparse.ArgumentParser) -> None:
    _add_log_base(sub)
    _add_json(sub)


def _hypotheses_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    sub.add_argument("--model", default=HYPOTHESES["model"], choices=hypotheses.RUNGS, help="rung")
    sub.add_argument(
        "--samples",
        type=float,
        metavar="N",
        help="also the Q_m each needs to be told apart in N samples",
    )
    _add_log_base(sub)
    sub.add_argument("--no-progress", action="store_true", help="no progress messages")


def _optimize_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    sub.add_argument(
        "--objective",
        default=OPTIMIZE["objective"],
        choices=optimize.OBJECTIVES,
        help="maximise delta_E, or minimise heterodyne samples or time",
    )
    sub.add_argument(
        "--vary",
        default="E_plus,E_minus",
        metavar="KEY,KEY",
        help="inputs to vary (default: E_plus,E_minus)",
    )
    sub.add_argument(
        "--bounds",
        action="append",
        default=[],
        metavar="KEY=LO:HI",
        help="range of a varied input (default: preset value /10 ... x10)",
    )
    sub.add_argument(
        "--model", default=OPTIMIZE["model"], choices=optimize.SEARCH_RUNGS, help="rung searched"
    )
    sub.add_argument(
        "--efficiency", type=float, default=OPTIMIZE["efficiency"], help="heterodyne efficiency η"
    )
    sub.add_argument(
        "--error-probability",
        type=float,
        default=OPTIMIZE["error_probability"],
        help="allowed probability of telling the hypotheses apart wrongly",
    )
    sub.add_argument(
        "--margin",
        type=float,
        help=f"stability: G+/G- <= 1 - margin (default {design.DEFAULT_MARGIN:g})",
    )
    sub.add_argument(
        "--adiabatic-tol",
        type=float,
        help=f"(G-/κ)² + (Ω/κ)² limit (default {design.DEFAULT_ADIABATIC_TOL:g})",
    )
    sub.add_argument(
        "--rwa-tol",
        type=float,
        help=f"(κ/ω_m)² + |k_M|/ω_m limit (default {design.DEFAULT_RWA_TOL:g})",
    )
    sub.add_argument(
        "--min-E-N",
        type=float,
        default=design.DEFAULT_MIN_E_N,
        dest="min_E_N",
        help="least E_N with KTM gravity at the optimum (nats)",
    )
    sub.add_argument("--fock", action="store_true", help="also run validate's Fock rows")
    sub.add_argument("--seed", type=int, default=OPTIMIZE["seed"], help="seed of the global search")
    sub.add_argument("--out", help="write optimize.csv, .json and .png into this folder")
    sub.add_argument(
        "--force",
        action="store_true",
        help="replace a run in --out that was made with other inputs",
    )
    sub.add_argument("--pdf", action="store_true", help="also write the map as PDF")
    sub.add_argument("--no-progress", action="store_true", help="no progress bar or messages")


def _tolerances_options(sub: argparse.ArgumentParser) -> None:
    _add_point_options(sub)
    sub.add_argument("--model", default="rwa", choices=tolerances.RUNGS, help="rung")
    _add_log_base(sub)
    sub.add_argument("--out", help="write tolerances.csv, .json and .png into this folder")
    sub.add_argument(
        "--force", action="store_true", help="replace a run in --out made with other inputs"
    )
    sub.add_argument("--pdf", action="store_true", help="also write the figure as PDF")


#: Each subcommand's options (what runs it: :data:`gravsim.cli.commands.RUNS`).
OPTIONS = {
    "params": _add_point_options,
    "steady": _steady_options,
    "evolve": _evolve_options,
    "validate": _validate_options,
    "scan": _scan_options,
    "budget": _budget_options,
    "figure": _figure_options,
    "reference": _reference_options,
    "optimize": _optimize_options,
    "hypotheses": _hypotheses_options,
    "tolerances": _tolerances_options,
}
