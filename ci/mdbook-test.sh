#!/usr/bin/env bash
# The guide's Rust snippets, compiled and run by `mdbook test` against this workspace's own crates.
#
#   ci/mdbook-test.sh
#
# rustdoc finds a crate a snippet names (`# extern crate ablate_workloads;`) in the directories given with -L, and
# refuses a name that two files there could be (cargo's deps/ folder holds several builds of each crate: test,
# check, doc, features). So the library is built once more (usually fresh), and the files that build names — the
# library and everything it links — are linked into a folder of their own, one build of each, for -L.
set -euo pipefail
cd "$(dirname "$0")/.."

deps=$(mktemp -d)
trap 'rm -rf "$deps"' EXIT
cargo build -p ablate-harness --lib --message-format=json \
    | grep -o '"filenames":\[[^]]*\]' \
    | grep -o '"[^"]*\.\(rlib\|so\)"' \
    | tr -d '"' \
    | while read -r artifact; do ln -sf "$artifact" "$deps/"; done
mdbook test docs -L "$deps"
