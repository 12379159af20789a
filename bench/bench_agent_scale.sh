#!/bin/bash
# The agent at scale (issue 19): many jails, many peers, a steady stream
# of edits.  Run as `bash bench/bench_agent.sh scale [SECONDS] [INTERVAL_MS]
# [JAILS] [PEERS]` (as root; default 600 s, 100 ms, 50 jails, 10000 peers
# in all).  Not part of `make check`: it takes the whole of SECONDS.
#
# JAILS jails (bridge uplink on one host bridge, wireguard-go each) in a
# private host namespace, PEERS/JAILS numeric peers each.  `wgjail agent
# -f` (the optimised ./wgjail) boots them (the boot's time is printed),
# then every INTERVAL_MS one jail's wg0.conf (round robin) gains or loses
# a churn peer (write aside + rename, as editors do).  The agent's stderr
# is read as it comes and each "wg0: 1 added" / "wg0: 0 added, 1 removed"
# line is stamped; an edit's latency is from just before its rename to
# its jail's line (edit to live: debounce, read, diff, apply; the agent
# logs that line after the device took the change).  Printed: the boot
# time; RSS (VmRSS at the start of the churn, at its end, VmHWM); the
# agent's CPU time (user + system) over the churn; edits, edits applied,
# latency median / p99 / max; and a final check that every jail's device
# has the peers of its file.  Needs: wireguard-go, python3, nsenter.
# Tunables: WGJAIL_DEBOUNCE_MS (default here 50, as bench_agent.sh),
# WGJAIL_STATUS_INTERVAL_MS (default here 5000).
set -u
cd "$(dirname "$0")/.." || exit 1
SECS=${1:-600}
INTERVAL_MS=${2:-100}
NJ=${3:-50}
NPEERS=${4:-10000}
WGJAIL=${WGJAIL:-$PWD/wgjail}
H="a9sh$$"
BR="a9sbr$$"
TMP=$(mktemp -d /tmp/wgjail-bench-scale.XXXXXX)
export WGJAIL_STATEDIR="$TMP/run" WGJAIL_RUNDIR="$TMP/status"
export WGJAIL_DEBOUNCE_MS=${WGJAIL_DEBOUNCE_MS:-50} WGJAIL_STATUS_INTERVAL_MS=${WGJAIL_STATUS_INTERVAL_MS:-5000}
CONF=$TMP/conf
AGENT_PID=
READER=

jails() { for ((i = 1; i <= NJ; i++)); do printf 'a9s%d_%d\n' $$ "$i"; done; }
cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && sleep 1
	[ -n "$READER" ] && kill "$READER" 2>/dev/null
	for j in $(jails); do
		nsenter --net="/run/netns/$H" "$WGJAIL" -c "$CONF" down "$j" >/dev/null 2>&1
		ip netns del "$j" 2>/dev/null
	done
	ip netns del "$H" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$WGJAIL" ] || { echo "no $WGJAIL (make)" >&2; exit 1; }
[ "$NJ" -ge 1 ] && [ "$NJ" -le 250 ] || { echo "JAILS: 1 to 250" >&2; exit 2; }
ip netns add "$H" && ip -n "$H" link set lo up || exit 1
ip -n "$H" link add "$BR" type bridge && ip -n "$H" addr add 10.66.0.1/16 dev "$BR" && ip -n "$H" link set "$BR" up || exit 1

# The jails' files: PEERS/JAILS peers each (keys from python: no process
# per key), numeric endpoints on the bridge's network.
python3 - "$CONF" "$BR" "$NJ" "$NPEERS" $(jails) <<'PY' || exit 1
import base64, os, sys
conf, br, nj, npeers, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
per = npeers // nj
def key():
    return base64.b64encode(os.urandom(32)).decode()
