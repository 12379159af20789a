#!/bin/bash
# Peers with an end date and a pause button (issue 18), on a live jail run
# by the agent: a peer that expires leaves the interface within 1 s of its
# expiry while another peer's ping over the tunnel loses nothing; the agent
# logs it; disable and enable restore the same key and address; names
# reach `show JAIL --json`, status.json and the addresses are handed out.
#
#   test namespace "h": bridge $BR 10.63.0.1/24
#     |-- veth -- [jail $JA 10.63.0.2]  wg0 10.73.0.1/24
#     |-- $PV  -- [namespace p 10.63.0.9]  $PA 10.73.0.2 (51861)
#     `-- $QV  -- [namespace q 10.63.0.10] $PB 10.73.0.3 (51862)
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd python3

JA=e9aa$$ BR=e9abr$$ PV=e9apv$$ QV=e9aqv$$ PA=e9apa$$ PB=e9apb$$
export WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=200 WGJAIL_STATUS_INTERVAL_MS=200
STATUS=$WGJAIL_RUNDIR/status.json
LOG=$T_TMP/agent.log
wgjail_host "$JA"
ns_new p
ns_new q
WGA() { jail_wg "$JA" "$@"; }

keyfiles pa pb
mkdir -p "$CONF/$JA"
cat >"$CONF/$JA/jail.conf" <<EOC
[jail]
id = 1
uplink = bridge
bridge = $BR
address = 10.63.0.2/24
gateway = 10.63.0.1
[wireguard]
interface = wg0
address = 10.73.0.1/24
EOC
printf '[Interface]\nPrivateKey = generate\nListenPort = 51860\n' >"$CONF/$JA/wg0.conf"
chmod 600 "$CONF/$JA/wg0.conf"

for x in p q; do
	v=$PV; [ $x = q ] && v=$QV
	ip link add "$v" type veth peer name eth0 netns "$(ns $x)"
	ip link set "$v" netns "$(ns h)"
	ip -n "$(ns $x)" link set eth0 up
done
ip -n "$(ns p)" addr add 10.63.0.9/24 dev eth0
ip -n "$(ns q)" addr add 10.63.0.10/24 dev eth0

# nsenter itself in the background (not the function H): $! is then the
# process that becomes the agent (through keywatch), which the exit trap kills
nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
statejq() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$STATUS" "$1" 2>/dev/null; }
state_is() { test "$(statejq "$1")" = "$2"; }
peer_on_device() { WGA show wg0 peers 2>/dev/null | grep -qF "$1"; }
peer_off_device() { ! WGA show wg0 peers 2>/dev/null | grep -qF "$1"; }
check "agent boots the jail" wait_until 30 state_is 'd["jails"][0]["state"]' up
pub_a=$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf" | "$WGJAIL" pubkey)
ip -n "$(ns h)" link set "$PV" master "$BR" up
ip -n "$(ns h)" link set "$QV" master "$BR" up

# p: a peer with a name and an address handed out
out=$(W peer add "$JA" --name phone-p --public-key "$pa_pub" --endpoint 10.63.0.9:51861 2>&1)
check "peer add p: the first address is handed out" grep -q "handed out: 10.73.0.2/32" <<<"$out"
# q: expires a few seconds from now
exp=$(( $(date +%s) + 12 ))
exp_s=$(date -u -d "@$exp" +%Y-%m-%dT%H:%M:%SZ)
out=$(W peer add "$JA" --name laptop-q --public-key "$pb_pub" --endpoint 10.63.0.10:51862 --expires "$exp_s" 2>&1)
check "peer add q with an expiry: the next address" grep -q "handed out: 10.73.0.3/32" <<<"$out"
check "q goes live" grep -q "applied to wg0" <<<"$out"

