"""The library leaves a user's session alone and speaks in its own terms.

* No ``matplotlib.use`` and no pyplot outside the command line: plots are ``Figure`` objects
  the caller shows or saves, so a notebook's backend and open figures stay as they were.
* Messages of raised errors and warnings name library arguments (`` `n_mech` ``), never
  command-line flags (``--n-mech``): the CLI rewrites them (``cli.as_flags``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np

import gravsim as gs

SRC = Path(gs.__file__).parent
LIBRARY = [
    p for p in sorted(SRC.rglob("*.py")) if p.parent.name != "cli" and p.name != "__main__.py"
]


def test_no_global_matplotlib_state_in_the_library():
    for path in LIBRARY:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any("pyplot" in n for n in names), path.name
            if isinstance(node, ast.Attribute) and node.attr == "use":
                assert getattr(node.value, "id", "") != "matplotlib", path.name


def test_figures_leave_the_backend_and_pyplot_alone(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    backend, before = matplotlib.get_backend(), plt.get_fignums()
    p = gs.presets.get("paper")
    figures = [
        gs.evolve.compute(p, t_final=10.0, n_times=5).figure(),
        gs.figures.fig3(np.logspace(0, 2, 3)).figure(),
        gs.feasibility.figure(
            {
                k: np.array([1.0, 2.0])
                for k in (
                    "Q_m",
                    "samples_optimal",
                    "samples_heterodyne",
                    "years_optimal",
                    "years_heterodyne",
                )
            },
            0.5,
        ),  # fmt: skip
    ]
    path = gs.scan.run(p, [gs.scan.parse_axis("Q_m=1e10,1e11")], tmp_path, progress=False)
    figures.append(gs.scan.figure(gs.scan.load(path.parent)))
    assert matplotlib.get_backend() == backend and plt.get_fignums() == before
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)


def _messages(tree: ast.AST) -> list[str]:
    """String parts of every ``raise X(...)`` and ``warnings.warn(...)`` argument."""
    out = []
    for node in ast.walk(tree):
        call = node.exc if isinstance(node, ast.Raise) else node
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if isinstance(node, ast.Raise) or name == "warn":
            for arg in call.args:
                out += [c.value for c in ast.walk(arg) if isinstance(c, ast.Constant)
                        and isinstance(c.value, str)]  # fmt: skip
    return out


def test_library_messages_name_arguments_not_flags():
    flag = re.compile(r"(^|[\s(`'\"])--[a-z]")
    for path in LIBRARY:
        for message in _messages(ast.parse(path.read_text())):
            assert not flag.search(message), f"{path.name}: {message!r}"


def test_compare_gravity_needs_a_classical_gravity_model():
    import pytest

    with pytest.raises(gs.GravsimInputError, match="KTMGravity"):
        gs.gaussian.compare_gravity(gs.models.effective(gs.presets.get("paper")))
