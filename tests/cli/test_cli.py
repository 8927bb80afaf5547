"""The command-line contract, run as a real subprocess."""

from __future__ import annotations

import json

import pytest

import gravsim as gs
from gravsim import gaussian
from gravsim.model import rungs as models
from gravsim.model.gravity import KTMGravity
from tests.conftest import gravsim as run


def test_params_json():
    out = run("params", "--preset", "paper", "--set", "Q_m=1e12", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    params = data["parameters"]
    assert params["Q_m"] == pytest.approx(1e12)
    assert params["n_th"] == pytest.approx(4.17e6, rel=1e-3)
    assert data["units"]["gamma_m"] == "rad/s"
    assert "G_plus" in params and "Gamma" in params and "kappa_G" in params


def test_params_text_lists_units():
    out = run("params", "--preset", "paper-point-mass")
    assert out.returncode == 0
    assert "rad/s" in out.stdout and "point-mass" in out.stdout


def test_steady_json_both_gravity():
    out = run(
        "steady", "--preset", "paper", "--model", "effective", "--gravity", "both",
        "--backend", "gaussian", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    comp = gaussian.compare_gravity(models.effective(gs.presets.get("paper"), KTMGravity()))
    assert data["delta_E"] == pytest.approx(comp.delta_E(), rel=1e-12)
    assert data["E_N_quantum"] == pytest.approx(comp.E_N_quantum(), rel=1e-14)
    assert data["log_base"] == "e" and data["model"] == "effective"
    assert data["backend"] == "gaussian"
    assert data["parameters"]["kappa_G"] == pytest.approx(2 * 3.141592653589793 * 7e-10)


def test_steady_single_gravity_and_log_base_2():
    out = run("steady", "--model", "rwa", "--gravity", "quantum", "--log-base", "2", "--json",
              "--set", "omega_m=2*pi*50")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    e_nats = gaussian.steady_state(models.rwa(gs.presets.get("paper"))).log_negativity()
    assert data["E_N"] == pytest.approx(e_nats / 0.6931471805599453, rel=1e-12)
    assert data["log_base"] == "2"


def test_steady_closed_form_and_conventional():
    out = run("steady", "--model", "closed-form", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["delta_E"] == pytest.approx(4.965e-8, rel=2e-3)
    assert "eq6_delta_E" in data and "eq24_E_N_quantum" in data
    out = run("steady", "--model", "conventional", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["E_N_quantum"] == 0.0  # hot steady state: never entangled
    assert "transient_maximum" in data


def test_reference_prints_both_conventions():
    out = run("reference")
    assert out.returncode == 0, out.stderr
    assert "paper-point-mass" in out.stdout and "nats" in out.stdout


@pytest.mark.parametrize(
    "args,needle",
    [
        (("steady", "--set", "no_such_key=1", "--model", "effective"), "no_such_key"),
        (("steady", "--set", "gamma_m=-1"), "gamma_m must be >= 0"),
        (("steady", "--set", "E_plus=300"), "G_plus < G_minus"),
        (("steady", "--set", "G_plus=5", "--set", "G_minus=4"), "G_plus < G_minus"),
        (("steady", "--preset", "nope"), "unknown preset"),
        (("steady", "--model", "nope"), "invalid choice"),
        (("steady", "--set", "kappa=abc"), "cannot read"),
        (("steady", "--set", "kappa"), "KEY=VALUE"),
        (("params", "--set", "T=nan"), "not finite"),
        (("steady", "--set", "gamma_m=0", "--set", "Omega=0", "--set", "k_M=0"), "no steady state"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, needle):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert needle in lines[0]
    assert "Traceback" not in out.stderr


def test_every_option_has_help_and_says_its_default():
    import argparse

    from gravsim.cli.parser import build_parser

    missing = []
    for name, sub in build_parser().subcommands.items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            text, default = action.help or "", action.default
            if not text:
                missing.append(f"{name} {action.dest}: no help")
            elif default not in (None, False, [], argparse.SUPPRESS) and "default" not in text:
                missing.append(f"{name} {action.dest}: default {default!r} not said")
    assert not missing, missing


def test_fock_level_defaults_agree_across_commands_or_say_why_not():
    from gravsim.cli.parser import build_parser

    subs = build_parser().subcommands

    def help_of(name: str, dest: str) -> str:
        return next(a.help for a in subs[name]._actions if a.dest == dest)

    for dest in ("n_mech", "n_cav"):
        texts = {name: help_of(name, dest) for name in ("steady", "validate", "scan")}
        assert len(set(texts.values())) == 1, texts
    assert "fixed: a transient has no steady state" in help_of("evolve", "n_mech")


def test_every_help_page_formats():
    """argparse expands '%' in help text: every page (the top one and each subcommand's)
    must format, or ``--help`` itself fails."""
    from gravsim.cli.parser import build_parser

    parser = build_parser()
    assert "tolerances" in parser.format_help()
    for name, sub in parser.subcommands.items():
        assert sub.format_help(), name
