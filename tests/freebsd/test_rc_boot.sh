#!/bin/bash
# Boot order on FreeBSD: one owner starts each jail (issue 15).  The
# host's boot runs rc.d/wgjail (`wgjail boot`, then the agent) and
# rc.d/jail in the order rcorder(8) gives them from their REQUIRE/BEFORE
# lines (the kit has no rcorder: the order is read from the two scripts'
# headers here, and must be wgjail first).  `provision` enabled vpn1 at
# boot (jail_enable, jail_list); vpn2 was taken out of jail_list by the
# operator.  Run with FreeBSD's real rc.subr and rc.d/jail (the kit's
# 12.1, which reads /etc/jail.conf for a listed jail: the jail's block is
# put there, as 14's rc.d/jail reads it from /etc/jail.conf.d/vpn1.conf;
# FREEBSD_RC14=DIR runs 14's own), and rc/wgjail.in as `make install`
# installs it, the commands being logging stubs.
#
# Checked on the command log of the whole sequence: `wgjail boot` (which
# makes first-boot keys and the jails' files) comes before any jail is
# created, so before a jail's own rc (start_if) runs inside `jail -c`;
# rc.d/jail creates vpn1 exactly once and vpn2 never.  What `wgjail boot`
# itself creates on FreeBSD (vpn2 only, never a jail rc.d/jail starts) is
# the same decision over the same rc.conf, run with a stand-in jail(8) by
# tests/unit/test_jailfiles.c (boot_start_owner): FreeBSD's boot code is
# compiled, not run, here.  With jail_list empty, rc.d/jail starts every
# jail of /etc/jail.conf in one call (boot then leaves alone the jails
# jail.conf includes: rc/jailinc.c).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/rc_lib.sh"
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (make test-bins)"
need_rc_kit

CONF=$T_TMP/conf
R=$T_TMP/root
wj() { "$WGJAIL" -c "$CONF" "$@"; }
check "create vpn1" wj create vpn1 --id 1 --address 10.8.0.1/24 --listen-port 51820 --root /usr/local/jails/vpn1
check "create vpn2" wj create vpn2 --id 2 --address 10.9.0.1/24 --listen-port 51821 --root /usr/local/jails/vpn2
mkdir -p "$R/etc"
printf 'wgjail_enable="YES"\n' >"$R/etc/rc.conf"
check "provision vpn1" wj provision --root "$R" vpn1
check "provision vpn2" wj provision --root "$R" vpn2
check_eq "provision enabled both at boot" 'wgjail_enable="YES"
jail_list="vpn1 vpn2"
jail_enable="YES"' "$(cat "$R/etc/rc.conf")"
sed -i 's/^jail_list="vpn1 vpn2"$/jail_list="vpn1"/' "$R/etc/rc.conf" # the operator's choice
check "make install (FreeBSD layout) provides usr/local/etc/rc.d/wgjail" install_rc_script "$R"

# ---- the order, from the scripts' headers (what rcorder reads) ----------------------
hdr() { sed -n "s/^# $2: *//p" "$1" | tr ' ' '\n' | sed '/^$/d'; }
WGRC=$R/usr/local/etc/rc.d/wgjail
JRC=$KIT/rc/freebsd-12.1/etc/rc.d/jail
[ -n "${FREEBSD_RC14:-}" ] && JRC=$FREEBSD_RC14/etc/rc.d/jail
first=
{ hdr "$WGRC" BEFORE; hdr "$JRC" PROVIDE; } | sort | uniq -d | grep -q . && first=wgjail
{ hdr "$JRC" REQUIRE; hdr "$WGRC" PROVIDE; } | sort | uniq -d | grep -q . && first=wgjail
{ hdr "$JRC" BEFORE; hdr "$WGRC" PROVIDE; } | sort | uniq -d | grep -q . && first=${first:+both}${first:-jail}
check_eq "rcorder: rc.d/wgjail runs before rc.d/jail (its BEFORE: jail)" wgjail "$first"

# ---- the sequence ------------------------------------------------------------------------
if [ -z "${FREEBSD_RC14:-}" ]; then
	cp "$R/etc/jail.conf.d/vpn1.conf" "$R/etc/jail.conf"
	echo "# (12.1's rc.d/jail: vpn1's block in /etc/jail.conf)" >&2
	RCSET=()
else
	RCSET=(-R "$FREEBSD_RC14")
fi
SEQ=$T_TMP/sequence.log
: >"$SEQ"
# step SCRIPT STUBS: run one rc script's start with the kit, append its
# command log to the sequence.
step() {
	local w=$T_TMP/w.$1
	rm -rf "$w"
	sh "$RUNRC" -q "${RCSET[@]}" -w "$w" "$R" "$2" "$3" start >"$T_TMP/$1.out" 2>&1
	local rc=$?
	[ "$rc" -ne 77 ] || skip_all "run-rc.sh cannot make its sandbox here (exit 77)"
	cat "$w/root/var/sim/commands.log" >>"$SEQ" 2>/dev/null
	return "$rc"
}
check "service wgjail start (real rc.subr, rc/wgjail.in)" step wgjail "wgjail daemon install limits logger" /usr/local/etc/rc.d/wgjail
check "rc.d/jail start (real)" step jail "jail jls" jail
sed 's/^/sequence: /' "$SEQ" | diag
boot_line=$(grep -n '^wgjail boot$' "$SEQ" | cut -d: -f1)
check "wgjail boot runs (first-boot keys, the jails' files)" test -n "$boot_line"
check_eq "rc.d/jail creates vpn1 exactly once" 1 "$(grep -c '^jail .*-c vpn1$' "$SEQ")"
check_eq "... and vpn2 (not in jail_list) never: boot starts it" 0 "$(grep -c '^jail .*-c vpn2$' "$SEQ")"
create_line=$(grep -n '^jail .*-c vpn1$' "$SEQ" | head -1 | cut -d: -f1)
check "wgjail boot comes before the jail is created (and its start_if runs in it)" \
	test -n "$boot_line" -a -n "$create_line" -a "${boot_line:-0}" -lt "${create_line:-0}"
check "no jail is created before wgjail boot" test "$(head -n "${boot_line:-1}" "$SEQ" | grep -c '^jail .* -c ')" -eq 0

# ---- an empty jail_list ----------------------------------------------------------------
# What boot's decision for that case rests on (agent/jailcmd.c,
# rc/jailinc.c): rc.d/jail then starts every jail of /etc/jail.conf in
# one jail(8) call, naming none, so a jail that jail.conf includes is
# started by it and must not be started by boot as well.
sed -i '/^jail_list=/d' "$R/etc/rc.conf"
: >"$SEQ"
check "rc.d/jail start with jail_list empty (real)" step jail "jail jls" jail
sed 's/^/empty list: /' "$SEQ" | diag
check_eq "... one jail(8) call for every jail of /etc/jail.conf" 1 "$(grep -c '^jail .*-f /etc/jail.conf -c\( -p1\)\?$' "$SEQ")"
check_eq "... and none by name" 0 "$(grep -c '^jail .* -c [a-z]' "$SEQ")"
done_testing
