#!/bin/bash
# The agent's resolver process (issue 19): names are resolved by an
# unprivileged, chrooted process that never holds a key, and a DNS server
# that does not answer delays only the peers behind its names.
#
#   test namespace "h" (the agent's host; its own resolv.conf and hosts,
#   bind-mounted in a private mount namespace): bridge $BR 10.67.0.1/24
#     |-- veth -- [jail $JA 10.67.0.2]  wg0: a peer named $NAME, others numeric
#     |-- veth -- [jail $JB 10.67.0.3]  wg0: numeric peers, one with a PSK
#     `-- $DV -- [namespace d 10.68.0.53]  the only DNS server (dns_server.py):
#                 first a black hole, then malformed and huge answers, then
#                 answering
#
# Checked: with the server dropping every query (a lookup then takes the
# resolver's whole timeout), an edit of jail B, and a numeric edit of jail
# A, are live within 2 s; the resolver runs as a non-root user, chrooted,
# and no private or preshared key is anywhere in its memory (read through
# /proc/PID/mem; the same scan finds the keys in the agent itself); the
# agent survives `kill -9` of the resolver, logs and counts it, and starts
# another; malformed and huge answers are errors for the peer, nothing
# else; when the server answers, the stalled peer is added without a
# restart.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd unshare
need_cmd python3

JA=a9va$$ JB=a9vb$$ BR=a9vbr$$ DV=a9vdv$$ NAME=stalled$$.test
export WGJAIL_RUNDIR=$T_TMP/status
export WGJAIL_DEBOUNCE_MS=100 WGJAIL_STATUS_INTERVAL_MS=300
export WGJAIL_RERESOLVE_AFTER=3 WGJAIL_RERESOLVE_BACKOFF_MIN=1 WGJAIL_RERESOLVE_BACKOFF_MAX=2
LOG=$T_TMP/agent.log
STATUS=$WGJAIL_RUNDIR/status.json
DNSLOG=$T_TMP/dns.log
wgjail_host
ns_new d
WGJ() { # WGJ JAIL ARGS...: wg(8) on a jail's wireguard-go interface
	local j=$1; shift
	nsenter --net="/run/netns/$j" unshare -m sh -c \
		'mount --bind "$0" /var/run/wireguard && exec wg "$@"' "$WGJAIL_STATEDIR/jails/$j/wireguard-go" "$@"
}
on_exit "W down $JA; W down $JB; ip netns del $JA; ip netns del $JB"

# The DNS server, in d, reached from h.
ip link add "$DV" type veth peer name eth0 netns "$(ns d)"
ip link set "$DV" netns "$(ns h)"
ip -n "$(ns h)" addr add 10.68.0.1/24 dev "$DV"
ip -n "$(ns h)" link set "$DV" up
ip -n "$(ns d)" addr add 10.68.0.53/24 dev eth0
ip -n "$(ns d)" link set eth0 up
echo drop >"$T_TMP/dns.mode"
: >"$T_TMP/dns.zone"
ip netns exec "$(ns d)" python3 "$TOP/tests/integration/dns_server.py" 10.68.0.53 "$T_TMP/dns.mode" \
	"$T_TMP/dns.zone" >"$DNSLOG" 2>&1 &
T_PIDS+=("$!")
printf '127.0.0.1 localhost\n' >"$T_TMP/hosts"
# A lookup against the black hole takes 2 x 3 s.
printf 'nameserver 10.68.0.53\noptions timeout:3 attempts:2\n' >"$T_TMP/resolv.conf"

keypair pa
keypair pb
keypair pc
keypair pd
keypair pe
psk=$("$WGJAIL" genpsk)
spec() { printf '[jail]\nid = %s\nuplink = bridge\nbridge = %s\naddress = %s/24\ngateway = 10.67.0.1\n[wireguard]\ninterface = wg0\naddress = %s/24\n' "$@"; }
mkdir -p "$CONF/$JA" "$CONF/$JB"
spec 1 "$BR" 10.67.0.2 10.77.0.1 >"$CONF/$JA/jail.conf"
spec 2 "$BR" 10.67.0.3 10.78.0.1 >"$CONF/$JB/jail.conf"
printf '[Interface]\nListenPort = 51890\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.2/32\nEndpoint = %s:51891\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.3/32\nEndpoint = 10.67.0.9:51892\n' \
	"$pa_pub" "$NAME" "$pb_pub" >"$CONF/$JA/wg0.conf"
printf '[Interface]\nListenPort = 51893\n\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.78.0.2/32\nEndpoint = 10.67.0.9:51894\n' \
	"$pc_pub" "$psk" >"$CONF/$JB/wg0.conf"
