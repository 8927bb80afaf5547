"""The layout's rules (docs/architecture.md), read from the source: import arrows point down
the ladder, no module over 500 lines of formatted code (no ``fmt: skip``/``fmt: off`` in src),
and functions kept small by ruff's complexity rules (C901, PLR0911/0912/0915), which
pyproject.toml must select."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gravsim"

#: Layer of each top-level part, and the layers it may import.
ALLOWED = {
    "errors": set(),
    "model": {"errors", "model"},
    "analysis": {"errors", "model", "analysis"},
    "gaussian": {"errors", "model", "analysis", "gaussian"},
    "fock": {"errors", "model", "analysis", "fock", "progress"},
    "closed_form": {"errors", "model", "analysis", "closed_form"},
    "plotting": set(),
    "progress": {"errors"},
    "workflows": {
        "errors",
        "model",
        "analysis",
        "gaussian",
        "fock",
        "closed_form",
        "plotting",
        "progress",
        "workflows",
        "__version__",
    },
}
MAX_MODULE_LINES = 500
#: ruff rules that bound a function's size and complexity (pyproject.toml selects them).
SIZE_RULES = ("C901", "PLR0911", "PLR0912", "PLR0915")


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _part(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_parts(path: Path) -> set[str]:
    """The top-level parts of gravsim that ``path`` imports (anywhere in the file)."""
    rel = path.relative_to(SRC).with_suffix("").parts
    package = list(rel[:-1]) if rel[-1] != "__init__" else list(rel[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "gravsim":
                names = node.module.split(".")[1:]
            else:
                continue
            if names:
                found.add(names[0])
            else:  # from gravsim import x, y
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "gravsim" and len(parts) > 1:
                    found.add(parts[1])
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down_the_ladder(path):
    part = _part(path)
    if part in ("cli", "__init__", "__main__"):
        return  # the top: the command line and the package's short names
    bad = _imported_parts(path) - ALLOWED[part] - {part}
    assert not bad, f"{part} may not import {sorted(bad)}"


def test_no_library_module_imports_the_cli():
    for path in _modules():
        if _part(path) not in ("cli", "__main__"):
            assert "cli" not in _imported_parts(path), path


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_are_short_and_formatted(path):
    """Size by design, not by packing: ruff format decides the layout everywhere."""
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    assert "fmt: skip" not in text and "fmt: off" not in text


def test_ruff_bounds_function_size_and_complexity():
    config = (SRC.parents[1] / "pyproject.toml").read_text()
    selected = re.search(r"\[tool\.ruff\.lint\]\n(?:#.*\n)*select = \[(.*)\]", config).group(1)
    assert all(f'"{rule}"' in selected for rule in SIZE_RULES)
    assert int(re.search(r"max-complexity = (\d+)", config).group(1)) <= 10


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.parts[-1] == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The gravsim modules ``path`` imports, at any depth of the file (function-level too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in known}


def test_no_module_imports_one_that_imports_it_back():
    """No import cycle among gravsim's modules (a function-level import hides one, it does
    not remove it): e.g. fock.solvers and fock.cavity_split share fock.liouville_system."""
    paths = {_module_name(p): p for p in _modules()}
    graph = {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}
    packages = {name for name, path in paths.items() if path.name == "__init__.py"}
    for name in graph:  # a package's __init__ re-exports its modules: not an edge back
        graph[name] -= packages
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            assert state.get(nxt) != 1, " -> ".join(trail + [node, nxt])
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


#: Which workflow may import which (docs/architecture.md): the shared rooms (options,
#: results, run_folder, ladder_checks) import none of the commands; the solving
#: rooms (fock_steady, steady, evolve_fock, evolve_result) only shared ones; a command only
#: shared and solving rooms, and the few commands it is built on (hypotheses on budget;
#: optimize on budget, validate and scan's grid; validate --scaling on validate).
RESULT = {"result_model", "text_forms"}
WORKFLOW_IMPORTS = {
    "options": set(),
    "text_forms": set(),
    "run_folder": {"text_forms"},
    "result_model": {"run_folder", "text_forms"},
    "steady_result": {"options", *RESULT},
    "ladder_checks": set(),
    "fock_steady": {"options"},
    "steady": {"fock_steady", "options", "steady_result", *RESULT},
    "evolve_fock": {"options"},
    "evolve_result": {"run_folder", *RESULT},
    "evolve": {"evolve_fock", "evolve_result", "options", "run_folder"},
    "scan": {"options", "run_folder", "steady", *RESULT},
    "validate": {"ladder_checks", "options", "steady", "steady_result", *RESULT},
    "approximation_order": {"run_folder", "steady", "validate", *RESULT},
    "figures": {"run_folder", *RESULT},
    "budget": {"options", "run_folder", *RESULT},
    "hypotheses": {"budget", "options", *RESULT},
    "reference": {"steady", *RESULT},
    "optimize": {
        "budget",
        "ladder_checks",
        "options",
        "run_folder",
        "scan",
        "steady",
        "validate",
        *RESULT,
    },
    "tolerances": {"budget", *RESULT},
    "loading": {
        "approximation_order",
        "tolerances",
        "budget",
        "evolve_result",
        "figures",
        "hypotheses",
        "optimize",
        "reference",
        "scan",
        "steady_result",
        "validate",
        *RESULT,
    },
}


def _workflow_unit(path: Path) -> str:
    return path.relative_to(SRC / "workflows").with_suffix("").parts[0]


@pytest.mark.parametrize(
    "path",
    sorted((SRC / "workflows").rglob("*.py")),
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_workflows_import_only_the_rooms_below_them(path):
    unit = _workflow_unit(path)
    if unit == "__init__":
        return
    assert unit in WORKFLOW_IMPORTS, f"{unit}: give the new workflow its row in WORKFLOW_IMPORTS"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[:2] != ["gravsim", "workflows"]:
                continue
            targets = [parts[2]] if len(parts) > 2 else [a.name for a in node.names]
            for target in set(targets) - {unit}:
                assert target in WORKFLOW_IMPORTS[unit], f"{unit} imports {target}"


#: What reads or writes files: the command line leaves it to the workflows.
_FILE_CALLS = {"open", "read_text", "write_text", "read_bytes", "write_bytes", "mkdir"}


@pytest.mark.parametrize("path", sorted((SRC / "cli").glob("*.py")), ids=lambda p: p.name)
def test_the_command_line_never_opens_files_or_folders_itself(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            assert name not in _FILE_CALLS, f"{path.name}:{node.lineno} calls {name}()"
        if isinstance(node, ast.ImportFrom) and node.module:
            assert "run_folder" not in node.module, f"{path.name} imports {node.module}"
