#!/bin/sh
# The FreeBSD if_wg nvlist code at scale: encoding a change set of N new
# peers (one SIOCSWG payload) and decoding a SIOCGWG reply of N peers, on
# Linux with FreeBSD's libnv from the test kit (../shared/freebsd).
#
#   sh bench/bench_nv.sh [PEERS] [RUNS]      (defaults 50000, 7)
#
# Four processes, each RUNS times (bench/nv_bench.c):
#   model N      build the change set only                (baseline)
#   encode N     build it and encode it
#   read FILE    map a packed reply of N peers             (baseline)
#   decode FILE  map it and decode it into the model
# Printed, the median of RUNS: the codec's own time (measured inside the
# process around the one call), the process's wall time and peak RSS (GNU
# time).  Encoding costs "encode - model", decoding "decode - read".
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${1:-50000}
RUNS=${2:-7}
KIT=${FREEBSD_KIT:-$TOP/../shared/freebsd}
[ -f "$KIT/libnv/Makefile" ] || { echo "bench_nv: no FreeBSD test kit at $KIT (FREEBSD_KIT)" >&2; exit 1; }
cd "$TOP"
make -s --no-print-directory build/bench/nv_bench
BIN=$TOP/build/bench/nv_bench
TMP=$(mktemp -d /tmp/wgjail-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
"$BIN" reply "$PEERS" "$TMP/reply.nv" >/dev/null

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run MODE ARG: RUNS times; prints "MODE codec-ms wall-s peak-KiB"
run() {
	: >"$TMP/t"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$BIN" "$1" "$2" >"$TMP/out"
		ms=$(sed -n 's/.*, \([0-9.]*\) ms$/\1/p' "$TMP/out")
		echo "${ms:-0} $(cat "$TMP/time")" >>"$TMP/t"
		i=$((i + 1))
	done
	printf '%-8s %10s %10s %10s\n' "$1" "$(awk '{ print $1 }' "$TMP/t" | median)" \
		"$(awk '{ print $2 }' "$TMP/t" | median)" "$(awk '{ print $3 }' "$TMP/t" | median)"
}

echo "$PEERS peers, $RUNS runs, medians; reply: $(wc -c <"$TMP/reply.nv") bytes"
printf '%-8s %10s %10s %10s\n' what codec-ms wall-s peak-KiB
run model "$PEERS"
run encode "$PEERS"
run read "$TMP/reply.nv"
run decode "$TMP/reply.nv"
