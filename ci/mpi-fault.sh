#!/usr/bin/env bash
# One fault across the hosts of an MPI test bed (run inside ci/mpi-hosts.sh, which sets ABLATE_BED_*):
#   ci/mpi-fault.sh kill|link|never ABLATE OUT
#   kill   rank 3 (on h2) is killed (SIGKILL) once it has computed for a while
#   link   h2's veth is taken down at the same moment
#   never  rank 3 is to run a program that is not there, so it never starts
# The run is `mpirun -np 4` (ranks 0 and 1 on h1, 2 and 3 on h2) of spin then var under mpi and serial, with
# --task-timeout 3s, results to OUT. Prints `rc=N` (mpirun's exit status) and, for each host, `left on HOST:` and
# the pids still in its namespace 10 s after mpirun has exited (the daemons of a reachable host end by then).
set -uo pipefail
fault=$1 ablate=$2 out=$3
args=(run -w spin,var --size spin=400,var=2000 --strategies mpi,serial --workers 3 --reps 20 --task-timeout 3s --out "$out")
ns2=$(cat "$ABLATE_BED_DIR/ns-h2")

rank_on_h2() {
    for pid in $(ip netns pids "$ns2"); do
        if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1"; then echo "$pid"; fi
    done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

case $fault in
    never)
        ABLATE_MPI_START_TIMEOUT=10 "$ABLATE_BED_MPIRUN" -x ABLATE_MPI_START_TIMEOUT -np 3 "$ablate" "${args[@]}" \
            : -np 1 "$ABLATE_BED_DIR/ablate-not-installed-here"
        echo "rc=$?"
        ;;
    kill | link)
        "$ABLATE_BED_MPIRUN" -np 4 "$ablate" "${args[@]}" &
        job=$!
        victim=""
        for _ in $(seq 1200); do
            victim=$(rank_on_h2 3)
            [ -n "$victim" ] && [ "$(cpu_ticks "$victim")" -gt 20 ] && break
            victim=""
            sleep 0.1
        done
        if [ -z "$victim" ]; then
            echo "mpi-fault.sh: rank 3 never computed on h2 within 120 s; no fault injected" >&2
            kill -TERM "$job"
            wait "$job"
            exit 1
        fi
        if [ "$fault" = kill ]; then kill -KILL "$victim"; else ip -n "$ns2" link set "$ABLATE_BED_IFACE" down; fi
        wait "$job"
        echo "rc=$?"
        ;;
    *) echo "mpi-fault.sh: unknown fault '$fault' (kill, link or never)" >&2; exit 2 ;;
esac
for _ in $(seq 100); do
    left=""
    for host in $ABLATE_BED_HOSTS; do left+=$(ip netns pids "$(cat "$ABLATE_BED_DIR/ns-$host")"); done
    [ -z "$left" ] && break
    sleep 0.1
done
for host in $ABLATE_BED_HOSTS; do
    echo "left on $host: $(ip netns pids "$(cat "$ABLATE_BED_DIR/ns-$host")" | tr '\n' ' ')"
done
