#!/usr/bin/env bash
# Build the docs site into _site/ without Quarto and without a network: stage the notebooks, reports and
# strategy pages into _docs_src/ (docs/site/stage.py; the sources are never modified), render them with
# Sphinx + MyST-NB (notebooks are NOT executed), warnings as errors, then check every internal link.
# Needs the dev requirements of settings.ini (pip install -e ".[dev]"). Run from anywhere:
#   bash tools/build_docs.sh            # -> _site/index.html
set -euo pipefail
cd "$(dirname "$0")/.."
stage=_docs_src
out=_site
start=$SECONDS
export BITBYTE_ROOT="$PWD"
python docs/site/stage.py "$stage"
rm -rf "$out"
# -W: warnings are errors (broken references, documents missing from a toctree, unresolved citations);
# --keep-going: report all of them before failing. -E: never reuse a stale environment. The HTML is built
# inside the staging folder (MyST-NB writes scratch files beside the output folder) and then moved.
python -m sphinx -b html -W --keep-going -E -q -j "${DOCS_JOBS:-auto}" -d "$stage/_build/doctrees" "$stage" "$stage/_build/html"
mv "$stage/_build/html" "$out"
python tools/check_links.py "$out"
echo "docs built in $((SECONDS - start)) s: $out/index.html"
