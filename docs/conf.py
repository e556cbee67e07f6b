"""Sphinx configuration of the sklearn_hpo documentation.

Build from the repository root with
``python -m sphinx -W -b html docs docs/_build/html`` (the ``docs`` extra
installs what it needs). The gallery runs every script in ``examples/``;
``SKLEARN_HPO_DOCS_QUICK=1`` skips running them (pages without outputs), for
a fast check of the text only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))  # _gallery_order

import sklearn_hpo  # noqa: E402

project = "sklearn_hpo"
author = "the sklearn_hpo developers"
copyright = "2026, the sklearn_hpo developers"  # noqa: A001
release = sklearn_hpo.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "myst_parser",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "code"

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_hpo {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # The examples' code and output lines are 88 characters, and the
    # benchmark tables are wide: there the page's table of contents gives its
    # column to them. (No "**" pattern: a page matching two wildcard patterns
    # is a warning.)
    "secondary_sidebar_items": {
        **dict.fromkeys(
            ["*", "user_guide/*", "generated/*"], ["page-toc", "sourcelink"]
        ),
        "auto_examples/*": [],
        "benchmarks": [],
    },
}

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/[^/]*\.py$",
    "ignore_pattern": r"(__init__|_helpers)\.py$",
    "plot_gallery": "False" if os.environ.get("SKLEARN_HPO_DOCS_QUICK") else "True",
    "download_all_examples": False,
    "within_subsection_order": "_gallery_order.GalleryOrder",
    "abort_on_example_error": True,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
    "min_reported_time": 1,
}

# The examples set their own seeds and sizes; keep their output free of
# numpy's and joblib's thread oversubscription on a small CI machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
