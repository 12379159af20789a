#!/bin/bash
# wgjail provision: the FreeBSD files, checked by what is written.  Needs no
# root and no FreeBSD: everything happens under a --root directory.
#
#   tests/golden/provision/CASE/spec        the jail spec (jail.conf)
#   tests/golden/provision/CASE/wg.conf.in  its WireGuard config; @PRIV@ and
#                                           @PEER@ become keys made here
#   tests/golden/provision/CASE/pre/        files present before the run
#   tests/golden/provision/CASE/expect/     the tree after the run (keys
#                                           masked back to @PRIV@/@PEER@)
#   tests/golden/provision/CASE/dry-run.out `provision -n` output (root
#                                           path shown as @ROOT@)
#
# UPDATE=1 bash tests/integration/test_provision.sh regenerates expect/ and
# dry-run.out from the current code (review the git diff before committing).
. "$(dirname "$0")/lib.sh"

[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (run make test-bins)"
GOLD=$TOP/tests/golden/provision
UPDATE=${UPDATE:-0}
CONF=$T_TMP/conf
mkdir -p "$CONF"
umask 022

# Keys live in files only; substitution and masking read them from there.
( umask 077; "$WGJAIL" genkey >"$T_TMP/priv.key" ) || exit 1
"$WGJAIL" genkey | "$WGJAIL" pubkey >"$T_TMP/peer.pub" || exit 1

# subst_keys < template > file
subst_keys() {
	awk -v pf="$T_TMP/priv.key" -v qf="$T_TMP/peer.pub" '
		BEGIN { getline p < pf; getline q < qf }
		{ gsub(/@PRIV@/, p); gsub(/@PEER@/, q); print }'
}
# mask_keys < file > masked: the keys (and ROOT) back to placeholders.
mask_keys() {
	awk -v pf="$T_TMP/priv.key" -v qf="$T_TMP/peer.pub" -v root="${1:-}" '
		BEGIN { getline p < pf; getline q < qf }
		function rep(s, from, to,    i, out) {
			out = ""
			while (from != "" && (i = index(s, from)) > 0) {
				out = out substr(s, 1, i - 1) to; s = substr(s, i + length(from))
			}
			return out s
		}
		{ $0 = rep($0, p, "@PRIV@"); $0 = rep($0, q, "@PEER@"); if (root != "") $0 = rep($0, root, "@ROOT@"); print }'
}

# spec_setup CASE: CONFDIR/CASE/{jail.conf,IF.conf} from the fixtures.
spec_setup() {
	local c=$1 ifn
	mkdir -p "$CONF/$c"
	cp "$GOLD/$c/spec" "$CONF/$c/jail.conf"
	ifn=$(sed -n 's/^interface *= *//p' "$GOLD/$c/spec")
	(umask 077; subst_keys <"$GOLD/$c/wg.conf.in" >"$CONF/$c/${ifn:-wg0}.conf")
}
# root_setup CASE DIR: DIR with the case's pre-existing files.
root_setup() {
	rm -rf "$2"; mkdir -p "$2"
	[ -d "$GOLD/$1/pre" ] && cp -R "$GOLD/$1/pre/." "$2/"
	return 0
}
# snapshot DIR: every path with type, mode, size and content hash.
snapshot() {
	(cd "$1" && find . -printf '%p %y %m %s\n' | sort &&
		find . -type f -exec sha256sum {} + | sort -k2)
}
prov() { "$WGJAIL" -c "$CONF" provision "$@"; }

cd "$T_TMP" || exit 1 # nothing lands in the source tree (a relative --root is tried below)
CASES="bridge4 bridge6 wg4 wg6 nat4 nat6"

# ---- golden files --------------------------------------------------------
for c in $CASES; do
	spec_setup "$c"
	R=$T_TMP/root-$c
	root_setup "$c" "$R"
	before=$(snapshot "$R")
	prov -n --root "$R" "$c" >"$T_TMP/dry.raw" 2>&1; rc=$?
	check_eq "$c: -n exits 0" 0 "$rc"
	check_eq "$c: -n writes nothing" "$before" "$(snapshot "$R")"
	mask_keys "$R" <"$T_TMP/dry.raw" >"$T_TMP/dry.out"
	if grep -q "$(cat "$T_TMP/priv.key")" "$T_TMP/dry.raw" 2>/dev/null; then
		t_fail "$c: -n shows the private key"
	else t_ok "$c: -n hides the private key"; fi
	out=$(prov --root "$R" "$c" 2>&1); rc=$?
	check_eq "$c: provision exits 0" 0 "$rc"
	[ "$rc" -ne 0 ] && printf '%s\n' "$out" | diag
	mkdir -p "$T_TMP/got-$c"
	(cd "$R" && find . -type f | while read -r f; do
		mkdir -p "$T_TMP/got-$c/$(dirname "$f")"
		mask_keys <"$f" >"$T_TMP/got-$c/$f"
	done)
	if [ "$UPDATE" = 1 ]; then
		rm -rf "$GOLD/$c/expect"; cp -R "$T_TMP/got-$c" "$GOLD/$c/expect"
		cp "$T_TMP/dry.out" "$GOLD/$c/dry-run.out"
		t_ok "$c: golden files regenerated"
		continue
	fi
	check "$c: files match tests/golden/provision/$c/expect" diff -ru "$GOLD/$c/expect" "$T_TMP/got-$c"
	check "$c: -n output matches dry-run.out" diff -u "$GOLD/$c/dry-run.out" "$T_TMP/dry.out"

	jroot=$(sed -n 's/^root *= *//p' "$GOLD/$c/spec"); jroot=${jroot:-/usr/local/jails/$c}
	ifc=$(sed -n 's|^.*start_if\.||p' <<<"$(cd "$R$jroot/etc" && ls start_if.*)")
	ifile=$R$jroot/etc/$ifc.conf
	check_eq "$c: $ifc.conf is mode 600" 600 "$(stat -c %a "$ifile")"
	check_eq "$c: start_if.$ifc is mode 644" 644 "$(stat -c %a "$R$jroot/etc/start_if.$ifc")"
	check_eq "$c: jail.conf.d is mode 644" 644 "$(stat -c %a "$R/etc/jail.conf.d/$c.conf")"
	# Only what wg(8) setconf/syncconf accepts: its sections and keys.
	check_fails "$c: $ifc.conf holds only wg(8) sections and keys" \
		grep -vE '^(\[Interface\]|\[Peer\]|(PrivateKey|ListenPort|FwMark|PublicKey|PresharedKey|AllowedIPs|Endpoint|PersistentKeepalive) = [^ ].*|)$' "$ifile"
	if "$WGJAIL" check "$ifile" 2>&1 | grep -q 'not available'; then
		t_skip "$c: $ifc.conf re-parses (wgjail check)" "wgjail check is not available in this build"
	else
		check "$c: $ifc.conf re-parses (wgjail check)" "$WGJAIL" check "$ifile"
	fi
	for sh in sh dash; do
		check "$c: start_if passes $sh -n" "$sh" -n "$R$jroot/etc/start_if.$ifc"
		check "$c: rc.conf passes $sh -n" "$sh" -n "$R$jroot/etc/rc.conf"
		check "$c: loader.conf passes $sh -n" "$sh" -n "$R/boot/loader.conf"
		# Every exec.* command of jail.conf, as jail(8) hands it to sh -c.
		sed -n 's/^\texec\.[a-z]* +\{0,1\}= "\(.*\)";$/\1/p' "$R/etc/jail.conf.d/$c.conf" >"$T_TMP/cmds"
		ok=1
		while IFS= read -r cmd; do "$sh" -n -c "$cmd" || ok=0; done <"$T_TMP/cmds"
		check_eq "$c: every jail.conf command ($(wc -l <"$T_TMP/cmds")) passes $sh -n" 1 "$ok"
	done

	# A second run changes nothing and says so.
	before=$(snapshot "$R"); ino=$(stat -c %i "$R/etc/jail.conf.d/$c.conf")
	nf=6; case $c in nat*) nf=7 ;; esac # and the pf anchor
	out=$(prov --root "$R" "$c" 2>&1)
	check_eq "$c: second run says nothing changed" "jail $c: nothing changed ($nf files up to date)" \
		"$(tail -1 <<<"$out")"
	check_eq "$c: second run leaves every file as it was" "$before" "$(snapshot "$R")"
	check_eq "$c: second run did not even replace jail.conf" "$ino" "$(stat -c %i "$R/etc/jail.conf.d/$c.conf")"
	out=$(prov -n --root "$R" "$c" 2>&1)
	check_eq "$c: -n after the run: nothing would change" "dry run: nothing would change ($nf files up to date)" \
		"$(tail -1 <<<"$out")"
