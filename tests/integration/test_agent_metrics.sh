#!/bin/bash
# Metrics (issue 19): `wgjail metrics` and the agent's --metrics-file are
# read by a real exposition-format parser (Debian's python3-prometheus-
# client, text_string_to_metric_families), every family has HELP and
# TYPE, and the values are those `show --json` gives at the same moment;
# the agent's own families agree with status.json.  A metrics file whose
# directory does not exist is said once in the log and the agent goes on.
# The agent listens on no socket (no HTTP server: it holds every key).
#
#   test namespace "h": bridge $BR 10.63.0.1/24
#     |-- veth -- [jail $JA 10.63.0.2]  wg0 10.73.0.1/24
#     `-- $PV  -- [namespace p 10.63.0.9]  $PA 10.73.0.2 (51861)
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
PY=/usr/bin/python3
"$PY" -c 'import prometheus_client' 2>/dev/null ||
	skip_all "Debian's python3-prometheus-client is not installed (make deps): the metrics are NOT checked"

JA=a9ma$$ BR=a9mbr$$ PV=a9mpv$$ PA=a9mpa$$
export WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=100 WGJAIL_STATUS_INTERVAL_MS=300
LOG=$T_TMP/agent.log
STATUS=$WGJAIL_RUNDIR/status.json
PROM=$T_TMP/textfile/wgjail.prom
wgjail_host "$JA"
ns_new p

keypair pb
keyfiles pa
mkdir -p "$CONF/$JA" "$T_TMP/textfile"
printf '[jail]\nid = 1\nuplink = bridge\nbridge = %s\naddress = 10.63.0.2/24\ngateway = 10.63.0.1\n[wireguard]\ninterface = wg0\naddress = 10.73.0.1/24\n' "$BR" >"$CONF/$JA/jail.conf"
printf '[Interface]\nListenPort = 51860\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.73.0.2/32\nEndpoint = 10.63.0.9:51861\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.73.0.3/32, fd73::3/128\n' \
	"$pa_pub" "$pb_pub" >"$CONF/$JA/wg0.conf"
chmod 600 "$CONF/$JA/wg0.conf"
ip link add "$PV" type veth peer name eth0 netns "$(ns p)"
ip link set "$PV" netns "$(ns h)"
ip -n "$(ns p)" addr add 10.63.0.9/24 dev eth0
ip -n "$(ns p)" link set eth0 up

nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f --metrics-file "$PROM" >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
check "agent boots the jail" wait_until 30 grep -q "jail $JA: up" "$LOG"
pub_j=$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf" | "$WGJAIL" pubkey)
ip -n "$(ns h)" link set "$PV" master "$BR" up
wg_go p "$PA"
wg set "$PA" private-key "$T_TMP/pa.key" listen-port 51861 peer "$pub_j" allowed-ips 10.73.0.1/32
ip -n "$(ns p)" addr add 10.73.0.2/24 dev "$PA"
ip -n "$(ns p)" link set "$PA" up
check "a handshake and some bytes (ping through the tunnel)" wait_until 15 ip netns exec "$JA" ping -c3 -i0.2 -W1 10.73.0.2
sleep 0.5

