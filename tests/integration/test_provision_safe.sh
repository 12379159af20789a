#!/bin/bash
# Issue 13: provision writes only the files that are its own, only inside
# the tree it was given.  Everything under a --root directory.
#
#   item 5   an interface whose /etc/IF.conf would be a system file is
#            refused at create; an existing /etc/IF.conf that is not a
#            WireGuard configuration is never replaced
#   item 6   ROOT/etc swapped for a link to a directory outside, over and
#            over while provision runs: nothing is ever written outside
#   item 7   a jail root or --root that is the host's /, or whose etc or
#            boot is the host's, is refused
#   item 14  an rc.conf with a quote open across lines is refused, as is
#            (for the same reason) a line continued with a backslash
#   item 15  after an interface rename, the files and rc.conf keys of the
#            old one are removed; killed writers' temporary files are swept
#            from every directory provision writes and from the jail's
#            configuration directory
. "$(dirname "$0")/lib.sh"
[ -x "${WGJAIL_FAST:-$TOP/wgjail}" ] && WGJAIL=${WGJAIL_FAST:-$TOP/wgjail}
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (run make test-bins)"

CONF=$T_TMP/conf
IMG=$T_TMP/img
J=ps$$
W() { "$WGJAIL" -c "$CONF" "$@"; }
umask 022
mkdir -p "$IMG/usr/local/jails/$J/etc" "$IMG/boot" "$IMG/etc/jail.conf.d"
JR=$IMG/usr/local/jails/$J
sum() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

check "create" W create "$J" --address 10.80.0.1/24 --listen-port 51910
check "provision" W provision --root "$IMG" "$J"
check "wg0.conf written in the jail" test -f "$JR/etc/wg0.conf"

# ---- item 5 -----------------------------------------------------------------
for n in rc resolv sysctl pf ntp syslog login devfs; do
	check_fails "create --interface $n is refused" W create "$J" --interface "$n"
done
check "the jail's rc.conf is still an rc.conf" grep -q '^network_interfaces="lo0 wg0"' "$JR/etc/rc.conf"
check "--interface motd is allowed (no system file motd.conf)" W create "$J" --interface motd
printf 'welcome to the jail\n' >"$JR/etc/motd.conf"
out=$(W provision --root "$IMG" "$J" 2>&1)
check_eq "an /etc/motd.conf that is not a WireGuard config: provision fails" 1 "$?"
check "... saying so" grep -q "motd.conf exists and is not a WireGuard configuration" <<<"$out"
check_eq "... and leaves it alone" "welcome to the jail" "$(cat "$JR/etc/motd.conf")"
rm "$JR/etc/motd.conf"

# ---- item 15: the old interface's files go --------------------------------
check "provision with the renamed interface" W provision --root "$IMG" "$J"
check_fails "the old wg0.conf (a copy of the key) is gone" test -e "$JR/etc/wg0.conf"
check_fails "the old start_if.wg0 is gone" test -e "$JR/etc/start_if.wg0"
check_fails "ifconfig_wg0 is gone from rc.conf" grep -q "^ifconfig_wg0" "$JR/etc/rc.conf"
check "ifconfig_motd is there" grep -q '^ifconfig_motd="inet 10.80.0.1/24"' "$JR/etc/rc.conf"
check "motd.conf and start_if.motd are there" test -f "$JR/etc/motd.conf" -a -f "$JR/etc/start_if.motd"
echo "# mine" >"$JR/etc/start_if.other"
W create "$J" --interface wg0 >/dev/null
check "rename back, provision" W provision --root "$IMG" "$J"
check_fails "motd.conf is gone" test -e "$JR/etc/motd.conf"
check "a start_if that provision did not write stays" test -f "$JR/etc/start_if.other"

for f in "$JR/etc/rc.conf" "$JR/etc/wg0.conf" "$IMG/boot/loader.conf" "$IMG/etc/jail.conf.d/$J.conf"; do
	echo "old secret" >"$f.tmpAbC123"
done
echo "old key" >"$CONF/$J/wg0.conf.tmpXyZ789"
echo "spec" >"$CONF/$J/jail.conf.tmpXyZ789"
check "provision after killed writers" W provision --root "$IMG" "$J"
check_eq "their temporary files are swept from the jail, /boot and /etc/jail.conf.d" 0 \
	"$(find "$IMG" -name '*.tmp??????' | wc -l)"
check_eq "... and from the configuration directory" 0 "$(find "$CONF" -name '*.tmp??????' | wc -l)"

