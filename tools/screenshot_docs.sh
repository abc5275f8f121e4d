#!/usr/bin/env bash
# Screenshots of the built docs site (optional; not run by CI): the index and one page, with headless Chromium.
#   bash tools/screenshot_docs.sh [PAGE]    # PAGE relative to _site/, default: the first executed report, else library/04_transformer.html
# Needs chromium (Debian: apt-get install -y chromium) and a built site (bash tools/build_docs.sh).
# Writes artifacts/reports/docs_index.png, docs_page.png and docs_api_bitlinear.png (the API page of BitLinear;
# the site build skips all three).
set -euo pipefail
cd "$(dirname "$0")/.."
site="$PWD/_site"
[ -f "$site/index.html" ] || { echo "no $site/index.html: run bash tools/build_docs.sh first" >&2; exit 1; }
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || { echo "chromium not found: apt-get install -y chromium" >&2; exit 1; }
page="${1:-}"
if [ -z "$page" ]; then
  report=$(cd "$site" && ls reports/*.html 2>/dev/null | grep -vE '^reports/(index|results)\.html$' | head -n1 || true)
  page="${report:-library/04_transformer.html}"
fi
[ -f "$site/$page" ] || { echo "no page $site/$page" >&2; exit 1; }
mkdir -p artifacts/reports
shot() {  # shot URL FILE
  local profile; profile=$(mktemp -d)
  timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$profile" --window-size=1280,900 --virtual-time-budget=3000 \
    --screenshot="$2" "$1" >/dev/null 2>&1 || true
  rm -rf "$profile"
  [ -s "$2" ] || { echo "screenshot failed: $2" >&2; return 1; }
  echo "wrote $2 ($1)"
}
shot "file://$site/index.html" "$PWD/artifacts/reports/docs_index.png"
shot "file://$site/$page" "$PWD/artifacts/reports/docs_page.png"
shot "file://$site/api/quant.html#bitbyte.blocks.quant.BitLinear" "$PWD/artifacts/reports/docs_api_bitlinear.png"