for i, name in enumerate(names, 1):
    d = os.path.join(conf, name)
    os.makedirs(d)
    with open(os.path.join(d, "jail.conf"), "w") as f:
        f.write("[jail]\nid = %d\nuplink = bridge\nbridge = %s\naddress = 10.66.%d.%d/16\ngateway = 10.66.0.1\n"
                "[wireguard]\ninterface = wg0\naddress = 10.76.0.1/16\n" % (i, br, i // 200 + 1, i % 200 + 10))
    body = "".join("[Peer]\nPublicKey = %s\nAllowedIPs = 10.76.%d.%d/32\nEndpoint = 10.66.200.%d:51820\n\n"
                   % (key(), k // 250 + 1, k % 250 + 1, k % 250 + 1) for k in range(per))
    with open(os.path.join(d, "base.peers"), "w") as f:
        f.write(body)
    fd = os.open(os.path.join(d, "wg0.conf"), os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, ("[Interface]\nPrivateKey = generate\nListenPort = 51820\n\n" + body).encode())
    os.close(fd)
with open(os.path.join(conf, "..", "pool"), "w") as f:
    for i in range(20000):
        f.write(key() + "\n")
PY
# base.peers is not a file the agent reads (only jail.conf, wg0.conf and
# drop-ins); keep it out of the jail directories all the same.
mkdir -p "$TMP/base"
for j in $(jails); do mv "$CONF/$j/base.peers" "$TMP/base/$j"; done

# The agent, its stderr stamped line by line (monotonic seconds).
mkfifo "$TMP/agent.fifo"
python3 -c '
import sys, time
out = open(sys.argv[1], "w", buffering=1)
for line in open(sys.argv[2]):
    out.write("%.6f %s" % (time.monotonic(), line))
' "$TMP/agent.log" "$TMP/agent.fifo" &
READER=$!
t_boot=$(date +%s.%N)
nsenter --net="/run/netns/$H" "$WGJAIL" -c "$CONF" agent -f 2>"$TMP/agent.fifo" &
AGENT_PID=$!
up_count() { local n; n=$(grep -c ": up (bridge uplink" "$TMP/agent.log" 2>/dev/null); echo "${n:-0}"; }
for _ in $(seq 3000); do [ "$(up_count)" -ge "$NJ" ] && break; kill -0 "$AGENT_PID" || break; sleep 0.2; done
t_up=$(date +%s.%N)
[ "$(up_count)" -ge "$NJ" ] || { echo "the agent brought $(up_count) of $NJ jails up:" >&2; tail "$TMP/agent.log" >&2; exit 1; }
# The agent's own pid (nsenter execs, so it is AGENT_PID).
APID=$AGENT_PID
awk -v a="$t_boot" -v b="$t_up" -v j="$NJ" -v p="$NPEERS" 'BEGIN { printf "boot: %d jails, %d peers, all up in %.1f s\n", j, p, b - a }'
sleep 5 # the first status pass
cpu() { awk '{ print $14 + $15 }' "/proc/$APID/stat"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$APID/status"; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$APID/status"; }
rss0=$(rss) cpu0=$(cpu)
python3 - "$CONF" "$TMP/base" "$TMP/pool" "$SECS" "$INTERVAL_MS" "$TMP/edits" $(jails) <<'PY'
import os, sys, time
conf, base, pool, secs, ms, edits, names = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().split(), float(sys.argv[4]), float(sys.argv[5]) / 1000, sys.argv[6], sys.argv[7:]
head = "[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n"
keys = {}
for n in names:
    for line in open(os.path.join(conf, n, "wg0.conf")):
        if line.startswith("PrivateKey = "):
            keys[n] = line.split(" = ", 1)[1].strip()
bases = {n: open(os.path.join(base, n)).read() for n in names}
state = {n: False for n in names}
log = open(edits, "w", buffering=1)
end = time.monotonic() + secs
i = 0
nxt = time.monotonic()
while time.monotonic() < end:
    n = names[i % len(names)]
    add = not state[n]
    text = head % keys[n] + bases[n]
    if add:
        text += "[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.1/32\n" % pool[i % len(pool)]
    path = os.path.join(conf, n, "wg0.conf")
    fd = os.open(path + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, text.encode())
    os.close(fd)
    log.write("%.6f %s %s\n" % (time.monotonic(), n, "add" if add else "remove"))
    os.rename(path + ".new", path)
    state[n] = add
    i += 1
    nxt += ms
    d = nxt - time.monotonic()
    if d > 0:
        time.sleep(d)
PY
sleep 3 # the last edits go live
cpu1=$(cpu) rss1=$(rss) hwm1=$(hwm)
tck=$(getconf CLK_TCK)
kill -0 "$APID" 2>/dev/null || { echo "the agent died" >&2; tail "$TMP/agent.log" >&2; exit 1; }
# Latencies: each edit to the first matching line of its jail after it.
python3 - "$TMP/edits" "$TMP/agent.log" "$SECS" <<'PY'
import re, sys
edits = [l.split() for l in open(sys.argv[1])]
lines = {}
pat = re.compile(r"^(\S+) wgjail: jail (\S+): wg0: (\d+) added, (\d+) removed")
for l in open(sys.argv[2]):
    m = pat.match(l)
    if m:
        lines.setdefault(m.group(2), []).append((float(m.group(1)), int(m.group(3)), int(m.group(4))))
lat, missed = [], 0
pos = {}
for t, name, what in edits:
    t = float(t)
    ls = lines.get(name, [])
    k = pos.get(name, 0)
    while k < len(ls) and ls[k][0] < t:
        k += 1
    want = (1, 0) if what == "add" else (0, 1)
    while k < len(ls) and (ls[k][1], ls[k][2]) != want:
        k += 1
    if k == len(ls):
        missed += 1
        continue
    lat.append(ls[k][0] - t)
    pos[name] = k + 1
lat.sort()
def q(p):
    return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
print("edits: %d in %s s, applied: %d, not seen live: %d" % (len(edits), sys.argv[3], len(lat), missed))
print("edit to live: median %.0f ms, p99 %.0f ms, max %.0f ms" % (q(0.5), q(0.99), lat[-1] * 1000 if lat else float("nan")))
PY
awk -v c0="$cpu0" -v c1="$cpu1" -v t="$tck" -v s="$SECS" \
	'BEGIN { printf "agent CPU over the churn: %.1f s (%.1f%% of one core)\n", (c1 - c0) / t, 100 * (c1 - c0) / t / s }'
echo "agent RSS: $rss0 KiB at the start of the churn, $rss1 KiB at its end, peak (VmHWM) $hwm1 KiB"
# Every device has its file's peers (a jail's count: base + the churn
# peer if its last edit added it).
bad=0
for j in $(jails); do
	want=$(grep -c '^PublicKey' "$CONF/$j/wg0.conf")
	have=$(nsenter --net="/run/netns/$H" "$WGJAIL" -c "$CONF" show --json "$j" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["interfaces"][0]["peers"]))')
	[ "$want" = "$have" ] || { echo "jail $j: $have peers on the device, $want in the file"; bad=1; }
done
[ "$bad" = 0 ] && echo "every device has its file's peers: PASS" || { echo FAIL; exit 1; }
