# Sourced by the study scripts: a busy neighbour started in its own session (setsid), as another job on a CI runner
# is, and stopped with its whole process group. `start_neighbour KIND` takes none, cpu (a shell loop burning one
# core) or cache (dd sweeping 64 MiB buffers, larger than the last-level cache); `stop_neighbour` ends it.
neighbour_pid=""

start_neighbour() {
    case $1 in
        none) ;;
        cpu) setsid sh -c 'while :; do :; done' & neighbour_pid=$! ;;
        cache) setsid sh -c 'while :; do dd if=/dev/zero of=/dev/null bs=64M count=64 2>/dev/null; done' & neighbour_pid=$! ;;
        *) echo "$(basename "$0"): unknown neighbour '$1' (valid: none, cpu, cache)" >&2; exit 2 ;;
    esac
}

stop_neighbour() {
    [ -n "$neighbour_pid" ] && kill -- "-$neighbour_pid" 2>/dev/null
    neighbour_pid=""
}
