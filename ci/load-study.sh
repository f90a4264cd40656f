#!/usr/bin/env bash
# The load-proof efficiency study: the README's main job measured quiet, then beside a busy neighbour (one shell
# loop spinning in its own session), with the same command; then, per CPU-bound cell at 2 workers, the wall-clock
# and the load-proof efficiency of both runs side by side, and which cells each run marked unreliable.
#
#   ci/load-study.sh [OUT_DIR] [-- RUN_FLAGS...]
#
# OUT_DIR (default: a temporary directory, printed) receives quiet.json, busy.json, their reports (quiet/, busy/)
# and table.md, the comparison. RUN_FLAGS default to the README's main job at 1 and 2 workers with 5 repetitions:
# `-w all -s serial,threads,rayon,crossbeam,process -j 1,2 --reps 5`. Run it from anywhere: the binary is
# found through cargo, and no thresholds file is read (the built-in defaults, as in a user's project).
set -euo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
out=${1:-$(mktemp -d)}
shift || true
[ "${1:-}" = "--" ] && shift
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-w all -s serial,threads,rayon,crossbeam,process -j 1,2 --reps 5)
mkdir -p "$out"
out=$(realpath "$out")

(cd "$repo" && cargo build --release --bin ablate >/dev/null)
target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
ablate="$target_dir/release/ablate"

neighbour=
stop_neighbour() {
    if [ -n "$neighbour" ]; then
        kill -- -"$neighbour" 2>/dev/null || true
        neighbour=
    fi
}
trap stop_neighbour EXIT

cd "$out"
echo "# load study: $(date -u +%FT%TZ), $(nproc) CPUs, ${flags[*]}"
"$ablate" run "${flags[@]}" --out quiet.json --report quiet >quiet.txt
setsid sh -c 'while :; do :; done' &
neighbour=$!
sleep 1
"$ablate" run "${flags[@]}" --out busy.json --report busy >busy.txt
stop_neighbour

python3 - <<'EOF' >table.md
import csv, json

def cells(name):
    kinds = {c["id"]: c["kind"] for c in json.load(open(f"{name}.json"))["cells"]}
    rows = {r["id"]: r for r in csv.DictReader(open(f"{name}/results.csv"))}
    return {i: r for i, r in rows.items() if kinds[i] == "cpu" and r["workers"] == "2" and r["status"] == "ok"}

quiet, busy = cells("quiet"), cells("busy")
num = lambda v: float(v) if v else None
fmt = lambda v: "-" if v is None else f"{v:.2f}"
print("| cell | quiet: wall | quiet: load-proof | busy: wall | busy: load-proof | load-proof busy - quiet | marked quiet | marked busy |")
print("|---|---|---|---|---|---|---|---|")
gaps = []
for i in quiet:
    if i not in busy:
        continue
    q, b = quiet[i], busy[i]
    ql, bl = num(q["load_proof_efficiency"]), num(b["load_proof_efficiency"])
    gap = None if ql is None or bl is None else bl - ql
    if gap is not None:
        gaps.append(abs(gap))
    mark = lambda r: "?" if r["wall_clock_doubt"] else ""
    print(f"| `{i}` | {fmt(num(q['efficiency']))} | {fmt(ql)} | {fmt(num(b['efficiency']))} | {fmt(bl)} | "
          f"{fmt(gap)} | {mark(q)} | {mark(b)} |")
within = sum(g <= 0.05 for g in gaps)
print(f"\n{within} of {len(gaps)} CPU-bound cells at 2 workers have load-proof efficiencies within 0.05 busy and quiet;"
      f" largest gap {max(gaps, default=0):.3f}.")
EOF
cat table.md
grep -h "^? " quiet.txt | sed 's/^/quiet: /' || true
grep -h "^? " busy.txt | sed 's/^/busy: /' || true
echo "# files in $out"
