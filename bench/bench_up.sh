#!/bin/bash
# Time from `wgjail up JAIL` to the first completed handshake, against
# `wg-quick up` with the same userspace implementation
# (WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go).
#
#   bash bench/bench_up.sh [RUNS]        (as root; default 7)
#
#   namespace H (the host side)  bridge 10.98.0.1/24
#     |-- jail J (wgjail, bridge uplink): eth0 10.98.0.2, wg0 10.101.0.1 --.
#     |-- namespace Q (wg-quick): eth0 10.98.0.3, wg-quick iface 10.102.0.1 -+--> peer
#     `-- namespace P: eth0 10.98.0.9, wireguard-go, port 51899 <-----------'
#
# Both sides use PersistentKeepalive = 1 (the handshake starts as soon as
# the interface is up).  wgjail's time includes everything `up` does from
# nothing: the namespace, the veth pair, starting wireguard-go, the config,
# addresses and routes; wg-quick's runs in an existing namespace that
# already has its uplink.  A run ends when the peer's `wg show
# latest-handshakes` for that key turns non-zero (polled every ~5 ms).
# Between runs: `wgjail down` / `wg-quick down`, and the peer forgets the
# session (peer removed and re-added).  Median of RUNS, milliseconds.
set -u
cd "$(dirname "$0")/.." || exit 1
RUNS=${1:-7}
WGJAIL=${WGJAIL:-$PWD/wgjail}
ID=$$
H=b6h$ID P=b6p$ID Q=b6q$ID J=b6j$ID BR=b6br$ID PW=b6pw$ID QW=b6qw$ID
TMP=$(mktemp -d /tmp/wgjail-bench-up.XXXXXX)
export WGJAIL_STATEDIR=$TMP/run
PPID_WG=

cleanup() {
	nsenter --net="/run/netns/$H" "$WGJAIL" -c "$TMP/conf" down "$J" >/dev/null 2>&1
	ip netns exec "$Q" wg-quick down "$TMP/$QW.conf" >/dev/null 2>&1
	[ -n "$PPID_WG" ] && kill "$PPID_WG" 2>/dev/null
	for n in "$H" "$P" "$Q"; do ip netns del "$n" 2>/dev/null; done
	rm -f "/var/run/wireguard/$PW.sock" "/var/run/wireguard/$QW.sock"
	rm -rf "$TMP"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
[ -x "$WGJAIL" ] || { echo "build ./wgjail first (make)" >&2; exit 1; }
for c in wireguard-go wg wg-quick nsenter; do command -v $c >/dev/null || { echo "$c missing" >&2; exit 1; }; done

ms() { local t=$EPOCHREALTIME; echo "${t/./}" | sed 's/...$//'; }   # monotonic enough for ms deltas
W() { nsenter --net="/run/netns/$H" "$WGJAIL" -c "$TMP/conf" "$@"; }

# Topology.
for n in "$H" "$P" "$Q"; do ip netns add "$n" && ip -n "$n" link set lo up || exit 1; done
ip -n "$H" link add "$BR" type bridge && ip -n "$H" addr add 10.98.0.1/24 dev "$BR" && ip -n "$H" link set "$BR" up
for pair in "$P:10.98.0.9" "$Q:10.98.0.3"; do
	n=${pair%%:*} a=${pair#*:}
	ip -n "$H" link add "v$n" type veth peer name eth0 netns "$n"
	ip -n "$H" link set "v$n" master "$BR" up
	ip -n "$n" addr add "$a/24" dev eth0 && ip -n "$n" link set eth0 up
done

# Keys.
umask 077
wg genkey >"$TMP/p.key"; wg genkey >"$TMP/q.key"
PPUB=$(wg pubkey <"$TMP/p.key") QPUB=$(wg pubkey <"$TMP/q.key")

# The jail (created once: its key stays the same across runs).
out=$(W create "$J" --bridge "$BR" --jail-address 10.98.0.2/24 --gateway 10.98.0.1 --address 10.101.0.1/24 \
	--listen-port 51898 --implementation userspace) || { echo "$out" >&2; exit 1; }
JPUB=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
cat >>"$TMP/conf/$J/wg0.conf" <<EOC

[Peer]
PublicKey = $PPUB
AllowedIPs = 10.101.0.2/32
Endpoint = 10.98.0.9:51899
PersistentKeepalive = 1
EOC

# wg-quick's config.
cat >"$TMP/$QW.conf" <<EOC
[Interface]
PrivateKey = $(cat "$TMP/q.key")
ListenPort = 51897
Address = 10.102.0.1/24

[Peer]
PublicKey = $PPUB
AllowedIPs = 10.102.0.2/32
Endpoint = 10.98.0.9:51899
PersistentKeepalive = 1
EOC

# The peer.
WG_PROCESS_FOREGROUND=1 ip netns exec "$P" wireguard-go -f "$PW" >"$TMP/p.log" 2>&1 &
PPID_WG=$!
for _ in $(seq 100); do [ -S "/var/run/wireguard/$PW.sock" ] && break; sleep 0.05; done
wg set "$PW" private-key "$TMP/p.key" listen-port 51899
ip -n "$P" link set "$PW" up

reset_peer() { # KEY ALLOWED
	wg set "$PW" peer "$1" remove
	wg set "$PW" peer "$1" allowed-ips "$2"
}
handshake_of() { wg show "$PW" latest-handshakes | awk -v k="$1" '$1 == k {print $2}'; }
wait_handshake() { # KEY -> prints ms when done
	local i
	for i in $(seq 4000); do
		[ "$(handshake_of "$1")" -gt 0 ] 2>/dev/null && { ms; return 0; }
		sleep 0.005
	done
	return 1
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

: >"$TMP/t_wgjail"; : >"$TMP/t_wgquick"
for r in $(seq "$RUNS"); do
	reset_peer "$JPUB" 10.101.0.1/32
	t0=$(ms)
	W up "$J" >/dev/null || { echo "wgjail up failed" >&2; exit 1; }
	t1=$(wait_handshake "$JPUB") || { echo "wgjail: no handshake" >&2; exit 1; }
	echo $((t1 - t0)) >>"$TMP/t_wgjail"
	W down "$J" >/dev/null

	reset_peer "$QPUB" 10.102.0.1/32
	t0=$(ms)
	ip netns exec "$Q" env -u WG_PROCESS_FOREGROUND WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
		wg-quick up "$TMP/$QW.conf" >"$TMP/q.log" 2>&1 || { cat "$TMP/q.log" >&2; echo "wg-quick up failed" >&2; exit 1; }
	t1=$(wait_handshake "$QPUB") || { echo "wg-quick: no handshake" >&2; exit 1; }
	echo $((t1 - t0)) >>"$TMP/t_wgquick"
	ip netns exec "$Q" wg-quick down "$TMP/$QW.conf" >/dev/null 2>&1
	echo "run $r: wgjail $(tail -1 "$TMP/t_wgjail") ms, wg-quick $(tail -1 "$TMP/t_wgquick") ms" >&2
done
mj=$(median <"$TMP/t_wgjail") mq=$(median <"$TMP/t_wgquick")
echo "up to first handshake, median of $RUNS (ms): wgjail up $mj, wg-quick up $mq"
echo "ratio wgjail/wg-quick: $(awk -v a="$mj" -v b="$mq" 'BEGIN {printf "%.2f", a / b}')"
