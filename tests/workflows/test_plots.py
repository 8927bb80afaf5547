"""Plots that tell the truth (issue 25, item 5): each test reads the matplotlib ``Figure``.

A log-spaced grid axis is drawn on a log axis; a valid ΔE = 0 cell is coloured; points
without a value are hatched, one hatch per reason, named in a legend only when present;
titles name the quantity, preset, rung, backend and log base; every axis label carries a
unit; Fock scans draw their truncation errors; Fig. 2's curves are told apart, its
conventional curve is the transient maximum and its threshold lines are in the legend; the
committed docs figures are all made by ``tools/docs_figures.py``.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

import gravsim as gs
from gravsim.workflows import budget, figures
from gravsim.workflows.evolve_result import EvolveResult
from gravsim.workflows.scan.figure import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
UNIT = re.compile(r"\(.+\)|\[.+\]")


def _scan(tmp_path, axes, name="s", preset="paper", **options):
    p = gs.presets.get(preset)
    out = tmp_path / name
    gs.scan.run(p, axes, out, progress=False, plot=False, preset=preset, **options)
    return gs.scan.load(out)


def _texts(fig) -> str:
    """Every title of the figure (axes titles and the figure's own)."""
    titles = [ax.get_title() for ax in fig.axes]
    if fig._suptitle is not None:
        titles.append(fig._suptitle.get_text())
    return "\n".join(titles)


def _legend_texts(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    return [t.get_text() for lg in legends if lg is not None for t in lg.get_texts()]


def _data_axes(fig):
    """The plotting axes (not colour bars)."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def _assert_units(fig):
    """Every axis label (and colour-bar label) carries a unit; plotting axes have both."""
    for ax in fig.axes:
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert not label or UNIT.search(label), label
    for ax in _data_axes(fig):
        assert ax.get_xlabel() and ax.get_ylabel(), ax.get_title()


def _mesh(ax):
    from matplotlib.collections import QuadMesh

    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    return mesh


# ---------------------------------------------------------------------- grid axes
def test_a_log_grid_axis_is_drawn_on_a_log_axis(tmp_path):
    line = _scan(tmp_path, ["Q_m=log:1e9:1e12:4"], "a")
    (ax,) = line.figure().axes
    assert ax.get_xscale() == "log"
    heat = _scan(tmp_path, ["E_plus=lin:60:120:3", "E_minus=log:150:400:3"], "b")
    ax = _data_axes(heat.figure())[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "linear")  # x: the second axis
    wide = _scan(tmp_path, ["Q_m=1e9,1e10,1e12"], "c")  # a list over decades: log
    assert wide.figure().axes[0].get_xscale() == "log"
    narrow = _scan(tmp_path, ["E_plus=90,100,110"], "d")  # within a decade: linear
    assert narrow.figure().axes[0].get_xscale() == "linear"


# ---------------------------------------------------------------------- ΔE = 0
def test_a_valid_zero_cell_is_coloured(tmp_path):
    """κ_G = 0 gives ΔE = 0 exactly: a value, drawn like any other (a LogNorm blanks it)."""
    data = _scan(tmp_path, ["kappa_G=0,1e-9,1e-8", "E_plus=80,100"])
    assert np.all(data.grid("delta_E")[0] == 0) and np.all(data.grid("delta_E")[1:] > 0)
    mesh = _mesh(_data_axes(data.figure())[0])
    values = mesh.get_array()  # rows: kappa_G (the first axis, on y)
    assert values.shape == (3, 2) and np.all(values[0] == 0)
    assert not np.ma.getmaskarray(values)[0].any()  # the ΔE = 0 row is not masked
    assert np.all(mesh.to_rgba(values)[0, :, 3] == 1)  # and opaque
    one_axis = _scan(tmp_path, ["kappa_G=0,1e-9,1e-8"], "line")
    ax = one_axis.figure().axes[0]
    ((x, y),) = [ln.get_xydata().T for ln in ax.get_lines() if ln.get_label() == "delta_E"]
    assert y[0] == 0 and ax.get_yscale() != "log"


# ---------------------------------------------------------------------- reasons, legend
def _hatches(fig) -> set[str]:
    from matplotlib.collections import PatchCollection

    out = set()
    for ax in fig.axes:
        out |= {c.get_hatch() for c in ax.collections if isinstance(c, PatchCollection)}
        out |= {p.get_hatch() for p in ax.patches if p.get_hatch()}
    return out


def test_points_without_a_value_are_hatched_and_named_only_when_present(tmp_path):
    axes = ["E_plus=lin:20:260:4", "E_minus=150,250"]
    data = _scan(tmp_path, axes)  # E_plus ≥ ~150 with E_minus = 150: no steady state
    fig = data.figure()
    labels = _legend_texts(fig)
    assert labels == [CATEGORIES["unstable"][0]]
    assert _hatches(fig) == {CATEGORIES["unstable"][1]}
    clean = _scan(tmp_path, ["E_plus=lin:20:60:3", "E_minus=150,250"], "clean").figure()
    assert _legend_texts(clean) == [] and _hatches(clean) == set()
    # a row lost (an interrupted scan), a numerical failure and a point outside the regime
    path = tmp_path / "s" / "scan.csv"
    rows = list(csv.reader(path.open()))
    path.write_text("".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows[:-1]))
    data = gs.scan.load(tmp_path / "s")
    status = data.columns["status"].astype(object)
    status[0] = "numerical failure: the solver did not converge"
    status[1] = "error: truncation too small: use `n_mech` 12 or more"
    data.columns["status"] = status.astype(str)
    fig = data.figure()
    assert set(_legend_texts(fig)) == {CATEGORIES[k][0] for k in CATEGORIES if k != "no_value"}
    assert _hatches(fig) == {CATEGORIES[k][1] for k in CATEGORIES if k != "no_value"}


def test_a_line_marks_points_without_a_value_in_the_legend(tmp_path):
    data = _scan(tmp_path, ["E_plus=lin:100:260:5"])  # E_plus ≥ E_minus: no steady state
    labels = _legend_texts(data.figure())
    assert CATEGORIES["unstable"][0] in labels and CATEGORIES["missing"][0] not in labels


# ---------------------------------------------------------------------- titles, units
@pytest.mark.parametrize("base, unit", [("e", "nats"), ("2", "bits")])
def test_scan_title_names_quantity_preset_rung_backend_and_base(tmp_path, base, unit):
    data = _scan(tmp_path, ["E_plus=lin:60:120:3", "E_minus=150,250"], base=base)
    for fig in (data.figure(), gs.scan.figure(data, "E_N_quantum")):
        text = _texts(fig)
        for word in ("paper", "effective rung", "gaussian backend", f"log base {base}", unit):
            assert word in text, (word, text)
    assert "delta_E" in _texts(data.figure())
    assert "E_N_quantum" in _texts(gs.scan.figure(data, "E_N_quantum"))
    assert unit in _data_axes(data.figure())[0].figure.axes[1].get_ylabel()  # colour bar


def test_every_axis_label_has_a_unit(tmp_path):
    line = _scan(tmp_path, ["Q_m=log:1e9:1e12:3"], "a").figure()
    heat = _scan(tmp_path, ["E_plus=lin:60:120:3", "E_minus=150,250"], "b").figure()
    cols = {k: np.array([1.0, 2.0]) for k in ("Q_m", "samples_optimal", "samples_heterodyne")}
    cols |= {k: np.array([1.0, 2.0]) for k in ("years_optimal", "years_heterodyne")}
    p = gs.presets.get("paper")
    for fig in (
        line,
        heat,
        figures.fig2(np.logspace(8, 22, 8)).figure(),
        figures.fig3(np.logspace(0, 6, 7)).figure(),
        budget.figure(cols, 0.5),
        gs.evolve.compute(p, t_final=10.0, n_times=5).figure(),
    ):
        _assert_units(fig)


# ---------------------------------------------------------------------- Fock errors
def test_fock_scan_draws_its_truncation_errors(tmp_path):
    fock = {"model": "effective", "backend": "fock", "n_mech": 8}
    data = _scan(tmp_path, ["Q_m=1e3,1e5"], "a", preset="small", **fock)
    ax = data.figure().axes[0]
    (bars,) = ax.containers
    _, _, (segments,) = bars
    lengths = [abs(s[1, 1] - s[0, 1]) / 2 for s in segments.get_segments()]
    assert np.allclose(lengths, data.columns["truncation_error_delta_E"])
    assert "truncation error" in _legend_texts(ax.figure)[0]
    data = _scan(tmp_path, ["Q_m=1e4", "E_plus=10,30"], "b", preset="small", **fock)
    left, right = _data_axes(data.figure())
    assert "truncation error" in right.get_title()
    shown = _mesh(right).get_array().ravel()
    assert np.allclose(shown, data.columns["truncation_error_delta_E"])


def test_fock_transient_draws_its_truncation_errors():
    t = np.linspace(0, 1, 4)
    columns = {"time_s": t, "E_N_quantum": t, "truncation_error_quantum": 0.1 + 0 * t}
    result = EvolveResult(
        columns, {"method": "m"}, "effective", "fock", "quantum", "displaced", log_base="2"
    )
    fig = result.figure()
    assert any(c.get_label() == "± Fock truncation error" for c in fig.axes[0].collections)
    assert "log base 2" in _texts(fig) and "bits" in fig.axes[0].get_ylabel()


# ---------------------------------------------------------------------- Fig. 2, Fig. 3
def test_fig2_curves_are_told_apart_and_labelled():
    fig = figures.fig2(np.logspace(8, 22, 15)).figure()
    for ax in fig.axes:
        lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
        styles = [(ln.get_linestyle(), ln.get_marker()) for ln in lines]
        assert len(lines) >= 4 and len(set(styles)) == len(styles), styles
    labels = _legend_texts(fig)
    assert sum("transient maximum" in t for t in labels) == 2
    assert sum("threshold" in t for t in labels) == 2
    assert any("identical to" in t for t in labels)  # DP and TD coincide: said so
    assert "log base e" in _texts(fig)


def test_fig3_threshold_is_in_the_legend():
    fig = figures.fig3(np.logspace(0, 6, 7)).figure()
    assert any("threshold |R| = 0.1" in t for t in _legend_texts(fig))
    assert "log base e" in _texts(fig)


# ---------------------------------------------------------------------- docs figures
def test_every_docs_figure_is_made_by_the_script():
    spec = importlib.util.spec_from_file_location("docs_figures", ROOT / "tools/docs_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._check() == 0
    assert set(module.FIGURES) >= {"fig2.png", "fig3.png"}
