"""Hooks of the docs' gallery (``sphinx_gallery_conf`` in ``docs/conf.py`` names them).

gravsim draws every figure as a matplotlib ``Figure`` outside pyplot
(:func:`gravsim.plotting.new_figure`), so sphinx-gallery's own matplotlib scraper, which
reads pyplot's list of open figures, sees none of them.  :func:`figure_scraper` shows
instead every ``Figure`` that an example leaves in its global names (alone, or in a list,
tuple or dict there), as the examples do when run as scripts (``fig = ...``,
``figures = main()``).  :func:`example_argv` gives each example its output folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

#: Figures already shown, per example (the scraper runs after every code block).
_SHOWN: dict[str, list[Any]] = {}
#: Where the examples write their files during a build: removed when the build's process
#: ends, so that a build leaves nothing in the repository.
_OUTPUT = tempfile.TemporaryDirectory(prefix="gravsim-gallery-")


def example_argv(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """``sys.argv[1:]`` of an example: its output folder, in a temporary directory."""
    return [str(Path(_OUTPUT.name) / Path(script_vars["src_file"]).stem)]


def _figures(value: Any) -> list[Any]:
    from matplotlib.figure import Figure

    if isinstance(value, Figure):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, Figure)]
    return []


def figure_scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any]) -> str:
    """Save the ``Figure`` objects new in the example's globals; their reST for the page.

    Figures that pyplot manages are left to sphinx-gallery's matplotlib scraper, so that a
    figure is never shown twice.
    """
    from sphinx_gallery.scrapers import figure_rst

    shown = _SHOWN.setdefault(block_vars["src_file"], [])
    paths = []
    for value in list(block_vars["example_globals"].values()):
        for fig in _figures(value):
            if fig.canvas.manager is not None or any(fig is s for s in shown):
                continue
            shown.append(fig)
            path = next(block_vars["image_path_iterator"])
            fig.savefig(path, dpi=110)
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
