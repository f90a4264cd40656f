#!/usr/bin/env bash
# The gate's false-alarm and detection study, run from a directory outside the repository (no thresholds file is
# found, as in a user's project): N A/A gates, then M gates with one workload's tasks made costlier, optionally
# beside a busy neighbour started in its own session (setsid), as another job on a CI runner is.
#
# Usage: ci/study.sh [options]
#   --binary PATH       the ablate binary (default: cargo's release build of this repository)
#   --mode ab|baseline  A/B gates of the binary against a copy of itself (default), or gates against a stored
#                       baseline measured once at the start (--reps 10, --confirm 1)
#   --aa N              A/A trials (default 50)
#   --slow N            slowdown trials (default 20)
#   --faster-base P=V   the slowdown trials' base (or stored baseline) runs with this parameter, its tasks cheaper
#                       than the candidate's defaults: the candidate is slower by default/V (default
#                       skewed.base_iters=30769, so skewed's default 40000 is a 1.3x slowdown; 34783 gives 1.15x)
#   --neighbour KIND    none (default), cpu (a shell loop burning one core), or cache (dd sweeping 64 MiB
#                       buffers, larger than the last-level cache)
#   --suite "ARGS"      what each gate measures (default: --quick --strategies all --workers 1,2)
#   --keep DIR          keep every trial's verdicts, stderr and both records in DIR/<trial>/ for later analysis
# Prints one line per trial (exit code, cells called regressed, scaling failures, inconclusive cells, seconds, UTC
# start time) and a summary.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary="" mode=ab aa=50 slow=20 faster=skewed.base_iters=30769 neighbour=none keep=""
suite="--quick --strategies all --workers 1,2"
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=$2 ;; --mode) mode=$2 ;; --aa) aa=$2 ;; --slow) slow=$2 ;;
        --faster-base) faster=$2 ;; --neighbour) neighbour=$2 ;; --suite) suite=$2 ;; --keep) keep=$2 ;;
        *) echo "study.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
[ -z "$keep" ] || keep=$(mkdir -p "$keep" && cd "$keep" && pwd)
if [ -z "$binary" ]; then
    (cd "$repo" && cargo build --release --bin ablate >/dev/null 2>&1) || { echo "study.sh: build failed" >&2; exit 1; }
    binary="$(cd "$repo" && cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/ablate"
fi
work=$(mktemp -d)
neighbour_pid=""
stop_neighbour() { [ -n "$neighbour_pid" ] && kill -- "-$neighbour_pid" 2>/dev/null; neighbour_pid=""; }
trap 'stop_neighbour; rm -rf "$work"' EXIT
cd "$work"
cp "$binary" "$work/same"
slowed_workload=${faster%%.*}
printf '#!/bin/sh\nexec "%s" "$@" --param %s\n' "$work/same" "$faster" >"$work/faster"
chmod +x "$work/faster"
read -r -a suite_args <<<"$suite"

case $neighbour in
    none) ;;
    cpu) setsid sh -c 'while :; do :; done' & neighbour_pid=$! ;;
    cache) setsid sh -c 'while :; do dd if=/dev/zero of=/dev/null bs=64M count=64 2>/dev/null; done' & neighbour_pid=$! ;;
    *) echo "study.sh: unknown neighbour $neighbour" >&2; exit 2 ;;
esac

trial() {
    local label=$1; shift
    local started=$SECONDS at
    at=$(date -u +%H:%M:%S)
    "$@" >"$work/verdicts.txt" 2>"$work/stderr.txt"
    local code=$?
    local regressed other below inconclusive
    regressed=$(grep -c 'REGRESSED' "$work/verdicts.txt")
    other=$(grep 'REGRESSED' "$work/verdicts.txt" | grep -vc "^$slowed_workload/")
    below=$(grep -c 'BELOW THRESHOLD' "$work/verdicts.txt")
    inconclusive=$(grep -c 'inconclusive (' "$work/verdicts.txt")
    echo "$label exit=$code regressed=$regressed regressed_elsewhere=$other scaling_failures=$below inconclusive=$inconclusive seconds=$((SECONDS - started)) started=$at"
    grep -E 'REGRESSED|BELOW THRESHOLD' "$work/verdicts.txt" | sed 's/^/    /'
    [ "$code" -le 4 ] || tail -3 "$work/stderr.txt" | sed 's/^/    /'
    if [ -n "$keep" ]; then
        mkdir -p "$keep/$label"
        cp "$work/verdicts.txt" "$work/stderr.txt" "$keep/$label/"
        cp "$work"/r*.json "$keep/$label/" 2>/dev/null
    fi
}

echo "# study: mode=$mode neighbour=$neighbour faster-base=$faster suite=$suite binary=$binary $(date -u +%FT%TZ)"
if [ "$mode" = ab ]; then
    for i in $(seq 1 "$aa"); do trial "ab-aa-$i" "$work/same" gate --ab "$work/same" --allow-identical "${suite_args[@]}" --out "$work/r.json"; done
    for i in $(seq 1 "$slow"); do trial "ab-slow-$i" "$work/same" gate --ab "$work/faster" "${suite_args[@]}" --out "$work/r.json"; done
else
    common=("${suite_args[@]}" --reps 10 --baseline-dir "$work/baselines" --out "$work/r.json")
    "$work/same" run "${common[@]}" --save-baseline study >/dev/null 2>&1 || { echo "baseline run failed"; exit 1; }
    "$work/faster" run "${common[@]}" --save-baseline fast >/dev/null 2>&1 || { echo "baseline run failed"; exit 1; }
    for i in $(seq 1 "$aa"); do trial "aa-$i" "$work/same" gate "${common[@]}" --baseline study --confirm 1; done
    for i in $(seq 1 "$slow"); do trial "slow-$i" "$work/same" gate "${common[@]}" --baseline fast --confirm 1; done
fi