wg_go p "$PA"
wg_go q "$PB"
wg set "$PA" private-key "$T_TMP/pa.key" listen-port 51861 peer "$pub_a" endpoint 10.63.0.2:51860 allowed-ips 10.73.0.1/32
wg set "$PB" private-key "$T_TMP/pb.key" listen-port 51862 peer "$pub_a" endpoint 10.63.0.2:51860 allowed-ips 10.73.0.1/32
ip -n "$(ns p)" addr add 10.73.0.2/24 dev "$PA"
ip -n "$(ns q)" addr add 10.73.0.3/24 dev "$PB"
ip -n "$(ns p)" link set "$PA" up
ip -n "$(ns q)" link set "$PB" up
check "p reaches the jail" wait_until 10 nsx p ping -c1 -W1 10.73.0.1
check "q reaches the jail" wait_until 10 nsx q ping -c1 -W1 10.73.0.1

json=$(W show "$JA" --json)
check "show JAIL --json names the peers" python3 -c '
import json,sys
d=json.loads(sys.argv[1]); n={p["public_key"]:p.get("name") for p in d["interfaces"][0]["peers"]}
assert n[sys.argv[2]]=="phone-p" and n[sys.argv[3]]=="laptop-q", n' "$json" "$pa_pub" "$pb_pub"
check "status.json names the peers" wait_until 5 state_is \
	'sorted(p.get("name","") for p in d["jails"][0]["device"]["peers"])' "['laptop-q', 'phone-p']"

# p pings through the expiry of q: nothing lost
left=$(( exp - $(date +%s) ))
nsx p ping -i 0.05 -c $(( (left + 3) * 20 )) -W 1 10.73.0.1 >"$T_TMP/ping-p" 2>&1 &
ping_pid=$!
T_PIDS+=("$ping_pid")
check "q is on the device before its expiry" peer_on_device "$pb_pub"
gone=""
while [ "$(date +%s)" -le $(( exp + 5 )) ]; do
	if peer_off_device "$pb_pub"; then gone=$(date +%s.%N); break; fi
	sleep 0.05
done
check "q left the device" test -n "$gone"
[ -n "$gone" ] || tail -30 "$LOG" | diag
check "... within 1 s of its expiry ($exp_s)" python3 -c "import sys; d=$gone-$exp; print(d); sys.exit(0 if -0.01 <= d <= 1.0 else 1)"
wait "$ping_pid"
check "p's ping over the tunnel lost nothing meanwhile" grep -q " 0% packet loss" "$T_TMP/ping-p"
check "p is still on the device" peer_on_device "$pa_pub"
check "the agent logged the expiry, by name" grep -qF "peer laptop-q ($pb_pub) expired; removing it from wg0" "$LOG"
check "q stays in the files" grep -qF "$pb_pub" "$CONF/$JA/wg0.peers/"*.conf
check "peer list says expired" bash -c "H() { nsenter --net=/run/netns/$(ns h) \"\$@\"; }; H '$WGJAIL' -c '$CONF' peer list '$JA' | grep -A2 -x '  name: laptop-q' | grep -qx '  state: expired'"

# expire never, disable, enable: the same key and address come back
check "peer expire q never" W peer expire "$JA" laptop-q never
check "q is back on the device" wait_until 3 peer_on_device "$pb_pub"
check_eq "... with the same address" "10.73.0.3/32" "$(WGA show wg0 allowed-ips | awk -v k="$pb_pub" '$1==k {print $2}')"
check "q reaches the jail again" wait_until 10 nsx q ping -c1 -W1 10.73.0.1
check "peer disable q" W peer disable "$JA" laptop-q
check "q is off the device at once" peer_off_device "$pb_pub"
sleep 1
check "... and the agent's reconcile keeps it off" peer_off_device "$pb_pub"
check "peer enable q" W peer enable "$JA" laptop-q
check "q is on the device again" peer_on_device "$pb_pub"
check_eq "... with the same address" "10.73.0.3/32" "$(WGA show wg0 allowed-ips | awk -v k="$pb_pub" '$1==k {print $2}')"
check "q reaches the jail again" wait_until 10 nsx q ping -c1 -W1 10.73.0.1

kill "$AGENT"
wait "$AGENT" 2>/dev/null
done_testing
