#!/usr/bin/env bash
# The CI gate end to end in a user's own repository, as a newcomer meets it: a crate of its own (the example
# crate's `horner` workload, copied out) that depends on this checkout of ablate by path, in a fresh git
# repository with nothing built, and one commit that makes `horner` slower (degree 64 -> 84: 85/65 = 1.31x the
# work). Then, from the user's repository, with this checkout's ci/ scripts:
#   ci/gate.sh BASE_REV            must exit 3 (a regression),
#   the Action's step (action-gate.sh) against the same base must say exit-code=3 and REGRESSED,
#   the Action's step against HEAD itself (A/A) must say exit-code=0 and PASS, and leave no worktree behind.
# ablate's own crates are not in the user's repository, so nothing of ablate's (its build script watches ablate's
# git HEAD) rebuilds when the user's HEAD moves: the binary under test must be told apart by the gate itself.
# Builds go to a target directory of their own under this repository's (`gate-e2e/`).
set -euo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
main_build_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export CARGO_TARGET_DIR="$main_build_dir/gate-e2e"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "ci/gate-e2e.sh: $1" >&2
    exit 1
}

crate="$work/user-crate"
mkdir -p "$crate/src"
cp "$repo/examples/custom-workload/src/main.rs" "$crate/src/main.rs"
cp "$repo/Cargo.lock" "$crate/Cargo.lock"
cat >"$crate/Cargo.toml" <<EOF
[package]
name = "custom-workload"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
ablate-harness = { path = "$repo/harness" }
ablate-workloads = { path = "$repo/workloads" }
serde = { version = "1", features = ["derive"] }

[workspace]
EOF
cd "$crate"
git init -q
git config user.email gate-e2e@localhost
git config user.name gate-e2e
git add -A
git commit -qm "horner, gated"
sed -i 's/Param::new("degree", 64,/Param::new("degree", 84,/' src/main.rs
git diff --quiet && fail "the slowdown was not written: the example no longer sets degree 64 by default"
git commit -qam "horner: degree 84 by default (1.3x slower)"

suite="--quick -s serial,threads -j 1,2"
gate=(--package custom-workload --bin custom-workload --suite "$suite")

set +e
bash "$repo/ci/gate.sh" "${gate[@]}" --out "$work/gate" HEAD~1
code=$?
set -e
[ "$code" -eq 3 ] || fail "ci/gate.sh passed a committed 1.3x slowdown: exit $code, expected 3"

action() {
    local base=$1 out=$2
    ABLATE_PACKAGE=custom-workload ABLATE_BIN=custom-workload ABLATE_SUITE="$suite" ABLATE_THRESHOLDS= \
        ABLATE_OUT="$out/out" ABLATE_BASE_REF="$base" GITHUB_STEP_SUMMARY="$out/summary" \
        GITHUB_OUTPUT="$out/output" bash "$repo/ci/action-gate.sh"
}

mkdir -p "$work/slow" "$work/same"
action HEAD~1 "$work/slow"
grep -q '^exit-code=3$' "$work/slow/output" || { cat "$work/slow/summary"; fail "the Action missed the slowdown"; }
grep -q 'REGRESSED' "$work/slow/summary" || fail "the Action's summary does not say REGRESSED"

action HEAD "$work/same"
grep -q '^exit-code=0$' "$work/same/output" || { cat "$work/same/summary"; fail "the Action failed an A/A gate"; }
grep -q '^## ablate: PASS' "$work/same/summary" || fail "the Action's A/A summary does not say PASS"
test -s "$work/same/out/candidate.json" || fail "no candidate.json"
test -s "$work/same/out/candidate.ab-base.json" || fail "no candidate.ab-base.json"
[ "$(git worktree list | wc -l)" -eq 1 ] || fail "the gate left a worktree behind"
echo "ci/gate-e2e.sh: a committed 1.3x slowdown fails ci/gate.sh and the Action (exit 3); A/A passes (exit 0)"
