#!/usr/bin/env bash
# History in CI, on every push to the main branch: builds ablate, measures the quick suite (5 repetitions per
# cell: the change-point detector is tested on runs of 5 samples), keeps the results in the history store keyed by
# this commit, checks the store for change points, and writes the history page.
#
#   ci/history.sh [STORE]   STORE defaults to history/ (keep it on a branch or as an artifact: see ci/README.md)
#
# Writes reports/history-run/results.json (this run) and reports/history-site/history.html (the page, with
# charts/). Exits with `ablate history check`'s code: 0 pass, 3 a cell's newest runs began a change point that
# left it slower than the threshold (creep included), 5 no run in the store; or the run's own code when the
# measurement failed (1 error, 2 usage).
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-history}
run_dir=reports/history-run
site=reports/history-site
mkdir -p "$run_dir" "$site"

cargo build --release --bin ablate
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
ablate="$target_dir/release/ablate"

set +e
"$ablate" run --quick --reps 5 --strategies all --workers 1,2 --out "$run_dir/results.json" --history "$store"
run_code=$?
set -e
# A regression against a baseline is the gate's business; any other failure means nothing worth keeping was
# measured (the store keeps a run with failed cells, and the series skip them).
if [ "$run_code" -ne 0 ] && [ "$run_code" -ne 3 ]; then
    exit "$run_code"
fi

"$ablate" report --history "$store" --out-dir "$site"
cp "$site/history.html" "$site/index.html" # what a static host (GitHub Pages) serves at the root
set +e
"$ablate" history --history "$store" check | tee "$site/check.txt"
code=${PIPESTATUS[0]}
set -e
exit "$code"
