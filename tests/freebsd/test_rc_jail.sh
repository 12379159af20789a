#!/bin/bash
# On the host: `wgjail provision` enables the jail at boot in /etc/rc.conf
# (jail_enable="YES", the jail added to jail_list; every other line, name
# and value kept), -n shows it, a second run changes nothing, a jail_list
# that is not a plain list is refused with file, line and value and
# nothing written, an empty jail_list on a host with /etc/jail.conf is
# left alone (it starts every jail of jail.conf), with a note.  Then
# FreeBSD's real rc.d/jail reads the result (the kit's 12.1 copy: it walks
# jail_list but has no jail.conf.d step; 14's does, see the kit's
# rc/README.md).  No root needed but for the rc run.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/rc_lib.sh"
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (make test-bins)"

CONF=$T_TMP/conf
wj() { "$WGJAIL" -c "$CONF" "$@"; }
check "create vpn1" wj create vpn1 --id 1 --address 10.8.0.1/24 --listen-port 51820 --root /usr/local/jails/vpn1
# snap DIR: every file under DIR with its content.
snap() { (cd "$1" && find . -type f | sort | while read -r f; do echo "== $f"; cat "$f"; done); }

# ---- jail_list with other names: appended, the rest kept ------------------------------
R=$T_TMP/r1
mkdir -p "$R/etc"
cat >"$R/etc/rc.conf" <<'EOF'
# the host's own settings
hostname="host.example.org"
jail_list="www db"
ifconfig_em0="DHCP"   # uplink
jail_enable="NO"
sshd_enable="YES"
EOF
before=$(snap "$R")
out=$(wj provision -n --root "$R" vpn1 2>&1); rc=$?
check_eq "-n exits 0" 0 "$rc"
check_eq "-n writes nothing" "$before" "$(snap "$R")"
check_eq "-n shows the rc.conf change" \
"$R/etc/rc.conf: update, mode 0644
@@ -1,6 +1,6 @@
 # the host's own settings
 hostname=\"host.example.org\"
-jail_list=\"www db\"
+jail_list=\"www db vpn1\"
 ifconfig_em0=\"DHCP\"   # uplink
-jail_enable=\"NO\"
+jail_enable=\"YES\"
 sshd_enable=\"YES\"" "$(sed -n "\|^$R/etc/rc.conf:|,/^[^-+ @]/p" <<<"$out" | sed '$d')"
check "provision" wj provision --root "$R" vpn1
check_eq "rc.conf: jail_enable and jail_list set, every other line byte for byte" \
'# the host'"'"'s own settings
hostname="host.example.org"
jail_list="www db vpn1"
ifconfig_em0="DHCP"   # uplink
jail_enable="YES"
sshd_enable="YES"' "$(cat "$R/etc/rc.conf")"
check_eq "rc.conf keeps its mode" 644 "$(stat -c %a "$R/etc/rc.conf")"
out=$(wj provision --root "$R" vpn1 2>&1)
check "a second run leaves rc.conf unchanged" grep -qx "unchanged $R/etc/rc.conf" <<<"$out"

# ---- no rc.conf at all, then one that already names the jail -------------------------
R=$T_TMP/r2
mkdir -p "$R"
check "provision without a host rc.conf" wj provision --root "$R" vpn1
check_eq "rc.conf created with the two keys" 'jail_list="vpn1"
jail_enable="YES"' "$(cat "$R/etc/rc.conf")"
R=$T_TMP/r3
mkdir -p "$R/etc"
printf "jail_enable=yes\njail_list='vpn1 www'   # kept\n" >"$R/etc/rc.conf"
check "provision with the jail listed already and jail_enable=yes" wj provision --root "$R" vpn1
check_eq "... rc.conf kept byte for byte" "jail_enable=yes
jail_list='vpn1 www'   # kept" "$(cat "$R/etc/rc.conf")"

# ---- a jail_list that is not a plain list: refused, nothing written ------------------------
R=$T_TMP/r4
mkdir -p "$R/etc"
printf '# x\njail_list="${jail_list} www"\n' >"$R/etc/rc.conf"
before=$(snap "$R")
out=$(wj provision --root "$R" vpn1 2>&1); rc=$?
check_eq "jail_list with a \$variable: refused (exit 1)" 1 "$rc"
check_eq "... naming file, line and value" \
	"wgjail: $R/etc/rc.conf:2: jail_list=\"\${jail_list} www\" is not a plain list of jail names; add vpn1 to it by hand" "$out"
check_eq "... nothing written (the jail's files neither)" "$before" "$(snap "$R")"

# ---- empty jail_list on a host with /etc/jail.conf: left alone --------------------------
R=$T_TMP/r5
mkdir -p "$R/etc"
printf 'jail_enable="YES"\n' >"$R/etc/rc.conf"
printf 'www { path = "/jails/www"; }\n' >"$R/etc/jail.conf"
out=$(wj provision --root "$R" vpn1 2>&1); rc=$?
check_eq "empty jail_list and /etc/jail.conf: provision still succeeds" 0 "$rc"
check_eq "... rc.conf untouched" 'jail_enable="YES"' "$(cat "$R/etc/rc.conf")"
check "... and a note says why and what to do" grep -q "^note: $R/etc/rc.conf: jail_list is empty, so rc.d/jail starts every jail of /etc/jail.conf" <<<"$out"

# ---- FreeBSD's rc.d/jail reads it ---------------------------------------------------------------
need_rc_kit
R=$T_TMP/r1
rc_golden "rc.d/jail start (12.1) walks the jail_list provision wrote (no jail.conf.d step in 12.1)" \
	jail-start-12.1 "$R" "jail jls" jail start
if [ -n "${FREEBSD_RC14:-}" ]; then
	# A FreeBSD 14 rc tree (etc/rc.subr, etc/rc.d/jail, ...) given by the caller.
	rc_run "$T_TMP/r14" -R "$FREEBSD_RC14" "$R" "jail jls" jail start
	check "rc.d/jail start (14): jail -c vpn1 from /etc/jail.conf.d/vpn1.conf" \
		grep -q "jail .*-f /etc/jail.conf.d/vpn1.conf -c vpn1" "$T_TMP/r14"
else
	echo "# SKIPPED: FreeBSD 14's rc.d/jail (FREEBSD_RC14=DIR, not in the kit)" >&2
	t_skip "rc.d/jail start (14) reads /etc/jail.conf.d/vpn1.conf" "no FreeBSD 14 rc tree (FREEBSD_RC14=DIR)"
fi

done_testing