chmod 600 "$CONF"/*/wg0.conf
put() { printf '%s' "$2" >"$1.new" && chmod 600 "$1.new" && mv "$1.new" "$1"; }

nsenter --net="/run/netns/$(ns h)" unshare -m --propagation unchanged sh -c \
	'mount --make-private / && mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
	"$T_TMP/hosts" "$T_TMP/resolv.conf" "$WGJAIL" -c "$CONF" agent -f >"$LOG" 2>&1 &
AGENT=$!
T_PIDS+=("$AGENT")
statejq() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$STATUS" "$1" 2>/dev/null; }
state_is() { test "$(statejq "$1")" = "$2"; }
on_dev() { WGJ "$1" show wg0 peers 2>/dev/null | grep -q "$2"; }
# live_within MS JAIL KEY: the peer is on the jail's interface within MS ms
# of now (the caller has just written the file).
live_within() {
	local t0 t
	t0=$(date +%s%N)
	while :; do
		on_dev "$2" "$3" && break
		t=$((($(date +%s%N) - t0) / 1000000))
		[ "$t" -gt "$1" ] && { echo "not live after $t ms"; return 1; }
		sleep 0.05
	done
	echo "live after $((($(date +%s%N) - t0) / 1000000)) ms"
}

check "agent boots jail B" wait_until 30 grep -q "jail $JB: up" "$LOG"
check "jail A is up without its named peer" wait_until 30 grep -q "jail $JA: some peers skipped" "$LOG"
check "the resolver asks the (black-holed) server for the name" wait_until 10 grep -q "drop $NAME 1" "$DNSLOG"
check "the named peer is pending or failed in status.json" wait_until 5 \
	state_is '[j["resolution"]["'"$pa_pub"'"]["state"] in ("pending", "failed") for j in d["jails"] if j["name"] == "'"$JA"'"]' "[True]"

# Edits while the resolver is stuck on the name.
conf_b="$(cat "$CONF/$JB/wg0.conf")
[Peer]
PublicKey = $pd_pub
AllowedIPs = 10.78.0.3/32
Endpoint = 10.67.0.9:51895
"
grep -q "drop $NAME" "$DNSLOG" && put "$CONF/$JB/wg0.conf" "$conf_b"
check "an edit of jail B is live within 2 s while the DNS server drops every query" live_within 2000 "$JB" "$pd_pub"
conf_a="$(cat "$CONF/$JA/wg0.conf")
[Peer]
PublicKey = $pe_pub
AllowedIPs = 10.77.0.4/32
Endpoint = 10.67.0.9:51896
"
put "$CONF/$JA/wg0.conf" "$conf_a"
check "a numeric edit of jail A itself is live within 2 s too" live_within 2000 "$JA" "$pe_pub"
check_fails "the named peer is still not on A" on_dev "$JA" "$pa_pub"

# The resolver process: not root, chrooted, no key in its memory.
rpid=$(statejq 'd["agent"]["resolver_pid"]')
check "status.json names the resolver process" test -n "$rpid" -a -d "/proc/$rpid"
# $AGENT may be a wrapper (tests/keywatch): the agent's own pid is in
# status.json.
APID=$(statejq 'd["agent"]["pid"]')
check "status.json names the agent" grep -q wgjail "/proc/$APID/cmdline"
check_eq "it is the agent's child" "$APID" "$(awk '/^PPid:/ {print $2}' "/proc/$rpid/status" 2>/dev/null)"
check "it runs as a non-root user (real, effective, saved, file system)" \
	awk '/^Uid:/ { exit !($2 != 0 && $3 != 0 && $4 != 0 && $5 != 0) }' "/proc/$rpid/status"
check "its groups are not root's" awk '/^Gid:/ { exit !($2 != 0 && $3 != 0) } /^Groups:/ { for (i = 2; i <= NF; i++) if ($i == 0) exit 1 }' "/proc/$rpid/status"
check_eq "it is chrooted in RUNDIR/resolver" "$WGJAIL_RUNDIR/resolver" "$(readlink "/proc/$rpid/root")"
fds_ok() { # stdio, its socket as 3, and no other file (a lookup's UDP socket may be open)
	local fd t
	for fd in $(ls "/proc/$rpid/fd"); do
		t=$(readlink "/proc/$rpid/fd/$fd") || continue # closed meanwhile (a lookup's socket)
		case $fd:$t in [012]:*) ;; 3:socket:*) ;; *:socket:*) [ "$fd" -gt 3 ] || return 1 ;; *) echo "fd $fd: $t"; return 1 ;; esac
	done
}
check "it holds no file but stdio and sockets (its own as 3)" fds_ok
# Every key the agent holds: the jails' private keys (first boot wrote
# them) and the PSK, as raw bytes, base64 and hex.
keys=()
for f in "$CONF/$JA/wg0.conf" "$CONF/$JB/wg0.conf"; do keys+=("$(sed -n 's/^PrivateKey = //p' "$f")"); done
keys+=("$psk")
check_eq "both jails have a private key" 3 "$(printf '%s\n' "${keys[@]}" | grep -c '^[A-Za-z0-9+/]\{43\}=$')"
memscan() { # memscan PID: how many of the keys (in any form) are in PID's memory
	python3 - "$1" "${keys[@]}" <<'PY'
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
check "the scan finds the keys in the agent's own memory (the scan works)" test "$(memscan "$APID")" -ge 1
check_eq "no private or preshared key in the resolver's memory" 0 "$(memscan "$rpid")"

# The agent survives the resolver's death, logs and counts it.
kill -9 "$rpid"
check "the agent logs the resolver's death and starts another" wait_until 5 \
	grep -q "resolver (pid $rpid) is gone (killed by signal 9); starting a new one (restart 1)" "$LOG"
check "status.json counts the restart" wait_until 5 state_is 'd["agent"]["resolver_restarts"]' 1
rpid2=$(statejq 'd["agent"]["resolver_pid"]')
check "a new resolver runs" test -n "$rpid2" -a "$rpid2" != "$rpid" -a -d "/proc/$rpid2"
check "the agent is still running" kill -0 "$AGENT"
check_eq "no key in the new resolver's memory either" 0 "$(memscan "$rpid2")"

# Bad answers: an error for that peer, logged; the agent goes on.
since=$(date +%s)
failed_since() { state_is '[j["resolution"]["'"$pa_pub"'"]["state"] == "failed" and (j["resolution"]["'"$pa_pub"'"]["time"] or 0) >= '"$since"' for j in d["jails"] if j["name"] == "'"$JA"'"]' "[True]"; }
echo malformed >"$T_TMP/dns.mode"
check "a malformed answer: asked again" wait_until 20 grep -q "malformed $NAME" "$DNSLOG"
check "a malformed answer: the peer's resolution failed (status.json)" wait_until 20 failed_since
since=$(date +%s)
echo huge >"$T_TMP/dns.mode"
check "a huge answer: asked again" wait_until 20 grep -q "huge $NAME" "$DNSLOG"
check "a huge answer: the peer's resolution failed (status.json)" wait_until 20 failed_since
check "failures are logged with the name" grep -q "jail $JA: peer $pa_pub: endpoint '$NAME:51891' does not resolve: .*; will retry" "$LOG"
check "failures are counted" test "$(statejq '[j["resolution_failures"] for j in d["jails"] if j["name"] == "'"$JA"'"][0]')" -ge 2
show_has_error() {
	W show --json "$JA" | python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["interfaces"][0]["resolution_errors"][sys.argv[1]]
assert e["endpoint"] == sys.argv[2] and "does not resolve" in e["error"], e' "$pa_pub" "$NAME:51891"
}
check "show --json JAIL has the peer's resolution error" wait_until 5 show_has_error
# metrics_rerr N: the number of wgjail_peer_resolution_error samples of
# value 1 for the named peer, with its endpoint and an error.
metrics_rerr() { W metrics "$JA" | grep -c "^wgjail_peer_resolution_error{.*public_key=\"$pa_pub\".*endpoint=\"$NAME:51891\".*error=\".*does not resolve.*\"} 1\$"; }
check_eq "wgjail metrics has the peer's resolution error" 1 "$(metrics_rerr)"
check "the agent is still running" kill -0 "$AGENT"

# The server comes back: the stalled peer is added, without a restart.
echo "$NAME 10.67.0.77" >"$T_TMP/dns.zone"
echo answer >"$T_TMP/dns.mode"
check "once the server answers, the stalled peer is added" wait_until 30 on_dev "$JA" "$pa_pub"
check_eq "with the address it answered" "10.67.0.77:51891" \
	"$(WGJ "$JA" show wg0 endpoints | awk -v k="$pa_pub" '$1 == k {print $2}')"
check "log: the name resolves now" grep -q "jail $JA: $NAME:51891 resolves now; adding its peer" "$LOG"
check "status.json: the peer's resolution is ok" wait_until 5 \
	state_is '[j["resolution"]["'"$pa_pub"'"]["state"] for j in d["jails"] if j["name"] == "'"$JA"'"]' "['ok']"
check_eq "... and wgjail metrics no more" 0 "$(metrics_rerr)"
check "same agent process" kill -0 "$AGENT"
check "B still has its peers" on_dev "$JB" "$pc_pub"
sed 's/^/agent: /' "$LOG" | tail -25 | diag
done_testing
