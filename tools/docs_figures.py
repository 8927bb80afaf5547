"""Regenerate every figure committed under ``docs/figures/`` (the pictures the docs show).

Usage
-----
::

    python tools/docs_figures.py            # all of them, into docs/figures/
    python tools/docs_figures.py --out DIR  # somewhere else (e.g. to compare before committing)
    python tools/docs_figures.py --list     # each file, the docs page that shows it

Each figure is made by the same library call as its command (``gravsim figure fig2`` is
``gravsim.figures.fig2().figure()``), at the command's defaults (log base e), and saved as
the commands save PNGs (:func:`gravsim.plotting.save_figure`, 150 dpi).  A figure added to
the docs gets a line in :data:`FIGURES`; the script says which committed PNGs it does not
make and which pictures the docs pages show that it does not make (exit 1), so that none
goes stale unnoticed.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _fig2() -> Any:
    from gravsim.workflows import figures

    return figures.fig2().figure()


def _fig3() -> Any:
    from gravsim.workflows import figures

    return figures.fig3().figure()


#: File name under docs/figures/ -> (the docs page that shows it, how it is made).
FIGURES: dict[str, tuple[str, Callable[[], Any]]] = {
    "fig2.png": ("docs/reproducing.md", _fig2),
    "fig3.png": ("docs/reproducing.md", _fig3),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS / "figures", help="output folder")
    parser.add_argument("--list", action="store_true", help="list the figures and their pages")
    args = parser.parse_args(argv)
    if args.list:
        for name, (page, _) in FIGURES.items():
            print(f"docs/figures/{name}  shown in {page}")
        return 0
    from gravsim.plotting import save_figure

    args.out.mkdir(parents=True, exist_ok=True)
    for name, (_, make) in FIGURES.items():
        started = time.perf_counter()
        save_figure(make(), args.out / name)
        print(f"wrote {args.out / name} ({time.perf_counter() - started:.1f} s)")
    return _check()


def _check() -> int:
    """1 (and a line) if a committed PNG or a docs page's picture is not in :data:`FIGURES`."""
    committed = {p.name for p in (DOCS / "figures").glob("*.png")}
    shown = {
        m.group(1)
        for page in [*DOCS.glob("*.md"), ROOT / "README.md"]
        for m in re.finditer(r"figures/([\w.-]+\.png)", page.read_text())
    }
    unknown = sorted((committed | shown) - set(FIGURES))
    if unknown:
        print(f"not made by this script: {', '.join(unknown)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
