"""Sphinx configuration of gravsim's documentation site.

Build (README.md, ``.ci/run``)::

    pip install -e ".[docs]" && sphinx-build -W -b html docs docs/_build/html

``-W`` turns every warning into an error.  The site is made of:

* the guides, ``docs/*.md`` as they are (MyST Markdown), and README.md as the front page;
* the gallery: sphinx-gallery runs every ``examples/*.py`` during the build and makes a page
  of each with its text, code, output and figures (generated into ``docs/gallery/``, not
  committed);
* the API reference: autodoc and autosummary over the package's modules (``docs/api.rst``;
  pages generated into ``docs/api/``, not committed), numpy-style docstrings read by napoleon.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gravsim

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))  # gravsim_gallery.py, gravsim_docstrings.py

project = "gravsim"
author = "the gravsim authors"
copyright = "the gravsim authors, BSD-3-Clause"
version = release = gravsim.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "gravsim_docstrings",  # docs/_ext: the docstrings' plain-text habits read as meant
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build"]

html_theme = "alabaster"
html_title = f"gravsim {release}"
html_theme_options = {
    "description": "quantum vs classical gravity, simulated",
    "fixed_sidebar": True,
}

# -- Markdown (the guides and README.md) ------------------------------------------------------
myst_heading_anchors = 3

# -- API reference ---------------------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {
    # document each object once, where it is defined: a package's __all__ re-exports what its
    # modules define, and following it would describe the same object twice
    "ignore-module-all": True,
    "member-order": "bysource",
}
# types are in the docstrings' Parameters/Returns sections; the signatures stay readable
autodoc_typehints = "none"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
# "Attributes" sections as :ivar: fields: the dataclasses' fields are not described twice
napoleon_use_ivar = True

# -- Gallery ---------------------------------------------------------------------------------
# gravsim draws its figures outside pyplot (gravsim.plotting.new_figure), which
# sphinx-gallery's matplotlib scraper cannot see: gravsim_gallery.figure_scraper shows the
# Figure objects an example leaves in its global names (``fig = result.figure()``,
# ``figures = main()``).  The matplotlib scraper stays for examples that use pyplot.  Each
# example gets its output folder (its ``sys.argv[1]``) in a temporary directory, so that a
# build writes nothing into the repository but docs/gallery and docs/api (both ignored).
# Callables are named by their import path, so that Sphinx can pickle the configuration.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "gallery",
    "filename_pattern": r"\.py$",  # run every example
    "image_scrapers": ("gravsim_gallery.figure_scraper", "matplotlib"),
    "reset_argv": "gravsim_gallery.example_argv",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,  # a failing example fails the build
    "download_all_examples": False,
    "write_computation_times": False,  # no sg_execution_times.rst in the sources
    "capture_repr": (),  # show what the examples print, not the repr of a block's last value
}
