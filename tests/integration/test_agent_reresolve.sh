#!/bin/bash
# The agent follows a peer whose host name moves: the remote peer changes
# address and the name's address changes (the agent has its own /etc/hosts,
# bind-mounted in a private mount namespace; it resolves with getaddrinfo).
# Once the handshake is older than WGJAIL_RERESOLVE_AFTER, the agent
# re-resolves, sends only that peer's endpoint, and traffic resumes without
# a restart; the other peer's session is not disturbed.
#
#   test namespace "h": bridge $BR 10.64.0.1/24
#     |-- veth -- [jail $JA 10.64.0.2]  wg0 10.74.0.1/24
#     |-- $PV  -- [namespace p 10.64.0.9, then 10.64.0.19]  $PA 10.74.0.2 (51861)  "a9peer.test"
#     `-- $QV  -- [namespace q 10.64.0.10]                   $PB 10.74.0.3 (51862)
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd unshare

JA=a9ra$$ BR=a9rbr$$ PV=a9rpv$$ QV=a9rqv$$ PA=a9rpa$$ PB=a9rpb$$ NAME=a9peer$$.test LATE=a9late$$.test
export WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=200 WGJAIL_STATUS_INTERVAL_MS=300
export WGJAIL_RESOLVE_RETRIES=0 WGJAIL_RERESOLVE_AFTER=3 WGJAIL_RERESOLVE_BACKOFF_MIN=1 WGJAIL_RERESOLVE_BACKOFF_MAX=2
LOG=$T_TMP/agent.log
HOSTS=$T_TMP/hosts
wgjail_host "$JA"
ns_new p
ns_new q
WGA() { jail_wg "$JA" "$@"; }

keypair pc
keyfiles pa pb
printf '127.0.0.1 localhost\n10.64.0.9 %s\n' "$NAME" >"$HOSTS"
# And its own resolv.conf: a name not in the hosts file fails at once
# (nothing listens on 127.0.0.1:53 in the test namespace) instead of
# waiting for an unreachable server.
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T_TMP/resolv.conf"
mkdir -p "$CONF/$JA"
cat >"$CONF/$JA/jail.conf" <<EOC
[jail]
id = 1
uplink = bridge
bridge = $BR
address = 10.64.0.2/24
gateway = 10.64.0.1
[wireguard]
interface = wg0
address = 10.74.0.1/24
EOC
cat >"$CONF/$JA/wg0.conf" <<EOC
[Interface]
ListenPort = 51860
[Peer]
PublicKey = $pa_pub
AllowedIPs = 10.74.0.2/32
Endpoint = $NAME:51861
[Peer]
PublicKey = $pb_pub
AllowedIPs = 10.74.0.3/32
Endpoint = 10.64.0.10:51862
[Peer]
PublicKey = $pc_pub
AllowedIPs = 10.74.0.4/32
Endpoint = $LATE:51863
EOC
for x in p:PV:10.64.0.9 q:QV:10.64.0.10; do
	IFS=: read -r n v a <<<"$x"
	ip link add "${!v}" type veth peer name eth0 netns "$(ns "$n")"
	ip link set "${!v}" netns "$(ns h)"
	ip -n "$(ns "$n")" addr add "$a/24" dev eth0
	ip -n "$(ns "$n")" link set eth0 up
done

# The agent, in the host namespace h, with its own /etc/hosts.  / is made
# private in its mount namespace (so the bind mount stays there) while
# /run/netns keeps propagating (the jail's namespace is seen by everyone).
nsenter --net="/run/netns/$(ns h)" unshare -m --propagation unchanged sh -c \
	'mount --make-private / && mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
	"$HOSTS" "$T_TMP/resolv.conf" \
	"$WGJAIL" -c "$CONF" agent -f >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
check_fails "the test's own /etc/hosts does not know the name" getent hosts "$NAME"
check "agent boots the jail (resolving through its hosts file)" wait_until 30 \
	grep -q "jail $JA: some peers skipped" "$LOG"
# The first pass may only have asked the resolver process ("is being
# resolved"); its answer brings the pass that says why.
check "a peer whose name does not resolve yet is left out" wait_until 10 \
	grep -q "skip   $pc_pub: endpoint '$LATE:51863' does not resolve" "$LOG"
