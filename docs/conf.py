"""Sphinx configuration of the territoires documentation.

Build it with ``make docs`` (HTML, then the doctest builder), both with warnings as errors and
nitpicky cross-references. Pages are Markdown (MyST); the API reference is autodoc with
Google-style docstrings (napoleon). The machines that build the docs reach no documentation
site, so intersphinx reads small inventories committed under ``_inventories/`` (regenerated
by ``scripts/gen_inventories.py``) while the links still point at the real sites.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
try:
    import territoires
except ModuleNotFoundError:  # built from a checkout where territoires is not installed
    sys.path.insert(0, str(HERE.parent / "src"))
    import territoires

# -- project --------------------------------------------------------------------------------------

project = "territoires"
author = "territoires contributors"
copyright = "territoires contributors"  # no year: the same sources give the same pages
release = territoires.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "myst_parser",
    "territoires_sphinx",  # _ext/: territoires.X as targets; enumeration members documented
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
# README.md is the contributors' note of this folder; its content is reference/contributing.md.
exclude_patterns = ["README.md", "_build", "_inventories", "_ext", "**/.ipynb_checkpoints"]
language = "en"
nitpicky = True  # make docs passes -n as well; a broken reference is an error either way

# Targets that are not documented anywhere, on purpose. Each entry says why.
nitpick_ignore: list[tuple[str, str]] = [
    # The type of the OFFICIAL_GEOGRAPHY sentinel: private, the constant itself is documented.
    ("py:class", "territoires._validate._Official"),
    # Type variables of generic classes and functions: they stand for a type, they name none.
    ("py:class", "territoires.plugins.T"),
    ("py:class", "territoires.plugins.R"),
    ("py:class", "territoires.disclosure.K"),
    # importlib.resources.abc.Traversable, imported by territoires.geo only for type checking:
    # autodoc cannot evaluate the annotation (and Sphinx 9's autodoc_type_aliases renders an
    # alias as "TypeAliasForwardRef"), so it stays plain text.
    ("py:class", "Traversable"),
    # The shape compute_indicators accepts as a ledger: a Protocol in a private module, so that
    # the engine need not import territoires.publication; the Ledger it stands for is documented.
    ("py:class", "territoires._linked.LedgerLike"),
]
# NumPy's types in the signatures of the columns (territoires.model.columns): no NumPy
# inventory is committed (the build downloads nothing), so they stay plain text.
nitpick_ignore_regex: list[tuple[str, str]] = [("py:class", r"numpy\..*")]

# -- MyST ------------------------------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links, as GitHub renders them

# -- autodoc and napoleon -------------------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_preserve_defaults = False  # attrs-generated __init__ would show attrs internals
autodoc_typehints = "signature"
autoclass_content = "class"
autodoc_inherit_docstrings = True
add_module_names = False
python_use_unqualified_type_names = True
toc_object_entries_show_parents = "hide"
autosummary_generate = False  # tables only: every object is documented by automodule

napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_include_init_with_doc = False
napoleon_use_admonition_for_examples = False
napoleon_use_rtype = False
napoleon_attr_annotations = True

# -- intersphinx, offline --------------------------------------------------------------------------

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", "_inventories/python.inv"),
    "attrs": ("https://www.attrs.org/en/stable", "_inventories/attrs.inv"),
    "cattrs": ("https://catt.rs/en/stable", "_inventories/cattrs.inv"),
    "pluggy": ("https://pluggy.readthedocs.io/en/stable", "_inventories/pluggy.inv"),
}

# -- doctest ---------------------------------------------------------------------------------------

# Docstring examples already run in pytest (--doctest-modules); the doctest builder runs the
# {doctest} blocks of the pages only, so nothing runs twice.
doctest_test_doctest_blocks = ""
doctest_global_setup = "import territoires"

# -- HTML ------------------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"territoires {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_last_updated_fmt: str | None = None
