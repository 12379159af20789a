#!/bin/bash
# `wgjail peer add` on a live interface with 1,000 / 10,000 / 50,000 peers,
# against the usual way (append the [Peer] block to the file, then
# `wg syncconf IF FILE`).  wireguard-go in a network namespace; the jail's
# name is the namespace's, so wgjail sees the jail up and applies live.
#
#   sudo bash bench/bench_peer.sh [SIZES...]      (default 1000 10000 50000)
#
# Env: REPS (peer adds per size, default 15), SYNC_REPS (default 3),
#      WGJAIL (default ./wgjail, the optimised build),
#      CALLGRIND=1 also counts the instructions of one more `peer add` per
#      size (valgrind; a load-independent measure of wgjail's own work).
# Prints one line per size: median and max wall time of each, and the ratio.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export WGJAIL=${WGJAIL:-$TOP/wgjail}
. "$TOP/tests/integration/lib.sh"
need_root_netns
need_wireguard_go
need_cmd wg
REPS=${REPS:-15}
SYNC_REPS=${SYNC_REPS:-3}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 50000)
CONF="$T_TMP/conf"

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maxof() { sort -n | tail -1; }

# gen N FILE PRIVKEY: a config with N peers (random keys, one /32 each)
gen() {
	python3 - "$1" "$2" "$3" <<'PY'
import base64, os, sys
n, path, priv = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    os.chmod(path, 0o600)
    f.write(f"# bench\n[Interface]\nPrivateKey = {priv}\nListenPort = 51820\n")
    for i in range(n):
        k = base64.b64encode(os.urandom(32)).decode()
        f.write(f"\n[Peer]\nPublicKey = {k}\nAllowedIPs = 10.{64 + i // 65536}.{(i // 256) % 256}.{i % 256}/32\n")
PY
}
randkey() { head -c 32 /dev/urandom | base64; }

printf '# machine: %s, %s cores, load %s\n' "$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
# The first `peer add` meets a config that wgjail did not write (no stamp):
# it parses the whole file; the others do not.  Both are shown.
printf '%-8s %-12s %-24s %-26s %s\n' peers "add (first)" "add (med/max of rest)" "file + wg syncconf (med/max)" "ratio (med)"
idx=0
for n in "${SIZES[@]}"; do
	idx=$((idx + 1))
	ns_new "b$n" || exit 1
	J=$(ns "b$n")
	IFC="p8b$$i$idx"
	IFC=${IFC:0:15}
	mkdir -p "$CONF/$J"
	printf '[jail]\nid = 1\nuplink = wireguard\n\n[wireguard]\ninterface = %s\naddress = 10.63.0.1/16\n' "$IFC" >"$CONF/$J/jail.conf"
	F="$CONF/$J/$IFC.conf"
	gen "$n" "$F" "$("$WGJAIL" genkey)"
	wg_go "b$n" "$IFC" || exit 1
	nsx "b$n" wg setconf "$IFC" "$F"
	[ "$(nsx "b$n" wg show "$IFC" peers | wc -l)" -eq "$n" ] || { echo "setconf failed for $n" >&2; exit 1; }

	: >"$T_TMP/add.$n"
	for ((r = 0; r < REPS; r++)); do
		k=$(randkey)
		t0=$(now_ns)
		"$WGJAIL" -c "$CONF" peer add "$J" --public-key "$k" --allowed-ips "10.200.$((r / 250)).$((r % 250 + 1))/32" >/dev/null || exit 1
		t1=$(now_ns)
		if [ "$r" = 0 ]; then first=$(((t1 - t0) / 1000)); else echo $(((t1 - t0) / 1000)) >>"$T_TMP/add.$n"; fi
	done
	[ "$(nsx "b$n" wg show "$IFC" peers | wc -l)" -eq $((n + REPS)) ] || { echo "live add missing for $n" >&2; exit 1; }

	ir=""
	if [ "${CALLGRIND:-0}" = 1 ]; then
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$WGJAIL" -c "$CONF" peer add "$J" \
			--public-key "$(randkey)" --allowed-ips 10.202.0.1/32 2>&1 >/dev/null | sed -n 's/.*Collected : *//p')
		ir=" Ir=$ir"
	fi
	: >"$T_TMP/sync.$n"
	for ((r = 0; r < SYNC_REPS; r++)); do
		k=$(randkey)
		t0=$(now_ns)
		printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.201.%d.%d/32\n' "$k" $((r / 250)) $((r % 250 + 1)) >>"$F"
		nsx "b$n" wg syncconf "$IFC" "$F" || exit 1
		t1=$(now_ns)
		echo $(((t1 - t0) / 1000)) >>"$T_TMP/sync.$n"
	done
	am=$(median <"$T_TMP/add.$n") ax=$(maxof <"$T_TMP/add.$n")
	sm=$(median <"$T_TMP/sync.$n") sx=$(maxof <"$T_TMP/sync.$n")
	printf '%-8s %-12s %-24s %-26s %s\n' "$n" "$(awk -v a="$first" 'BEGIN { printf "%.1f ms", a / 1000 }')" "$(awk -v a="$am" -v b="$ax" 'BEGIN { printf "%.1f / %.1f ms", a / 1000, b / 1000 }')" \
		"$(awk -v a="$sm" -v b="$sx" 'BEGIN { printf "%.1f / %.1f ms", a / 1000, b / 1000 }')" \
		"$(awk -v a="$am" -v s="$sm" 'BEGIN { printf "%.0fx", s / a }')$ir"
done
