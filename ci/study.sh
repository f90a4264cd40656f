#!/usr/bin/env bash
# The gate's false-alarm and detection study: N A/A comparisons of the quick suite against one baseline, then M
# comparisons with spin's every task made 1.25x costlier. Prints one line per trial and a summary.
# Usage: ci/study.sh [ABLATE_BINARY] [A/A TRIALS] [SLOWDOWN TRIALS] [CONFIRMATIONS]
set -uo pipefail
cd "$(dirname "$0")/.."
ablate=${1:-target/release/ablate}
aa_trials=${2:-50}
slow_trials=${3:-20}
confirm=(--confirm "${4:-1}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
suite=(--quick --reps 10 --strategies all --workers 1,2 --baseline-dir "$work/baselines" --out "$work/results.json")

"$ablate" run "${suite[@]}" --save-baseline study >/dev/null 2>"$work/baseline.log" || { cat "$work/baseline.log"; exit 1; }

trial() {
    local label=$1; shift
    local started=$SECONDS
    "$ablate" gate "${suite[@]}" --baseline study "$@" >"$work/verdicts.txt" 2>/dev/null
    local code=$?
    local regressed
    regressed=$(grep -c 'REGRESSED' "$work/verdicts.txt")
    local below
    below=$(grep -c 'BELOW THRESHOLD' "$work/verdicts.txt")
    echo "$label exit=$code regressed_cells=$regressed scaling_failures=$below seconds=$((SECONDS - started))"
    grep -E 'REGRESSED|BELOW THRESHOLD' "$work/verdicts.txt" | sed 's/^/    /'
}

for i in $(seq 1 "$aa_trials"); do trial "aa-$i" "${confirm[@]}"; done
for i in $(seq 1 "$slow_trials"); do trial "slow-$i" "${confirm[@]}" -p spin.cost=1.25; done