# compare MODE: `metrics` (or the file) against `show --json` and
# status.json.  Taken twice around `show --json`: the values must not
# have moved in between (no traffic now), then must equal show's.
compare() {
	local m1 m2 show
	for _ in 1 2 3; do
		m1=$(W metrics "$@") || return 1
		show=$(W show --json "$JA") || return 1
		m2=$(W metrics "$@") || return 1
		[ "$m1" = "$m2" ] && break
	done
	printf '%s' "$m1" >"$T_TMP/metrics.txt"
	printf '%s' "$show" >"$T_TMP/show.json"
	"$PY" - "$T_TMP/metrics.txt" "$T_TMP/show.json" "$STATUS" "$JA" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
show = json.load(open(sys.argv[2]))["interfaces"][0]
status = json.load(open(sys.argv[3]))
jail = sys.argv[4]
fams = {f.name: f for f in text_string_to_metric_families(text)}
want = {"wireguard_sent_bytes": "counter", "wireguard_received_bytes": "counter",
        "wireguard_latest_handshake_seconds": "gauge", "wgjail_jail_up": "gauge", "wgjail_peer_state": "gauge",
        "wgjail_peer_resolution_error": "gauge", "wgjail_reconciles": "counter",
        "wgjail_reconcile_failures": "counter", "wgjail_resolution_failures": "counter",
        "wgjail_last_reconcile_success_timestamp_seconds": "gauge", "wgjail_daemon_restarts": "counter",
        "wgjail_agent_up": "gauge", "wgjail_agent_start_time_seconds": "gauge", "wgjail_resolver_restarts": "counter"}
for name, typ in want.items():
    assert name in fams, "family %s missing" % name
    assert fams[name].type == typ, (name, fams[name].type)
    assert fams[name].documentation, "no HELP for " + name
for f in fams.values():
    assert f.documentation and f.type in ("counter", "gauge"), f.name
def samples(fam, suffix=""):
    return [s for s in fams[fam].samples if s.name == fam + suffix]
peers = {p["public_key"]: p for p in show["peers"]}
assert len(peers) == 2, peers
checked = 0
for fam, suffix, field in (("wireguard_sent_bytes", "_total", "tx_bytes"),
                           ("wireguard_received_bytes", "_total", "rx_bytes"),
                           ("wireguard_latest_handshake_seconds", "", "latest_handshake")):
    ss = samples(fam, suffix)
    assert len(ss) == 2, (fam, ss)
    for s in ss:
        p = peers[s.labels["public_key"]]
        assert s.labels["jail"] == jail and s.labels["interface"] == "wg0", s.labels
        assert s.labels["allowed_ips"] == ",".join(p["allowed_ips"]), (s.labels, p)
        assert s.value == p[field], (fam, s.value, field, p[field])
        checked += 1
busy = [p for p in show["peers"] if p["rx_bytes"] > 0 and p["tx_bytes"] > 0 and p["latest_handshake"] > 0]
assert len(busy) == 1, "one peer had traffic: %r" % show["peers"]
up = samples("wgjail_jail_up")
assert [(s.labels["jail"], s.value) for s in up] == [(jail, 1.0)], up
sj = [j for j in status["jails"] if j["name"] == jail][0]
for s in samples("wgjail_peer_state"):
    verdict = sj["peer_states"][s.labels["public_key"]]
    assert s.value == (1.0 if s.labels["state"] == verdict else 0.0), (s, verdict)
assert len(samples("wgjail_peer_state")) == 6
rec = samples("wgjail_reconciles", "_total")
assert len(rec) == 1 and rec[0].value >= 1 and rec[0].value == sj["reconciles"], (rec, sj["reconciles"])
assert samples("wgjail_reconcile_failures", "_total")[0].value == sj["reconcile_failures"]
assert samples("wgjail_last_reconcile_success_timestamp_seconds")[0].value == sj["last_reconcile"]
assert samples("wgjail_agent_up")[0].value == 1
assert samples("wgjail_agent_start_time_seconds")[0].value == status["agent"]["start_time"]
assert samples("wgjail_resolver_restarts", "_total")[0].value == 0
print("checked %d peer values" % checked)
PY
}
check "wgjail metrics: parsed, HELP/TYPE for every family, values = show --json, agent's = status.json" compare
check "wgjail metrics JAIL: the same" compare "$JA"
out=$(W metrics nosuch$$ 2>&1); rc=$?
check_eq "wgjail metrics of an unknown jail fails" 1 "$rc"
check "... naming it" grep -q "nosuch$$" <<<"$out"
check "the agent writes its metrics file" wait_until 5 test -s "$PROM"
check_eq "the metrics file is mode 644" 644 "$(stat -c %a "$PROM")"
file_ok() {
	"$PY" - "$PROM" "$pa_pub" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
assert len(fams) == 14, sorted(fams)
assert all(f.documentation for f in fams.values())
sent = [s for s in fams["wireguard_sent_bytes"].samples if s.labels["public_key"] == sys.argv[2]]
assert len(sent) == 1 and sent[0].value > 0, sent
assert fams["wgjail_agent_up"].samples[0].value == 1
PY
}
check "the metrics file parses, with the peer's counters" file_ok
check "the agent listens on no socket (no HTTP server)" \
	sh -c "! nsenter --net=/run/netns/$(ns h) ss -lntupH | grep -q 'pid=$AGENT,'"
kill "$AGENT"
check "the agent stops" wait_until 5 sh -c "! kill -0 $AGENT"
W metrics "$JA" >"$T_TMP/noagent.txt"
check "without an agent: wgjail_agent_up 0" grep -qx 'wgjail_agent_up 0' "$T_TMP/noagent.txt"
check "without an agent: the live values are still there" grep -q '^wireguard_sent_bytes_total{' "$T_TMP/noagent.txt"
check_fails "without an agent: no agent counters" grep -q '^wgjail_reconciles_total{' "$T_TMP/noagent.txt"

# A metrics file in a directory that does not exist: said, once; the
# agent goes on.
export WGJAIL_RUNDIR=$T_TMP/status2
mkdir -p "$T_TMP/conf2"
"$WGJAIL" -c "$T_TMP/conf2" agent -f --metrics-file "$T_TMP/nodir/x.prom" >"$T_TMP/agent2.log" 2>&1 &
A2=$!
T_PIDS+=("$A2")
check "a metrics directory that does not exist is said at start" wait_until 5 \
	grep -q "metrics file $T_TMP/nodir/x.prom: its directory $T_TMP/nodir cannot be written" "$T_TMP/agent2.log"
check "... and the write error once" wait_until 5 grep -q "metrics file: .*nodir/x.prom" "$T_TMP/agent2.log"
sleep 1.5 # five more checks
check_eq "said once, not at every check" 1 "$(grep -c "metrics file: " "$T_TMP/agent2.log")"
check "the agent goes on (status.json written)" test -s "$T_TMP/status2/status.json"
check "the agent is running" kill -0 "$A2"
mkdir "$T_TMP/nodir"
check "once the directory exists the file is written (and said)" wait_until 5 test -s "$T_TMP/nodir/x.prom"
check "... and said" grep -q "metrics file: $T_TMP/nodir/x.prom written again" "$T_TMP/agent2.log"
out=$("$WGJAIL" -c "$T_TMP/conf2" agent -f --metrics-file relative.prom 2>&1); rc=$?
check_eq "a relative metrics path is a usage error" 2 "$rc"
sed 's/^/agent: /' "$LOG" | tail -8 | diag
done_testing
