"""Options as the public interface: an object, a dict or keywords, checked once."""

from __future__ import annotations

import pytest

import gravsim as gs
from gravsim.errors import GravsimInputError
from gravsim.workflows.options import FockOptions, RunOptions, chooses_levels

PAPER = gs.presets.get("paper")


def test_steady_takes_an_options_object_a_dict_or_keywords_alike():
    run = RunOptions(model="rwa", gravity="both", base="2")
    by_object = gs.steady.compute(PAPER, run).values
    by_dict = gs.steady.compute(PAPER, {"model": "rwa", "base": 2}).values
    by_keywords = gs.steady.compute(PAPER, model="rwa", base="2").values
    assert by_object["delta_E"] == by_dict["delta_E"] == by_keywords["delta_E"]


def test_evolve_and_scan_take_options_objects(tmp_path):
    run = RunOptions(model="effective", gravity="quantum")
    ev = gs.evolve.compute(PAPER, run, t_final=10.0, n_times=3)
    assert ev.gravity == "quantum" and list(ev.columns)[:2] == ["time_s", "E_N_quantum"]
    csv = gs.scan.run(PAPER, ["E_plus=lin:50:150:2"], tmp_path, run, progress=False)
    assert csv.exists()


@pytest.mark.parametrize(
    ("options", "kwargs", "message"),
    [
        ({"modle": "rwa"}, {}, "unknown option 'modle'"),
        ({"model": "rwa"}, {"model": "effective"}, "'model' given twice"),
        (["rwa"], {}, "RunOptions or a dict"),
        ({"base": 10}, {}, "log base"),
    ],
)
def test_bad_options_are_named(options, kwargs, message):
    with pytest.raises(GravsimInputError, match=message):
        gs.steady.compute(PAPER, options, **kwargs)


def test_options_round_trip_through_keywords():
    run = RunOptions.from_kwargs(model="rwa", backend="fock", n_mech=6, n_cav=4, base=2)
    assert RunOptions.from_any(run.as_kwargs()) == run
    assert run.fock == FockOptions(n_mech=6, n_cav=4)


@pytest.mark.parametrize(
    ("kwargs", "chooses"),
    [
        ({"model": "rwa", "backend": "fock"}, True),
        ({"model": "rwa", "backend": "fock", "n_mech": 8}, True),  # the cavity still open
        ({"model": "rwa", "backend": "fock", "n_mech": 8, "n_cav": 4}, False),
        ({"model": "rwa", "backend": "fock", "n_mech": 8, "n_cav": 4, "tol": 1e-3}, True),
        ({"model": "effective", "backend": "fock", "n_mech": 8}, False),
        ({"model": "full", "backend": "fock"}, False),  # periodic: fixed ladder
        ({"model": "rwa"}, False),  # Gaussian
    ],
)
def test_which_runs_choose_their_fock_levels(kwargs, chooses):
    assert chooses_levels(RunOptions.from_kwargs(**kwargs)) is chooses


def test_the_gravity_text_is_parsed_once_per_run_not_per_point(tmp_path, monkeypatch):
    """A scan solved point by point (L1) reads ``--gravity`` as often for 6 points as for 2:
    every point gets the models parsed when the options were made."""
    from gravsim.model import gravity as gravity_module

    calls = []
    settings = gravity_module._settings

    def counted(name, items):
        calls.append(name)
        return settings(name, items)

    monkeypatch.setattr(gravity_module, "_settings", counted)
    counts = []
    for n in (2, 6):
        calls.clear()
        axes = [f"E_plus=lin:50:150:{n}"]
        gs.scan.run(
            PAPER,
            axes,
            tmp_path / str(n),
            model="linear",
            gravity="quantum,diosi-penrose",
            progress=False,
        )
        counts.append(len(calls))
    assert counts[0] == counts[1] > 0
    run = RunOptions(gravity="quantum,ktm")
    assert gs.model.gravity.choose(run.models) is run.models
