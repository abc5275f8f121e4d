# Sphinx configuration of the BitByte docs site (built by tools/build_docs.sh, no Quarto needed).
# docs/site/stage.py copies this file into the staging folder (_docs_src/) next to the staged pages;
# BITBYTE_ROOT (set by the stage script) points back at the repository so that settings.ini is read.
import configparser, os
from pathlib import Path

_root = Path(os.environ.get('BITBYTE_ROOT', Path(__file__).resolve().parents[1]))
_cfg = configparser.ConfigParser(interpolation=None)
_cfg.read(_root/'settings.ini')
_s = _cfg['DEFAULT']

project = 'BitByte'
author = _s.get('author', 'BitByte team')
copyright = _s.get('copyright', author)
release = version = _s.get('version', '')

extensions = ['myst_nb', 'sphinxcontrib.bibtex', 'sphinx.ext.githubpages', 'sphinx.ext.autodoc']

# The API pages (docs/site/stage.py: stage_api) document each module's __all__ from the installed package.
autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
autodoc_preserve_defaults = True
# docstrings are written as in the notebooks: `name` is code (RST's default role would make it italic)
default_role = 'literal'
root_doc = 'index'
exclude_patterns = ['_build', '**/.ipynb_checkpoints', 'Thumbs.db', '.DS_Store']

# Notebooks are rendered as they are: never executed (they hold GPU cells and training runs); the executed
# reports carry their own outputs.
nb_execution_mode = 'off'
nb_merge_streams = True
myst_enable_extensions = ['dollarmath', 'colon_fence', 'deflist', 'substitution']
myst_heading_anchors = 3

bibtex_bibfiles = ['strategy/references.bib']
bibtex_default_style = 'plain'
bibtex_reference_style = 'author_year'

# Warnings are errors (tools/build_docs.sh passes -W). These few are about notebook prose style or output
# types a static page cannot show, not about broken structure, so they do not fail the build; broken links,
# missing toctree entries and unresolved citations still do.
suppress_warnings = ['myst.header', 'misc.highlighting_failure', 'mystnb.unknown_mime_type']

html_theme = 'furo'
html_title = f"BitByte {version}".strip()
html_short_title = 'BitByte'
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    'footer_icons': [],
    'navigation_with_keys': True,
}
# Math renders offline: MathJax 3 comes from the sphinx-mathjax-offline package (a dev requirement), whose static/
# folder holds mathjax/; it is copied into _static/mathjax and the pages load it from there, not from a CDN.
import importlib.util
_mathjax_static = Path(importlib.util.find_spec('sphinx-mathjax-offline').origin).parent/'static'
mathjax_path = 'mathjax/tex-chtml.js'
html_static_path = ['_static', str(_mathjax_static)]
html_css_files = ['bitbyte.css']
