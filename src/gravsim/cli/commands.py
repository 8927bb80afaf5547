"""What each ``gravsim`` subcommand runs: a workflow call and its printing."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from gravsim.cli.parser import RUN_DEFAULTS, as_flags
from gravsim.errors import GravsimInputError, GravsimWarning
from gravsim.model import presets, regime
from gravsim.model.changes import conflicting_keys, dropped_by
from gravsim.model.inputs import duration_rates as _rates
from gravsim.model.inputs import parse_duration, parse_settings
from gravsim.model.parameters import UNITS, Parameters
from gravsim.workflows import (
    approximation_order,
    budget,
    evolve,
    figures,
    hypotheses,
    reference,
    scan,
    steady,
    tolerances,
    validate,
)
from gravsim.workflows.optimize import output as optimize_output
from gravsim.workflows.result_model import computed_into, entanglement_unit
from gravsim.workflows.steady_result import parameter_table
from gravsim.workflows.text_forms import dumps


def _parameters(args: argparse.Namespace) -> Parameters:
    return presets.get(args.preset).replace(**parse_settings(args.set))


def _command_line() -> str:
    return "gravsim " + " ".join(sys.argv[1:])


def _progress(message: str) -> None:
    print(f"gravsim: {message}", file=sys.stderr, flush=True)


def _cmd_params(args: argparse.Namespace) -> None:
    p = _parameters(args)
    regime.warn_outside(p, "")  # what no rung can hold: overlapping spheres, Q < 1, …
    data = {"preset": args.preset, "parameters": p.as_dict(), "units": UNITS}
    print(dumps(data) if args.json else f"preset {args.preset}\n{parameter_table(p)}")


def _cmd_steady(args: argparse.Namespace) -> None:
    p = _parameters(args)
    result = steady.compute(p, progress=_progress, **_run_options(args))
    _emit(args, result)


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The rung, gravity, backend, log base and Fock settings a subcommand was given
    (:class:`~gravsim.workflows.options.RunOptions`)."""
    names = ("model", "gravity", "backend", "n_mech", "n_cav", "solver", "frame", "tol")
    given = {"base": args.log_base} | {k: getattr(args, k) for k in names if hasattr(args, k)}
    if getattr(args, "compare", None) is not None:
        if "," not in args.compare and args.compare != "both":
            raise GravsimInputError(
                f"--compare {args.compare!r} names one hypothesis: give two as A,B (e.g. "
                "quantum,diosi-penrose), or one with --gravity"
            )
        if args.gravity != RUN_DEFAULTS.gravity:
            raise GravsimInputError(
                "--gravity and --compare given together: --compare names both hypotheses; "
                "drop --gravity"
            )
        given["gravity"] = args.compare  # two hypotheses "A,B" (see model.gravity.choose)
    return given


def _refuse_dropped(args: argparse.Namespace, varied: list[str]) -> None:
    """A `--set` value that varying ``varied`` would silently replace is refused."""
    message = dropped_by(varied, parse_settings(args.set))
    if message:
        raise GravsimInputError(message.replace(" is given", " is given with --set"))


def _emit(args: argparse.Namespace, result: Any) -> None:
    """Print a result as one JSON object (``--json``) or as text, with the preset's name."""
    if args.json:
        print(dumps({"preset": args.preset} | result.to_dict()))
    else:
        print(f"preset {args.preset}")
        print(as_flags(str(result), args.subparser))


def _report(
    args: argparse.Namespace, result: Any, files: list, text: str, with_files: bool = True
) -> None:
    """A result that wrote ``files``: one JSON object (``--json``; ``files`` listed when
    ``with_files``) or ``text`` and a line per file."""
    if args.json:
        shown = {"files": list(map(str, files))} if with_files else {}
        print(dumps({"preset": args.preset} | result.to_dict() | shown))
        return
    print(text)
    for path in files:
        print(f"wrote {path}")


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
    result, paths = evolve.run(
        p,
        out=args.out,
        force=args.force,
        pdf=args.pdf,
        preset=args.preset,
        command=_command_line(),
        progress=not args.no_progress,
        **inputs,
    )
    summary = {"preset": args.preset, "model": args.model, "backend": args.backend}
    summary |= result.summary() | {"files": [str(x) for x in paths]}
    if args.json:
        print(dumps(summary))
        return
    print(_evolve_text(summary, result.log_base))
    for path in paths:
        print(f"wrote {path}")


