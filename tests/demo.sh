#!/bin/bash
# make demo: two jails and a WireGuard tunnel between them, shown working,
# the agent applying a hand edit live, then everything removed.  Run as root after `make deps` (needs wireguard-go where
# the kernel has no WireGuard).  Touches nothing of this machine's network:
# the "host" side lives in a namespace of its own, the configuration in a
# temporary directory.  Exits non-zero if anything did not work.
#
#   namespace wjdemo-host (plays the host)
#     bridge wjdemo0 10.99.0.1/24
#       |-- veth -- jail wjdemo-alpha  eth0 10.99.0.2   wg0 10.100.0.1 --.
#       `-- veth -- jail wjdemo-beta   eth0 10.99.0.3   wg0 10.100.0.2 <-' tunnel
#     up0 203.0.113.2/24 ==veth== namespace wjdemo-wan 203.0.113.1/24 (plays the Internet)
#                                   a remote peer wg 10.100.0.50, reaching alpha
#                                   at 203.0.113.2:51820 (NAT, forwarded port)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
WGJAIL=${WGJAIL:-$TOP/wgjail}
HOSTNS=wjdemo-host A=wjdemo-alpha B=wjdemo-beta WAN=wjdemo-wan RW=wjdemo-rw
DIR=$(mktemp -d /tmp/wgjail-demo.XXXXXX)
export WGJAIL_STATEDIR=$DIR/run
FAILED=0

say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run()  { printf '$ %s\n' "$*"; "$@"; }
H()    { nsenter --net="/run/netns/$HOSTNS" "$@"; }
W()    { printf '$ wgjail %s\n' "$*"; H "$WGJAIL" -c "$DIR/conf" "$@"; }
fail() { printf '\033[31mFAILED: %s\033[0m\n' "$*"; FAILED=1; }

AGENT= RWPID=
cleanup() {
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null
	[ -n "$RWPID" ] && kill "$RWPID" 2>/dev/null
	ip netns del "$WAN" 2>/dev/null
	H "$WGJAIL" -c "$DIR/conf" down "$A" >/dev/null 2>&1
	H "$WGJAIL" -c "$DIR/conf" down "$B" >/dev/null 2>&1
	ip netns del "$HOSTNS" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)"; exit 1; }
[ -x "$WGJAIL" ] || { echo "demo: no $WGJAIL (run make)"; exit 1; }
for c in ip nsenter ping wg; do command -v $c >/dev/null || { echo "demo: $c is missing (make deps)"; exit 1; }; done
for n in "$HOSTNS" "$A" "$B" "$WAN"; do
	[ -e "/run/netns/$n" ] && { echo "demo: namespace $n exists already (a previous demo?); remove it with: ip netns del $n"; exit 1; }
done

say "A namespace that plays the host, so this machine's own network is left alone"
run ip netns add "$HOSTNS" && run ip -n "$HOSTNS" link set lo up || exit 1

say "Create two jail specs (keys generated on first creation) in $DIR/conf"
W create "$A" --bridge wjdemo0 --jail-address 10.99.0.2/24 --gateway 10.99.0.1 \
	--address 10.100.0.1/24 --listen-port 51820 | tee "$DIR/a.out" || fail "create $A"
W create "$B" --bridge wjdemo0 --jail-address 10.99.0.3/24 --gateway 10.99.0.1 \
	--address 10.100.0.2/24 --listen-port 51820 | tee "$DIR/b.out" || fail "create $B"
pub_a=$(sed -n 's/^public key: //p' "$DIR/a.out")
pub_b=$(sed -n 's/^public key: //p' "$DIR/b.out")
echo "Running create again with the same options changes nothing:"
W create "$A" --bridge wjdemo0 --jail-address 10.99.0.2/24 --gateway 10.99.0.1 \
	--address 10.100.0.1/24 --listen-port 51820 | grep -q unchanged && echo "  (unchanged)" || fail "create is not idempotent"

say "Introduce the jails to each other (a [Peer] in each WireGuard config)"
cat >>"$DIR/conf/$A/wg0.conf" <<EOC

[Peer]
PublicKey = $pub_b
AllowedIPs = 10.100.0.2/32
Endpoint = 10.99.0.3:51820
EOC
cat >>"$DIR/conf/$B/wg0.conf" <<EOC

[Peer]
PublicKey = $pub_a
AllowedIPs = 10.100.0.1/32
Endpoint = 10.99.0.2:51820
EOC
run cat "$DIR/conf/$A/jail.conf"

say "What 'up' would do (-n changes nothing)"
W up -n "$A" || fail "up -n"

say "Bring both jails up"
W up "$A" || fail "up $A"
W up "$B" || fail "up $B"

say "The jails are network namespaces: ip netns exec works"
run ip netns exec "$A" ip -br addr
run ip netns exec "$A" ip route

say "Ping through the tunnel, from $A to $B's tunnel address"
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	if ip netns exec "$A" ping -c1 -W1 10.100.0.2 >/dev/null 2>&1; then ok=1; break; fi
done
[ $ok = 1 ] && run ip netns exec "$A" ping -c3 -i0.2 -W1 10.100.0.2 || fail "no ping through the tunnel"

say "wgjail show JAIL reads the jail's interface inside the jail (the latest handshake proves the tunnel)"
W show "$A" | tee "$DIR/show.out" || fail "wgjail show"
grep -qi "latest handshake" "$DIR/show.out" || fail "no handshake in wgjail show"