done
[ "$UPDATE" = 1 ] && { done_testing; exit; }

# ---- other lines kept ----------------------------------------------------
R=$T_TMP/root-bridge4
check "loader.conf keeps its other lines in order" \
	diff <(grep -vE '^if_(wg|epair|bridge)_load=' "$R/boot/loader.conf") \
	     <(grep -vE '^if_(wg|epair|bridge)_load=' "$GOLD/bridge4/pre/boot/loader.conf")
check_eq "loader.conf: if_wg_load set once, to YES" 'if_wg_load="YES"' "$(grep '^if_wg_load' "$R/boot/loader.conf")"
rcc=$R/usr/local/jails/bridge4/etc/rc.conf
check "rc.conf keeps its other lines" \
	diff <(grep -vE '^(ifconfig_wg0|network_interfaces)' "$rcc") \
	     <(grep -vE '^(ifconfig_wg0|network_interfaces)' "$GOLD/bridge4/pre/usr/local/jails/bridge4/etc/rc.conf")
check_eq "rc.conf: a key assigned twice ends up assigned once" 1 "$(grep -c '^ifconfig_wg0=' "$rcc")"
check_eq "rc.conf: the stale alias is gone" 0 "$(grep -c '^ifconfig_wg0_alias' "$rcc")"

# ---- the spec's listen_port and the config's ListenPort ---------------------
R=$T_TMP/root-port
mkdir -p "$R" "$CONF/port"
printf '[jail]\nid = 11\nuplink = wireguard\n[wireguard]\nlisten_port = 51999\n' >"$CONF/port/jail.conf"
(umask 077; subst_keys <"$GOLD/wg6/wg.conf.in" >"$CONF/port/wg0.conf")
check "a config without ListenPort: provisioned" prov --root "$R" port
check_eq "... the jail's config gets the spec's port (no random port per boot)" "ListenPort = 51999" \
	"$(grep ListenPort "$R/usr/local/jails/port/etc/wgj11.conf")"
