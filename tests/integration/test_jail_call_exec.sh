#!/bin/bash
# The process that enters a jail holds that jail's data only (issue 15):
# every call into a running jail (read, change, sync its interface) is made
# by a fresh, exec'd `wgjail _jailcall`, never by a copy of the caller.
# The agent, which holds every jail's config and private key, is the
# caller that matters.
#
#   test namespace "h" (the agent's host)
#   jails $JA and $JB: wg0 (WireGuard-only uplink, wireguard-go), each
#   with a private key `create` made
#
# Checked, with WGJAIL_JAILCALL_STOP=1 (the internal mode stops itself
# once inside the jail, util/tunables.h): for several calls into each jail
# the stopped process is inside that jail's namespace, is an exec'd image
# (its /proc/PID/exe the agent's executable, its command line `wgjail
# _jailcall`, not the agent's), holds no descriptor but its pipes (0-3),
# and the OTHER jail's private key is nowhere in its memory (raw, base64,
# hex: read through /proc/PID/mem; the same scan finds both keys in the
# agent).  Continued, the calls complete: the agent reports both jails.
# Then a `peer add` of jail A, whose process enters A by a fork made
# before it read anything: the same checks, and A's own key is not there
# either.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd python3

JA=jca$$ JB=jcb$$
export WGJAIL_STATEDIR=$T_TMP/run WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=100 WGJAIL_STATUS_INTERVAL_MS=300
CONF=$T_TMP/conf
LOG=$T_TMP/agent.log
STATUS=$WGJAIL_RUNDIR/status.json
ns_new h
H() { nsenter --net="/run/netns/$(ns h)" "$@"; }
W() { H "$WGJAIL" -c "$CONF" "$@"; }
on_exit "W down $JA; W down $JB; ip netns del $JA; ip netns del $JB"

check "create jail A" W create "$JA" --uplink wireguard --address 10.81.0.1/24 --listen-port 51861
check "create jail B" W create "$JB" --uplink wireguard --address 10.82.0.1/24 --listen-port 51862
key_a=$(sed -n 's/^PrivateKey = //p' "$CONF/$JA/wg0.conf")
key_b=$(sed -n 's/^PrivateKey = //p' "$CONF/$JB/wg0.conf")
check "both jails have a private key of their own" test -n "$key_a" -a -n "$key_b" -a "$key_a" != "$key_b"
check "up A" W up "$JA"
check "up B" W up "$JB"

# The agent, with the test hook: each process that enters a jail stops.
WGJAIL_JAILCALL_STOP=1 nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f >"$LOG" 2>&1 &
T_PIDS+=("$!")

# memscan PID KEY...: how many of the keys (raw, base64 or hex) are in
# PID's memory.
memscan() {
	python3 - "$@" <<'PY'
import base64, sys
pid, keys = sys.argv[1], sys.argv[2:]
needles = []
for k in keys:
    raw = base64.b64decode(k)
    needles += [raw, k.encode(), raw.hex().encode()]
found = set()
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        addr, perms = line.split()[:2]
        lo, hi = (int(x, 16) for x in addr.split("-"))
        if perms[0] != "r" or hi - lo > (1 << 30):  # (sanitizer shadow: no data)
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except (OSError, ValueError, OverflowError):
            continue
        for i, n in enumerate(needles):
            if n in data:
                found.add(i // 3)
print(len(found))
PY
}
# strscan PID STRING: 1 if STRING is in PID's memory, else 0.
strscan() {
	python3 - "$@" <<'PY'
import sys
pid, needle = sys.argv[1], sys.argv[2].encode()
found = 0
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        addr, perms = line.split()[:2]
        lo, hi = (int(x, 16) for x in addr.split("-"))
        if perms[0] != "r" or hi - lo > (1 << 30):
            continue
        try:
            mem.seek(lo)
            if needle in mem.read(hi - lo):
                found = 1
        except (OSError, ValueError, OverflowError):
            continue
print(found)
PY
}
# stopped: the pid of a stopped process whose parent runs with our $CONF
# (the agent), if any.
stopped() {
	local p st pp
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		st=$(awk '/^State:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
		[ "$st" = T ] || continue
		pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
		tr '\0' ' ' <"/proc/$pp/cmdline" 2>/dev/null | grep -qF -- "$CONF" || continue
		echo "$p"
		return 0
	done
	return 1
}
fds_are_pipes() { # only 0-3: the request (a socket), the reply, stderr, the status
	local fd
	for fd in $(ls "/proc/$1/fd"); do [ "$fd" -le 3 ] || { echo "fd $fd: $(readlink "/proc/$1/fd/$fd")"; return 1; }; done
	case $(readlink "/proc/$1/fd/0") in socket:*) ;; *) return 1 ;; esac
	case $(readlink "/proc/$1/fd/1"):$(readlink "/proc/$1/fd/3") in pipe:*:pipe:*) ;; *) return 1 ;; esac
}

