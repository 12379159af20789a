#!/bin/bash
# The agent under churn: flat memory, no file-descriptor leak.
#
#   bash bench/bench_agent.sh [SECONDS] [INTERVAL_MS]   (as root; default 600 s, 100 ms)
#
# One jail (bridge uplink, wireguard-go) in a private host namespace with
# 20 peers; `wgjail agent -f` (the optimised ./wgjail, not the sanitizer
# build) follows it with WGJAIL_DEBOUNCE_MS=50 and a status file every
# second.  Every INTERVAL_MS a 21st peer (a new key each time) is added to
# or removed from wg0.conf (write aside + rename, as editors do), so the
# agent reconciles continuously.  After a 10-second warm-up, the agent's
# RSS (VmRSS) and open descriptors (/proc/PID/fd) are sampled every 10 s;
# the script prints the first and last samples, the growth, the number of
# reconciles logged, and PASS/FAIL against: RSS growth < 1024 KiB, fd
# count unchanged.  Needs: wireguard-go, python3, nsenter.
#
#   bash bench/bench_agent.sh scale [SECONDS] [INTERVAL_MS] [JAILS] [PEERS]
#
# runs the scale case instead (bench/bench_agent_scale.sh: 50 jails,
# 10,000 peers, an edit every 100 ms for 10 minutes by default).
set -u
if [ "${1:-}" = scale ]; then
	shift
	exec bash "$(dirname "$0")/bench_agent_scale.sh" "$@"
fi
cd "$(dirname "$0")/.." || exit 1
SECS=${1:-600}
INTERVAL_MS=${2:-100}
WGJAIL=${WGJAIL:-$PWD/wgjail}
H="a9bh$$"
J="a9bj$$"
TMP=$(mktemp -d /tmp/wgjail-bench-agent.XXXXXX)
export WGJAIL_STATEDIR="$TMP/run" WGJAIL_RUNDIR="$TMP/status"
export WGJAIL_DEBOUNCE_MS=50 WGJAIL_STATUS_INTERVAL_MS=1000
CONF=$TMP/conf
AGENT=

cleanup() {
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && sleep 0.5
	nsenter --net="/run/netns/$H" "$WGJAIL" -c "$CONF" down "$J" >/dev/null 2>&1
	ip netns del "$J" 2>/dev/null
	ip netns del "$H" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$WGJAIL" ] || { echo "no $WGJAIL (make)" >&2; exit 1; }
ip netns add "$H" && ip -n "$H" link set lo up || exit 1
mkdir -p "$CONF/$J"
cat >"$CONF/$J/jail.conf" <<EOC
[jail]
id = 1
uplink = bridge
bridge = a9bbr$$
address = 10.65.0.2/24
gateway = 10.65.0.1
[wireguard]
interface = wg0
address = 10.75.0.1/16
EOC
# Keys: 20 fixed peers and a pool of churn keys (python: no process per key).
python3 - "$TMP" <<'PY'
import base64, os, sys
def key():
    return base64.b64encode(os.urandom(32)).decode()
tmp = sys.argv[1]
with open(tmp + "/base.peers", "w") as f:
    for i in range(20):
        f.write("[Peer]\nPublicKey = %s\nAllowedIPs = 10.75.1.%d/32\nEndpoint = 10.65.0.%d:51820\n\n" % (key(), i + 1, i + 10))
with open(tmp + "/pool", "w") as f:
    for i in range(4000):
        f.write(key() + "\n")
PY
printf '[Interface]\nPrivateKey = generate\nListenPort = 51870\n\n' >"$CONF/$J/wg0.conf"
cat "$TMP/base.peers" >>"$CONF/$J/wg0.conf"
nsenter --net="/run/netns/$H" "$WGJAIL" -c "$CONF" agent -f >"$TMP/agent.log" 2>&1 &
AGENT=$!
for _ in $(seq 100); do grep -q "jail $J: up" "$TMP/agent.log" 2>/dev/null && break; sleep 0.2; done
grep -q "jail $J: up" "$TMP/agent.log" || { echo "agent did not bring the jail up:" >&2; tail "$TMP/agent.log" >&2; exit 1; }
head_conf=$(sed -n '1,/^ListenPort/p' "$CONF/$J/wg0.conf")

sample() { # rss_kib fds
	echo "$(awk '/^VmRSS/ {print $2}' "/proc/$AGENT/status") $(ls "/proc/$AGENT/fd" | wc -l)"
}
# The churn, in python for a steady period.
python3 - "$CONF/$J/wg0.conf" "$TMP/base.peers" "$TMP/pool" "$SECS" "$INTERVAL_MS" "$head_conf" <<'PY' &
import os, sys, time
path, base, pool, secs, ms, head = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read().split(), float(sys.argv[4]), float(sys.argv[5]) / 1000, sys.argv[6]
end = time.monotonic() + secs
i = 0
nxt = time.monotonic()
while time.monotonic() < end:
    text = head + "\n\n" + base
    if i % 2 == 0:
        text += "[Peer]\nPublicKey = %s\nAllowedIPs = 10.75.2.1/32\n" % pool[(i // 2) % len(pool)]
    tmp = path + ".new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, text.encode())
    os.close(fd)
    os.rename(tmp, path)
    i += 1
    nxt += ms
    d = nxt - time.monotonic()
    if d > 0:
        time.sleep(d)
print("%d writes" % i)
PY
CHURN=$!
sleep 10
first=$(sample)
echo "t=10s  rss_kib fds: $first"
t=10
while kill -0 "$CHURN" 2>/dev/null; do
	sleep 10
	t=$((t + 10))
	kill -0 "$AGENT" 2>/dev/null || { echo "agent died" >&2; tail "$TMP/agent.log" >&2; exit 1; }
	s=$(sample)
	echo "t=${t}s rss_kib fds: $s"
done
wait "$CHURN"
sleep 1
last=$(sample)
set -- $first; rss0=$1 fd0=$2
set -- $last; rss1=$1 fd1=$2
recs=$(grep -c "wg0: [0-9]* added" "$TMP/agent.log")
adds=$(grep -c "wg0: 1 added, 0 removed" "$TMP/agent.log")
rems=$(grep -c "wg0: 0 added, 1 removed" "$TMP/agent.log")
echo "end    rss_kib fds: $last"
echo "RSS growth: $((rss1 - rss0)) KiB; fds: $fd0 -> $fd1; reconciles applied: $recs ($adds adds, $rems removals)"
grep -q "ERROR\|leak" "$TMP/agent.log" && { echo "errors in the log:"; grep "ERROR\|leak" "$TMP/agent.log" | head; }
if [ $((rss1 - rss0)) -lt 1024 ] && [ "$fd0" = "$fd1" ]; then echo PASS; else echo FAIL; exit 1; fi