(umask 077; { cat "$CONF/port/wg0.conf"; } | sed 's/^\[Interface\]$/[Interface]\nListenPort = 4000/' >"$CONF/port/wg0.new")
mv "$CONF/port/wg0.new" "$CONF/port/wg0.conf"
before=$(snapshot "$R")
out=$(prov --root "$R" port 2>&1); rc=$?
check_eq "a ListenPort that contradicts the spec: refused" 1 "$rc"
check_eq "... saying both" "wgjail: jail port: listen_port 51999 in its spec, but ListenPort = 4000 in $CONF/port/wg0.conf" "$out"
check_eq "... nothing written" "$before" "$(snapshot "$R")"

# ---- drop-ins (wgjail peer add) are in the jail's single config ----------------
sed -i '/^ListenPort = 4000$/d' "$CONF/port/wg0.conf"
dk=$("$WGJAIL" genkey | "$WGJAIL" pubkey)
mkdir -m 700 "$CONF/port/wg0.peers"
(umask 077; printf '# by peer add\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.99.0.7/32\n' "$dk" \
	>"$CONF/port/wg0.peers/$(printf '%s' "$dk" | base64 -d | od -An -v -tx1 | tr -d ' \n').conf")
check "a jail with a drop-in peer: provisioned" prov --root "$R" port
check "... the jail's config lists the drop-in's peer" grep -qx "PublicKey = $dk" "$R/usr/local/jails/port/etc/wgj11.conf"
check "... and the main file's peers" test "$(grep -c '^\[Peer\]' "$R/usr/local/jails/port/etc/wgj11.conf")" -eq \
	$(( $(grep -ci '^\[Peer\]' "$CONF/port/wg0.conf") + 1 ))