# ---- item 14 ----------------------------------------------------------------
cp "$JR/etc/rc.conf" "$T_TMP/rc.saved"
printf 'motd="Welcome\nifconfig_wg0="legacy"\nbye"\n' >>"$JR/etc/rc.conf"
before=$(sum "$JR/etc/rc.conf")
W create "$J" --mtu 1300 >/dev/null
out=$(W provision --root "$IMG" "$J" 2>&1)
check_eq "rc.conf with a quote open across lines: provision fails" 1 "$?"
check "... naming the line where it opens" grep -q "rc.conf:$(($(wc -l <"$T_TMP/rc.saved") + 1)): a quoted value" <<<"$out"
check_eq "... rc.conf unchanged" "$before" "$(sum "$JR/etc/rc.conf")"
cp "$T_TMP/rc.saved" "$JR/etc/rc.conf"
printf 'foo="a" \\\nifconfig_wg0="x"\n' >>"$JR/etc/rc.conf"
check_fails "a line continued with a backslash: refused too" W provision --root "$IMG" "$J"
cp "$T_TMP/rc.saved" "$JR/etc/rc.conf"
check "a plain rc.conf again: provision works" W provision --root "$IMG" "$J"

# ---- item 7 -----------------------------------------------------------------
# What follows would, without the fix, write this host's /etc and /boot: it
# runs in a private mount namespace where /etc and /boot are empty tmpfs,
# so that even a wgjail that gets it wrong harms nothing.
sandbox() { unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs wgjail-test /etc &&
	mount -t tmpfs wgjail-test /boot && exec "$@"' sandbox "$@"; }
check_fails "create --root / is refused" W create "$J" --root /
check_fails "create --root /. is refused" W create "$J" --root /.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && sandbox true 2>/dev/null; then
	mkdir -p "$IMG/jails"
	ln -s / "$IMG/jails/hostroot"
	check "a root that is a link to / passes create (a path)" W create "$J" --root /jails/hostroot
	out=$(sandbox "$WGJAIL" -c "$CONF" provision --root "$IMG" "$J" 2>&1)
	check_eq "... but provision into it fails" 1 "$?"
	check "... saying it is the host's root" grep -q "this host's root directory" <<<"$out"
	mkdir -p "$IMG/jails/fake"
	ln -s /etc "$IMG/jails/fake/etc"
	W create "$J" --root /jails/fake >/dev/null
	out=$(sandbox "$WGJAIL" -c "$CONF" provision --root "$IMG" "$J" 2>&1)
	check_eq "a jail root whose etc is the host's /etc: refused" 1 "$?"
	check "... saying so" grep -q "its etc is this host's /etc" <<<"$out"
	mkdir -p "$T_TMP/jr"
	W create "$J" --root "$T_TMP/jr" >/dev/null
	out=$(sandbox "$WGJAIL" -c "$CONF" provision --root / "$J" 2>&1)
	check_eq "provision --root / is refused" 1 "$?"
	check "... as the host's root" grep -q "this host's root directory" <<<"$out"
	mkdir -p "$T_TMP/img2"
	ln -s /boot "$T_TMP/img2/boot"
	check_fails "a --root whose boot is the host's /boot is refused" \
		sandbox "$WGJAIL" -c "$CONF" provision --root "$T_TMP/img2" "$J"
	W create "$J" --root "/usr/local/jails/$J" >/dev/null
else
	t_skip "provision into the host's own root" "needs root and unshare (a private mount namespace)"
fi

# ---- item 6: the jail's root user swaps etc for a link, again and again ----
OUT=$T_TMP/outside
mkdir -p "$OUT"
(
	while :; do
		mv "$JR/etc" "$JR/etc.real" 2>/dev/null && ln -s "$OUT" "$JR/etc" 2>/dev/null
		rm -f "$JR/etc" 2>/dev/null; mv "$JR/etc.real" "$JR/etc" 2>/dev/null
	done
) &
SWAPPER=$!
T_PIDS+=("$SWAPPER")
RUNS=${PROVISION_RACE_RUNS:-400}
wrote=0
for ((i = 0; i < RUNS; i++)); do
	W create "$J" --mtu $((1300 + i % 2)) >/dev/null 2>&1
	W provision --root "$IMG" "$J" >/dev/null 2>&1 && wrote=$((wrote + 1))
	[ -n "$(ls -A "$OUT")" ] && break
done
kill "$SWAPPER" 2>/dev/null
wait "$SWAPPER" 2>/dev/null
echo "# $RUNS provision runs against a swapping etc, $wrote of them wrote"
check_eq "nothing was ever written outside the jail's root" "" "$(ls -A "$OUT")"
check "provision did write through the real etc meanwhile" test "$wrote" -gt 0
rm -rf "${JR:?}/etc" "$JR/etc.real"
check "with the swapping over, provision works" W provision --root "$IMG" "$J"
check "... and the jail's rc.conf is there" grep -q '^network_interfaces="lo0 wg0"' "$JR/etc/rc.conf"
done_testing
