#!/bin/bash
# Issue 13 and the agent: a first-boot key only for a jail that never had
# one (item 1); a FIFO in place of a config neither hangs the agent nor is
# read (10); a killed wireguard-go is reaped and its jail brought back up,
# logged and counted; a spec that goes and comes back is followed without
# SIGHUP (16).
#
#   test namespace "h": the host side, where the agent runs;
#   jail $J: WireGuard-only uplink, wireguard-go.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd python3

J=ak$$
export WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=100 WGJAIL_STATUS_INTERVAL_MS=200
STATUS=$WGJAIL_RUNDIR/status.json
LOG=$T_TMP/agent.log
wgjail_host "$J"
F=$CONF/$J/wg0.conf
key() { sed -n 's/^PrivateKey *= *//p' "$F" | head -1; }
devpub() { W show --json "$J" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["interfaces"][0]["public_key"])' 2>/dev/null; }
statejq() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$STATUS" "$1" 2>/dev/null; }
state_is() { test "$(statejq "$1")" = "$2"; }
logged() { grep -q "$1" "$LOG"; }
# LOG lines from line N on hold PATTERN.
logged_after() { tail -n +"$1" "$LOG" | grep -q "$2"; }
lines() { wc -l <"$LOG"; }

# An image builder's jail: spec and "PrivateKey = generate", no key yet.
mkdir -p "$CONF/$J"
cat >"$CONF/$J/jail.conf" <<EOC
[jail]
id = 1
uplink = wireguard
implementation = userspace
[wireguard]
interface = wg0
address = 10.93.0.1/24
EOC
printf '[Interface]\nPrivateKey = generate\nListenPort = 51930\n' >"$F"

nsenter --net="/run/netns/$(ns h)" "$WGJAIL" -c "$CONF" agent -f -p "$T_TMP/agent.pid" >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
wait_until 10 test -s "$T_TMP/agent.pid"
AGENTPID=$(cat "$T_TMP/agent.pid") # the agent itself ($! may be a wrapper)
check "the agent boots the jail" wait_until 30 state_is 'd["jails"][0]["state"]' up
check "... with a first-boot key" wait_until 5 grep -Eq '^PrivateKey = [A-Za-z0-9+/]{43}=$' "$F"
K=$(key)
P=$(printf '%s\n' "$K" | "$WGJAIL" pubkey)
check_eq "... on the device" "$P" "$(devpub)"
check "... and recorded" grep -qx "$P" "$CONF/$J/.pubkey"
cp -p "$F" "$T_TMP/wg0.saved"

# ---- item 1: the running jail's file loses its key ---------------------------
keeps_key() { # DESC
	local n
	n=$(lines)
	sleep 0.2
	check "$1: logged as broken, with the file" wait_until 5 logged_after "$n" "$J/wg0.conf.*no new key"
	check "$1: ... ignored, the jail keeps running" logged_after "$n" "ignored, jail $J keeps running"
	check_eq "$1: the device keeps its key" "$P" "$(devpub)"
	check_fails "$1: no key was written" grep -Eq '^PrivateKey = [A-Za-z0-9+/]{43}=$' "$F"
	cp -p "$T_TMP/wg0.saved" "$F.new" && mv "$F.new" "$F"
	check "$1: restored, the jail is reconciled" wait_until 5 state_is 'd["jails"][0]["message"]' None
}
rm "$F"
keeps_key "wg0.conf removed"
grep -v '^PrivateKey' "$T_TMP/wg0.saved" >"$F.new"; mv "$F.new" "$F"
keeps_key "PrivateKey line removed"
sed 's/^PrivateKey = .*/PrivateKey = generate/' "$T_TMP/wg0.saved" >"$F.new"; mv "$F.new" "$F"
keeps_key "PrivateKey = generate"
check_eq "the key never changed" "$K" "$(key)"

# ---- item 10: a FIFO in place of wg0.conf --------------------------------------
n=$(lines)
mv "$F" "$T_TMP/wg0.real"
mkfifo -m 600 "$F"
check "a FIFO wg0.conf: logged as not a regular file" wait_until 5 logged_after "$n" "wg0.conf: not a regular file"
t1=$(statejq 'd["time"]')
sleep 1.5
t2=$(statejq 'd["time"]')
check "status.json is still written (the agent is not blocked)" test "${t2:-0}" -gt "${t1:-0}"
kill -HUP "$AGENT"
check "SIGHUP is still handled" wait_until 5 logged_after "$n" "SIGHUP: reconciling every jail"
check_eq "the device keeps its key" "$P" "$(devpub)"
rm "$F"
mv "$T_TMP/wg0.real" "$F"
check "with the file back, the message clears" wait_until 5 state_is 'd["jails"][0]["message"]' None

# ---- item 16: wireguard-go dies ------------------------------------------------
pid=$(sed -n 's/^wggo_pid=//p' "$WGJAIL_STATEDIR/jails/$J/state")
check "wireguard-go runs as the agent's child" test "$(ps -o ppid= -p "$pid" | tr -d ' ')" = "$AGENTPID"
n=$(lines)
kill -9 "$pid"
check "its death is logged, the jail brought back up" wait_until 10 logged_after "$n" "daemon (pid $pid) is gone; bringing the jail back up (restart 1)"
check "status.json counts the restart" wait_until 10 state_is 'd["jails"][0]["restarts"]' 1
check "the jail is up again" wait_until 10 state_is 'd["jails"][0]["state"]' up
check_eq "... with its key" "$P" "$(devpub)"
newpid=$(sed -n 's/^wggo_pid=//p' "$WGJAIL_STATEDIR/jails/$J/state")
check "... a new wireguard-go" test -n "$newpid" -a "$newpid" != "$pid"
check_eq "no zombie child left" "" "$(ps -o stat= --ppid "$AGENTPID" | grep Z)"

# ---- item 16: a spec that goes and comes back -----------------------------------
n=$(lines)
mv "$CONF/$J/jail.conf" "$T_TMP/jail.conf"
mkdir -p "$CONF/other$$"   # a rescan meanwhile (any new directory)
check "the spec removed: the jail is forgotten" wait_until 5 logged_after "$n" "jail $J: spec removed"
n=$(lines)
mv "$T_TMP/jail.conf" "$CONF/$J/jail.conf"
check "the spec back: found again, without SIGHUP" wait_until 5 logged_after "$n" "jail $J: found"
check "... and reconciled" wait_until 10 state_is 'd["jails"][0]["state"]' up
check_eq "... with its key" "$P" "$(devpub)"

# `down` stops the daemon too: that is no death to repair.
n=$(lines)
check "down while the agent runs" W down "$J"
sleep 2
check_fails "... the jail stays down (the agent does not bring it back)" test -e "/run/netns/$J"
check_fails "... no restart was logged" logged_after "$n" "bringing the jail back up"

kill -TERM "$AGENT"
wait "$AGENT"
check_eq "the agent stops cleanly" 0 "$?"
done_testing
