"""Every ``gravsim`` line of README.md, run as a user runs it: exit 0 and the files it writes.

README's lines carry their time in the comment (``~3 min``); a line that takes more than
30 s also gives the quick variant CI runs (``[CI: --n-mech 5 --n-cav 4]``: these flags
replace the line's own or are added).  The lines as written run with ``-m slow``;
``benchmarks/bench_readme.py`` times them.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import gravsim, strict_json

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_lines() -> list[tuple[list[str], str]]:
    """(arguments after ``gravsim``, comment) of each command line in README's "Use" block."""
    text = README.read_text()
    use = text[text.index("## Use") :]
    use = use[: use.index("\n## ", 1)]
    lines = []
    for line in use.splitlines():
        stripped = line.strip()
        if not stripped.startswith("gravsim "):
            continue
        command, _, comment = stripped.partition("  #")
        lines.append((shlex.split(command)[1:], comment.strip()))
    return lines


def seconds(comment: str) -> float:
    """The time a README comment states (``~40 s``, ``~3 min``), 0 if none."""
    match = re.search(r"~\s*([\d.]+)\s*(s|min)\b", comment)
    if not match:
        return 0.0
    return float(match.group(1)) * (60 if match.group(2) == "min" else 1)


def quick(args: list[str], comment: str) -> list[str]:
    """The line's arguments with its ``[CI: ...]`` flags put in."""
    match = re.search(r"\[CI: ([^\]]+)\]", comment)
    if not match:
        return args
    out = list(args)
    flags = shlex.split(match.group(1))
    k = 0
    while k < len(flags):
        flag = flags[k]
        value = flags[k + 1] if k + 1 < len(flags) and not flags[k + 1].startswith("--") else None
        if flag in out:
            i = out.index(flag)
            if value is not None:
                out[i + 1] = value
        else:
            out += [flag] + ([value] if value is not None else [])
        k += 2 if value is not None else 1
    return out


LINES = readme_lines()
#: Where a command writes without --out.
DEFAULT_OUT = {"scan": "scan-out", "evolve": "evolve-out", "figure": "out"}


def test_readme_has_its_commands():
    commands = {args[0] for args, _ in LINES}
    assert {"params", "steady", "validate", "evolve", "scan", "figure", "budget"} <= commands
    for args, comment in LINES:
        if seconds(comment) > 30:
            assert "[CI:" in comment, f"a line over 30 s needs a quick variant: {args}"


def _check(args: list[str], tmp_path: Path) -> None:
    out = gravsim(*args, cwd=tmp_path, timeout=3600)
    assert out.returncode == 0, f"gravsim {shlex.join(args)}\n{out.stderr[-3000:]}"
    assert "Traceback" not in out.stderr
    if "--json" in args:
        strict_json(out.stdout)
    folder = DEFAULT_OUT.get(args[0])
    for flag in ("--out", "--plot-out"):
        if flag in args:
            folder = args[args.index(flag) + 1]
    if folder is not None:
        written = {p.suffix for p in (tmp_path / folder).iterdir()}
        assert {".csv", ".json", ".png"} <= written, (args, written)


@pytest.mark.parametrize("args,comment", LINES, ids=[" ".join(a) for a, _ in LINES])
def test_readme_line(args, comment, tmp_path):
    """Each line (its quick variant where it states more than 30 s) exits 0 and writes."""
    _check(quick(args, comment), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args,comment",
    [(a, c) for a, c in LINES if "[CI:" in c],
    ids=[" ".join(a) for a, c in LINES if "[CI:" in c],
)
def test_readme_line_as_written(args, comment, tmp_path):
    _check(args, tmp_path)


def test_readme_python_block():
    """The README's Python example runs; its ΔE equals the S2 Eq. (19) closed form (1e-6)."""
    text = README.read_text()
    start = text.index("```python") + len("```python")
    code = text[start : text.index("```", start)]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    from gravsim.closed_form import eq19_delta_E_from as eq19_delta_E

    assert namespace["comp"].delta_E() == pytest.approx(eq19_delta_E(namespace["p"]), rel=1e-6)
