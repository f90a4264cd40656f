#!/usr/bin/env bash
# What a test suite must not leave behind: processes started from this project's build, git worktrees, temporary
# directories, network namespaces.
#
#   ci/leftovers.sh snapshot FILE   records what is there now (temporary directory entries, namespaces)
#   ci/leftovers.sh check FILE      fails (exit 1), listing them, on anything of ours that appeared since
#
# "Ours": a process whose command line names the target directory or a file under it (ablate, test binaries,
# worker processes, the example crates, mpirun and its ranks running them); a git worktree of this repository
# besides the main one; an entry of the temporary directory made since the snapshot by the tempfile crate
# (`.tmp*`), by ablate or by git (`ablate*`, `*-bisect*`); a network namespace made since the snapshot.
set -euo pipefail

usage() {
    echo "usage: ci/leftovers.sh snapshot|check FILE" >&2
    exit 2
}
[ $# -eq 2 ] || usage
mode=$1
file=$2
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
tmp=${TMPDIR:-/tmp}

entries() {
    ls -A "$tmp" | grep -E '^(\.tmp|ablate)|bisect' | sort || true
}
namespaces() {
    if command -v ip >/dev/null; then ip netns list 2>/dev/null | awk '{print "netns " $1}' | sort; fi
}

case "$mode" in
    snapshot)
        { entries; namespaces; } | sort >"$file"
        ;;
    check)
        [ -f "$file" ] || usage
        target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
            sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
        # The processes running this check (.ci/run and whatever started it, e.g. `env CARGO_TARGET_DIR=… bash
        # .ci/run`) name the target directory too, but are not left behind.
        ancestors=" "
        pid=$$
        while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
            ancestors+="$pid "
            pid=$(ps -o ppid= -p "$pid" | tr -d ' ')
        done
        found=()
        while read -r pid args; do
            case "$ancestors" in *" $pid "*) continue ;; esac
            case "$args" in
                *"$target_dir"* | *"$repo/target"*) found+=("process $pid: $args") ;;
            esac
        done < <(ps -eo pid=,args= | grep -v -e 'ci/leftovers.sh' -e 'grep' || true)
        while read -r line; do
            found+=("worktree $line")
        done < <(git -C "$repo" worktree list | tail -n +2)
        while read -r line; do
            [ -n "$line" ] && found+=("$line (new since the snapshot in $tmp)")
        done < <(comm -13 "$file" <({ entries; namespaces; } | sort))
        if [ ${#found[@]} -gt 0 ]; then
            echo "ci/leftovers.sh: left behind:" >&2
            printf '  %s\n' "${found[@]}" >&2
            exit 1
        fi
        echo "ci/leftovers.sh: no process, worktree, temporary directory or network namespace left behind"
        ;;
    *) usage ;;
esac