# ---- a secret file with a wrong mode is fixed ---------------------------------
R=$T_TMP/root-wg4
chmod 644 "$R/usr/local/jails/wg4/etc/wgj7.conf"
out=$(prov -n --root "$R" wg4 2>&1)
check "-n shows the mode change of the jail's config" \
	grep -qx "$R/usr/local/jails/wg4/etc/wgj7.conf: update, mode 0644 -> 0600" <<<"$out"
prov --root "$R" wg4 >/dev/null 2>&1
check_eq "... and the run makes it 0600" 600 "$(stat -c %a "$R/usr/local/jails/wg4/etc/wgj7.conf")"

# ---- start_if, sourced with stub commands -----------------------------------
STUB=$T_TMP/stubs
mkdir -p "$STUB/with" "$STUB/without" "$STUB/none"
for cmd in ifconfig wg wgjail; do
	cat >"$STUB/with/$cmd" <<STUBEOF
#!/bin/sh
printf '%s' "$cmd" >>"\$STUB_LOG"; for a in "\$@"; do printf ' %s' "\$a" >>"\$STUB_LOG"; done; echo >>"\$STUB_LOG"
case "$cmd \$*" in "ifconfig \$STUB_MISSING") exit 1 ;; esac
exit 0
STUBEOF
	chmod +x "$STUB/with/$cmd"
	[ "$cmd" != wgjail ] && cp "$STUB/with/$cmd" "$STUB/without/$cmd"
done
cp "$STUB/with/ifconfig" "$STUB/none/ifconfig"
# source_start_if SH FILE STUBDIR MISSING: source FILE in SH the way
# network.subr does, with only the stubs and the basic tools on PATH;
# prints the record, then what the rc shell looks like afterwards.
source_start_if() {
	local sh=$1 file=$2 dir=$3 missing=$4 bin=$T_TMP/bin
	mkdir -p "$bin" # empty: start_if may use nothing but the stubs and sh builtins
	: >"$T_TMP/stub.log"
	env -i STUB_LOG="$T_TMP/stub.log" STUB_MISSING="$missing" PATH="$dir:$bin" "$(command -v "$sh")" -c '
		rcvar=kept; . "$1"; echo "after: PATH=$PATH rcvar=$rcvar"' sh "$file" >"$T_TMP/after" 2>"$T_TMP/stderr"
	cat "$T_TMP/stub.log"
	cat "$T_TMP/after"
}
for sh in sh dash; do
	f=$T_TMP/root-bridge4/usr/local/jails/bridge4/etc/start_if.wg0
	B=$STUB/with:$T_TMP/bin
	check_eq "$sh: bridge, wgjail installed: create wg0, then wgjail sync" \
"ifconfig wg0
ifconfig wg0 create
wgjail sync wg0 /etc/wg0.conf
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/with" wg0)"
	B=$STUB/without:$T_TMP/bin
	check_eq "$sh: bridge, no wgjail: create wg0, then wg syncconf" \
"ifconfig wg0
ifconfig wg0 create
wg syncconf wg0 /etc/wg0.conf
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/without" wg0)"
	check_eq "$sh: bridge, wg0 exists already (netif restart): no create" \
