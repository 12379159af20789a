#!/bin/bash
# wgjail sync vs wg syncconf on one wireguard-go interface.
#
#   sh bench/bench_sync.sh [SIZES] [RUNS]      (as root; default "1000 10000 50000", 3)
#
# For each size N: a fresh wireguard-go interface in a private network
# namespace is loaded with N peers (base.conf), then, alternately for each
# tool, RUNS times:
#   one change  : apply one.conf (base + one peer with one more allowed IP),
#                 measured; then back to base.conf with `wgjail sync --full`
#                 (not measured: wg changed the device behind wgjail's back)
#   no change   : apply base.conf to a device already at base.conf, measured
#   one, --full : wgjail only, the one change with `--full` (the device is
#                 read, as when wgjail has no record of its last sync)
# wgjail's state directory (the record of its last sync) is on tmpfs, as
# its default /run/wgjail is.
# Printed, the median of RUNS: wall time (ms; bench/timecmd.py: from the
# spawn of the command to its exit, with no shell fork or timer process of
# its own in between), peak RSS of the client (one more round of each case,
# under /usr/bin/time -f %M), and the CPU time wireguard-go itself spent on
# the request (/proc/PID/stat).  "wall x" is wg's time over wgjail's, "RSS
# x" wgjail's RSS over wg's.  The floor, `true` timed the same way, is
# printed first: what any command costs to start on this machine.  So is,
# for each size, the floor under a request: one UAPI round trip to the
# idle daemon (an empty set, bench/uapi_rtt.py), which "one change" pays
# and "no change" does not (wgjail does not contact the daemon then).
#
# The floor under a request depends on the machine's memory monitor: a
# kernel DAMON daemon that samples physical memory (kdamond, `paddr`)
# clears the accessed bits of the idle wireguard-go's pages (~1.3 GB at
# 50,000 peers), and on a paravirtualised VM the next wake of that process
# then costs milliseconds (bench/bench_wake.sh; bench/results/issue16.md,
# sixth session).  The header says whether one runs.  PAUSE_DAMON=1 turns
# every running kdamond off for the run and back on at exit (bench/damon.sh),
# so the same script measures both ways.
# Needs: wireguard-go, wg, python3.
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/damon.sh
SIZES=${1:-"1000 10000 50000"}
RUNS=${2:-3}
WGJAIL=${WGJAIL:-$PWD/wgjail}
NS="u4bench$$"
IF="u4bench$$"
[ "${#IF}" -le 15 ] || IF="u4b$$"
TMP=$(mktemp -d /tmp/wgjail-bench.XXXXXX)
# the record of the last sync on tmpfs, as under the default /run/wgjail
# (where /run is not tmpfs, as in some containers, /dev/shm is)
STATE_FS=/run
[ "$(stat -f -c %T /run 2>/dev/null)" = tmpfs ] || STATE_FS=/dev/shm
export WGJAIL_STATEDIR="$STATE_FS/wgjail-bench.$$"
WGPID=

cleanup() {
	damon_restore
	[ -n "$WGPID" ] && kill "$WGPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "/var/run/wireguard/$IF.sock"
	rm -rf "$TMP" "$WGJAIL_STATEDIR"
}
trap cleanup EXIT
trap "exit 130" INT TERM HUP
[ -x "$WGJAIL" ] || { echo "build ./wgjail first (make)" >&2; exit 1; }
ip netns add "$NS" || exit 1

start_wg() {
	[ -n "$WGPID" ] && { kill "$WGPID"; wait "$WGPID" 2>/dev/null; }
	rm -f "/var/run/wireguard/$IF.sock"
	WG_PROCESS_FOREGROUND=1 ip netns exec "$NS" wireguard-go -f "$IF" >"$TMP/wg-go.log" 2>&1 &
	WGPID=$!
	for _ in $(seq 100); do [ -S "/var/run/wireguard/$IF.sock" ] && break; sleep 0.1; done
	ip -n "$NS" link set "$IF" up
}

# daemon_cpu: user+system CPU ticks used so far by wireguard-go
daemon_cpu() { awk '{ print $14 + $15 }' "/proc/$WGPID/stat"; }
TICK=$(getconf CLK_TCK)

