#!/bin/bash
# The fast path of `wgjail sync`: with a record of its last sync to this very
# device, the file is compared with the recorded one and only the sections
# that differ are parsed and sent; the device is not read.
#
#   namespace a: IFX, synced by `wgjail sync` (the fast path when it can)
#   namespace b: IFY, synced by `wgjail sync --full` (the device read whole)
# After every step of a sequence of random hand edits both devices must be
# the same.  Then: what the record trusts (a change made with `wg set` is
# seen only by --full), a restarted wireguard-go, a malformed edit, a dry
# run, host names, the record's permissions.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd wg
need_cmd python3

export WGJAIL_STATEDIR="$T_TMP/state"
IFX="u4$$rx" IFY="u4$$ry"
on_exit "rm -f /var/run/wireguard/$IFX.sock /var/run/wireguard/$IFY.sock"
ns_new a && ns_new b || { t_fail "namespaces"; done_testing; exit; }
wg_go a "$IFX" && wg_go b "$IFY" || { t_fail "wireguard-go starts"; done_testing; exit; }
XPID=${T_PIDS[-2]}

umask 077
"$WGJAIL" genkey >"$T_TMP/priv"
STEPS=36
python3 "$(dirname "$0")/conf_mutate.py" "$T_TMP/priv" "$T_TMP" "$STEPS" "${SEED:-$$}"
echo "# seed ${SEED:-$$}"

state() { nsx "$1" wg showconf "$2" | sorted_showconf; }
record() { ls "$WGJAIL_STATEDIR"/applied/ 2>/dev/null | grep -v ',lock$' | grep -- "-$IFX\$"; }

# ---- a sequence of hand edits: fast path == full path -------------------------
fast=0 mismatch=0
for i in $(seq -f %03g 0 "$STEPS"); do
	f="$T_TMP/step-$i.conf"
	out=$(nsx a "$WGJAIL" sync -v "$IFX" "$f" 2>&1) || { t_fail "step $i: wgjail sync"; printf '%s\n' "$out" | diag; }
	grep -q "the device was not read" <<<"$out" && fast=$((fast + 1))
	nsx b "$WGJAIL" sync --full "$IFY" "$f" >/dev/null 2>&1 || t_fail "step $i: wgjail sync --full"
	if [ "$(state a "$IFX")" != "$(state b "$IFY")" ]; then
		mismatch=$((mismatch + 1))
		{ echo "step $i:"; diff <(state a "$IFX") <(state b "$IFY"); printf '%s\n' "$out"; } | diag
	fi
done
check_eq "every step: the fast path leaves the device as the full sync does" 0 "$mismatch"
check "the fast path was taken for most steps ($fast of $STEPS)" test "$fast" -ge $((STEPS * 3 / 4))
check "the comparison was about real devices" test "$(nsx a wg show "$IFX" peers | wc -l)" -ge 20

last="$T_TMP/step-$(printf %03d "$STEPS").conf"
# ---- the same file again: nothing sent, nothing read -------------------------
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$last" 2>&1)
check "same file: the device is not read" grep -q "0 of .* new or changed, 0 gone; the device was not read" <<<"$out"
check "same file: no change" grep -qx "$IFX: no change" <<<"$out"

# ---- the record: where, and its permissions ----------------------------------
rec=$(record)
check "a record of the last sync exists" test -n "$rec"
check_eq "the record is 0600 (it holds the private key)" 600 "$(stat -c %a "$WGJAIL_STATEDIR/applied/$rec" 2>/dev/null)"
check_eq "its directory is 0700" 700 "$(stat -c %a "$WGJAIL_STATEDIR/applied")"

# ---- what the record trusts: a change made behind wgjail's back -------------
victim=$(nsx a wg show "$IFX" peers | head -1)
nsx a wg set "$IFX" peer "$victim" remove
out=$(nsx a "$WGJAIL" sync "$IFX" "$last" 2>&1)
check_eq "after wg set: the record says nothing changed (the device is not read)" "$IFX: no change" "$out"
check_fails "so the peer removed by hand is still missing" grep -qx "$victim" <<<"$(nsx a wg show "$IFX" peers)"
out=$(nsx a "$WGJAIL" sync -v --full "$IFX" "$last" 2>&1)
check "--full reads the device" grep -q "reading the device (--full)" <<<"$out"
check "--full puts the peer back" grep -qx "$victim" <<<"$(nsx a wg show "$IFX" peers)"
check_eq "and the devices agree again" "$(state b "$IFY")" "$(state a "$IFX")"

