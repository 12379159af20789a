#!/bin/bash
# Crash safety of the record of the last sync: `wgjail sync` killed with
# SIGKILL at random moments - before, while and after it changes the
# device and appends to its record - and then the next sync, which may use
# the record: the device must always end exactly as the file says.
#
#   namespace a: IFX, synced by `wgjail sync` (killed, then again)
#   namespace b: IFY, synced by `wgjail sync --full` (the reference)
# For each step i of a sequence of random hand edits: a sync to step i+1
# is killed, then step i is synced (back to the file the record may still
# say is applied: a record that trusted a half-applied device would leave
# it wrong here), then step i+1 (a record-based sync after a killed one).
# A kill that hits between BEGIN and the edit leaves a log that ends in
# BEGIN; one that hits the append leaves it torn: either way the next sync
# reads the device.  The record is compacted along the way (more than
# WG_APPLIED_MAX_EDITS syncs).
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd wg
need_cmd python3

export WGJAIL_STATEDIR="$T_TMP/state"
IFX="u4$$kx" IFY="u4$$ky"
on_exit "rm -f /var/run/wireguard/$IFX.sock /var/run/wireguard/$IFY.sock"
ns_new a && ns_new b || { t_fail "namespaces"; done_testing; exit; }
wg_go a "$IFX" && wg_go b "$IFY" || { t_fail "wireguard-go starts"; done_testing; exit; }

umask 077
"$WGJAIL" genkey >"$T_TMP/priv"
STEPS=${SYNC_CRASH_STEPS:-24}
python3 "$(dirname "$0")/conf_mutate.py" "$T_TMP/priv" "$T_TMP" "$STEPS" "${SEED:-$$}"
echo "# seed ${SEED:-$$}"

# Endpoints are left out: a killed sync may have given a peer an endpoint
# that no later sync can take away (wg has no "no endpoint"; a file
# without one leaves the device's, which may have roamed) or that the
# endpoint memory, written after the device, does not know of - the
# endpoint rules with or without a record, not the record's.  Every other
# field must be exact; test_sync_record checks endpoints too.
state() { nsx "$1" wg showconf "$2" | sorted_showconf | sed 's/ Endpoint=[^ ]*//'; }
# sync_to I: both devices to step I (a: may use the record; b: --full)
sync_to() {
	local f="$T_TMP/step-$1.conf" out
	out=$(nsx a "$WGJAIL" sync -v "$IFX" "$f" 2>&1) || { echo "wgjail sync failed: $out"; return 1; }
	grep -q "the device was not read" <<<"$out" && fast=$((fast + 1))
	nsx b "$WGJAIL" sync --full "$IFY" "$f" >/dev/null 2>&1 || { echo "wgjail sync --full failed"; return 1; }
	[ "$(state a "$IFX")" = "$(state b "$IFY")" ] || { diff <(state a "$IFX") <(state b "$IFY"); return 1; }
}

# crash I NEXT: the sync of step NEXT dies; how depends on I.  With strace
# the death lands exactly on the record's two appends: at BEGIN (the
# device untouched), between BEGIN and the edit (the device changed, the
# record unfinished), or the edit torn (written with a hole); without it,
# and every fourth time anyway, at a random moment.
crash() {
	local f="$T_TMP/step-$2.conf" mode=$(($1 % 4)) pid
	command -v strace >/dev/null || mode=0 # (tests/deps.sh installs it)
	case $mode in
	1 | 2) ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=pwrite64 \
		-e inject=pwrite64:signal=KILL:when=$mode ip netns exec "$(ns a)" "$WGJAIL" sync "$IFX" "$f" >/dev/null 2>&1 ;;
	3) ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=pwrite64 \
		-e inject=pwrite64:retval=17:when=2 ip netns exec "$(ns a)" "$WGJAIL" sync "$IFX" "$f" >/dev/null 2>&1 ;;
	*)	# not through nsx: a function in the background is a subshell,
		# and the kill must reach wgjail itself (ip netns exec execs it)
		ip netns exec "$(ns a)" "$WGJAIL" sync "$IFX" "$f" >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$((RANDOM % 60))"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null ;;
	esac
	return $mode
}

fast=0 bad=0 unfinished=0 unnoticed=0
sync_to 000 | diag
for i in $(seq 0 $((STEPS - 1))); do
	cur=$(printf %03d "$i") next=$(printf %03d $((i + 1)))
	crash "$i" "$next"
	mode=$?
	out=$(nsx a "$WGJAIL" sync -v -n "$IFX" "$T_TMP/step-$cur.conf" 2>&1)
	# (a step that changes nothing writes nothing: no record to tear)
	if [ "$mode" -ge 2 ] && ! cmp -s "$T_TMP/step-$cur.conf" "$T_TMP/step-$next.conf"; then
		unfinished=$((unfinished + 1))
		grep -q "reading the device (no record" <<<"$out" || { unnoticed=$((unnoticed + 1)); printf 'step %s (%s): %s\n' "$i" "$mode" "$out" | diag; }
	fi
	{ sync_to "$cur" && sync_to "$next"; } >"$T_TMP/out" 2>&1 || { bad=$((bad + 1)); { echo "step $i:"; cat "$T_TMP/out"; } | diag; }
done
check_eq "after every killed sync, the next syncs leave the device as the file says" 0 "$bad"
check_eq "a record left unfinished or torn by a killed sync is never used ($unfinished)" 0 "$unnoticed"
check "the record served the other syncs ($fast of $((2 * STEPS + 1)))" test "$fast" -gt "$STEPS"
check "no temporary file of a killed writer is used as a record" \
	test -z "$(ls "$WGJAIL_STATEDIR/applied" | grep -v -e ',lock$' -e '\.tmp' | grep -v -- "-$IFX\$" | grep -v -- "-$IFY\$")"
done_testing
