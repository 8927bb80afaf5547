"""The one result model: shared fields, dict forms derived from the fields, files written and
loaded back (gs.load) for every kind of result."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import gravsim as gs
from gravsim.errors import GravsimInputError
from gravsim.workflows import loading
from gravsim.workflows.approximation_order import Scaling, Series
from gravsim.workflows.result_model import NOT_COMPUTED, Result, decode, encode
from gravsim.workflows.text_forms import dumps, loads

PAPER = gs.presets.get("paper")
SMALL = gs.presets.get("small")


@dataclass(frozen=True)
class _Inner:
    x: float
    skipped: float | None = NOT_COMPUTED


@dataclass(frozen=True, eq=False, repr=False)
class _Toy(Result):
    columns: dict[str, np.ndarray]
    inner: _Inner
    pairs: tuple[_Inner, ...]
    vector: np.ndarray
    renamed: float = field(default=0.0, metadata={"json_key": "old_name"})
    hidden: Any = field(default=None, metadata={"json": False})

    TABLE = "columns"


def _toy() -> _Toy:
    return _Toy(
        {"t": np.array([0.0, 1.0]), "y": np.array([np.nan, 2.5])},
        _Inner(1.5),
        (_Inner(2.0, 3.0), _Inner(4.0)),
        np.array([[1.0, 2.0], [3.0, math.inf]]),
        renamed=7.0,
        hidden=object(),
        parameters=SMALL,
        options={"model": "rwa"},
        stats={"wall_time_s": 0.5},
        log_base="2",
        notes=("a note",),
    )


def test_a_new_field_is_written_and_read_without_code_of_its_own():
    toy = _toy()
    data = toy.to_dict()
    assert data["result_type"] == "_Toy"
    assert data["old_name"] == 7.0 and "renamed" not in data  # the key scripts read
    assert "hidden" not in data and "skipped" not in data["inner"]  # json=False, NOT_COMPUTED
    assert data["units"]["E_N"] == "bits" and data["units"]["kappa"] == "rad/s"
    back = _Toy.from_dict(loads(dumps(data)))  # through strict JSON: inf comes back
    assert isinstance(back.vector, np.ndarray) and back.vector[1, 1] == math.inf
    assert isinstance(back.inner, _Inner) and back.inner.skipped is NOT_COMPUTED
    assert isinstance(back.pairs, tuple) and back.pairs[0] == _Inner(2.0, 3.0)
    assert back.parameters.as_dict() == SMALL.as_dict()
    assert (back.options, back.stats, back.log_base, back.notes, back.renamed) == (
        {"model": "rwa"},
        {"wall_time_s": 0.5},
        "2",
        ("a note",),
        7.0,
    )
    assert dumps(back.to_dict()) == dumps(toy.to_dict())
    broken = dataclasses.replace(back, inner=_Inner(1.25))
    assert dumps(broken.to_dict()) != dumps(toy.to_dict())  # the comparison can fail


def test_decode_follows_the_type_hints():
    assert isinstance(decode(np.ndarray, [1.0, 2.0]), np.ndarray)
    assert decode(tuple[int, ...], [1, 2]) == (1, 2)
    assert decode(dict[str, np.ndarray], {"a": [1.0]})["a"].dtype == float
    assert decode(float | None, None) is None
    assert encode(_Inner(1.0)) == {"x": 1.0}


def test_non_finite_numbers_survive_strict_json():
    data = {"a": [1.0, math.nan], "b": {"c": -math.inf}}
    text = dumps(data)
    assert "NaN" not in text and "Infinity" not in text
    back = loads(text)
    assert math.isnan(back["a"][1]) and back["b"]["c"] == -math.inf and "non_finite" not in back


def test_a_dict_of_another_result_is_refused():
    with pytest.raises(GravsimInputError, match="this is a Budget, not a _Toy"):
        _Toy.from_dict({"result_type": "Budget"})


def _same(a: Result, b: Result) -> None:
    """Equal dict forms, compared as strict JSON (NaN == NaN there)."""
    assert loads(a.to_json()) == loads(b.to_json()) or dumps(a.to_dict()) == dumps(b.to_dict())


def _round_trip(result: Result, tmp_path) -> Result:
    """from_dict of the JSON text, and write + gs.load: both give the same dict form."""
    _same(type(result).from_dict(loads(result.to_json())), result)
    result.write(tmp_path / "run", "a command", preset="paper")
    back = gs.load(tmp_path / "run")
    assert type(back) is type(result)
    assert dumps(back.to_dict()) == dumps(result.to_dict())
    return back


def _fast_results() -> dict[str, Any]:
    ev = gs.evolve.compute(PAPER, model="effective", t_final=5.0, n_times=4)
    scaling = Scaling(
        (
            Series(
                "L2-L3",
                "delta_E",
                "g/kappa",
                (1.0, 0.5),
                (1e-3, 2.5e-4),
                (1e-3, 2.5e-4),
                2.0,
                2.0,
                True,
            ),
        ),
        {"L0-L1": "not run"},
        parameters=PAPER,
        log_base="e",
    )
    return {
        "steady": gs.steady.compute(PAPER, model="rwa", gravity="both"),
        "steady_fock": gs.steady.compute(SMALL, model="effective", backend="fock", n_mech=8),
        "evolve": ev,
        "validate": gs.validate.run(PAPER, fock=False),
        "budget": gs.budget.budget(PAPER),
        "hypotheses": gs.workflows.hypotheses.table(PAPER),
        "reference": gs.workflows.reference.compute(),
        "figure": gs.figures.fig3(np.array([0.5, 1.0, 2.0])),
        "scaling": scaling,
    }


@pytest.fixture(scope="module")
def results():
    return _fast_results()


@pytest.mark.parametrize(
    "kind",
    [
        "steady",
        "steady_fock",
        "evolve",
        "validate",
        "budget",
        "hypotheses",
        "reference",
        "figure",
        "scaling",
    ],
)
def test_every_result_round_trips_through_its_dict_and_its_folder(results, kind, tmp_path):
    result = results[kind]
    _round_trip(result, tmp_path)
    data = result.to_dict()
    for key in ("parameters", "options", "stats", "log_base", "units", "notes"):
        assert key in data, key  # the shared fields, one spelling each
    assert "unit" not in data or "units" in data
    if "base" in data:
        assert data["base"] == data["log_base"]


def test_the_fock_state_is_not_written_but_the_numbers_are(results, tmp_path):
    result = results["steady_fock"]
    back = type(result).from_dict(loads(result.to_json()))
    assert back.comparison() == pytest.approx(result.comparison(), rel=0, abs=0)
    for read_back in (back.state, back.covariance):
        with pytest.raises(GravsimInputError, match="compute it again"):
            read_back("quantum")  # ρ is never in the dict form
    again = gs.steady.compute(back.parameters, back.options)
    for key, value in result.comparison().items():  # what the message says works (the
        assert again.comparison()[key] == pytest.approx(
            value, rel=1e-9
        )  # solver's last digits vary)


def test_evolve_columns_come_back_from_the_csv(results, tmp_path):
    ev = results["evolve"]
    back = _round_trip(ev, tmp_path)
    for key, column in ev.columns.items():
        np.testing.assert_array_equal(back.columns[key], column)


def test_the_options_and_wall_time_are_recorded(results):
    v = results["validate"]
    assert v.options["fock"] is False and v.options["base"] == "e"
    assert v.stats["wall_time_s"] > 0
    assert results["budget"].options["model"] == "effective"
    again = gs.budget.budget(PAPER, options=results["budget"].options)
    assert again.delta_E == results["budget"].delta_E


def test_load_names_what_is_wrong(tmp_path, results):
    with pytest.raises(GravsimInputError, match="no folder"):
        gs.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GravsimInputError, match="holds no gravsim run"):
        gs.load(tmp_path / "empty")
    results["budget"].write(tmp_path / "two")
    results["validate"].write(tmp_path / "two")
    with pytest.raises(GravsimInputError, match="several runs"):
        gs.load(tmp_path / "two")
    assert type(gs.load(tmp_path / "two", name="validate")).__name__ == "Validation"
    old = tmp_path / "old"
    old.mkdir()
    (old / "evolve_x.json").write_text(json.dumps({"model": "rwa"}))  # before result types
    with pytest.raises(GravsimInputError, match="result_type"):
        gs.load(old)


def test_every_written_result_kind_can_be_loaded():
    """Each result class a command writes is known to gs.load (a new one must be added)."""
    written = {"EvolveResult", "FigureData", "OptimizeResult", "Budget", "Validation", "Scaling"}
    assert written <= set(loading.RESULTS)
    for cls in loading.RESULTS.values():
        assert dataclasses.is_dataclass(cls) and issubclass(cls, Result)
