#!/usr/bin/env bash
# The hostile battery of issue 27, rerun: each case the battery of 2026-12-07 found failing, as a command with the
# outcome it must have now (an exit code, a bound on its time, nothing written where it must not be, no process
# left). Prints one line per case and a count; exits 1 when any case fails.
#
#   ci/battery.sh            every case (about two minutes)
#
# Run as root for the /dev cases to mean what they meant in the battery (as another user they pass trivially).
# Memory cases run under an address-space cap (`ulimit -v`), as the battery did. Bisect under SIGTERM (item 5) is
# checked by `cargo test -p ablate-harness --test bisect item_27_5` (it needs a repository of commits).
set -uo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
(cd "$repo" && cargo build --release --bin ablate >/dev/null 2>&1) || { echo "ci/battery.sh: build failed" >&2; exit 1; }
build_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
ablate="$build_dir/release/ablate"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
passed=0
failed=0
TINY=(-w spin --size 8 -s serial -j 1 --reps 2 --warmup 0)
TINY_AB=(-w spin --size 8 -s serial -j 1 --ab-rounds 2)

verdict() { # NAME OK(0|1) DETAIL
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
        echo "pass  $1"
    else
        failed=$((failed + 1))
        echo "FAIL  $1: $3"
    fi
}

# expect NAME CODE SECONDS COMMAND...: exits CODE within SECONDS, stderr at most one line of ablate's error.
expect() {
    local name=$1 code=$2 seconds=$3
    shift 3
    timeout -s KILL "$seconds" "$@" >"$work/out" 2>"$work/err"
    local got=$?
    [ "$got" -eq "$code" ]
    verdict "$name" $? "exit $got, expected $code; $(tail -n 2 "$work/err" | tr '\n' ' ')"
}

# --- item 1: an A/B base identical to the candidate
cp "$ablate" "$work/same-build"
expect "1  gate --ab an identical binary is refused" 5 60 "$ablate" gate --ab "$work/same-build" "${TINY_AB[@]}" -o r1.json

# --- item 2: concurrent history writers
rm -rf h2
for round in 1 2 3; do
    for i in 1 2 3; do "$ablate" run "${TINY[@]}" -o "r2-$round-$i.json" --history h2 >/dev/null 2>&1 & done
    wait
done
kept=$(ls h2/runs 2>/dev/null | wc -l)
verdict "2  9 concurrent run --history writers keep 9 runs" $([ "$kept" -eq 9 ] && echo 0 || echo 1) "kept $kept"

# --- item 3: symlinks, FIFOs and devices in a history store
mkdir -p h3/runs outside
echo victim >outside/victim.txt
ln -s ../outside/victim.txt h3/index.json
"$ablate" run "${TINY[@]}" -o r3.json --history h3 >/dev/null 2>&1
verdict "3  a symlinked index.json is not written through" $([ "$(cat outside/victim.txt)" = victim ] && echo 0 || echo 1) \
    "outside/victim.txt was overwritten"
rm -rf h3 && mkdir -p h3 && ln -s ../made-outside/index.json h3/index.json
"$ablate" run "${TINY[@]}" -o r3.json --history h3 >/dev/null 2>&1
verdict "3  a dangling symlink makes nothing outside the store" $([ ! -e made-outside ] && echo 0 || echo 1) "made-outside/ exists"
rm -rf h3 && mkdir -p h3/runs && mkfifo h3/runs/zz.json
expect "3  history list beside a FIFO ends with an error" 1 20 "$ablate" history --history h3 list
rm -rf h3 && mkdir -p h3/runs && ln -s /dev/zero h3/runs/zz.json
expect "3  history list beside /dev/zero ends with an error" 1 20 sh -c "ulimit -v 4000000; exec $ablate history --history h3 list"

# --- item 4: A/B bases that hang, stop, flood or print an endless line
printf '#!/bin/sh\necho $$ >%s/hang.pid\nsleep 1000\n' "$work" >hang.sh
printf '#!/bin/sh\nexec cat /dev/zero\n' >zero.sh
printf '#!/bin/sh\nexec yes\n' >yes.sh
chmod +x hang.sh zero.sh yes.sh
expect "4  a hung base ends the gate (exit 1) within its bound" 1 90 "$ablate" gate --ab ./hang.sh --max-time 5s "${TINY_AB[@]}" -o r4.json
sleep 1
left=$(pgrep -f "$work/hang.sh|sleep 1000" | wc -l)
verdict "4  the hung base and its sleep are gone" $([ "$left" -eq 0 ] && echo 0 || echo 1) "$left processes left"
expect "4  a base printing an endless line is a clean error" 1 90 sh -c "ulimit -v 4000000; exec $ablate gate --ab ./zero.sh --max-time 5s ${TINY_AB[*]} -o r4.json"
expect "4  a base flooding its output is a clean error" 1 90 "$ablate" gate --ab ./yes.sh --max-time 5s "${TINY_AB[@]}" -o r4.json
"$ablate" gate --ab ./hang.sh --max-time 30s "${TINY_AB[@]}" -o r4.json >/dev/null 2>&1 &
gate=$!
sleep 3
kill -TERM "$gate"
timeout 30 tail --pid="$gate" -f /dev/null
wait "$gate"
code=$?
sleep 1
left=$(pgrep -f "$work/hang.sh|sleep 1000" | wc -l)
verdict "4  SIGTERM ends the gate (143) and its base" $([ "$code" -eq 143 ] && [ "$left" -eq 0 ] && echo 0 || echo 1) \
    "exit $code, $left processes left"

