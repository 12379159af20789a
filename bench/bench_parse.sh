#!/bin/sh
# Parse and validate a 50,000-peer wg0.conf: wgjail check against wg(8).
#
#   sh bench/bench_parse.sh [PEERS] [RUNS]      (defaults 50000, 7)
#
# wgjail: `wgjail check FILE` (read, parse, validate every field, build the
# model with its hash index; no output but one line).
# wg:     `wg setconf NOSUCHIF FILE`: wg(8) parses the whole file first and
# then fails to find the interface, so this is its parse alone (setconf
# has no parse-only mode; the failure costs one netlink round trip).
# Prints the median wall time and the peak RSS of each (GNU time), and
# callgrind instruction counts when valgrind is installed (stable when the
# machine is loaded).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${1:-50000}
RUNS=${2:-7}
WGJAIL=${WGJAIL:-$TOP/wgjail}
TMP=$(mktemp -d /tmp/wgjail-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
umask 077
F="$TMP/wg0.conf"

# The file: every peer has a key, two allowed IPs (v4 + v6); every third an
# endpoint and a keepalive; every fifth a PSK.  Deterministic keys (valid
# canonical base64) so the runs are reproducible.
awk -v n="$PEERS" 'BEGIN {
	printf "[Interface]\nPrivateKey = %042dA=\nListenPort = 51820\n", 0
	for (i = 1; i <= n; i++) {
		printf "\n[Peer]\nPublicKey = %042dA=\n", i
		if (i % 5 == 0) printf "PresharedKey = %042dQ=\n", i
		printf "AllowedIPs = 10.%d.%d.%d/32, fd00::%x:%x/128\n", int(i / 65536), int(i / 256) % 256, i % 256, int(i / 65536), i % 65536
		if (i % 3 == 0) printf "Endpoint = 192.0.%d.%d:%d\nPersistentKeepalive = 25\n", int(i / 256) % 256, i % 256, 1024 + i % 60000
	}
}' >"$F"

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

measure() { # NAME CMD...: RUNS runs; median seconds and max RSS (KiB)
	name=$1; shift
	: >"$TMP/t"
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M' -o "$TMP/one" "$@" >/dev/null 2>&1 || true
		tail -1 "$TMP/one" >>"$TMP/t" # "Command exited with non-zero status" comes first
		i=$((i + 1))
	done
	t=$(cut -d' ' -f1 "$TMP/t" | median)
	m=$(cut -d' ' -f2 "$TMP/t" | sort -n | tail -1)
	printf '%-8s median %6s s  peak RSS %6s KiB  (%s runs)\n' "$name" "$t" "$m" "$RUNS"
	eval "${name}_t=$t ${name}_m=$m"
}

echo "file: $PEERS peers, $(wc -c <"$F") bytes, $(wc -l <"$F") lines"
"$WGJAIL" check "$F"
measure wgjail "$WGJAIL" check "$F"
if command -v wg >/dev/null; then
	wg setconf wjbenchnoif "$F" 2>&1 | tail -1 | sed 's/^/wg says: /'
	measure wg wg setconf wjbenchnoif "$F"
	awk -v a="$wgjail_t" -v b="$wg_t" -v c="$wgjail_m" -v d="$wg_m" 'BEGIN {
		if (b > 0) printf "ratio wgjail/wg: time %.2f, peak RSS %.2f\n", a / b, c / d }'
fi
if command -v valgrind >/dev/null; then
	for c in "$WGJAIL check" "wg setconf wjbenchnoif"; do
		valgrind --tool=callgrind --callgrind-out-file="$TMP/cg" $c "$F" >/dev/null 2>"$TMP/vg" || true
		printf '%-24s %s instructions (callgrind)\n' "$c" "$(sed -n 's/.*Collected : *//p' "$TMP/vg")"
	done
fi
