#!/usr/bin/env bash
# The prediction study: the 16-core machine's scaling (reports/sample-16core/, measured there at 1-16 workers)
# predicted from what a 2-core runner can know — the built-ins at 1 and 2 workers measured HERE, at the sizes the
# 16-core run used, and a profile of that machine made only from facts it kept: its cores (machine.txt) and its
# streaming bandwidth at N threads from its `triad` cells (so `triad` leaves the validation set). Its physical
# cores and SMT yield were not kept: the profile leaves them unknown, and the predictions widen for them.
#
#   ci/predict-study.sh [OUT_DIR] [--reuse]
#
# --reuse predicts again from OUT_DIR/local.json (a model change needs no new measurements).
#
# Writes into OUT_DIR (default: a temporary directory): local.json (the run here), target-profile.json,
# predicted.json, and table.md: per cell at 4, 8 and 16 workers, predicted efficiency [interval] against measured,
# inside or not; then coverage at 16, the median interval width at 16, and each collapse the 16-core run showed.
set -euo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
out=$(realpath "${1:-$(mktemp -d)}")
reuse=${2:-}
mkdir -p "$out"
samples="$repo/reports/sample-16core"
(cd "$repo" && cargo build --release --bin ablate >/dev/null)
build_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
ablate="$build_dir/release/ablate"
cd "$out"

# The run here: every built-in the 16-core run measured, at its sizes, at 1 and 2 workers.
if [ "$reuse" != --reuse ] || [ ! -s local.json ]; then
strategies=serial,threads,rayon,crossbeam,process
flags=(-s "$strategies" -j 1,2 --reps 5 --max-cell-time 2s)
(cd "$repo" && cargo build --release -p auto-study >/dev/null)
"$ablate" run -w spin,var,backtest,mandelbrot,skewed,payload "${flags[@]}" --out cpu.json >/dev/null
"$ablate" run -w gather --size 157286400 "${flags[@]}" --out gather.json >/dev/null
# The held-out workloads, written for the auto study in an example crate: the predictor was never shaped on them.
"$build_dir/release/auto-study" run -w spmv,lookup,hashchain,blobs "${flags[@]}" --out held-out.json >/dev/null
python3 - "$samples" <<'EOF'
import json, re, sys
samples = sys.argv[1]
cpu = json.load(open("cpu.json"))
cpu["cells"] += json.load(open("gather.json"))["cells"] + json.load(open("held-out.json"))["cells"]
json.dump(cpu, open("local.json", "w"))
EOF
fi
python3 - "$samples" <<'EOF'
import json, sys
samples = sys.argv[1]

# The target's profile: its cores, and its triad bandwidth at each worker count (the best strategy's GB/s).
machine = open(f"{samples}/machine.txt").read().split("\n")
logical = int(machine[0])
model = machine[1].split(":", 1)[1].strip()
gbps = {}
for line in open(f"{samples}/mem16.txt"):
    cells = line.split()
    if len(cells) > 14 and cells[0] == "triad" and cells[-2] not in ("-", "GB/s"):
        try:
            workers, value = int(cells[4]), float(cells[-2])
        except ValueError:
            continue
        gbps[workers] = max(gbps.get(workers, 0.0), value)
profile = {
    "profile_version": 1,
    "fingerprint": "intel-xeon-16c-126g-49f3901a",
    "cpu_model": model,
    "logical_cores": logical,
    "physical_cores": None,
    "stream_gbps": [{"threads": t, "gbps": g} for t, g in sorted(gbps.items())],
    "smt_yield": None,
    "cpu_kernel_ns": None,
    "core_speed": [],
    "thread_wake_ns": None,
    "process_spawn_ns": None,
    "pipe_round_trip_ns": None,
    "source": "assumed from reports/sample-16core: its cores, and its triad cells' bandwidth at 1-16 workers; "
              "physical cores and SMT yield unknown",
}
json.dump(profile, open("target-profile.json", "w"), indent=2)
EOF
"$ablate" predict local.json --machine target-profile.json -j 4,8,16 --json >predicted.json

python3 - "$samples" <<'EOF' >table.md
import json, re, statistics, sys
samples = sys.argv[1]
STRATEGIES = {"serial", "threads", "rayon", "crossbeam", "process", "mpi"}
HELD_OUT = {"spmv", "lookup", "hashchain", "blobs"}
measured = {}
for name in ("cpu16.txt", "mem16.txt", "study16.txt"):
    for line in open(f"{samples}/{name}"):
        cells = line.split()
        # workload, size, the size's unit (one word or more), strategy, workers, chunk, median, its unit, spread,
        # speedup, efficiency, ...
        at = next((i for i, c in enumerate(cells) if i >= 2 and c.split("/")[0] in STRATEGIES), None)
        if at is None or len(cells) < at + 8 or not cells[at + 1].isdigit():
            continue
        workload, strategy, workers, efficiency = cells[0], cells[at], int(cells[at + 1]), cells[at + 7]
        try:
            measured[(workload, strategy, workers)] = float(efficiency.rstrip("?"))
        except ValueError:
            pass
kinds = {c["workload"]: c["kind"] for c in json.load(open("local.json"))["cells"]}
predicted = json.load(open("predicted.json"))["predicted"]
print("| workload | kind | strategy | workers | predicted [interval] | measured on 16 cores | inside |")
print("|---|---|---|---|---|---|---|")
held = {"inside": 0, "rows": 0, "widths": []}
inside16, widths16, rows16 = 0, [], 0
for p in predicted:
    if p["workload"] == "triad" or " --chunk" in p["strategy"]:
        continue
    strategy = p["strategy"]
    for q in p["predictions"]:
        m = measured.get((p["workload"], strategy, q["workers"]))
        if m is None:
            continue
        hit = q["low"] <= m <= q["high"]
        if q["workers"] == 16 and kinds.get(p["workload"]) in ("cpu", "memory"):
            rows16 += 1
            inside16 += hit
            widths16.append(q["high"] - q["low"])
            if p["workload"] in HELD_OUT:
                held["rows"] += 1
                held["inside"] += hit
                held["widths"].append(q["high"] - q["low"])
        name = p["workload"] + (" (held out)" if p["workload"] in HELD_OUT else "")
        print(f"| {name} | {kinds.get(p['workload'])} | {strategy} | {q['workers']} | "
              f"{q['efficiency']:.2f} [{q['low']:.2f}, {q['high']:.2f}] | {m:.2f} | {'yes' if hit else '**no**'} |")
print(f"\nAt 16 workers, CPU- and memory-bound cells: measured inside the interval in {inside16} of {rows16}"
      f" ({100 * inside16 / max(rows16, 1):.0f} %); median interval width {statistics.median(widths16 or [0]):.2f}.")
print(f"Held out (the auto-study crate's workloads): {held['inside']} of {held['rows']} inside;"
      f" median width {statistics.median(held['widths'] or [0]):.2f}.")
for workload, strategy in (("skewed", "threads"), ("mandelbrot", "threads"), ("blobs", "process/shm")):
    for p in predicted:
        if p["workload"] == workload and p["strategy"] == strategy:
            q = next(q for q in p["predictions"] if q["workers"] == 16)
            print(f"- collapse `{workload}`/`{strategy}` at 16: predicted {q['efficiency']:.2f} "
                  f"[{q['low']:.2f}, {q['high']:.2f}], measured {measured.get((workload, strategy, 16), float('nan')):.2f}; "
                  f"loss: {q['loss']}")
EOF
cat table.md
echo "# files in $out"
