#!/bin/bash
# `wgjail peer add` on a live interface with 1,000 / 10,000 / 50,000 peers,
# against the usual way (append the [Peer] block to the file, then
# `wg syncconf IF FILE`).  wireguard-go in a network namespace; the jail's
# name is the namespace's, so wgjail sees the jail up and applies live.
#
#   sudo bash bench/bench_peer.sh [SIZES...]      (default 1000 10000 50000)
#
# The N existing peers are where a box built with wgjail has them: one
# drop-in each in CONFDIR/JAIL/IF.peers/ (generated here directly, with a
# main file holding only [Interface]).  The allowed-IP index .aip/ is not
# generated: the first `peer add` builds it (O(N), shown as "first" and
# excluded from the median).  LAYOUT=main puts the N peers in the main
# file instead (hand-written peers: the old layout, for comparison).
#
# Issue 18: also `peer add --name` without --allowed-ips (the next free
# address of the jail's tunnel network 10.64.0.0/10, where the generated
# peers are, each with a name) and `peer list --json` of the live jail
# (names, state, handshakes read from the device).
#
# Env: REPS (peer adds per size, default 15), SYNC_REPS (default 3),
#      LAYOUT (dropins | main, default dropins),
#      WGJAIL (default ./wgjail, the optimised build),
#      CALLGRIND=1 also counts the instructions of one more `peer add` per
#      size, and of one more with a name and an allocated address
#      (valgrind; a load-independent measure of wgjail's own work),
#      LOAD_REPS (default 3): times `wgjail peer list` of a copy of the jail
#      that is not up: the merged load of the main file and N drop-ins,
#      which is what `up`, boot and the agent read.
# Prints one line per size: median and max wall time of each (bench/timecmd.py:
# from the spawn of the command to its exit; the floor, `true` timed the
# same way, is printed first), and the ratio.
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

