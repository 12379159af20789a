#!/bin/bash
# wgjail agent -f: boots the jail itself, then follows edits of its wg
# config: a peer added goes live within 2 s without disturbing the
# existing session; a broken file is logged with file:line and leaves the
# device as it was; status.json is valid JSON at every instant (a reader
# loops during the updates); SIGTERM ends it and leaves the tunnel up.
#
#   test namespace "h": bridge $BR 10.62.0.1/24
#     |-- veth -- [jail $JA 10.62.0.2]  wg0 10.72.0.1/24
#     |-- $PV  -- [namespace p 10.62.0.9]  $PA 10.72.0.2 (51851)
#     `-- $QV  -- [namespace q 10.62.0.10] $PB 10.72.0.3 (51852)
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd python3

JA=a9aa$$ BR=a9abr$$ PV=a9apv$$ QV=a9aqv$$ PA=a9apa$$ PB=a9apb$$
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
address = 10.62.0.2/24
gateway = 10.62.0.1
[wireguard]
interface = wg0
address = 10.72.0.1/24
EOC
conf1="[Interface]
PrivateKey = generate
ListenPort = 51850

[Peer]
PublicKey = $pa_pub
AllowedIPs = 10.72.0.2/32
Endpoint = 10.62.0.9:51851
"
printf '%s' "$conf1" >"$CONF/$JA/wg0.conf"
# Replace a file as editors and tools do: write aside, rename over.
put() { printf '%s' "$2" >"$1.new" && chmod 600 "$1.new" && mv "$1.new" "$1"; }

ip link add "$PV" type veth peer name eth0 netns "$(ns p)"
ip link set "$PV" netns "$(ns h)"
ip -n "$(ns p)" addr add 10.62.0.9/24 dev eth0
ip -n "$(ns p)" link set eth0 up
ip link add "$QV" type veth peer name eth0 netns "$(ns q)"
ip link set "$QV" netns "$(ns h)"
ip -n "$(ns q)" addr add 10.62.0.10/24 dev eth0
ip -n "$(ns q)" link set eth0 up

nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
# Conditions polled by wait_until (evaluated at each try).
state_is() { test "$(statejq "$1")" = "$2"; }
peer_on_device() { WGA show wg0 peers 2>/dev/null | grep -q "$1"; }
device_peers() { test "$(WGA show wg0 peers 2>/dev/null | wc -l)" = "$1"; }
statejq() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$STATUS" "$1" 2>/dev/null; }
check "agent boots the jail (status.json says up)" wait_until 30 state_is 'd["jails"][0]["state"]' up
check "first-boot key written" grep -Eq '^PrivateKey = [A-Za-z0-9+/]{43}=$' "$CONF/$JA/wg0.conf"
pub_a=$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf" | "$WGJAIL" pubkey)
# From now on the test writes the file with the key the agent generated.
conf1=$(cat "$CONF/$JA/wg0.conf")
conf1="$conf1
"

# The status reader: loops over status.json during everything below.
python3 - "$STATUS" "$T_TMP/reader.out" <<'PY' &
import json, sys, time, os
path, out = sys.argv[1], sys.argv[2]
reads = bad = 0
while not os.path.exists(out + ".stop"):
    try:
        with open(path) as f:
            d = json.load(f)
        if d.get("version") != 1 or not isinstance(d.get("jails"), list):
            bad += 1
        reads += 1
    except Exception as ex:
        bad += 1
        print(repr(ex), file=sys.stderr)
    time.sleep(0.002)
open(out, "w").write("%d %d\n" % (reads, bad))
PY
READER=$!
T_PIDS+=("$READER")

ip -n "$(ns h)" link set "$PV" master "$BR" up
ip -n "$(ns h)" link set "$QV" master "$BR" up
wg_go p "$PA"
wg_go q "$PB"
wg set "$PA" private-key "$T_TMP/pa.key" listen-port 51851 peer "$pub_a" allowed-ips 10.72.0.1/32
wg set "$PB" private-key "$T_TMP/pb.key" listen-port 51852 peer "$pub_a" allowed-ips 10.72.0.1/32
ip -n "$(ns p)" addr add 10.72.0.2/24 dev "$PA"
ip -n "$(ns q)" addr add 10.72.0.3/24 dev "$PB"
ip -n "$(ns p)" link set "$PA" up
ip -n "$(ns q)" link set "$PB" up
check "tunnel to A's first peer: ping" wait_until 15 ip netns exec "$JA" ping -c1 -W1 10.72.0.2
hs1=$(wg show "$PA" latest-handshakes | awk '{print $2}')
check "first peer: handshake (wg show on the remote)" test "${hs1:-0}" -gt 0
jhs1=$(WGA show wg0 latest-handshakes | awk -v k="$pa_pub" '$1 == k {print $2}')
check "jail side: handshake with the first peer (wg show in the jail)" test "${jhs1:-0}" -gt 0
check "status.json lists the peer as ok" wait_until 5 \
	state_is 'list(d["jails"][0]["peer_states"].values())' "['ok']"