say "The agent keeps it true: a hand edit of a config goes live by itself"
export WGJAIL_RUNDIR=$DIR/agent
printf '$ wgjail agent -f &\n'
nsenter --net="/run/netns/$HOSTNS" "$WGJAIL" -c "$DIR/conf" agent -f >"$DIR/agent.log" 2>&1 &
AGENT=$!  # nsenter execs wgjail: this is the agent's pid
for _ in $(seq 50); do [ -s "$WGJAIL_RUNDIR/status.json" ] && break; sleep 0.1; done
pub_c=$("$WGJAIL" genkey | "$WGJAIL" pubkey)
printf '$ cat >> %s   # a third peer, added by hand\n' "$DIR/conf/$A/wg0.conf"
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.100.0.9/32\n' "$pub_c" >>"$DIR/conf/$A/wg0.conf"
live=0
for _ in $(seq 40); do
	H "$WGJAIL" -c "$DIR/conf" show "$A" 2>/dev/null | grep -qF "$pub_c" && { live=1; break; }
	sleep 0.1
done
[ $live = 1 ] && echo "  the new peer is live on $A's interface" || fail "the agent did not apply the edit"
ip netns exec "$A" ping -c1 -W1 10.100.0.2 >/dev/null 2>&1 && echo "  and the tunnel to $B is undisturbed" ||
	fail "the tunnel broke"
printf '$ cat %s/status.json   # health, rewritten atomically\n' "$WGJAIL_RUNDIR"
head -c 600 "$WGJAIL_RUNDIR/status.json"; echo " ..."
printf '$ kill %s   # the agent stops; the tunnels stay up\n' "$AGENT"
kill "$AGENT"; wait "$AGENT" 2>/dev/null
kill -0 "$AGENT" 2>/dev/null && fail "the agent did not stop on SIGTERM"
AGENT=
ip netns exec "$A" ping -c1 -W1 10.100.0.2 >/dev/null 2>&1 && echo "  tunnel still up" || fail "tunnel down after the agent stopped"
sed 's/^/  agent: /' "$DIR/agent.log" | tail -5

say "Reachable from outside: NAT and the WireGuard port forwarded (nftables, table inet wgjail)"
run ip netns add "$WAN" && ip -n "$WAN" link set lo up
run ip link add up0 netns "$HOSTNS" type veth peer name wan0 netns "$WAN"
ip -n "$HOSTNS" addr add 203.0.113.2/24 dev up0 && ip -n "$HOSTNS" link set up0 up
ip -n "$WAN" addr add 203.0.113.1/24 dev wan0 && ip -n "$WAN" link set wan0 up
run ip -n "$HOSTNS" route add default via 203.0.113.1
rk=$("$WGJAIL" genkey); rpub=$(printf '%s\n' "$rk" | "$WGJAIL" pubkey)
printf '$ echo "nat = yes" >> the [jail] section of %s\n' "$DIR/conf/$A/jail.conf"
sed -i '/^\[jail\]/a nat = yes' "$DIR/conf/$A/jail.conf"
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.100.0.50/32\n' "$rpub" >>"$DIR/conf/$A/wg0.conf"
W up "$A" || fail "up $A with NAT"
run ip netns exec "$HOSTNS" nft list table inet wgjail 2>/dev/null || true
rm -f "/var/run/wireguard/$RW.sock"
WG_PROCESS_FOREGROUND=1 ip netns exec "$WAN" wireguard-go -f "$RW" >"$DIR/rw.log" 2>&1 &
RWPID=$!
for _ in $(seq 50); do [ -S "/var/run/wireguard/$RW.sock" ] && break; sleep 0.1; done
printf '%s\n' "$rk" >"$DIR/rw.key"; chmod 600 "$DIR/rw.key"
wg set "$RW" private-key "$DIR/rw.key" peer "$pub_a" allowed-ips 10.100.0.1/32 endpoint 203.0.113.2:51820
ip -n "$WAN" addr add 10.100.0.50/24 dev "$RW" && ip -n "$WAN" link set "$RW" up
ok=0
for _ in $(seq 15); do ip netns exec "$WAN" ping -c1 -W1 10.100.0.1 >/dev/null 2>&1 && { ok=1; break; }; done
[ $ok = 1 ] && run ip netns exec "$WAN" ping -c2 -i0.2 -W1 10.100.0.1 ||
	fail "the remote peer did not reach $A through the forwarded port"
run ip netns exec "$A" ping -c1 -W1 203.0.113.1 || fail "$A does not reach the WAN through NAT"
kill "$RWPID"; RWPID=

say "'up' on a running jail reconciles: nothing differs, nothing changes"
W up "$A" | tee "$DIR/up2.out"
grep -q "nothing changed" "$DIR/up2.out" || fail "up again changed something"

say "Take both jails down: links, wireguard-go, namespaces and wgjail's nftables table are removed"
W down "$A" || fail "down $A"
W down "$B" || fail "down $B"
for n in "$A" "$B"; do [ -e "/run/netns/$n" ] && fail "namespace $n is still there"; done
ip netns exec "$HOSTNS" nft list table inet wgjail >/dev/null 2>&1 && fail "the table inet wgjail is still there"
ip -n "$HOSTNS" link del up0 2>/dev/null
left=$(ip -n "$HOSTNS" -o link | awk -F': ' '{print $2}' | grep -v '^lo$')
[ -z "$left" ] || fail "links left on the host side: $left"
run ip -n "$HOSTNS" -br link

if [ $FAILED = 0 ]; then
	say "Demo completed: two jails, a tunnel with a handshake and pings, the agent at work, a remote peer through the host's NAT, cleaned up."
else
	say "Demo FAILED (see above)"
fi
exit $FAILED