# tcmd OUT CMD...: CMD run once, its stdout to OUT; prints its wall time in
# microseconds (bench/timecmd.py: from the spawn to the exit, no shell fork,
# no `date` on each side); exits with CMD's status
tcmd() {
	local out=$1 t; shift
	t=$(python3 "$TOP/bench/timecmd.py" -o "$out" -e "$T_TMP/tcmd.err" -- "$@") || { cat "$T_TMP/tcmd.err" >&2; return 1; }
	awk -v s="$t" 'BEGIN { printf "%d\n", s * 1000000 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maxof() { sort -n | tail -1; }

# gen N FILE PRIVKEY [DIR]: a config with N peers (random keys, one /32
# each) in FILE; with DIR, FILE holds [Interface] only, each peer is in its
# drop-in DIR/HEX.conf (0600, DIR 0700), and FILE.all gets everything (for
# `wg setconf` and the usual way).
gen() {
	python3 - "$1" "$2" "$3" "${4:-}" <<'PY'
import base64, os, sys
n, path, priv, d = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
head = f"# bench\n[Interface]\nPrivateKey = {priv}\nListenPort = 51820\n"
def create(p):
    return os.fdopen(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w")
if d:
    os.makedirs(d, mode=0o700, exist_ok=True)
with create(path) as f, create(path + ".all") as a:
    f.write(head)
    a.write(head)
    for i in range(n):
        raw = os.urandom(32)
        k = base64.b64encode(raw).decode()
        block = f"[Peer]\n# Name = g{i}\nPublicKey = {k}\nAllowedIPs = 10.{64 + i // 65536}.{(i // 256) % 256}.{i % 256}/32\n"
        a.write("\n" + block)
        if d:
            with create(f"{d}/{raw.hex()}.conf") as p:
                p.write(block)
        else:
            f.write("\n" + block)
PY
}
randkey() { head -c 32 /dev/urandom | base64; }

LAYOUT=${LAYOUT:-dropins}
printf '# machine: %s, %s cores, load %s; layout %s\n' "$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$LAYOUT"
for _ in 1 2 3 4 5 6 7 8 9; do tcmd /dev/null true; done >"$T_TMP/floor"
printf '# floor: `true` %.1f ms (median of 9; every time below is taken the same way, bench/timecmd.py)\n' \
	"$(median <"$T_TMP/floor" | awk '{ print $1 / 1000 }')"
# The first `peer add` meets a config that wgjail did not write: it builds
# the allowed-IP index of the drop-ins (dropins) or parses the whole main
# file (main, no stamp yet); the others do not.  Both are shown.
printf '%-8s %-12s %-24s %-26s %-12s %-11s %-24s %s\n' peers "add (first)" "add (med/max of rest)" "file + wg syncconf (med/max)" "ratio (med)" "load (med)" "add --name, allocated" "list --json, live (med)"
idx=0
for n in "${SIZES[@]}"; do
	idx=$((idx + 1))
	ns_new "b$n" || exit 1
	J=$(ns "b$n")
	IFC="p8b$$i$idx"
	IFC=${IFC:0:15}
	mkdir -p "$CONF/$J"
	printf '[jail]\nid = 1\nuplink = wireguard\n\n[wireguard]\ninterface = %s\naddress = 10.64.0.1/10\n' "$IFC" >"$CONF/$J/jail.conf"
	F="$CONF/$J/$IFC.conf"
	if [ "$LAYOUT" = main ]; then gen "$n" "$F" "$("$WGJAIL" genkey)"
	else gen "$n" "$F" "$("$WGJAIL" genkey)" "$CONF/$J/$IFC.peers"; fi
	wg_go "b$n" "$IFC" || exit 1
	nsx "b$n" wg setconf "$IFC" "$F.all"
	[ "$(nsx "b$n" wg show "$IFC" peers | wc -l)" -eq "$n" ] || { echo "setconf failed for $n" >&2; exit 1; }

	: >"$T_TMP/add.$n"
	: >"$T_TMP/keys.$n"
	for ((r = 0; r < REPS; r++)); do
		k=$(randkey)
		echo "$k" >>"$T_TMP/keys.$n"
		us=$(tcmd /dev/null "$WGJAIL" -c "$CONF" peer add "$J" --public-key "$k" --allowed-ips "10.200.$((r / 250)).$((r % 250 + 1))/32") || exit 1
		if [ "$r" = 0 ]; then first=$us; else echo "$us" >>"$T_TMP/add.$n"; fi
	done
	[ "$(nsx "b$n" wg show "$IFC" peers | wc -l)" -eq $((n + REPS)) ] || { echo "live add missing for $n" >&2; exit 1; }
	# allocated addresses, with names (the first builds the marks: excluded)
	: >"$T_TMP/alloc.$n"
	for ((r = 0; r <= REPS; r++)); do
		k=$(randkey)
		echo "$k" >>"$T_TMP/keys.$n"
		us=$(tcmd "$T_TMP/alloc.out" "$WGJAIL" -c "$CONF" peer add "$J" --name "a$r" --public-key "$k") || exit 1
		grep -q "handed out: 10\\." "$T_TMP/alloc.out" || { echo "no address handed out at $n" >&2; exit 1; }
		[ "$r" = 0 ] || echo "$us" >>"$T_TMP/alloc.$n"
	done
	: >"$T_TMP/list.$n"
	for ((r = 0; r < ${LOAD_REPS:-3}; r++)); do
		tcmd "$T_TMP/list.json" "$WGJAIL" -c "$CONF" peer list --json "$J" >>"$T_TMP/list.$n" || exit 1
	done
	grep -q '"up":true' "$T_TMP/list.json" || { echo "list --json: jail not up at $n" >&2; exit 1; }
	# the merged config: a copy of the jail that is not up, listed
	: >"$T_TMP/load.$n"
	cp -a "$CONF/$J" "$CONF/${J}x"
	[ "$("$WGJAIL" -c "$CONF" peer list --json "${J}x" | grep -o '"public_key"' | wc -l)" -eq $((n + 2 * REPS + 1)) ] ||
		{ echo "merged config of $n is not N+REPS peers" >&2; exit 1; }
	for ((r = 0; r < ${LOAD_REPS:-3}; r++)); do
		tcmd /dev/null "$WGJAIL" -c "$CONF" peer list "${J}x" >>"$T_TMP/load.$n" || exit 1
	done
	rm -rf "${CONF:?}/${J}x"

	ir=""
	if [ "${CALLGRIND:-0}" = 1 ]; then
		k=$(randkey)
		echo "$k" >>"$T_TMP/keys.$n"
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$WGJAIL" -c "$CONF" peer add "$J" \
			--public-key "$k" --allowed-ips 10.202.0.1/32 2>&1 >/dev/null | sed -n 's/.*Collected : *//p')
		k=$(randkey)
		echo "$k" >>"$T_TMP/keys.$n"
		ira=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$WGJAIL" -c "$CONF" peer add "$J" \
			--name "cg$n" --public-key "$k" 2>&1 >/dev/null | sed -n 's/.*Collected : *//p')
		ir=" Ir=$ir Ir(allocated)=$ira"
	fi
	# the usual way's file gets the peers wgjail added (else syncconf
	# would remove them from the device)
	while read -r k; do
		printf '\n' >>"$F.all"
		cat "$CONF/$J/$IFC.peers/$(printf '%s' "$k" | base64 -d | od -An -v -tx1 | tr -d ' \n').conf" >>"$F.all"
	done <"$T_TMP/keys.$n"
	: >"$T_TMP/sync.$n"
	for ((r = 0; r < SYNC_REPS; r++)); do
		k=$(randkey)
		printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.201.%d.%d/32\n' "$k" $((r / 250)) $((r % 250 + 1)) >>"$F.all"
		tcmd /dev/null ip netns exec "$J" wg syncconf "$IFC" "$F.all" >>"$T_TMP/sync.$n" || exit 1
	done
	am=$(median <"$T_TMP/add.$n") ax=$(maxof <"$T_TMP/add.$n")
	sm=$(median <"$T_TMP/sync.$n") sx=$(maxof <"$T_TMP/sync.$n")
	lm=$(median <"$T_TMP/load.$n")
	alm=$(median <"$T_TMP/alloc.$n") alx=$(maxof <"$T_TMP/alloc.$n") lim=$(median <"$T_TMP/list.$n")
	printf '%-8s %-12s %-24s %-26s %-12s %-11s %-24s %s%s\n' "$n" "$(awk -v a="$first" 'BEGIN { printf "%.1f ms", a / 1000 }')" "$(awk -v a="$am" -v b="$ax" 'BEGIN { printf "%.1f / %.1f ms", a / 1000, b / 1000 }')" \
		"$(awk -v a="$sm" -v b="$sx" 'BEGIN { printf "%.1f / %.1f ms", a / 1000, b / 1000 }')" \
		"$(awk -v a="$am" -v s="$sm" 'BEGIN { printf "%.0fx", s / a }')" "$(awk -v a="$lm" 'BEGIN { printf "%.0f ms", a / 1000 }')" \
		"$(awk -v a="$alm" -v b="$alx" 'BEGIN { printf "%.1f / %.1f ms", a / 1000, b / 1000 }')" \
		"$(awk -v a="$lim" 'BEGIN { printf "%.0f ms", a / 1000 }')" "$ir"
done