# ---- a malformed edit: the full parse names the line; nothing changes ---------
before=$(state a "$IFX")
bad="$T_TMP/bad.conf"
{ cat "$last"; printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.300.0.0/24\n' "$("$WGJAIL" genkey | "$WGJAIL" pubkey)"; } >"$bad"
line=$(grep -n "10.300.0.0" "$bad" | cut -d: -f1)
out=$(nsx a "$WGJAIL" sync "$IFX" "$bad" 2>&1); rc=$?
check_eq "malformed: exit 1" 1 "$rc"
check "malformed: the error names file:line and the value" grep -q "bad.conf:$line: AllowedIPs.*10.300.0.0" <<<"$out"
check_eq "malformed: the device is unchanged" "$before" "$(state a "$IFX")"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$last" 2>&1)
check "malformed: the record still serves the next sync" grep -q "the device was not read" <<<"$out"

# ---- a dry run on the fast path ------------------------------------------------
pub=$("$WGJAIL" genkey | "$WGJAIL" pubkey)
{ cat "$last"; printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.254.0.0/24\n' "$pub"; } >"$T_TMP/plus.conf"
out=$(nsx a "$WGJAIL" sync -n -v "$IFX" "$T_TMP/plus.conf" 2>&1)
# (1 or 2 sections: the blank line before the new [Peer] belongs to the last one)
check "dry run: planned from the record" grep -q "[12] of .* new or changed, 0 gone; the device was not read" <<<"$out"
check "dry run: shows the new peer" grep -q "^add    $pub: allowed ips 10.254.0.0/24" <<<"$out"
check_fails "dry run: nothing applied" grep -qx "$pub" <<<"$(nsx a wg show "$IFX" peers)"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$T_TMP/plus.conf" 2>&1)
check "then applied from the record" grep -q "[12] of .* new or changed, 0 gone; the device was not read" <<<"$out"
check "the new peer is on the device" grep -qx "$pub" <<<"$(nsx a wg show "$IFX" peers)"

# ---- the interface kept: the delta holds no [Interface] (nothing derived or
# ---- held twice), and a [Peer] with the interface's own key is still ignored
own=$(nsx a wg show "$IFX" public-key)
{ cat "$T_TMP/plus.conf"; printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.251.0.0/24\n' "$own"; } >"$T_TMP/own.conf"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$T_TMP/own.conf" 2>&1)
check "own key: planned from the record" grep -q "the device was not read" <<<"$out"
check "own key: nothing planned, as the full sync does" grep -qx "$IFX: no change" <<<"$out"
check_fails "own key: not a peer of the device" grep -qx "$own" <<<"$(nsx a wg show "$IFX" peers)"
check_eq "own key: the full sync agrees" "$IFY: no change" \
	"$(nsx b "$WGJAIL" sync --full "$IFY" "$T_TMP/plus.conf" >/dev/null 2>&1; nsx b "$WGJAIL" sync --full "$IFY" "$T_TMP/own.conf" 2>&1 | tail -1)"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$T_TMP/plus.conf" 2>&1)
check "back to plus.conf: planned from the record" grep -q "the device was not read" <<<"$out"
nsx b "$WGJAIL" sync --full "$IFY" "$last" >/dev/null 2>&1 || t_fail "b back to the last step"

# ---- host names: resolved at every sync, so never recorded ---------------------
{ cat "$last"; printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.253.0.0/24\nEndpoint = localhost:51820\n' "$pub"; } >"$T_TMP/host.conf"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$T_TMP/host.conf" 2>&1)
check "a host name: the device is read" grep -q "reading the device (the file names hosts" <<<"$out"
check_eq "a host name: no record is left" "" "$(record)"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$last" 2>&1)
check "without a record: the device is read" grep -q "reading the device (no record" <<<"$out"
check_eq "and the device matches the file again" "$(state b "$IFY")" "$(state a "$IFX")"

# ---- another device instance: wireguard-go restarted ---------------------------
kill "$XPID"; wait "$XPID" 2>/dev/null
wait_until 5 test ! -S "/var/run/wireguard/$IFX.sock"
wg_go a "$IFX" || t_fail "wireguard-go restarts"
check "a record exists for the old instance" test -n "$(record)"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$last" 2>&1)
check "a new device instance: the record is not used" grep -q "reading the device (no record of a sync to this device instance)" <<<"$out"
check_eq "the new instance gets everything" "$(state b "$IFY")" "$(state a "$IFX")"

# ---- a daemon that died and left its socket behind --------------------------------
# The fast path sends nothing when nothing changed, so it does not wake the
# daemon to see whether it is there; the first sync that sends something
# finds out, fails naming the socket, removes it (as wg(8) does) and drops
# the record.
check "the new instance has a record" test -n "$(record)"
kill -KILL "${T_PIDS[-1]}"; wait "${T_PIDS[-1]}" 2>/dev/null
check "SIGKILL leaves the socket behind" test -S "/var/run/wireguard/$IFX.sock"
out=$(nsx a "$WGJAIL" sync -v "$IFX" "$last" 2>&1)
check "same file: answered from the record, the daemon not contacted" grep -q "the device was not read" <<<"$out"
pub2=$("$WGJAIL" genkey | "$WGJAIL" pubkey)
{ cat "$last"; printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.252.0.0/24\n' "$pub2"; } >"$T_TMP/dead.conf"
out=$(nsx a "$WGJAIL" sync "$IFX" "$T_TMP/dead.conf" 2>&1)
rc=$?
check_eq "a change for a dead daemon: exit 1" 1 "$rc"
check "the error names the socket" grep -q "$IFX: no userspace WireGuard socket /var/run/wireguard/$IFX.sock" <<<"$out"
check "the stale socket is removed" test ! -e "/var/run/wireguard/$IFX.sock"
check_eq "the record is dropped" "" "$(record)"
out=$(nsx a "$WGJAIL" sync "$IFX" "$T_TMP/dead.conf" 2>&1)
check "then: no such interface" grep -q "$IFX: no such WireGuard interface" <<<"$out"

# ---- usage -----------------------------------------------------------------------
"$WGJAIL" sync --help | grep -q -- "--full" && t_ok "--help explains --full" || t_fail "--help explains --full"
done_testing