# measure LABEL CMD...: append "seconds daemon_cpu_seconds" of one run to
# $TMP/LABEL (bench/timecmd.py; the CPU time wireguard-go spent meanwhile,
# from /proc/PID/stat)
# Each run starts with wireguard-go idle: the run before (wg syncconf, or
# a --full read of 50,000 peers) leaves it busy for a while (its garbage
# collector on both cores), and a command timed then pays for the other's
# work.  settle: until its CPU time stays the same for 200 ms (at most 10 s).
settle() {
	local a b i
	b=$(daemon_cpu)
	for i in $(seq 50); do
		sleep 0.2
		a=$b b=$(daemon_cpu)
		[ "$a" = "$b" ] && return 0
	done
}
measure() {
	local label=$1 t c0 c1; shift
	settle
	c0=$(daemon_cpu)
	t=$(python3 bench/timecmd.py -e "$TMP/err" -- "$@") || { echo "FAILED: $*" >&2; cat "$TMP/err" >&2; }
	c1=$(daemon_cpu)
	echo "$t $(awk -v a="$c0" -v b="$c1" -v t="$TICK" 'BEGIN { printf "%.2f", (b - a) / t }')" >>"$TMP/$label"
}
# rtt: one UAPI round trip to the idle daemon (bench/uapi_rtt.py), appended
# to $TMP/rtt: the floor under any request, measured as the runs are
rtt() {
	settle
	python3 bench/uapi_rtt.py "/var/run/wireguard/$IF.sock" >>"$TMP/rtt" || echo "FAILED: uapi_rtt" >&2
}
# rss LABEL CMD...: the peak RSS (KiB) of one more run, in $TMP/LABEL.rss
rss() {
	local label=$1; shift
	/usr/bin/time -f '%M' -o "$TMP/t" "$@" >/dev/null 2>"$TMP/err" || { echo "FAILED: $*" >&2; cat "$TMP/err" >&2; }
	tail -1 "$TMP/t" >"$TMP/$label.rss"
}
median() { sort -n -k"$2" "$1" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

(umask 077; wg genkey >"$TMP/priv")
damon_header
for _ in $(seq 9); do python3 bench/timecmd.py -- true >>"$TMP/floor"; done
printf '# floor: `true` %s ms (median of 9, timed the same way)\n' "$(ms "$(median "$TMP/floor" 1)")"
printf '%-7s %-6s %-12s %8s %8s %10s\n' peers case tool wall_ms rss_kib daemon_cpu_s
for n in $SIZES; do
	python3 bench/gen_peers.py "$TMP/priv" "$n" "$TMP/base.conf"
	python3 bench/gen_peers.py "$TMP/priv" "$n" "$TMP/one.conf" $((n / 2))
	start_wg
	rm -rf "$WGJAIL_STATEDIR"
	"$WGJAIL" sync "$IF" "$TMP/base.conf" >/dev/null || exit 1
	rm -f "$TMP"/one-* "$TMP"/none-* "$TMP"/full-* "$TMP/rtt"
	# round M: each case once, measured by M (measure: time; rss: RSS)
	round() {
		local m=$1
		$m one-wgjail "$WGJAIL" sync "$IF" "$TMP/one.conf"
		"$WGJAIL" sync "$IF" "$TMP/base.conf" >/dev/null
		$m one-wg wg syncconf "$IF" "$TMP/one.conf"
		"$WGJAIL" sync --full "$IF" "$TMP/base.conf" >/dev/null
		$m none-wgjail "$WGJAIL" sync "$IF" "$TMP/base.conf"
		$m none-wg wg syncconf "$IF" "$TMP/base.conf"
		$m full-wgjail "$WGJAIL" sync --full "$IF" "$TMP/one.conf"
		"$WGJAIL" sync "$IF" "$TMP/base.conf" >/dev/null
	}
	for _ in $(seq "$RUNS"); do round measure; rtt; done
	round rss
	cp "$TMP/one-wg" "$TMP/full-wg"
	cp "$TMP/one-wg.rss" "$TMP/full-wg.rss"
	# sanity: the device really is at base.conf, read back whole
	"$WGJAIL" sync -n --full "$IF" "$TMP/base.conf" | grep -q "no change" || echo "WARNING: device not at base.conf" >&2
	printf '# %s peers, floor under a request: an empty UAPI set to the idle daemon, %s ms (median of %s; bench/uapi_rtt.py)\n' \
		"$n" "$(ms "$(median "$TMP/rtt" 1)")" "$RUNS"
	for c in one none full; do
		tw=$(median "$TMP/$c-wg" 1) tj=$(median "$TMP/$c-wgjail" 1)
		rw=$(cat "$TMP/$c-wg.rss") rj=$(cat "$TMP/$c-wgjail.rss")
		dw=$(median "$TMP/$c-wg" 2) dj=$(median "$TMP/$c-wgjail" 2)
		[ "$c" = full ] || printf '%-7s %-6s %-12s %8s %8s %10s\n' "$n" "$c" "wg-syncconf" "$(ms "$tw")" "$rw" "$dw"
		printf '%-7s %-6s %-12s %8s %8s %10s   wall x%s, RSS x%s\n' "$n" "$c" "wgjail-sync" "$(ms "$tj")" "$rj" "$dj" \
			"$(awk -v a="$tw" -v b="$tj" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }')" \
			"$(awk -v a="$rj" -v b="$rw" 'BEGIN { printf "%.2f", a / b }')"
	done
done
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
