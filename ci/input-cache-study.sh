#!/usr/bin/env bash
# What the A/B gate's input cache changes (docs/studies/input-cache.md): N A/A gates with the cache and N with
# --no-input-cache, alternating so that drift of the machine hits both alike, run from a directory outside the
# repository; every trial's two records kept; then ci/input-cache-study.py prints, with the cache and without, the
# cost of a round's group openings and the A/A pairs' spread and round-to-round correlation.
#
# Usage: ci/input-cache-study.sh [options]
#   --binary PATH     the ablate binary (default: cargo's release build of this repository)
#   --trials N        A/A gates each way (default 10)
#   --suite "ARGS"    what each gate measures (default: --quick --strategies all --workers 1,2 --ab-rounds 20)
#   --neighbour KIND  none (default), cpu or cache (see ci/neighbour.sh)
#   --keep DIR        where the trials' records go (default: a temporary directory, removed at the end)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary="" trials=10 neighbour=none keep=""
suite="--quick --strategies all --workers 1,2 --ab-rounds 20"
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=$2 ;; --trials) trials=$2 ;; --suite) suite=$2 ;; --neighbour) neighbour=$2 ;;
        --keep) keep=$2 ;;
        *) echo "input-cache-study.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
if [ -z "$binary" ]; then
    (cd "$repo" && cargo build --release --bin ablate >/dev/null 2>&1) || { echo "input-cache-study.sh: build failed" >&2; exit 1; }
    binary="$(cd "$repo" && cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/ablate"
fi
work=$(mktemp -d)
. "$repo/ci/neighbour.sh"
trap 'stop_neighbour; rm -rf "$work"' EXIT
[ -n "$keep" ] || keep="$work/trials"
mkdir -p "$keep" && keep=$(cd "$keep" && pwd)
cd "$work"
cp "$binary" "$work/same"
read -r -a suite_args <<<"$suite"
start_neighbour "$neighbour"

echo "# input-cache study: trials=$trials neighbour=$neighbour suite=$suite binary=$binary $(date -u +%FT%TZ) $(nproc) CPUs"
for i in $(seq 1 "$trials"); do
    for way in cached uncached; do
        flag=()
        [ "$way" = uncached ] && flag=(--no-input-cache)
        dir="$keep/$way-$i"
        mkdir -p "$dir"
        started=$SECONDS
        "$work/same" gate --ab "$work/same" --allow-identical "${flag[@]}" "${suite_args[@]}" --out "$dir/r.json" \
            >"$dir/verdicts.txt" 2>"$dir/stderr.txt"
        echo "$way-$i exit=$? seconds=$((SECONDS - started))"
    done
done
stop_neighbour
python3 "$repo/ci/input-cache-study.py" "$keep"
