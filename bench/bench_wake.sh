#!/bin/bash
# What waking an idle process costs this machine, by the size of the
# process's memory (bench/wake_rtt.c): the floor under any request to a
# daemon, paid by `wgjail sync` and by `wg syncconf` alike each time they
# send a change to wireguard-go.
#
#   bash bench/bench_wake.sh [SIZES_MIB] [RUNS] [IDLE_MS]
#                        (default "1 100 600 1300", 21, 1000)
#
# For each size: the median, minimum and maximum of RUNS round trips to a
# child with that much memory touched, sleeping on CPU 0, woken from CPU 1
# ("cross") and from CPU 0 itself ("same"), IDLE_MS apart.  1300 MiB is
# about what wireguard-go holds with 50,000 peers.  The header says whether
# the kernel's DAMON samples memory meanwhile; PAUSE_DAMON=1 (as root)
# turns it off for the run and back on at exit (bench/damon.sh).  Needs a
# C compiler and two CPUs; Linux or FreeBSD (which has no DAMON: "none").
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/damon.sh
SIZES=${1:-"1 100 600 1300"}
RUNS=${2:-21}
IDLE=${3:-1000}
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || { echo "bench_wake: needs two CPUs" >&2; exit 1; }
TMP=$(mktemp -d /tmp/wgjail-wake.XXXXXX) || exit 1
trap 'damon_restore; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$TMP/wake_rtt" bench/wake_rtt.c || exit 1
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || sysctl -n vm.loadavg 2>/dev/null)
echo "# $(uname -sr), $(getconf _NPROCESSORS_ONLN) CPUs, load $load"
damon_header
for n in $SIZES; do
	for mode in cross same; do
		"$TMP/wake_rtt" "$n" "$RUNS" "$IDLE" "$mode" || exit 1
	done
done
