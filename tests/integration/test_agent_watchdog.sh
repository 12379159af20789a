#!/bin/bash
# The watchdog (issue 19): the agent speaks systemd's notification
# protocol.  systemd cannot run here (it is not PID 1 in the test
# environment), so a socket plays $NOTIFY_SOCKET: it records every
# datagram with its time.  READY=1 comes after the first boot of every
# jail (its STATUS counts the jail up); WATCHDOG=1 comes every half of
# WATCHDOG_USEC from the loop; a stopped agent (SIGSTOP) sends nothing,
# and pings resume on SIGCONT; STOPPING=1 at the end; the agent's
# children never see the variables; an abstract socket works too.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd python3

JA=a9wa$$ BR=a9wbr$$
export WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=100 WGJAIL_STATUS_INTERVAL_MS=5000
LOG=$T_TMP/agent.log
REC=$T_TMP/notify.log
wgjail_host "$JA"
mkdir -p "$CONF/$JA"
printf '[jail]\nid = 1\nuplink = bridge\nbridge = %s\naddress = 10.61.0.2/24\ngateway = 10.61.0.1\n[wireguard]\ninterface = wg0\naddress = 10.71.0.1/24\n' "$BR" >"$CONF/$JA/jail.conf"
printf '[Interface]\nListenPort = 51840\n' >"$CONF/$JA/wg0.conf"
chmod 600 "$CONF/$JA/wg0.conf"

# listen ADDR FILE: record each datagram as "SECONDS.NANO MESSAGE"
# (newlines in it as '|'), SECONDS.NANO the kernel's time of receipt
# (SO_TIMESTAMPNS, CLOCK_REALTIME), so a listener that runs late on a
# busy machine does not move the pings in time.  ADDR "@name" is
# abstract.  The listener runs in the agent's network namespace: that is
# where abstract names live.
listen() {
	nsenter --net="/run/netns/$(ns h)" python3 - "$1" "$2" <<'PY' &
import socket, struct, sys
SO_TIMESTAMPNS = 35  # Linux, not exported by Python's socket module
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        m, anc, _, _ = s.recvmsg(4096, 64)
        t = None
        for lvl, typ, data in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, ns = struct.unpack("qq", data[:16])
                t = "%d.%09d" % (sec, ns)
        f.write("%s %s\n" % (t or "notime", m.decode().replace("\n", "|")))
PY
	T_PIDS+=("$!")
	wait_until 5 grep -q listening "$2"
}
listen "$T_TMP/notify.sock" "$REC"
NOTIFY_SOCKET=$T_TMP/notify.sock WATCHDOG_USEC=1000000 \
	nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
check "READY=1 once the jail was booted (STATUS: 1 jail, 1 up)" wait_until 30 grep -q ' READY=1|STATUS=1 jail, 1 up$' "$REC"
check "the jail was up before READY" grep -q "jail $JA: up" "$LOG"
check_eq "READY=1 only once" 1 "$(grep -c 'READY=1' "$REC")"
pings() { awk -v a="$1" -v b="$2" '$2 == "WATCHDOG=1" && $1 + 0 >= a + 0 && $1 + 0 <= b + 0' "$REC" | wc -l; }
now() { date +%s.%N; }
t0=$(now)
sleep 3
t1=$(now)
n=$(pings "$t0" "$t1")
# One ping every 0.5 s: as many as half-seconds in the window, give or take one.
want=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) / 0.5 }')
check "WATCHDOG=1 every half of WATCHDOG_USEC ($n in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)" \
	test "$n" -ge $((want - 1)) -a "$n" -le $((want + 1))
check "no ping without a time of receipt" sh -c "! grep -q '^notime' '$REC'"
# $AGENT may be a wrapper (tests/keywatch): the agent's own pid is in
# status.json.
agentjq() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["agent"][sys.argv[2]])' "$WGJAIL_RUNDIR/status.json" "$1"; }
apid=$(agentjq pid)
rpid=$(agentjq resolver_pid)
check "status.json names the agent ($apid)" grep -q wgjail "/proc/$apid/cmdline"
check "the resolver runs ($rpid)" test -r "/proc/$rpid/environ"
check "the agent's children do not inherit NOTIFY_SOCKET or WATCHDOG_USEC" \
	sh -c "! tr '\0' '\n' </proc/$rpid/environ | grep -E '^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)='"

# A stuck loop pings no more.
kill -STOP "$apid"
t0=$(now)
sleep 3
t1=$(now)
kill -CONT "$apid"
n=$(pings "$(awk -v a="$t0" 'BEGIN { printf "%.9f", a + 0.1 }')" "$t1")
check_eq "a stopped agent sends no ping (3 s)" 0 "$n"
t2=$(now)
sleep 1.5
n=$(pings "$t2" "$(now)")
check "pings resume when it runs again ($n in 1.5 s)" test "$n" -ge 2
kill "$AGENT"
check "STOPPING=1 when it stops" wait_until 5 grep -q ' STOPPING=1$' "$REC"
wait "$AGENT" 2>/dev/null

# An abstract socket, and WATCHDOG_PID naming another process: READY,
# no pings.
ABS=@wgjail-test-$$
listen "$ABS" "$T_TMP/abs.log"
NOTIFY_SOCKET=$ABS WATCHDOG_USEC=200000 WATCHDOG_PID=1 \
	nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f >"$T_TMP/agent2.log" 2>&1 &
A2=$!
T_PIDS+=("$A2")
check "abstract NOTIFY_SOCKET: READY=1" wait_until 30 grep -q ' READY=1|' "$T_TMP/abs.log"
sleep 1
check_eq "WATCHDOG_PID of another process: no pings" 0 "$(grep -c WATCHDOG=1 "$T_TMP/abs.log")"
kill "$A2"
wait "$A2" 2>/dev/null
NOTIFY_SOCKET=relative nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f >"$T_TMP/agent3.log" 2>&1 &
A3=$!
T_PIDS+=("$A3")
check "a NOTIFY_SOCKET that is not a path is said, and the agent runs" wait_until 10 \
	grep -q "NOTIFY_SOCKET 'relative' is neither a path nor an abstract name" "$T_TMP/agent3.log"
check "... and keeps running" kill -0 "$A3"
kill "$A3"
done_testing
