#!/usr/bin/env bash
# A test bed of MPI "hosts" on one machine (root only): each host a Linux network namespace and a UTS namespace of
# its own (so its host name is its own), joined to the others through a switch namespace holding a bridge, by one
# veth pair per host. Addresses live only on the hosts' veth ends (10.231.0.N/24); no namespace of the bed has a
# default route or any route out, and nothing is added to the machine's own network namespace. Open MPI launches
# across the hosts from a hostfile, its remote launcher (plm_rsh_agent) a generated agent script that enters the
# host's namespaces (no ssh server); ranks talk TCP over the veths (btl tcp,self).
#
# Usage: ci/mpi-hosts.sh [options] -- COMMAND [ARGS...]
#   --hosts N         hosts in the bed, 2 or 3 (default 2): h1, h2, h3
#   --slots N         MPI slots per host in the hostfile (default 2)
#   --delay D         tc netem delay on every host's veth, each way (e.g. 0.5ms; default none); needs netem
#                     in the kernel (sch_netem), else the bed is not made (exit 1)
#   --rate R          rate of every host's veth (e.g. 1gbit; default none): netem's with --delay, else tbf's
#   --name ID         tells this bed's namespaces from another's (default: this script's pid)
#
# COMMAND runs in the machine's own namespaces with these in its environment:
#   ABLATE_BED_MPIRUN   a script: `$ABLATE_BED_MPIRUN -np 4 ablate run ...` is mpirun started on h1 with the
#                       hostfile, the agent and the TCP transport set (extra mpirun options go before -np)
#   ABLATE_BED_DIR      the bed's directory: hostfile, agent, mpirun, and `ns-HOST` files holding each host's
#                       namespace name (`ip netns exec "$(cat $ABLATE_BED_DIR/ns-h2)" ...` acts on host h2)
#   ABLATE_BED_HOSTS    the host names, space-separated
#   ABLATE_BED_IFACE    the name of every host's veth end (for its counters, or to take its link down)
# The bed is torn down when COMMAND ends, when a step fails and on a signal: namespaces (and every process left in
# them), veths, the bridge, the directory. The exit status is COMMAND's (1 when the bed could not be made).
set -euo pipefail

hosts=2 slots=2 delay="" rate="" id=$$
while [ $# -gt 0 ]; do
    case $1 in
        --hosts) hosts=$2 ;; --slots) slots=$2 ;; --delay) delay=$2 ;; --rate) rate=$2 ;; --name) id=$2 ;;
        --) shift; break ;;
        *) echo "mpi-hosts.sh: unknown option '$1' (valid: --hosts --slots --delay --rate --name, then -- COMMAND)" >&2
           exit 2 ;;
    esac
    shift 2
done
[ $# -gt 0 ] || { echo "mpi-hosts.sh: no COMMAND after --" >&2; exit 2; }
case $hosts in 2 | 3) ;; *) echo "mpi-hosts.sh: --hosts '$hosts': 2 or 3" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "mpi-hosts.sh: needs root (network namespaces)" >&2; exit 1; }

iface=veth0
prefix="ablate-$id"
switch="$prefix-sw"
dir=$(mktemp -d "${TMPDIR:-/tmp}/ablate-bed.XXXXXX")
names=()
for n in $(seq 1 "$hosts"); do names+=("h$n"); done

namespace_of() { echo "$prefix-$1"; }

teardown() {
    local status=$?
    trap - EXIT INT TERM HUP
    for host in "${names[@]}" sw; do
        local ns
        ns=$([ "$host" = sw ] && echo "$switch" || namespace_of "$host")
        # Every process still in the namespace (a rank, an orted) goes with it.
        local pids
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        for _ in $(seq 50); do
            [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
            sleep 0.1
        done
        ip netns del "$ns" 2>/dev/null || true
        rm -rf "/etc/netns/$ns"
    done
    rmdir /etc/netns 2>/dev/null || true
    rm -rf "$dir"
    exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Shapes a host's veth (its outgoing traffic): tc netem for a delay (and the rate with it), tbf for a rate alone.
shape() {
    if [ -n "$delay" ]; then
        ip -n "$1" link show "$iface" >/dev/null
        if ! ip netns exec "$1" tc qdisc add dev "$iface" root netem delay "$delay" ${rate:+rate "$rate"}; then
            echo "mpi-hosts.sh: --delay needs tc netem, which this kernel lacks (CONFIG_NET_SCH_NETEM, module sch_netem); --rate alone uses tbf" >&2
            exit 1
        fi
    elif [ -n "$rate" ]; then
        ip netns exec "$1" tc qdisc add dev "$iface" root tbf rate "$rate" burst 256kb latency 50ms
    fi
}

ip netns add "$switch"
ip -n "$switch" link add br0 type bridge
ip -n "$switch" link set br0 up
for n in $(seq 1 "$hosts"); do
    host=h$n
    ns=$(namespace_of "$host")
    ip netns add "$ns"
    ip link add name "$iface" netns "$ns" type veth peer name "port$n" netns "$switch"
    ip -n "$switch" link set "port$n" master br0 up
    ip -n "$ns" addr add "10.231.0.$n/24" dev "$iface"
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$iface" up
    shape "$ns"
    echo "$ns" >"$dir/ns-$host"
    echo "$host slots=$slots" >>"$dir/hostfile"
    echo "10.231.0.$n $host" >>"$dir/hosts"
done
# `ip netns exec` mounts /etc/netns/NS/hosts over /etc/hosts: every host resolves every other by name.
for host in "${names[@]}"; do
    mkdir -p "/etc/netns/$(namespace_of "$host")"
    { echo "127.0.0.1 localhost"; cat "$dir/hosts"; } >"/etc/netns/$(namespace_of "$host")/hosts"
done

# The agent: HOST COMMAND... runs COMMAND (one shell line, as ssh would) in HOST's namespaces, named HOST.
cat >"$dir/agent" <<EOF
#!/bin/sh
host=\$1; shift
[ -f "$dir/ns-\$host" ] || { echo "ablate bed agent: no host '\$host' in this bed (${names[*]})" >&2; exit 255; }
exec ip netns exec "\$(cat "$dir/ns-\$host")" unshare --uts /bin/sh -c 'hostname "\$0" && eval "\$*"' "\$host" "\$@"
EOF
cat >"$dir/mpirun" <<EOF
#!/bin/sh
# mpirun on h1 across this bed's hosts, TCP over the veths, as root and with more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exec "$dir/agent" h1 mpirun --hostfile "$dir/hostfile" --oversubscribe \\
    --mca plm_rsh_agent "$dir/agent" --mca btl tcp,self --mca btl_tcp_if_include $iface \\
    --mca oob_tcp_if_include $iface --mca pml ob1 --enable-recovery "\$@"
EOF
chmod +x "$dir/agent" "$dir/mpirun"

export ABLATE_BED_DIR="$dir" ABLATE_BED_MPIRUN="$dir/mpirun" ABLATE_BED_HOSTS="${names[*]}" ABLATE_BED_IFACE=$iface
set +e
"$@"
