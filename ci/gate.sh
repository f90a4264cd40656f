#!/usr/bin/env bash
# The perf gate CI calls, in the repository being gated (the current directory's git repository): builds the
# binary under test, measures the suite, and gates it.
#
#   ci/gate.sh [OPTIONS] BASE_REV   A/B: build BASE_REV (e.g. the merge base) too, and run both builds
#                                   alternately in one session (`gate --ab`), so a change is never judged against
#                                   another machine's or another moment's numbers.
#   ci/gate.sh [OPTIONS]            gate against the committed baseline `ci` for this machine's fingerprint
#                                   (baselines/<fingerprint>/ci.json), leniently: with none, only scaling is checked.
#
# Options:
#   --package P       the cargo package of the binary under test [default: ablate-harness]
#   --bin B           the binary: `ablate`, or a user's crate built with `ablate_main!` [default: ablate]
#   --suite "FLAGS"   what to measure [default: --quick --strategies all --workers 1,2]
#   --thresholds F    the thresholds file [default: ci/thresholds.toml of the repository, when it exists]
#   --out DIR         where results and the summary go [default: reports/gate]
#
# Writes under DIR: candidate.json (and candidate.ab-base.json in A/B mode), summary.md (the verdicts, for a job
# summary or a PR comment).
# Exits with the gate's code: 0 pass, 1 error, 2 usage, 3 regression, 4 scaling, 5 baseline missing or
# incompatible or nothing compared, 6 inconclusive with --require-power.
set -euo pipefail

usage() {
    echo "ci/gate.sh: $1; usage: ci/gate.sh [--package P] [--bin B] [--suite \"FLAGS\"] [--thresholds FILE]" \
        "[--out DIR] [BASE_REV]" >&2
    exit 2
}

package=ablate-harness
bin=ablate
suite="--quick --strategies all --workers 1,2"
thresholds=()
out=reports/gate
base_rev=
while [ $# -gt 0 ]; do
    case "$1" in
        --package | --bin | --suite | --thresholds | --out)
            [ $# -ge 2 ] || usage "$1 needs a value"
            case "$1" in
                --package) package=$2 ;;
                --bin) bin=$2 ;;
                --suite) suite=$2 ;;
                --thresholds) thresholds=(--thresholds "$(realpath "$2")") ;;
                --out) out=$2 ;;
            esac
            shift 2
            ;;
        -*) usage "unknown option '$1'" ;;
        *)
            [ -z "$base_rev" ] || usage "one base revision expected, got '$base_rev' and '$1'"
            base_rev=$1
            shift
            ;;
    esac
done

repo=$(git rev-parse --show-toplevel 2>/dev/null) || usage "'$PWD' is not in a git repository"
cd "$repo"
mkdir -p "$out"
read -r -a suite_flags <<<"$suite"
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
build=(cargo build --release --package "$package" --bin "$bin")

if [ -n "$base_rev" ]; then
    git rev-parse --verify --quiet "$base_rev^{commit}" >/dev/null || usage "'$base_rev' is not a revision here"
    base_src=$(mktemp -d)
    trap 'git worktree remove --force "$base_src" 2>/dev/null || true; rm -rf "$base_src"' EXIT
    git worktree add --detach "$base_src" "$base_rev" >/dev/null
    # The base gets a target directory of its own. Built into the candidate's, cargo would find its fingerprints
    # there (the two trees have the same layout) and, comparing file times, could keep one side's binary for the
    # other: the gate would then compare a build with itself and pass any change. Kept under the candidate's
    # target directory, so that a CI cache of it keeps both.
    base_build_dir="$target_dir/ablate-gate-base"
    (cd "$base_src" && CARGO_TARGET_DIR="$base_build_dir" "${build[@]}")
    cp "$base_build_dir/release/$bin" "$out/$bin-base"
    baseline=(--ab "$out/$bin-base")
else
    baseline=(--baseline ci --lenient --reps 10)
fi

"${build[@]}"
candidate="$target_dir/release/$bin"
if [ -n "$base_rev" ] && cmp -s "$candidate" "$out/$bin-base"; then
    # Each side was built from its own tree in its own target directory, so identical bytes mean the change does
    # not reach the binary: an A/A comparison, which the gate refuses unless asked.
    echo "ci/gate.sh: the base ($base_rev) and the candidate built to the same binary, byte for byte: an A/A gate" >&2
    baseline+=(--allow-identical)
fi
set +e
"$candidate" gate "${suite_flags[@]}" "${baseline[@]}" "${thresholds[@]}" --confirm 1 --format md \
    --out "$out/candidate.json" >"$out/summary.md"
code=$?
set -e
cat "$out/summary.md"
exit "$code"
