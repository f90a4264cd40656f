#!/usr/bin/env bash
# The step of the GitHub Action (action.yml) that gates: runs gate.sh with the action's inputs, appends the
# verdicts to the job summary, and hands the gate's exit code on, so the upload step runs before the job fails.
#
# Reads the inputs from the environment: ABLATE_PACKAGE, ABLATE_BIN, ABLATE_SUITE, ABLATE_THRESHOLDS (may be
# empty), ABLATE_OUT, ABLATE_BASE_REF (empty: the merge base with the pull request's target branch, or a stored
# baseline outside a pull request); and the runner's GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and GITHUB_BASE_REF.
set -uo pipefail

args=(--package "$ABLATE_PACKAGE" --bin "$ABLATE_BIN" --suite "$ABLATE_SUITE" --out "$ABLATE_OUT")
if [ -n "${ABLATE_THRESHOLDS:-}" ]; then
    args+=(--thresholds "$ABLATE_THRESHOLDS")
fi
base=${ABLATE_BASE_REF:-}
if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
    base=$(git merge-base "origin/$GITHUB_BASE_REF" HEAD) || {
        echo "no merge base with origin/$GITHUB_BASE_REF: check out with fetch-depth: 0" >&2
        exit 2
    }
fi

bash "$(dirname "$0")/gate.sh" "${args[@]}" ${base:+"$base"}
code=$?
if [ -s "$ABLATE_OUT/summary.md" ]; then
    cat "$ABLATE_OUT/summary.md" >>"$GITHUB_STEP_SUMMARY"
else
    echo "ablate gate: no summary (exit $code); see the step's log" >>"$GITHUB_STEP_SUMMARY"
fi
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
