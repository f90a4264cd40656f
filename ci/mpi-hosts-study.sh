#!/usr/bin/env bash
# The study of mpi across two shaped hosts against process on one (root): var, payload and gather, each measured
#   - under mpi in a two-host bed (ci/mpi-hosts.sh) whose veths are shaped by tc netem (--delay, --rate): 3 ranks,
#     rank 0 (coordinator) and rank 1 on h1, rank 2 on h2, so one of the 2 workers is across the network;
#   - under process with 2 workers on this machine alone.
# Prints per workload: median time, efficiency, and per task the computed payload (inputs and outputs), the
# messages that crossed between hosts and the bytes the far host's interface counted (headers included).
# The byte counts do not depend on load; the times and efficiencies are honest only on a quiet machine.
#
# Usage: ci/mpi-hosts-study.sh [--binary PATH] [--reps N] [--delay D] [--rate R] [--size SPEC] [--chunk C]
#                               [--keep DIR]
#   defaults: cargo's release build with --features mpi, --reps 10, --delay 0.5ms, --rate 1gbit,
#   --size var=20000,payload=16Mi,gather=4194304, --chunk auto (a fixed chunk fixes the number of messages)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary="" reps=10 delay=0.5ms rate=1gbit size="var=20000,payload=16Mi,gather=4194304" chunk=auto keep=""
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=$2 ;; --reps) reps=$2 ;; --delay) delay=$2 ;; --rate) rate=$2 ;; --size) size=$2 ;;
        --chunk) chunk=$2 ;; --keep) keep=$2 ;;
        *) echo "mpi-hosts-study.sh: unknown option '$1' (valid: --binary --reps --delay --rate --size --chunk --keep)" >&2
           exit 2 ;;
    esac
    shift 2
done
if [ -z "$binary" ]; then
    (cd "$repo" && cargo build --release -p ablate-harness --features mpi >/dev/null 2>&1) ||
        { echo "mpi-hosts-study.sh: build failed" >&2; exit 1; }
    binary="$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/ablate"
fi
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
common=(run -w var,payload,gather --size "$size" --workers 2 --reps "$reps" --chunk "$chunk")

bash "$repo/ci/mpi-hosts.sh" --delay "$delay" --rate "$rate" -- \
    sh -c '"$ABLATE_BED_MPIRUN" -np 3 "$@"' sh "$binary" "${common[@]}" --strategies mpi --out "$work/mpi.json" \
    >"$work/mpi.txt" 2>&1 || { cat "$work/mpi.txt" >&2; exit 1; }
"$binary" "${common[@]}" --strategies process --out "$work/process.json" >"$work/process.txt" 2>&1 ||
    { cat "$work/process.txt" >&2; exit 1; }

echo "mpi: 2 workers, rank 1 on h1 beside rank 0, rank 2 on h2; veths shaped: delay $delay each way, rate $rate"
echo "process: 2 workers on this machine"
python3 - "$work/mpi.json" "$work/process.json" <<'PY'
import json, statistics, sys

def cells(path):
    return [c for c in json.load(open(path))["cells"] if c["strategy"] != "serial" and c["status"]["state"] == "ok"]

def per_task(cell, total):
    return total / max(cell["tasks"], 1)

print(f"{'workload':9} {'strategy':8} {'median':>10} {'eff':>5} {'payload/task':>13} {'msgs/task':>10} {'wire/task':>10} {'wire/msgs':>9}")
for path in sys.argv[1:]:
    for c in cells(path):
        s = c["summary"] or {}
        payload = c["payload"]["input_bytes_total"] + c["payload"]["output_bytes_total"]
        row = f"{c['workload']:9} {c['strategy']:8} {s.get('median_wall_ns', 0) / 1e6:>8.1f}ms {s.get('efficiency') or 0:>5.2f} {per_task(c, payload):>11.1f} B"
        if c["strategy"] == "mpi":
            coordinator = c["hosts"][0]["host"]
            msgs = statistics.median(
                sum(r["sent"] + r["received"] for r in x["network"]["ranks"] if r["host"] != coordinator) for x in c["samples"])
            wire = statistics.median(
                sum(h["sent"] + h["received"] for h in x["network"]["hosts"] if h["host"] != coordinator) for x in c["samples"])
            ratio = f"{wire / msgs:9.1f}" if msgs else "        -"
            row += f" {per_task(c, msgs):>8.1f} B {per_task(c, wire):>8.1f} B {ratio}"
        print(row)
PY
