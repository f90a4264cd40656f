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
#   --neighbour KINDS   none (default), cpu (a shell loop burning one core), or cache (dd sweeping 64 MiB
#                       buffers, larger than the last-level cache); several, quoted ("none cpu cache"), run the
#                       whole study under each in turn, each neighbour started and stopped around its own trials
#   --example           study the example crate (examples/custom-workload, built here in release) instead of
#                       ablate itself; its slowdown defaults to horner.degree=55 (64 + 1 over 55 + 1: 1.16x)
#   --suite "ARGS"      what each gate measures (default: --quick --strategies all --workers 1,2)
#   --keep DIR          keep every trial's verdicts, stderr and both records in DIR/<trial>/ for later analysis
# Prints one line per trial (exit code, cells called regressed, scaling failures, inconclusive cells, cells dropped
# as too noisy, cells that could see the threshold, seconds, UTC start time; the gate's workload lines under it)
# and, per neighbour, a summary: false regressions and scaling failures in the A/A trials, slowdowns caught (exit
# 3), regressions called in another workload, median seconds to a verdict, the range of cells that could see.
#
# The acceptance study of issue 29 (run it on a quiet machine; each gate takes up to --max-time, 120 s):
#   ci/study.sh --aa 50 --slow 20 --faster-base skewed.base_iters=34783 --neighbour "none cpu cache" --keep DIR
#   ci/study.sh --example --aa 20 --slow 10 --neighbour cpu --keep DIR
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary="" mode=ab aa=50 slow=20 faster="" neighbours=none keep="" example=""
suite="--quick --strategies all --workers 1,2"
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=$2 ;; --mode) mode=$2 ;; --aa) aa=$2 ;; --slow) slow=$2 ;;
        --faster-base) faster=$2 ;; --neighbour) neighbours=$2 ;; --suite) suite=$2 ;; --keep) keep=$2 ;;
        --example) example=1; shift; continue ;;
        *) echo "study.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
if [ -n "$example" ]; then
    [ -n "$faster" ] || faster=horner.degree=55
    manifest="$repo/examples/custom-workload/Cargo.toml"
    cargo build --release --manifest-path "$manifest" >/dev/null 2>&1 || { echo "study.sh: example build failed" >&2; exit 1; }
    binary="$(cargo metadata --format-version 1 --no-deps --manifest-path "$manifest" | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/custom-workload"
fi
[ -n "$faster" ] || faster=skewed.base_iters=30769
[ -z "$keep" ] || keep=$(mkdir -p "$keep" && cd "$keep" && pwd)
if [ -z "$binary" ]; then
    (cd "$repo" && cargo build --release --bin ablate >/dev/null 2>&1) || { echo "study.sh: build failed" >&2; exit 1; }
    binary="$(cd "$repo" && cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/ablate"
fi
work=$(mktemp -d)
. "$repo/ci/neighbour.sh"
trap 'stop_neighbour; rm -rf "$work"' EXIT
cd "$work"
cp "$binary" "$work/same"
slowed_workload=${faster%%.*}
printf '#!/bin/sh\nexec "%s" "$@" --param %s\n' "$work/same" "$faster" >"$work/faster"
chmod +x "$work/faster"
read -r -a suite_args <<<"$suite"

trial() {
    local label=$1; shift
    local started=$SECONDS at
    at=$(date -u +%H:%M:%S)
    "$@" >"$work/verdicts.txt" 2>"$work/stderr.txt"
    local code=$?
    local regressed other below inconclusive dropped seeing
    regressed=$(grep -c 'REGRESSED' "$work/verdicts.txt")
    other=$(grep 'REGRESSED' "$work/verdicts.txt" | grep -vc "^$slowed_workload/")
    below=$(grep -c 'BELOW THRESHOLD' "$work/verdicts.txt")
    inconclusive=$(grep -c 'inconclusive (' "$work/verdicts.txt")
    dropped=$(grep -c 'dropped after' "$work/verdicts.txt")
    seeing=$(sed -n 's/^this gate could see slowdowns ≥ [0-9.]*× in \([0-9]* of [0-9]*\) cells.*/\1/p' "$work/verdicts.txt" | head -1)
    echo "$label exit=$code regressed=$regressed regressed_elsewhere=$other scaling_failures=$below inconclusive=$inconclusive dropped=$dropped could_see=\"${seeing:-0}\" seconds=$((SECONDS - started)) started=$at" | tee -a "$work/lines.txt"
    grep -E '^`[^`]*` (regressed|improved):' "$work/verdicts.txt" | sed 's/^/    /'
    grep -E 'REGRESSED|BELOW THRESHOLD' "$work/verdicts.txt" | sed 's/^/    /'
    [ "$code" -le 4 ] || tail -3 "$work/stderr.txt" | sed 's/^/    /'
    if [ -n "$keep" ]; then
        mkdir -p "$keep/$label"
        cp "$work/verdicts.txt" "$work/stderr.txt" "$keep/$label/"
        cp "$work"/r*.json "$keep/$label/" 2>/dev/null
    fi
}

# One neighbour's trials, their lines appended to $work/lines.txt, then its summary.
study() {
    local neighbour=$1
    : >"$work/lines.txt"
    start_neighbour "$neighbour"
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
    stop_neighbour
    summarise "$neighbour"
}

# The summary of the trials in $work/lines.txt.
summarise() {
    local median
    median=$(grep -o 'seconds=[0-9]*' "$work/lines.txt" | cut -d= -f2 | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
    awk -v neighbour="$1" -v median="${median:--}" '
        /^[a-z-]*aa-[0-9]+ / { aa++; if ($2 == "exit=3") fa++; if ($2 == "exit=4") fs++ }
        /^[a-z-]*slow-[0-9]+ / { sl++; if ($2 == "exit=3") caught++ }
        /^[a-z-]*(aa|slow)-[0-9]+ / {
            split($4, e, "="); if (e[2] > 0) elsewhere++
            if (match($0, /could_see="[0-9]+/)) { c = substr($0, RSTART + 11, RLENGTH - 11) + 0
                if (lo == "" || c < lo) lo = c; if (c > hi) hi = c }
        }
        END {
            printf "# summary (%s): A/A false regressions %d of %d, scaling failures %d of %d; ", neighbour, fa, aa, fs, aa
            printf "slowdowns caught %d of %d; another workload called regressed in %d trials; ", caught, sl, elsewhere
            printf "median %s s to a verdict; cells that could see the threshold: %s-%s\n", median, lo, hi
        }' "$work/lines.txt"
}

for neighbour in $neighbours; do
    study "$neighbour"
done