seen_a=0 seen_b=0 agent=
for round in $(seq 1 12); do
	pid=
	wait_until 30 stopped || { t_fail "a process that entered a jail stopped there (call $round)"; break; }
	pid=$(stopped)
	jail=$(ip netns identify "$pid")
	parent=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
	[ -n "$agent" ] || agent=$parent
	case $jail in
	"$JA") mine=$key_a other=$key_b seen_a=$((seen_a + 1)) ;;
	"$JB") mine=$key_b other=$key_a seen_b=$((seen_b + 1)) ;;
	*) t_fail "call $round: the stopped process is in jail $JA or $JB (it is in '$jail')"; kill -CONT "$pid"; continue ;;
	esac
	check_eq "call $round (jail $jail): the agent made it" "$agent" "$parent"
	check_eq "call $round: an exec'd image of the agent's executable" "$(readlink "/proc/$agent/exe")" \
		"$(readlink "/proc/$pid/exe")"
	check_eq "call $round: its command line is the internal mode's, not the agent's" "wgjail _jailcall " \
		"$(tr '\0' ' ' <"/proc/$pid/cmdline")"
	check "call $round: no descriptor but its pipes" fds_are_pipes "$pid"
	check_eq "call $round: the other jail's private key is not in its memory" 0 "$(memscan "$pid" "$other")"
	kill -CONT "$pid"
	[ "$seen_a" -ge 2 ] && [ "$seen_b" -ge 2 ] && [ "$round" -ge 6 ] && break
done
check "calls into both jails were seen (A: $seen_a, B: $seen_b)" test "$seen_a" -ge 2 -a "$seen_b" -ge 2
check_eq "the scan finds both keys in the agent itself (the scan works)" 2 "$(memscan "$agent" "$key_a" "$key_b")"

# Without the stops, the calls complete: both jails reported up.
stop_all() { local p; while p=$(stopped); do kill -CONT "$p"; sleep 0.05; done; }
both_up() {
	stop_all
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sorted(j["name"] for j in d["jails"] if j.get("state") == "up") == sorted(sys.argv[2:]) else 1)' \
		"$STATUS" "$JA" "$JB"
}
check "the agent reports both jails up once the calls go on" wait_until 30 both_up
kill "$agent" 2>/dev/null
for _ in $(seq 50); do stop_all; kill -0 "$agent" 2>/dev/null || break; sleep 0.1; done
sed 's/^/agent: /' "$LOG" | tail -15 | diag

# A peer command's call (`peer add A`) is made by a process forked before
# the command read anything (agent/jailcall.h, jail_call_prefork): stopped
# inside A, it holds neither B's private key nor A's own (the command read
# A's config after the fork: the same scan finds A's key in the command),
# nor an environment variable of the command's that is not wgjail's, and
# no descriptor but its pipes.  Continued, the peer is live.  Run with the
# suite's binary and with the plain build: a sanitizer's runtime keeps a
# copy of the environment of its own (read at start), so the environment
# is checked where there is no sanitizer.
peer_add_child() { # BIN LABEL ADDRESS
	local bin=$1 l=$2 addr=$3 secret adder pid parent
	secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
	keypair p || return 1
	WJ_TEST_UNRELATED_SECRET=$secret WGJAIL_JAILCALL_STOP=1 nsenter --net="/run/netns/$(ns h)" "$bin" -c "$CONF" \
		peer add "$JA" --public-key "$p_pub" --allowed-ips "$addr/32" >"$T_TMP/add.out" 2>&1 &
	adder=$!
	T_PIDS+=("$adder")
	if wait_until 30 stopped; then
		pid=$(stopped)
		parent=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
		check "$l: the process that entered is the command's child" \
			sh -c "tr '\\0' ' ' </proc/$parent/cmdline | grep -qF -- 'peer add $JA --public-key $p_pub'"
		check_eq "$l: it is in jail A" "$JA" "$(ip netns identify "$pid")"
		check "$l: no descriptor but its pipes" fds_are_pipes "$pid"
		check_eq "$l: jail B's private key is not in its memory" 0 "$(memscan "$pid" "$key_b")"
		check_eq "$l: nor jail A's (forked before the command read it)" 0 "$(memscan "$pid" "$key_a")"
		check_eq "$l: the scan finds jail A's key in the command itself (the scan works)" 1 \
			"$(memscan "$parent" "$key_a")"
		if grep -q libasan "/proc/$pid/maps"; then
			t_skip "$l: the command's other environment variables are wiped from it" "sanitizer build"
		else
			check_eq "$l: the command's other environment variables are wiped from it" 0 \
				"$(strscan "$pid" "$secret")"
			check_eq "$l: ... and are in the command (the scan works)" 1 "$(strscan "$parent" "$secret")"
		fi
		kill -CONT "$pid"
	else
		t_fail "$l: a process that entered jail A stopped there"
	fi
	wait "$adder"
	check_eq "$l: the command succeeded" 0 "$?"
	check "$l: the peer is live in jail A" sh -c "'$WGJAIL' -c '$CONF' exec '$JA' wg show wg0 allowed-ips | grep -q '$addr/32'"
	diag <"$T_TMP/add.out"
}
peer_add_child "$WGJAIL" "peer add" 10.81.0.77
if [ "$WGJAIL" != "$TOP/wgjail" ] && [ -x "$TOP/wgjail" ]; then
	peer_add_child "$TOP/wgjail" "peer add (plain build)" 10.81.0.78
else
	t_skip "peer add (plain build)" "no $TOP/wgjail (make wgjail)"
fi
done_testing
