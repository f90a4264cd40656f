#!/usr/bin/env bash
# The gate's false-alarm and detection study: N A/A comparisons of the quick suite against one baseline, then M
# comparisons with spin's every task made 1.25x costlier. Prints one line per trial and a summary.
# Usage: ci/study.sh [ABLATE_BINARY] [A/A TRIALS] [SLOWDOWN TRIALS] [CONFIRMATIONS] [baseline|ab]
# In `ab` mode each trial is an A/B gate (`--ab`, 10 rounds) of the binary against a copy of itself, the slowdown
# trials against a copy whose spin tasks are 1/1.25 as costly.
set -uo pipefail
cd "$(dirname "$0")/.."
ablate=${1:-target/release/ablate}
aa_trials=${2:-50}
slow_trials=${3:-20}
confirm=(--confirm "${4:-1}")
mode=${5:-baseline}
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

if [ "$mode" = ab ]; then
    ab_suite=(--quick --strategies all --workers 1,2 --out "$work/results.json")
    cp "$ablate" "$work/same"
    printf '#!/bin/sh\nexec "%s" "$@" --param spin.cost=0.8\n' "$work/same" >"$work/faster"
    chmod +x "$work/faster"
    suite=("${ab_suite[@]}")
    for i in $(seq 1 "$aa_trials"); do trial "ab-aa-$i" --ab "$work/same"; done
    for i in $(seq 1 "$slow_trials"); do trial "ab-slow-$i" --ab "$work/faster"; done
else
    for i in $(seq 1 "$aa_trials"); do trial "aa-$i" "${confirm[@]}"; done
    for i in $(seq 1 "$slow_trials"); do trial "slow-$i" "${confirm[@]}" -p spin.cost=1.25; done
fi