"ifconfig wg0
wg syncconf wg0 /etc/wg0.conf
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/without" none)"
	f=$T_TMP/root-bridge6/jails/bridge6/etc/start_if.vpn.0
	check_eq "$sh: bridge, a name outside the wgN form: created as wg, renamed" \
"ifconfig vpn.0
ifconfig wg create name vpn.0
wg syncconf vpn.0 /etc/vpn.0.conf
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/without" vpn.0)"
	f=$T_TMP/root-wg4/usr/local/jails/wg4/etc/start_if.wgj7
	B=$STUB/with:$T_TMP/bin
	check_eq "$sh: wireguard uplink, wgjail installed: never create, wgjail sync" \
"ifconfig wgj7
wgjail sync wgj7 /etc/wgj7.conf
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/with" none)"
	B=$STUB/without:$T_TMP/bin
	check_eq "$sh: wireguard uplink, no wgjail: wg syncconf" \
"ifconfig wgj7
wg syncconf wgj7 /etc/wgj7.conf
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/without" none)"
	check_eq "$sh: wireguard uplink, interface missing: reported, left down, nothing else run" \
"ifconfig wgj7
ifconfig wgj7 down
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/without" wgj7)"
	check "$sh: ... and the report names the interface" grep -q 'wgj7 is missing' "$T_TMP/stderr"
	B=$STUB/none:$T_TMP/bin
	check_eq "$sh: neither wgjail nor wg: left down" \
"ifconfig wgj7
ifconfig wgj7 down
after: PATH=$B rcvar=kept" "$(source_start_if "$sh" "$f" "$STUB/none" none)"
	check "$sh: ... saying so" grep -q 'start_if.wgj7: neither wgjail nor wg(8) is installed' "$T_TMP/stderr"
	# rc's variables for the interface are emptied (so rc gives it no
	# address and does not bring it up); others are kept.
	out=$(env -i PATH="$STUB/none:$T_TMP/bin" STUB_LOG=/dev/null "$(command -v "$sh")" -c '
		ifconfig_wgj7="inet 10.0.0.1/24" ifconfig_wgj7_alias0="inet 10.0.1.1/24" ifconfig_lo0=kept
		. "$1"; echo "[${ifconfig_wgj7-unset}] [${ifconfig_wgj7_alias0-unset}] [${ifconfig_wgj7_ipv6-unset}] [$ifconfig_lo0]"' \
		sh "$f" 2>/dev/null)
	check_eq "$sh: ... its ifconfig_ variables set empty, others kept" "[] [] [] [kept]" "$out"
	out=$(env -i PATH="$STUB/without:$T_TMP/bin" STUB_LOG=/dev/null "$(command -v "$sh")" -c '
		ifconfig_wgj7="inet 10.0.0.1/24"; . "$1"; echo "[$ifconfig_wgj7]"' sh "$f" 2>/dev/null)
	check_eq "$sh: configured: its ifconfig_ variables untouched" "[inet 10.0.0.1/24]" "$out"
done

# ---- hostile values: refused, nothing written ---------------------------------
R=$T_TMP/root-hostile
mkdir -p "$R"
spec_setup wg4
snap_conf=$(snapshot "$CONF")
# hostile_spec DESC KEY VALUE [SECTION]: a spec line that must be refused.
hostile_spec() {
	local desc=$1 key=$2 val=$3 sec=${4:-jail} n=hostile
	rm -rf "${CONF:?}/$n"; mkdir -p "$CONF/$n"
	{ echo "[jail]"; echo "id = 9"; [ "$sec" = jail ] && printf '%s = %s\n' "$key" "$val"
	  echo "[wireguard]"; [ "$sec" = wireguard ] && printf '%s = %s\n' "$key" "$val"; } >"$CONF/$n/jail.conf"
	(umask 077; subst_keys <"$GOLD/wg4/wg.conf.in" >"$CONF/$n/wg0.conf")
	local before; before=$(snapshot "$R"); snap_conf=$(snapshot "$CONF")
	out=$(prov --root "$R" "$n" 2>&1); rc=$?
	check_eq "hostile $desc: refused (exit 1)" 1 "$rc"
	check_eq "hostile $desc: nothing written under the root" "$before" "$(snapshot "$R")"
	check_eq "hostile $desc: nothing written in the configuration directory" "$snap_conf" "$(snapshot "$CONF")"
	case $out in *"$key"*) t_ok "hostile $desc: the error names $key" ;;
	*) t_fail "hostile $desc: the error names $key"; printf '%s\n' "$out" | diag ;; esac
}
hostile_spec "root with a quote" root "/jails/a\"b"
hostile_spec "root with \$" root '/jails/$HOME'
hostile_spec "root with ;" root '/jails/a;reboot'
hostile_spec "root with a backtick" root '/jails/`id`'
hostile_spec "root with a space" root '/jails/a b'
hostile_spec "root with .." root '/jails/../etc'
hostile_spec "relative root" root 'jails/x'
hostile_spec "bridge with ;" bridge 'bridge0;reboot'
hostile_spec "bridge with \$" bridge 'br$(id)'
hostile_spec "hostname with a quote" hostname "a'b"
hostile_spec "hostname with a space" hostname 'a b'
hostile_spec "interface with a backtick" interface 'wg`id`' wireguard
hostile_spec "interface with ;" interface 'wg0;x' wireguard
hostile_spec "interface too long" interface 'wg0123456789abcdef' wireguard
hostile_spec "address with ;" address '10.0.0.1/24;reboot' wireguard
hostile_spec "address with \$" address '$(id)/24' wireguard
hostile_spec "jail address with a space" address '192.0.2.1 /24'
hostile_spec "gateway with a quote" gateway '192.0.2.1"'
rm -rf "${CONF:?}/hostile"
# Jail names and --root on the command line.
hostile_arg() {
	local desc=$1; shift
	local before; before=$(snapshot "$R"); snap_conf=$(snapshot "$CONF")
	out=$(prov "$@" 2>&1); rc=$?
	check_eq "hostile $desc: refused (exit 1)" 1 "$rc"
	check_eq "hostile $desc: nothing written" "$before$snap_conf" "$(snapshot "$R")$(snapshot "$CONF")"
	case $out in *"wgjail: "*) t_ok "hostile $desc: a clear error" ;;
	*) t_fail "hostile $desc: a clear error"; printf '%s\n' "$out" | diag ;; esac
}
for name in 'a"b' 'a$b' 'a;b' 'a`id`' 'a b' $'a\nb' '../wg4' 'wg4/..' '.hidden' 'a.b'; do
	hostile_arg "jail name $(printf %q "$name")" --root "$R" "$name"