pub_a=$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf" | "$WGJAIL" pubkey)

ip -n "$(ns h)" link set "$PV" master "$BR" up
ip -n "$(ns h)" link set "$QV" master "$BR" up
# start_pa: the named peer's wireguard-go (no endpoint for the jail: it
# can only answer, so only the jail's re-resolution can find it again).
start_pa() {
	wg_go p "$PA" || return 1
	PA_PID=${T_PIDS[${#T_PIDS[@]} - 1]}
	wg set "$PA" private-key "$T_TMP/pa.key" listen-port 51861 peer "$pub_a" allowed-ips 10.74.0.1/32
	ip -n "$(ns p)" addr add 10.74.0.2/24 dev "$PA"
	ip -n "$(ns p)" link set "$PA" up
}
start_pa
wg_go q "$PB"
wg set "$PB" private-key "$T_TMP/pb.key" listen-port 51862 peer "$pub_a" allowed-ips 10.74.0.1/32
ip -n "$(ns q)" addr add 10.74.0.3/24 dev "$PB"
ip -n "$(ns q)" link set "$PB" up
check "before the move: ping the named peer" wait_until 15 ip netns exec "$JA" ping -c1 -W1 10.74.0.2
check "before the move: ping the other peer" wait_until 15 ip netns exec "$JA" ping -c1 -W1 10.74.0.3
check_eq "jail's endpoint for the named peer" "10.64.0.9:51861" \
	"$(WGA show wg0 endpoints | awk -v k="$pa_pub" '$1 == k {print $2}')"
hs_b=$(wg show "$PB" latest-handshakes | awk '{print $2}')

# The move: the remote peer is redeployed at another address (a new
# wireguard-go, same key, that knows nothing of the jail), the name follows.
kill "$PA_PID"
pa_gone() { ! test -S "/var/run/wireguard/$PA.sock"; }
wait_until 5 pa_gone
ip -n "$(ns p)" addr del 10.64.0.9/24 dev eth0
ip -n "$(ns p)" addr add 10.64.0.19/24 dev eth0
start_pa
printf '127.0.0.1 localhost\n10.64.0.19 %s\n' "$NAME" >"$HOSTS" # same inode: the bind mount sees it
check_fails "right after the move: no traffic" ip netns exec "$JA" ping -c1 -W1 10.74.0.2

check "traffic resumes without a restart" wait_until 40 ip netns exec "$JA" ping -c1 -W1 10.74.0.2
check "log: the agent re-resolved the name" \
	grep -q "peer $pa_pub: $NAME:51861 now resolves to 10.64.0.19:51861 (was 10.64.0.9:51861)" "$LOG"
check_eq "jail's endpoint for the named peer now" "10.64.0.19:51861" \
	"$(WGA show wg0 endpoints | awk -v k="$pa_pub" '$1 == k {print $2}')"
check "same agent process" kill -0 "$AGENT"
check_eq "the other peer's session undisturbed (its latest handshake)" "$hs_b" \
	"$(wg show "$PB" latest-handshakes | awk '{print $2}')"
check "the other peer still answers" ip netns exec "$JA" ping -c1 -W1 10.74.0.3
check_fails "the numeric peer was never re-resolved" grep -q "peer $pb_pub: .*resolves" "$LOG"
# The late name appears: the agent adds its peer without a restart.
printf '127.0.0.1 localhost\n10.64.0.19 %s\n10.64.0.11 %s\n' "$NAME" "$LATE" >"$HOSTS"
late_on_device() { WGA show wg0 peers 2>/dev/null | grep -q "$pc_pub"; }
check "the late peer is added once its name resolves" wait_until 15 late_on_device
check "log: the late name was noticed" grep -q "jail $JA: $LATE:51863 resolves now; adding its peer" "$LOG"
check_eq "the late peer's endpoint" "10.64.0.11:51863" \
	"$(WGA show wg0 endpoints | awk -v k="$pc_pub" '$1 == k {print $2}')"
check "still the same agent process" kill -0 "$AGENT"
sed 's/^/agent: /' "$LOG" | grep -v "^agent: wgjail: jail $JA: \(host\|jail\):" | tail -25 | diag
done_testing
