#!/bin/bash
# `wgjail sync` against `wg syncconf` on a real kernel WireGuard device,
# inside the qemu VM of the test suite (software emulation: the timings
# are relative only; compare the ratio).  For each size: a full apply to an
# empty device, and one change (one peer's allowed IPs) to a device that
# already holds every peer.  Each case runs ROUNDS times; the median is
# reported.
#   bench/bench_vm.sh [SIZES...]     (default: 10000 50000)
# Environment: ROUNDS (3), VM_TIMEOUT (1800), VM_MEM (3072).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
# Its own build directory, so the test suite can run meanwhile.
export VM_DIR="$TOP/build/vm-bench"
export VM_TIMEOUT=${VM_TIMEOUT:-1800} VM_MEM=${VM_MEM:-3072}
ROUNDS=${ROUNDS:-3}
SIZES=${*:-10000 50000}
. "$TOP/tests/vm/lib_vm.sh"

extra="$VM_DIR/extra"
rm -rf "$extra"
mkdir -p "$extra"
VM_ERROR=""
vm_prepare "$extra" || { echo "bench_vm: $VM_ERROR" >&2; exit 1; }
[ -z "$VM_SKIP" ] || { echo "bench_vm: cannot run: $VM_SKIP" >&2; exit 1; }
for n in $SIZES; do
	"$VM_DIR/wjvm" genconf "$n" 1 "$extra/want$n" "$extra/peers$n.conf"
	rm -f "$extra/want$n"
	# One change: the last peer's allowed IPs.
	last=$(grep -n '^AllowedIPs' "$extra/peers$n.conf" | tail -1 | cut -d: -f1)
	sed "${last}s|.*|AllowedIPs = 172.31.255.0/24|" "$extra/peers$n.conf" >"$extra/peers$n.change.conf"
done
echo "ROUNDS=$ROUNDS" >"$extra/env"
# Rebuild the initramfs with the configurations in /extra.
sh "$TOP/tests/vm/mkinitramfs.sh" "$VM_KVER" "$VM_KROOT" "$VM_INITRD" "$TOP/wgjail" "$VM_DIR/wjvm" "$extra"
log="$VM_DIR/bench-console.log"
vm_boot bench "$log" || true
tr -d '\r' <"$log" | grep -o 'WJ\(BENCH\|TAP\) .*' >"$VM_DIR/bench.raw" || true
if grep -q 'WJTAP not ok' "$VM_DIR/bench.raw" || ! grep -q 'WJTAP END' "$VM_DIR/bench.raw"; then
	echo "bench_vm: the benchmark failed:" >&2
	grep 'WJTAP' "$VM_DIR/bench.raw" >&2
	tail -20 "$log" >&2
	exit 1
fi
echo "kernel $VM_KVER under qemu TCG, $ROUNDS rounds, median seconds"
printf '%-8s %-11s %10s %10s %8s\n' peers case wgjail wg ratio
for n in $SIZES; do
	for c in full one-change; do
		med() { awk -v n="$n" -v c="$c" -v t="$1" '$1=="WJBENCH" && $2==n && $3==c && $4==t {print $5}' \
			"$VM_DIR/bench.raw" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
		a=$(med wgjail) b=$(med wg)
		printf '%-8s %-11s %10s %10s %8s\n' "$n" "$c" "$a" "$b" \
			"$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
	done
done