done
for r in "$R/a\"b" "$R/\$x" "$R/a;b" "$R/\`id\`" "$R/a b" "$R"$'/a\nb' "$R/../x" "relative"; do
	mkdir -p "$r" 2>/dev/null
	hostile_arg "--root $(printf %q "$r")" --root "$r" wg4
done
check_fails "--root that does not exist: refused" prov --root "$T_TMP/nonexistent" wg4
if [ "$(uname -s)" != FreeBSD ]; then
	out=$(prov -n wg4 2>&1); rc=$?
	check_eq "not on FreeBSD: --root is required (even with -n)" 1 "$rc"
	check "... and the error says so" grep -q -- '--root DIR' <<<"$out"
fi

# ---- links in the jail's tree are not followed ------------------------------------
R=$T_TMP/root-link
mkdir -p "$R/usr/local/jails/wg4" "$T_TMP/outside"
ln -s "$T_TMP/outside" "$R/usr/local/jails/wg4/etc"
out=$(prov --root "$R" wg4 2>&1); rc=$?
check_eq "a link /etc inside the jail root: refused" 1 "$rc"
check_eq "... nothing written through it" "" "$(ls -A "$T_TMP/outside")"
check_eq "... nothing written on the host side either" "" "$(ls -A "$R" | grep -v usr)"
rm "$R/usr/local/jails/wg4/etc"; mkdir "$R/usr/local/jails/wg4/etc"
ln -s /etc/passwd "$R/usr/local/jails/wg4/etc/rc.conf"
check_fails "a link rc.conf -> /etc/passwd inside the jail: refused" prov --root "$R" wg4
check_eq "... and /etc/passwd was not copied into the jail" 0 "$(find "$R" -name 'rc.conf*' -type f | wc -l)"

