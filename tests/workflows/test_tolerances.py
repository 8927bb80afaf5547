"""``gravsim tolerances``: each imperfection's 10 % and 50 % tolerance, reproduced by
``steady`` at the reported values."""

from __future__ import annotations

import pytest

import gravsim as gs
from gravsim.workflows import tolerances
from tests.conftest import gravsim, strict_json

PAPER = gs.presets.get("paper")


@pytest.fixture(scope="module")
def table():
    return tolerances.compute(PAPER)


def test_every_row_has_both_tolerances_in_order(table):
    names = [row["name"] for row in table.rows]
    assert names == [path.name for path in tolerances.ROWS]
    for row in table.rows:
        assert row["value_10pct"] is not None and row["value_50pct"] is not None, row["name"]
        start = tolerances.ROWS[names.index(row["name"])].start(PAPER)
        assert start < row["value_10pct"] < row["value_50pct"], row["name"]


@pytest.mark.parametrize("level", ["10pct", "50pct"])
def test_steady_reproduces_each_row_at_its_value(table, level):
    """`steady --set KEY=VALUE` (with the row's held and tied keys) moves ΔE by the level:
    the reported value is the crossing to the bisection's 1e-6 (a tolerance off by a factor
    would give another ratio)."""
    target = {"10pct": 0.1, "50pct": 0.5}[level]
    ideal = gs.steady.compute(PAPER, model="rwa").comparison()["delta_E"]
    for row in table.rows:
        value = row[f"value_{level}"]
        settings = row["fixed"] | {row["key"]: value} | dict.fromkeys(row["tied"], value)
        moved = gs.steady.compute(PAPER.replace(**settings), model="rwa").comparison()
        assert abs(moved["delta_E"] / ideal - 1) == pytest.approx(target, rel=1e-4), row["name"]
        assert row[f"delta_E_{level}"] == pytest.approx(moved["delta_E"], rel=1e-9)


def test_tolerances_are_measured_from_the_ideal_device():
    with pytest.raises(gs.errors.GravsimInputError, match="ideal device, and n_c is set"):
        tolerances.compute(PAPER.replace(n_c=0.1))
    with pytest.raises(gs.errors.GravsimInputError, match="model rwa or effective"):
        tolerances.compute(PAPER, model="linear")


def test_the_command_writes_and_prints_the_contract(tmp_path):
    out = gravsim("tolerances", "--preset", "paper", "--json", "--out", str(tmp_path / "t"))
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert data["model"] == "rwa"
    row = data["tolerances"][0]
    assert {"key", "value_10pct", "value_50pct", "fixed"} <= set(row)
    assert {p.suffix for p in (tmp_path / "t").iterdir()} >= {".csv", ".json", ".png"}
    back = gs.load(tmp_path / "t")
    assert back.rows[0]["value_10pct"] == row["value_10pct"]
    text = gravsim("tolerances", "--preset", "small", "--model", "effective")
    assert text.returncode == 0 and "common-mode heating" in text.stdout


def test_an_ideal_delta_e_of_zero_is_refused(tmp_path):
    """At n̄ ~ 1e30 nothing is entangled: a table of changes relative to ΔE = 0 was printed
    (found by the probe); now one line says why there is none."""
    from tests.conftest import gravsim_in_process, one_error_line

    out = gravsim_in_process("tolerances", "--preset", "small", "--set", "T=1e30", cwd=tmp_path)
    assert "ΔE is 0" in one_error_line(out, 2)