def _evolve_text(summary: dict[str, Any], log_base: str) -> str:
    """A transient's summary as a table: final value, maximum and when, steady value."""
    unit = entanglement_unit(log_base)
    lines = [
        f"preset {summary['preset']}",
        f"model {summary['model']}, backend {summary['backend']}, t from 0 to "
        f"{summary['t_final_s']:.4g} s; E_N in {unit}",
        f"  {'':16}{'final':>14}{'max':>14}{'at t (s)':>12}{'steady':>14}",
    ]
    steady_values = summary.get("steady") or {}
    for key, v in summary.items():
        if isinstance(v, dict) and "final" in v:
            ref = steady_values.get(key)
            cells = [_g(v["final"]), _g(v["max"]), f"{v['t_max_s']:>12.4g}", _g(ref)]
            lines.append(f"  {key:16}" + "".join(cells))
    if steady_values.get("method"):
        lines.append(f"  steady: {steady_values['method']}")
    return "\n".join(lines)


def _g(x: Any) -> str:
    return f"{'-':>14}" if x is None else f"{x:>14.6g}"


def _cmd_reference(args: argparse.Namespace) -> None:
    table = reference.compute(base=args.log_base)
    print(table.to_json() if args.json else table)


def _cmd_figure(args: argparse.Namespace) -> None:
    data, paths = figures.run(
        args.which,
        args.out,
        base=args.log_base,
        force=args.force,
        pdf=args.pdf,
        command=_command_line(),
    )
    for path in paths:
        print(f"wrote {path}")
    print(dumps(data.summary))