# ---- an interrupted run leaves every file old or new -----------------------------
# The run is killed by SIGXFSZ while writing the 2nd file (start_if, the
# first of more than 1 KiB; ulimit -f 1); then, with SIGXFSZ ignored, the write fails
# with EFBIG.  Works as root too (RLIMIT_FSIZE binds root).
c=bridge6 jr=jails/bridge6 ifc=vpn.0
for mode in killed failed; do
	R=$T_TMP/root-int-$mode
	root_setup "$c" "$R"
	# Old versions of all five files: an earlier provision with other values.
	mkdir -p "$R/etc/jail.conf.d" "$R/$jr/etc" "$R/boot"
	echo 'old { }' >"$R/etc/jail.conf.d/$c.conf"
	echo '# old' >"$R/boot/loader.conf"
	echo 'hostname="old"' >"$R/$jr/etc/rc.conf"
	echo '# old' >"$R/$jr/etc/start_if.$ifc"
	(umask 077; echo '[Interface]' >"$R/$jr/etc/$ifc.conf")
	cp -R "$R" "$R.old"
	cp -R "$R" "$R.new"
	NEWR=$R.new
	prov --root "$NEWR" "$c" >/dev/null 2>&1 || t_fail "interrupted ($mode): the reference run failed"
	if [ $mode = killed ]; then
		{ (ulimit -f 1; exec "$WGJAIL" -c "$CONF" provision --root "$R" "$c") >/dev/null 2>&1; rc=$?; } 2>/dev/null
	else
		(trap '' XFSZ; ulimit -f 1; exec "$WGJAIL" -c "$CONF" provision --root "$R" "$c") >/dev/null 2>&1; rc=$?
	fi
	check_fails "interrupted ($mode): the run did not succeed" test "$rc" -eq 0
	ok=1 seen_new=0 seen_old=0
	for f in boot/loader.conf etc/jail.conf.d/$c.conf $jr/etc/rc.conf $jr/etc/start_if.$ifc $jr/etc/$ifc.conf; do
		if cmp -s "$R/$f" "$R.old/$f"; then seen_old=$((seen_old + 1))
		elif cmp -s "$R/$f" "$NEWR/$f"; then seen_new=$((seen_new + 1))
		else ok=0; echo "# $f is neither old nor new" ; fi
	done
	check_eq "interrupted ($mode): every file is the old or the new one" 1 "$ok"
	check_eq "interrupted ($mode): 1 new (written before), 4 old (after)" "1 4" "$seen_new $seen_old"
	if [ $mode = failed ]; then
		check_eq "interrupted ($mode): no temporary file left" "" "$(find "$R" -name '*.tmp*')"
	fi
	out=$(prov --root "$R" "$c" 2>&1)
	check "interrupted ($mode): a new run completes it" diff -r -x '*.tmp*' "$NEWR" "$R"
done

# ---- an empty jail_list: rc.d/jail starts every jail of jail.conf ------------------
# provision leaves the list alone; its note says whether this jail is among
# them (jail.conf includes jail.conf.d: rc/jailinc.c) or not.
empty_list_host() {
	R=$T_TMP/root-empty-$1
	mkdir -p "$R/etc"
	printf 'jail_enable="YES"\n' >"$R/etc/rc.conf"
	printf 'www { path = "/j/www"; }\n%s\n' "$2" >"$R/etc/jail.conf"
}
empty_list_host inc '.include "/etc/jail.conf.d/*.conf";'
out=$(prov --root "$R" port 2>&1)
check "empty jail_list, jail.conf includes jail.conf.d: provisioned" test $? -eq 0
check "... the note says rc.d/jail starts it" grep -q "includes /etc/jail.conf.d/port.conf" <<<"$out"
check_eq "... rc.conf left alone" 'jail_enable="YES"' "$(cat "$R/etc/rc.conf")"
empty_list_host other '# no .include'
out=$(prov --root "$R" port 2>&1)
check "empty jail_list, jail.conf without an include: the note says how to start it" \
	grep -q "none of /etc/jail.conf.d.*add it and those jails to jail_list" <<<"$out"
