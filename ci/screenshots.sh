#!/usr/bin/env bash
# Screenshots of the HTML report for the README and the guide, from the committed sample results file (a real quick
# run, harness/tests/fixtures/run.json, so the pictures change only when the report does): the first screen at
# 1366×768, a laptop's screen, and one per-cell chart; and the smallest text the page renders at that width, which
# must be at least 11 CSS pixels (exit 1 otherwise).
#
# Usage: bash ci/screenshots.sh [OUT_DIR]    (default docs/images; CI passes a temporary folder)
# Needs Debian's chromium (or ABLATE_CHROMIUM naming another Chromium) and builds ablate in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/images}
least_allowed=11
chromium=${ABLATE_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
    echo "ci/screenshots.sh: no chromium on PATH (apt-get install chromium, or set ABLATE_CHROMIUM)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

cargo run --release -q --bin ablate -- report harness/tests/fixtures/run.json --out-dir "$work/site" 2>/dev/null

# A browser that hangs must fail the script, not stall CI: coreutils' timeout ends it.
headless() {
    timeout --kill-after=10 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --no-first-run --user-data-dir="$work/profile" "$@" 2>/dev/null
}

headless --window-size=1366,768 --screenshot="$out/report-first-screen.png" "file://$work/site/index.html"
# The per-cell chart: the latency of the second workload (skewed, whose stragglers show), at its own size.
chart="$work/site/charts/latency-2.svg"
size=$(sed -n '1s/^<svg width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$chart")
headless --window-size="$size" --screenshot="$out/report-cell-chart.png" "file://$chart"

# The smallest text, measured in the page as a 1366-pixel-wide window lays it out.
sed 's|</body>|<script src="least-text.js"></script></body>|' "$work/site/index.html" >"$work/site/measure.html"
cp ci/least-text.js "$work/site/"
measured=$(headless --window-size=1366,768 --dump-dom "file://$work/site/measure.html" |
    sed -n 's|.*<pre id="least-text">\([^<]*\)</pre>.*|\1|p')
if [ -z "$measured" ]; then
    echo "ci/screenshots.sh: the page's text could not be measured" >&2
    exit 1
fi
echo "smallest text on the report page at 1366 px wide: $measured"
if ! awk -v px="${measured%% *}" -v least="$least_allowed" 'BEGIN { exit !(px >= least) }'; then
    echo "ci/screenshots.sh: text of ${measured%% *} px is below the ${least_allowed} px a laptop screen needs" >&2
    exit 1
fi
echo "screenshots written to $out/report-first-screen.png and $out/report-cell-chart.png"
