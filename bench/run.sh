#!/bin/sh
# `make bench`: every benchmark of BENCHMARKS.md that takes minutes, not
# hours, each at its script's defaults, one after the other (run it on a
# quiet machine: the numbers are wall times).  Each script says what it
# measures in its header and prints its own floor.  Not run here: the
# agent under churn (bench_agent.sh: 10 minutes, or `scale`) and the
# kernel VM (bench_vm.sh: qemu); run those by hand.
#
#   sudo make bench        (or: sudo sh bench/run.sh)
#
# A benchmark that cannot run here (not root, no wireguard-go, no FreeBSD
# test kit for bench_nv) is reported as SKIPPED with the reason; the exit
# status is that of the last failure, 0 if none failed.
cd "$(dirname "$0")/.." || exit 1
rc=0
skip() { printf '=== %s: SKIPPED: %s\n' "$1" "$2"; }
run() {
	name=$1; shift
	printf '=== %s\n' "$name"
	"$@" || { rc=$?; printf '=== %s: FAILED (exit %s)\n' "$name" "$rc"; }
}
root=1
[ "$(id -u)" -eq 0 ] || root=0
have() { command -v "$1" >/dev/null 2>&1; }
run "parse, 50,000 peers" sh bench/bench_parse.sh
if [ "$root" = 0 ]; then
	skip "sync, peer add, up" "needs root (network namespaces)"
elif ! have wireguard-go || ! have wg; then
	skip "sync, peer add, up" "needs wireguard-go and wg (make deps)"
else
	run "sync vs wg syncconf" bash bench/bench_sync.sh
	run "peer add vs edit + wg syncconf" bash bench/bench_peer.sh
	run "up vs wg-quick up" bash bench/bench_up.sh
fi
run "waking an idle process, by its size" bash bench/bench_wake.sh
if [ -f "${FREEBSD_KIT:-../shared/freebsd}/libnv/Makefile" ]; then
	run "FreeBSD if_wg nvlists" sh bench/bench_nv.sh
else
	skip "FreeBSD if_wg nvlists" "no FreeBSD test kit at ${FREEBSD_KIT:-../shared/freebsd}"
fi
exit "$rc"
