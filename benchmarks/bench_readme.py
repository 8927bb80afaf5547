"""Time every ``gravsim`` line of README.md as written, each in a fresh folder.

    python benchmarks/bench_readme.py            # all lines
    python benchmarks/bench_readme.py validate   # the lines containing "validate"

Prints a Markdown table (line, stated time, measured wall time, exit code) to paste into
``benchmarks/RESULTS.md``.  The README states a time for every line over 30 s; this is
where that statement is checked, on the README's own install (``pip install -e .``).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.cli.test_readme import LINES, seconds  # noqa: E402  (the one README parser)


def main(pattern: str = "") -> None:
    print("| README line | stated | measured | exit |")
    print("|---|---|---|---|")
    for args, comment in LINES:
        line = shlex.join(["gravsim", *args])
        if pattern not in line:
            continue
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            out = subprocess.run(["gravsim", *args], cwd=folder, capture_output=True, text=True)
            wall = time.perf_counter() - start
        stated = seconds(comment)
        stated_text = f"{stated:.0f} s" if stated else "< 30 s"
        print(f"| `{line}` | {stated_text} | {wall:.1f} s | {out.returncode} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
