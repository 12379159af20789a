#!/bin/bash
# Re-resolution on uplink events (issue 19): when a link of the host comes
# up or an address is added to one, the agent resolves its peers' host
# names again, whatever their handshakes' age; its own links (the jail's
# bridge, the wj... veths) do not count.  The peer's handshake is fresh
# and WGJAIL_RERESOLVE_AFTER is huge, so handshake age never asks: only
# the uplink events can move the endpoint.  The agent has its own
# /etc/hosts (bind-mounted in a private mount namespace).
#
#   test namespace "h": bridge $BR, a veth pair $DU/$DV (the "uplink";
#   no dummy links in the test kernel)
#     |-- veth -- [jail $JA 10.68.0.2]  wg0 10.78.0.1/24
#     `-- $PV  -- [namespace p 10.68.0.9]  $PA 10.78.0.2 (51881)  "$NAME"
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd unshare

JA=a9ua$$ BR=a9ubr$$ PV=a9upv$$ PA=a9upa$$ DU=a9udu$$ DV=a9udv$$ NAME=a9up$$.test
export WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=200 WGJAIL_STATUS_INTERVAL_MS=300
export WGJAIL_RESOLVE_RETRIES=0 WGJAIL_RERESOLVE_AFTER=86400 WGJAIL_RERESOLVE_BACKOFF_MIN=1 WGJAIL_RERESOLVE_BACKOFF_MAX=2
LOG=$T_TMP/agent.log
HOSTS=$T_TMP/hosts
wgjail_host "$JA"
ns_new p
WGA() { jail_wg "$JA" "$@"; }

keyfiles pa
printf '127.0.0.1 localhost\n10.68.0.9 %s\n' "$NAME" >"$HOSTS"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T_TMP/resolv.conf"
mkdir -p "$CONF/$JA"
printf '[jail]\nid = 1\nuplink = bridge\nbridge = %s\naddress = 10.68.0.2/24\ngateway = 10.68.0.1\n[wireguard]\ninterface = wg0\naddress = 10.78.0.1/24\n' "$BR" >"$CONF/$JA/jail.conf"
printf '[Interface]\nListenPort = 51880\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.78.0.2/32\nEndpoint = %s:51881\n' "$pa_pub" "$NAME" >"$CONF/$JA/wg0.conf"
chmod 600 "$CONF/$JA/wg0.conf"
ip link add "$PV" type veth peer name eth0 netns "$(ns p)"
ip link set "$PV" netns "$(ns h)"
ip -n "$(ns p)" addr add 10.68.0.9/24 dev eth0
ip -n "$(ns p)" link set eth0 up

nsenter --net="/run/netns/$(ns h)" unshare -m --propagation unchanged sh -c \
	'mount --make-private / && mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
	"$HOSTS" "$T_TMP/resolv.conf" \
	"$WGJAIL" -c "$CONF" agent -f >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
endpoint() { WGA show wg0 endpoints 2>/dev/null | awk -v k="$pa_pub" '$1 == k {print $2}'; }
endpoint_is() { [ "$(endpoint)" = "$1" ]; }
check "agent boots the jail, the named peer resolved" wait_until 30 endpoint_is 10.68.0.9:51881
pub_a=$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf" | "$WGJAIL" pubkey)
ip -n "$(ns h)" link set "$PV" master "$BR" up
# That link coming up is an uplink event of its own: let it pass.
check "the test's veth coming up counts (it is not the agent's)" wait_until 10 \
	grep -q "uplink changed ($PV is up)" "$LOG"
wg_go p "$PA"
PA_PID=${T_PIDS[${#T_PIDS[@]} - 1]}
wg set "$PA" private-key "$T_TMP/pa.key" listen-port 51881 peer "$pub_a" allowed-ips 10.78.0.1/32
ip -n "$(ns p)" addr add 10.78.0.2/24 dev "$PA"
ip -n "$(ns p)" link set "$PA" up
check "a handshake with the named peer (ping)" wait_until 15 ip netns exec "$JA" ping -c1 -W1 10.78.0.2
# The peer goes away, so that nothing it sends moves the endpoint back
# (WireGuard's roaming): only the agent moves it now.  Its handshake
# stays the latest one the jail had, fresh for the agent.
kill "$PA_PID"

# move ADDR: the name now says ADDR (same inode: the bind mount sees it).
move() { printf '127.0.0.1 localhost\n%s %s\n' "$1" "$NAME" >"$HOSTS"; }
move 10.68.0.29
sleep 4
check_eq "the name moved, the handshake is fresh: no re-resolution" 10.68.0.9:51881 "$(endpoint)"

# A link of the host comes up: names are resolved again.
check "setup: a veth pair in the host" ip -n "$(ns h)" link add "$DU" type veth peer name "$DV"
ip -n "$(ns h)" link set "$DV" up
ip -n "$(ns h)" link set "$DU" up
check "a link comes up: the endpoint follows the name" wait_until 10 endpoint_is 10.68.0.29:51881
check "log: why" grep -qE "uplink changed \(($DU|$DV) is up\): host names are resolved again" "$LOG"
check "log: the new address" grep -q "peer $pa_pub: $NAME:51881 now resolves to 10.68.0.29:51881 (was 10.68.0.9:51881)" "$LOG"

# An address is added to a link of the host.
move 10.68.0.39
sleep 2 # the peer's back-off minimum (1 s) has passed
ip -n "$(ns h)" addr add 192.0.2.1/24 dev "$DU"
check "an address is added: the endpoint follows the name" wait_until 10 endpoint_is 10.68.0.39:51881
check "log: why" grep -q "uplink changed (.*$DU.*): host names are resolved again" "$LOG"

# The agent's own links are not the uplink: an address on the jail's
# bridge, a link named wj... coming up.
move 10.68.0.49
sleep 2
n0=$(grep -c "uplink changed" "$LOG")
check "setup: an address on the jail's bridge" ip -n "$(ns h)" addr add 192.0.2.129/25 dev "$BR"
check "setup: a wj... veth pair" ip -n "$(ns h)" link add wj$$u type veth peer name wj$$v
ip -n "$(ns h)" link set wj$$v up
ip -n "$(ns h)" link set wj$$u up
sleep 4
check_eq "the jail's bridge and a wj... link do not count" "$n0" "$(grep -c "uplink changed" "$LOG")"
check_eq "... and the endpoint stays" 10.68.0.39:51881 "$(endpoint)"
ip -n "$(ns h)" link del wj$$u

# An address removed counts too.
ip -n "$(ns h)" addr del 192.0.2.1/24 dev "$DU"
check "an address is removed: the endpoint follows the name" wait_until 10 endpoint_is 10.68.0.49:51881
check "same agent process" kill -0 "$AGENT"
check_fails "nothing was logged as an error about the uplink watch" grep -q "uplink.*: .*rror" "$LOG"
sed 's/^/agent: /' "$LOG" | tail -15 | diag
done_testing