check_eq "... rc.conf left alone" 'jail_enable="YES"' "$(cat "$R/etc/rc.conf")"
empty_list_host bad '.include "/etc/jail.conf.d/*.conf;'
out=$(prov --root "$R" port 2>&1)
rc=$?
check "a jail.conf whose string does not end: refused" test "$rc" -ne 0
check "... naming the file and line" grep -q "/etc/jail.conf:2: a string that does not end" <<<"$out"
check "... and nothing written" test ! -e "$R/etc/jail.conf.d/port.conf" -a ! -e "$R/boot"
printf 'jail_list="www"\n' >"$R/etc/rc.conf"
check "... but with a jail_list, jail.conf does not matter: provisioned" prov --root "$R" port
check_eq "... and the jail is listed" 'jail_list="www port"' "$(grep '^jail_list=' "$R/etc/rc.conf")"
# note_is DESC PATTERN: provisioned again, the note matches PATTERN
note_is() {
	local out
	out=$(prov --root "$R" port 2>&1)
	check "$1" grep -q "$2" <<<"$out"
}
# rc.conf's jail_conf names the jail.conf rc.d/jail reads: that one counts
empty_list_host conf '# no .include'
mkdir -p "$R/usr/local/etc" "$R/etc/jails.d"
printf 'jail_enable="YES"\njail_conf="/usr/local/etc/jail.conf"\n' >"$R/etc/rc.conf"
printf 'www { path = "/j/www"; }\n.include "/etc/jail.conf.d/*.conf";\n' >"$R/usr/local/etc/jail.conf"
note_is "jail_conf elsewhere, including jail.conf.d: the note says rc.d/jail starts it" \
	"every jail of /usr/local/etc/jail.conf at boot, and /usr/local/etc/jail.conf includes /etc/jail.conf.d/port.conf"
printf '.include "/etc/jail.conf.d/*.conf";\n' >"$R/etc/jail.conf"
printf 'www { path = "/j/www"; }\n' >"$R/usr/local/etc/jail.conf"
note_is "... not including it: the note says so, whatever /etc/jail.conf says" \
	"every jail of /usr/local/etc/jail.conf at boot and none of /etc/jail.conf.d"
# jail(8) follows .include lines in included files too
printf 'jail_enable="YES"\n' >"$R/etc/rc.conf"
printf '.include "/etc/jails.d/*.conf";\n' >"$R/etc/jail.conf"
printf 'www { path = "/j/www"; }\n.include "../jail.conf.d/*.conf";\n' >"$R/etc/jails.d/www.conf"
note_is "jail.conf includes a file that includes jail.conf.d: the note says rc.d/jail starts it" \
	"every jail of /etc/jail.conf at boot, and /etc/jail.conf includes /etc/jail.conf.d/port.conf"
printf 'www { path = "/j/www"; }\n' >"$R/etc/jails.d/www.conf"
note_is "... and when that file does not, the note says how to start it" \
	"every jail of /etc/jail.conf at boot and none of /etc/jail.conf.d"
printf 'jail_enable="YES"\njail_conf="etc/jail.conf"\n' >"$R/etc/rc.conf"
out=$(prov --root "$R" port 2>&1)
rc=$?
check "a jail_conf that is not an absolute path: refused" test "$rc" -ne 0
check "... naming rc.conf's line" grep -q "rc.conf:2: jail_conf=" <<<"$out"

done_testing