def _cmd_scan(args: argparse.Namespace) -> None:
    axes = [scan.parse_axis(spec) for spec in args.grid]
    p = _parameters(args)  # each value checked before how the values combine
    _refuse_dropped(args, [a.key for a in axes])
    given = parse_settings(args.set)
    both = [a.key for a in axes if a.key in given]
    if both:
        raise GravsimInputError(
            f"{both[0]} is given with --set and as a --grid axis (the grid's values replace "
            "it): drop one"
        )
    clash = conflicting_keys(set(given) | {a.key for a in axes})
    if clash:
        raise GravsimInputError(f"{clash} (between --set and --grid)")
    out = Path(args.out)
    args.on_interrupt = f"the rows done are in {out / 'scan.csv'}; rerun the command to resume"
    csv_path = scan.run(
        p,
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
    points, files = scan.written(csv_path.parent)
    if args.json:
        print(dumps({"preset": args.preset, "points": points, "files": files}))
        return
    failed = f", {points['failed']} without a result (scan.csv's status column says why)"
    print(f"{points['ok']} points solved{failed if points['failed'] else ''}")
    for path in files:
        print(f"wrote {path}")


def _cmd_budget(args: argparse.Namespace) -> None:
    result, files = budget.run(
        _parameters(args),
        model=args.model,
        efficiency=args.efficiency,
        added_noise=args.added_noise,
        error_probability=args.error_probability,
        compare=args.compare,
        out=args.plot_out,
        force=args.force,
        preset=args.preset,
        command=_command_line(),
        progress=not args.no_progress,
    )
    _report(args, result, files, f"preset {args.preset}: {result}", args.plot_out is not None)


def _cmd_validate(args: argparse.Namespace) -> int:
    p = _parameters(args)
    if args.scaling:
        return _validate_scaling(args, p)
    given = {"--out": args.out != args.subparser.get_default("out"), "--force": args.force}
    unused = [flag for flag, on in (given | {"--pdf": args.pdf}).items() if on]
    if unused:
        warnings.warn(f"{unused[0]} has no effect without --scaling", GravsimWarning, 2)
    result = validate.run(
        p,
        base=args.log_base,
        fock=not args.no_fock,
        n_mech=args.n_mech,
        n_cav=args.n_cav,
        solver=args.solver,
        progress=_progress,
        l0=args.l0,
        compare=args.compare,
        tol=args.tol,
    )
    _emit(args, result)
    return 0 if result.ok and (result.complete or not args.strict) else 1


def _validate_scaling(args: argparse.Namespace, p: Any) -> int:
    """``validate --scaling``: the order of each approximation, measured."""
    options = {"base": args.log_base, "compare": args.compare, "l0": args.l0 and not args.no_fock}
    scaling, files = computed_into(  # the folder is opened (and may refuse) before the work
        args.out,
        approximation_order.RUN_NAME,
        p,
        options,
        lambda: approximation_order.run(p, progress=_progress, **options),
        **_written_by(args),
    )
    _report(args, scaling, files, f"preset {args.preset}\n{scaling}")
    return 0 if scaling.ok else 1


def _cmd_optimize(args: argparse.Namespace) -> int:
    bounds = {}
    for spec in args.bounds:
        key, sep, rng = spec.partition("=")
        if not sep:
            raise GravsimInputError(f"--bounds {spec!r}: write KEY=LO:HI, e.g. E_plus=10:300")
        bounds[key.strip()] = rng
    vary = [k.strip() for k in args.vary.split(",") if k.strip()]
    _refuse_dropped(args, vary)
    result, files = optimize_output.run(
        _parameters(args),
        vary,
        out=args.out,
        force=args.force,
        pdf=args.pdf,
        preset=args.preset,
        command=_command_line(),
        objective=args.objective,
        bounds=bounds,
        model=args.model,
        efficiency=args.efficiency,
        error_probability=args.error_probability,
        margin=args.margin,
        adiabatic_tol=args.adiabatic_tol,
        rwa_tol=args.rwa_tol,
        min_E_N=args.min_E_N,
        fock=args.fock,
        seed=args.seed,
        progress=not args.no_progress,
    )
    _report(args, result, files, str(result))
    # no point satisfying the constraints raised InfeasibleError (exit 3) before this line
    return 0 if result.validation.ok else 1


def _cmd_hypotheses(args: argparse.Namespace) -> None:
    result = hypotheses.table(
        _parameters(args),
        model=args.model,
        base=args.log_base,
        samples=args.samples,
        progress=not args.no_progress,
    )
    print(dumps({"preset": args.preset} | result.to_dict()) if args.json else result)


def _cmd_tolerances(args: argparse.Namespace) -> None:
    p, options = _parameters(args), {"model": args.model, "base": args.log_base}
    files: list = []
    if args.out is None:
        result = tolerances.compute(p, **options)
    else:  # the folder is opened (and may refuse) before the work
        result, files = computed_into(
            args.out,
            "tolerances",
            p,
            options,
            lambda: tolerances.compute(p, **options),
            **_written_by(args),
            pdf=args.pdf,
        )
    _report(args, result, files, f"preset {args.preset}\n{result}", args.out is not None)


def _written_by(args: argparse.Namespace) -> dict[str, Any]:
    """What a written run records of its command: the command line, preset and --force."""
    return {"command": _command_line(), "force": args.force, "preset": args.preset}


#: What runs each subcommand (its options: :data:`gravsim.cli.parser.OPTIONS`).
RUNS = {
    "params": _cmd_params,
    "steady": _cmd_steady,
    "evolve": _cmd_evolve,
    "validate": _cmd_validate,
    "scan": _cmd_scan,
    "budget": _cmd_budget,
    "figure": _cmd_figure,
    "reference": _cmd_reference,
    "optimize": _cmd_optimize,
    "hypotheses": _cmd_hypotheses,
    "tolerances": _cmd_tolerances,
}