# Add a peer: live within 2 s, the first session untouched.
conf2="$conf1
[Peer]
PublicKey = $pb_pub
AllowedIPs = 10.72.0.3/32
Endpoint = 10.62.0.10:51852
"
put "$CONF/$JA/wg0.conf" "$conf2"
check "added peer is on the device within 2 s (wg show)" wait_until 2 peer_on_device "$pb_pub"
check "added peer: ping through it" wait_until 10 ip netns exec "$JA" ping -c1 -W1 10.72.0.3
check_eq "first session undisturbed: remote's latest handshake unchanged" "$hs1" \
	"$(wg show "$PA" latest-handshakes | awk '{print $2}')"
check_eq "first session undisturbed: jail's latest handshake unchanged" "$jhs1" \
	"$(WGA show wg0 latest-handshakes | awk -v k="$pa_pub" '$1 == k {print $2}')"
check "status.json lists both peers" wait_until 5 state_is 'len(d["jails"][0]["device"]["peers"])' 2
check "log: the reconcile added one peer" grep -q "1 added, 0 removed" "$LOG"

# A broken edit: reported with file:line, ignored.
before=$(WGA show wg0 dump | cut -f1-4 | sort)
put "$CONF/$JA/wg0.conf" "$conf2
[Peer]
PublicKey = $pb_pub
AllowedIPs = 10.72.0.300/32
"
check "broken file: logged with file:line" wait_until 5 grep -q "$JA/wg0.conf:17" "$LOG"
check "broken file: the log says it was ignored" grep -q "ignored, jail $JA keeps running" "$LOG"
sleep 0.5
check_eq "broken file: device unchanged" "$before" "$(WGA show wg0 dump | cut -f1-4 | sort)"
check "broken file: status.json carries the message" wait_until 5 \
	grep -q "wg0.conf:17" "$STATUS"
check "broken file: tunnel still passes traffic" ip netns exec "$JA" ping -c1 -W2 10.72.0.2

# Remove the second peer again (the file is good once more).
put "$CONF/$JA/wg0.conf" "$conf1"
check "peer removed within 2 s" wait_until 2 device_peers 1
check "status.json message cleared" wait_until 5 state_is 'd["jails"][0]["message"]' None

# Drop-ins (wg0.peers/HEX.conf, as `wgjail peer add` writes them) are
# watched too: a new peer directory, a drop-in added, broken, removed.
D="$CONF/$JA/wg0.peers"
PBX=$(printf '%s' "$pb_pub" | base64 -d | od -An -v -tx1 | tr -d ' \n')
mkdir -m 700 "$D"
sleep 0.3 # the agent sees the new directory
put "$D/$PBX.conf" "[Peer]
PublicKey = $pb_pub
AllowedIPs = 10.72.0.3/32
Endpoint = 10.62.0.10:51852
"
check "drop-in peer is on the device within 2 s" wait_until 2 peer_on_device "$pb_pub"
check "drop-in peer: ping through it" wait_until 10 ip netns exec "$JA" ping -c1 -W1 10.72.0.3
check_eq "drop-in: first session undisturbed" "$hs1" "$(wg show "$PA" latest-handshakes | awk '{print $2}')"
put "$D/$PBX.conf" "[Peer]
PublicKey = $pb_pub
AllowedIPs = 10.72.0.3/32, 10.72.0.300/32
"
check "broken drop-in: logged with its file:line" wait_until 5 grep -q "$D/$PBX.conf:3" "$LOG"
check "broken drop-in: the peer stays" peer_on_device "$pb_pub"
rm "$D/$PBX.conf"
check "drop-in removed: peer removed within 2 s" wait_until 2 device_peers 1
check "status.json message cleared" wait_until 5 state_is 'd["jails"][0]["message"]' None

# SIGHUP reconciles everything (nothing to change).
kill -HUP "$AGENT"
check "SIGHUP: logged" wait_until 5 grep -q "SIGHUP: reconciling every jail" "$LOG"
check_eq "SIGHUP: same hs" "$hs1" "$(wg show "$PA" latest-handshakes | awk '{print $2}')"

touch "$T_TMP/reader.out.stop"
wait "$READER"
read -r reads bad <"$T_TMP/reader.out"
check "status.json reader: many reads during the updates ($reads)" test "${reads:-0}" -gt 50
check_eq "status.json reader: never a partial or invalid file" 0 "${bad:-x}"

check_fails "no private key in the log" grep -qF "$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf")" "$LOG"
check_fails "no private key in status.json" grep -qF "$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf")" "$STATUS"

kill -TERM "$AGENT"
wait "$AGENT"
check_eq "SIGTERM: clean exit 0" 0 "$?"
check "SIGTERM: logged" grep -q "stopping (tunnels stay up)" "$LOG"
check "after the agent: tunnel still up" ip netns exec "$JA" ping -c1 -W2 10.72.0.2
timeout 3 nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f >/dev/null 2>&1
check_eq "after the agent: lock released, a new agent runs (until timeout)" 124 "$?"
sed 's/^/agent: /' "$LOG" | tail -40 | diag
done_testing