# --- item 6: a run that fails writing its report publishes nothing
"$ablate" run "${TINY[@]}" -o r6.json --report rep6 >/dev/null 2>&1
rm rep6/summary.md && mkdir rep6/summary.md
"$ablate" run "${TINY[@]}" -o r6.json --report rep6 --save-baseline main --baseline-dir b6 >/dev/null 2>&1
verdict "6  no baseline saved by a run whose report failed" $(find b6 -name '*.json' 2>/dev/null | grep -q . && echo 1 || echo 0) \
    "b6 holds a baseline"

# --- item 7: aborts and panics
expect "7  --task-timeout of 2^63 s is a usage error" 2 30 "$ablate" run "${TINY[@]}" -o r7.json --task-timeout 9223372036854775807s
expect "7  --load-timeout of 2^63 s is a usage error" 2 30 "$ablate" run "${TINY[@]}" -o r7.json --load-timeout 9223372036854775807s
head -c 200000000 /dev/zero | tr '\0' '#' >big.toml
expect "7  a 200 MB thresholds file is a usage error" 2 30 sh -c "ulimit -v 4000000; exec $ablate run ${TINY[*]} -o r7.json --thresholds big.toml"
printf '[[rule]]\nmatch = "%s"\nmin_efficiency = 0.5\nreason = "r"\n' "$(printf 'a*%.0s' $(seq 40))b" >stars.toml
expect "7  a thresholds glob of 40 stars matches in linear time" 0 30 "$ablate" run "${TINY[@]}" -o r7.json --thresholds stars.toml

# --- item 8: silent passes
"$ablate" run -w spin --size 8 -s serial,threads -j 1,2 --reps 3 -o base8.json >/dev/null 2>&1
head -c 200 base8.json >truncated.json
expect "8  --lenient refuses a truncated baseline" 5 30 "$ablate" gate --results base8.json --baseline truncated.json --lenient
python3 -c "import json; r=json.load(open('base8.json')); r['cells']=[]; json.dump(r, open('nocells.json','w'))"
expect "8  --lenient refuses a comparison of nothing" 5 30 "$ablate" gate --results nocells.json --lenient
expect "8  report --history of a missing store fails" 5 30 "$ablate" report --history nosuchdir --out-dir rep8

# --- item 9: destinations checked before the work
mkdir -p x9.ab-base.json
expect "9  an unwritable base record fails before measuring" 1 30 "$ablate" gate --ab "$work/same-build" --allow-identical "${TINY_AB[@]}" -o x9.json
mkdir -p h9/runs && echo garbage >h9/runs/bad.json
expect "9  garbage in the history store fails before measuring" 1 30 "$ablate" run "${TINY[@]}" -o r9.json --history h9
verdict "9  ... and measures nothing" $([ ! -e r9.json ] && echo 0 || echo 1) "r9.json was written"

# --- item 10: smaller
had=$([ -e /dev/history ] && echo 1 || echo 0)
expect "10 --history beside /dev/null is a usage error" 2 30 "$ablate" run "${TINY[@]}" -o /dev/null --history
verdict "10 ... and makes no /dev/history" $([ -e /dev/history ] && [ "$had" -eq 0 ] && echo 1 || echo 0) "/dev/history made"
had=$([ -e /dev/null.ab-base.json ] && echo 1 || echo 0)
"$ablate" gate --ab "$work/same-build" --allow-identical "${TINY_AB[@]}" -o /dev/null >/dev/null 2>&1
verdict "10 gate --ab -o /dev/null writes nothing beside it" $([ -e /dev/null.ab-base.json ] && [ "$had" -eq 0 ] && echo 1 || echo 0) \
    "/dev/null.ab-base.json written"
ln -s elsewhere/deeper/out.json link10.json
"$ablate" run "${TINY[@]}" -o link10.json >/dev/null 2>&1
verdict "10 a dangling -o symlink makes no directories" $([ ! -e elsewhere ] && echo 0 || echo 1) "elsewhere/ made"
expect "10 --warmup 100000 is a usage error" 2 30 "$ablate" run -w spin --size 8 -s serial -o r10.json --warmup 100000
expect "10 --reps 4294967295 is a usage error" 2 30 "$ablate" run -w spin --size 8 -s serial -o r10.json --reps 4294967295
expect "10 --confirm 4294967295 is a usage error" 2 30 "$ablate" gate --results base8.json --baseline base8.json --confirm 4294967295
expect "10 a missing --thresholds file is a usage error" 2 30 "$ablate" run "${TINY[@]}" -o r10.json --thresholds nosuch.toml
printf '[defaults]\nalpha = nan\n' >nan.toml
"$ablate" run "${TINY[@]}" -o r10.json --thresholds nan.toml >/dev/null 2>"$work/err"
verdict "10 an invalid alpha names its file" $(grep -q "nan.toml" "$work/err" && echo 0 || echo 1) "$(head -1 "$work/err")"
python3 -c "
import json; r=json.load(open('base8.json'))
for c in r['cells']: c['workload']='x\x1b[31mred'; c['id']='x\x1b[31mred/'+c['id']
json.dump(r, open('ansi.json','w'))"
"$ablate" gate --results ansi.json --lenient >"$work/out" 2>"$work/err"
verdict "10 escape sequences from a file are not printed raw" $(cat "$work/out" "$work/err" | grep -q $'\x1b' && echo 1 || echo 0) \
    "a raw ESC reached the terminal"

echo "ci/battery.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
