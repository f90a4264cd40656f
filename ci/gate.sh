#!/usr/bin/env bash
# The perf gate CI calls: builds ablate, measures the quick suite, and gates it.
#
#   ci/gate.sh BASE_REV   A/B: build BASE_REV (e.g. the merge base) too, and run both builds alternately in one
#                         session (`ablate gate --ab`), so a change is never judged against another machine's
#                         or another moment's numbers.
#   ci/gate.sh            gate against the committed baseline `ci` for this machine's fingerprint
#                         (baselines/<fingerprint>/ci.json), leniently: with none, only scaling is checked.
#
# Writes under reports/gate/: candidate.json (and candidate.ab-base.json in A/B mode), summary.md (verdicts,
# for a PR comment).
# Exits with the gate's code: 0 pass, 1 error, 2 usage, 3 regression, 4 scaling, 5 baseline missing/incompatible.
set -euo pipefail
cd "$(dirname "$0")/.."
out=reports/gate
mkdir -p "$out"
suite=(--quick --strategies all --workers 1,2)

if [ $# -ge 1 ]; then
    base_src=$(mktemp -d)
    trap 'git worktree remove --force "$base_src" 2>/dev/null || true' EXIT
    git worktree add --detach "$base_src" "$1" >/dev/null
    (cd "$base_src" && CARGO_TARGET_DIR="$base_src/target" cargo build --release --bin ablate)
    cp "$base_src/target/release/ablate" "$out/ablate-base"
    baseline=(--ab "$out/ablate-base")
else
    baseline=(--baseline ci --lenient --reps 10)
fi

cargo build --release --bin ablate
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
set +e
"$target_dir/release/ablate" gate "${suite[@]}" "${baseline[@]}" --confirm 1 --format md --out "$out/candidate.json" >"$out/summary.md"
code=$?
set -e
cat "$out/summary.md"
exit "$code"
