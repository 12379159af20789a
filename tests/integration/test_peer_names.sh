#!/bin/bash
# Peers as people manage them (issue 18), on the files: names through
# every command and across hand edits, addresses handed out (1,000 distinct,
# a freed one not handed out again while unused ones remain, a full network
# named), one-step onboarding (--generate-key) with QR codes decoded by
# zbarimg, disable/enable/expire keeping key and address, and the bad input
# of each, refused with nothing written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peer_lib.sh"
need_cmd python3
QR_DECODE="$(dirname "$0")/qr_decode.py"

J=pn$$
IFC=wg0
mkjail "$J" "$IFC" 10.40.0.1/22 51820 vpn.example.org:51820 || skip_all "cannot make a jail spec"
printf 'address = fd40::1/64\n' >>"$CONF/$J/jail.conf"
F="$CONF/$J/$IFC.conf"
sum() { cat "$@" 2>/dev/null | md5sum; }
state() { sum "$F" "$CONF/$J/$IFC.peers/"*.conf; }

# ---- names through every command -------------------------------------------
keypair a
out=$(wj peer add "$J" --name alice --public-key "$a_pub" 2>&1)
check_eq "peer add --name: exit 0" 0 "$?"
check "... the report names the peer" grep -qF "peer alice ($a_pub) added" <<<"$out"
check "... and the addresses handed out" grep -qx "allowed ips handed out: 10.40.0.2/32, fd40::2/128" <<<"$out"
check "the name is a comment in the drop-in, after [Peer]" \
	bash -c "sed -n 2p '$(dropin "$J" "$IFC" "$a_pub")' | grep -qx '# Name = alice'"
check "wg(8) reads the drop-in as before (the name is a comment)" bash -c \
	"wg-quick strip /dev/stdin < '$(dropin "$J" "$IFC" "$a_pub")' 2>/dev/null | grep -vq Name || ! grep -v '^#' '$(dropin "$J" "$IFC" "$a_pub")' | grep -q Name"
check "peer list names it" bash -c "wj() { \"$WGJAIL\" -c \"$CONF\" \"\$@\"; }; wj peer list $J | grep -qx '  name: alice'"
json=$(wj peer list --json "$J")
check "peer list --json names it, active" python3 -c '
import json,sys
d=json.loads(sys.argv[1]); p=d["peers"][0]
assert p["name"]=="alice" and p["state"]=="active" and p["expires"] is None, p' "$json"
out=$(wj export "$J" alice)
check_eq "export by name: exit 0" 0 "$?"
check "... the export is alice's" grep -qx "Address = 10.40.0.2/32, fd40::2/128" <<<"$out"
check "... and names her" grep -qF "# wg-quick config for peer alice ($a_pub)" <<<"$out"
check "rotate --peer by name" bash -c "'$WGJAIL' -c '$CONF' rotate '$J' --peer alice | grep -q '^PresharedKey = '"
check "the drop-in keeps the name after rotate" grep -qx "# Name = alice" "$(dropin "$J" "$IFC" "$a_pub")"
out=$(wj export "$J" alice --generate-remote-key 2>&1 >"$T_TMP/alice2.conf")
check_eq "export --generate-remote-key by name: exit 0" 0 "$?"
a2_pub=$(sed -n 's/^PrivateKey = //p' "$T_TMP/alice2.conf" | "$WGJAIL" pubkey)
check "the new key's drop-in keeps the name" grep -qx "# Name = alice" "$(dropin "$J" "$IFC" "$a2_pub")"
check "the name still finds the peer (index moved to the new key)" bash -c \
	"'$WGJAIL' -c '$CONF' export '$J' alice | grep -qF 'peer alice ($a2_pub)'"

# hand-written peers: named by the same comment; names survive hand edits
keypair h
printf '[Peer]\n# Name = hand@desk\nPublicKey = %s\nAllowedIPs = 10.40.1.200/32\n' "$h_pub" >>"$F"
check "a hand-written peer's name is found" bash -c "'$WGJAIL' -c '$CONF' export '$J' hand@desk | grep -qF '$h_pub'"
keypair b
check "peer add after the hand edit" wj peer add "$J" --name bob --public-key "$b_pub"
sed -i 's/^ListenPort=51820/ListenPort = 51820  # edited by hand/' "$F"
check "the hand-written name survives another hand edit" bash -c \
	"'$WGJAIL' -c '$CONF' peer list '$J' | grep -qx '  name: hand@desk'"
check "rotate --peer by a hand-written name keeps the comment" bash -c \
	"'$WGJAIL' -c '$CONF' rotate '$J' --peer hand@desk >/dev/null && grep -qx '# Name = hand@desk' '$F'"
check "peer remove by a hand-written name" wj peer remove "$J" hand@desk
check "... its section is gone with its name" bash -c "! grep -q 'hand@desk' '$F'"

# ---- bad names: refused, nothing written --------------------------------------
before=$(state)
keypair c
for bad in "alice" "$(printf 'x%.0s' $(seq 64))" "bob smith" "b/ob" ""; do
	out=$(wj peer add "$J" --name "$bad" --public-key "$c_pub" 2>&1)
	check_eq "name '${bad:0:20}' refused (exit != 0)" 1 "$([ $? -ne 0 ] && echo 1 || echo 0)"
done
out=$(wj peer add "$J" --name alice --public-key "$c_pub" 2>&1)
check "a taken name: the error names it and its owner" grep -qF "the name 'alice' is taken by peer $a2_pub" <<<"$out"
out=$(wj peer add "$J" --name "bob smith" --public-key "$c_pub" 2>&1)
check "a name with a blank: the error quotes it" grep -qF "'bob smith'" <<<"$out"
out=$(wj peer add "$J" --generate-key --public-key "$c_pub" 2>&1)
check "--generate-key with --public-key refused" grep -q "exclude each other" <<<"$out"
out=$(wj peer add "$J" --public-key "$c_pub" --expires 2001-01-01 2>&1)
check "an expiry in the past refused, naming it" grep -qF "'2001-01-01' is in the past" <<<"$out"
out=$(wj peer add "$J" --public-key "$c_pub" --expires soon 2>&1)
check "an unparseable expiry refused, naming it" grep -qF "'soon' is not a date" <<<"$out"
out=$(wj peer remove "$J" nobody 2>&1)
check "an unknown name: the error says so" grep -qF "jail $J has no peer named 'nobody'" <<<"$out"
check_eq "nothing was written by any of them" "$before" "$(state)"
printf '[Peer]\n# Name = bob\nPublicKey = %s\n' "$c_pub" >>"$F"
out=$(wj peer list "$J" 2>&1)
check "a name used twice by hand: an error naming both places" bash -c \
	"grep -qE \"$(key_hex "$b_pub").conf:2: peer name 'bob' is also used at $F:[0-9]+ \" <<<\"\$1\"" _ "$out"
head -n -3 "$F" >"$F.new" && cat "$F.new" >"$F" && rm "$F.new"
check "after the repair, the jail loads" wj peer list "$J"

# ---- addresses: 1,000 distinct, no reuse while unused remain ------------------
# (public keys are any 32 bytes; the plain build, without the key watch's
# wrapper and the sanitizers, which would take minutes on a busy machine:
# every other command here runs sanitized)
python3 -c 'import base64,os
for _ in range(1000): print(base64.b64encode(os.urandom(32)).decode())' >"$T_TMP/keys"
REAL=$TOP/wgjail
[ -x "$REAL" ] || REAL=${WGJAIL_KEYWATCH_REAL:-$WGJAIL}
n=0
while read -r k; do
	n=$((n + 1))
	"$REAL" -c "$CONF" peer add "$J" --public-key "$k" --name "p$n" | sed -n 's/^allowed ips handed out: //p'
done <"$T_TMP/keys" >"$T_TMP/given"
check_eq "1,000 allocations" 1000 "$(wc -l <"$T_TMP/given")"
check_eq "1,000 distinct IPv4 addresses" 1000 "$(cut -d, -f1 "$T_TMP/given" | sort -u | wc -l)"
check_eq "1,000 distinct IPv6 addresses" 1000 "$(cut -d, -f2 "$T_TMP/given" | sort -u | wc -l)"
check_eq "none is the jail's own or the first two peers'" 0 \
	"$(grep -cE '10\.40\.0\.(1|2|3)/32' "$T_TMP/given")"
check "they match wg(8)'s view: no allowed IP twice in the merged config" bash -c \
	"cat '$CONF/$J/$IFC.peers/'*.conf | grep -h '^AllowedIPs' | tr ',' '\n' | sed 's/.*= //; s/ //g' | sort | uniq -d | wc -l | grep -qx 0"
freed=$(sed -n 500p "$T_TMP/given" | cut -d, -f1)
check "remove peer p500 by name" wj peer remove "$J" p500
keypair d
out=$(wj peer add "$J" --public-key "$d_pub" 2>&1)
got=$(sed -n 's/^allowed ips handed out: //p' <<<"$out" | cut -d, -f1)
check "the freed address $freed is not handed out again" test "$got" != "$freed" -a -n "$got"
check_eq "... the next unused one is (p1 .. p1000 had .4 .. 10.40.3.235)" "10.40.3.236/32" "$got"
rm -f "$CONF/$J/.$IFC.alloc"
keypair e
out=$(wj peer add "$J" --public-key "$e_pub" 2>&1)
check "lost marks are rebuilt from the files (the next above the highest)" \
	grep -q "handed out: 10.40.3.237/32" <<<"$out"

# a small network fills up, then hands out the freed ones, then is full
J2=pm$$
mkjail "$J2" "$IFC" 10.41.0.1/29 || skip_all "cannot make a jail spec"
for i in 2 3 4 5 6; do "$WGJAIL" genkey | "$WGJAIL" pubkey; done >"$T_TMP/k2"
n=0
while read -r k; do n=$((n + 1)); wj peer add "$J2" --name "s$n" --public-key "$k" >/dev/null; done <"$T_TMP/k2"
check "peer remove s2" wj peer remove "$J2" s2
keypair f
out=$(wj peer add "$J2" --public-key "$f_pub" 2>&1)
check "with none unused left, a freed address is handed out" grep -q "handed out: 10.41.0.3/32" <<<"$out"
keypair g
before=$(sum "$CONF/$J2/$IFC.peers/"*.conf)
out=$(wj peer add "$J2" --public-key "$g_pub" 2>&1)
check "a full network: an error naming it" grep -qF "tunnel network 10.41.0.0/29 is full" <<<"$out"
check_eq "... nothing written" "$before" "$(sum "$CONF/$J2/$IFC.peers/"*.conf)"
J3=po$$
mkjail "$J3" "$IFC" "" || skip_all "cannot make a jail spec"
sed -i '/^address = $/d' "$CONF/$J3/jail.conf"
out=$(wj peer add "$J3" --public-key "$g_pub" 2>&1)
check "a jail without a tunnel network: an error saying so" grep -qF "jail $J3 has no tunnel network" <<<"$out"

# ---- one-step onboarding: --generate-key, QR codes ---------------------------
need_zbar() { command -v zbarimg >/dev/null; }
out=$(wj peer add "$J" --name phone --generate-key 2>"$T_TMP/err")
check_eq "peer add --generate-key: exit 0" 0 "$?"
ppriv=$(sed -n 's/^PrivateKey = //p' <<<"$out")
ppub=$(printf '%s\n' "$ppriv" | "$WGJAIL" pubkey)
check "stdout is the remote's config, with its private key" test -n "$ppub"
check "the jail has the new public key, under the name" grep -qx "# Name = phone" "$(dropin "$J" "$IFC" "$ppub")"
check "the private key is nowhere in the jail's files" bash -c "! grep -rqF '$ppriv' '$CONF'"
check_eq "the config printed is what export prints (plus the key)" \
	"$(wj export "$J" phone | sed '/^# PrivateKey/d')" "$(sed '/^PrivateKey/d' <<<"$out")"
if need_zbar; then
	wj peer add "$J" --name tablet --generate-key --qr-file "$T_TMP/tablet.png" >"$T_TMP/tablet.out" 2>"$T_TMP/err"
	check_eq "--qr-file FILE.png: nothing on stdout" "" "$(cat "$T_TMP/tablet.out")"
	check_eq "the image is 0600" 600 "$(stat -c %a "$T_TMP/tablet.png")"
	zbarimg -q --raw "$T_TMP/tablet.png" 2>/dev/null | sed '$d' >"$T_TMP/tablet.dec"
	tpriv=$(sed -n 's/^PrivateKey = //p' "$T_TMP/tablet.dec")
	check "zbarimg decodes the PNG into a config with a private key" test -n "$tpriv"
	check_eq "... whose public key the jail has under the name" "$(printf '%s\n' "$tpriv" | "$WGJAIL" pubkey)" \
		"$(wj export "$J" tablet | sed -n 's/^# wg-quick config for peer tablet (\(.*\)) of.*/\1/p')"
	check_eq "... and which is export's text with the key" "$(wj export "$J" tablet | sed '/^# PrivateKey/d')" \
		"$(sed '/^PrivateKey/d' "$T_TMP/tablet.dec")"
	wj export "$J" alice --qr-file "$T_TMP/alice.svg"
	python3 "$QR_DECODE" svg "$T_TMP/alice.svg" "$T_TMP/alice-svg.pbm"
	check_eq "export --qr-file FILE.svg decodes to export's text" "$(wj export "$J" alice)" \
		"$(zbarimg -q --raw "$T_TMP/alice-svg.pbm" 2>/dev/null | sed '$d')"
	wj export "$J" alice --qr >"$T_TMP/alice.term"
	python3 "$QR_DECODE" term "$T_TMP/alice.term" "$T_TMP/alice-term.pbm"
	check_eq "export --qr (terminal blocks, rendered) decodes to export's text" "$(wj export "$J" alice)" \
		"$(zbarimg -q --raw "$T_TMP/alice-term.pbm" 2>/dev/null | sed '$d')"
	out=$(wj peer add "$J" --name watch --generate-key --qr 2>/dev/null)
	printf '%s\n' "$out" >"$T_TMP/watch.term"
	python3 "$QR_DECODE" term "$T_TMP/watch.term" "$T_TMP/watch.pbm"
	wpriv=$(zbarimg -q --raw "$T_TMP/watch.pbm" 2>/dev/null | sed -n 's/^PrivateKey = //p')
	check "peer add --generate-key --qr: the terminal code decodes to the new key" \
		test "$(printf '%s\n' "$wpriv" | "$WGJAIL" pubkey)" = \
		"$(wj export "$J" watch | sed -n 's/^# wg-quick config for peer watch (\(.*\)) of.*/\1/p')"
else
	t_skip "QR codes decoded by zbarimg" "zbarimg is not installed (Debian zbar-tools: make deps)"
fi
before=$(state)
out=$(wj peer add "$J" --name x --generate-key --qr-file "$T_TMP/x.jpg" 2>&1)
check "--qr-file with another kind of image refused" grep -q "must be named \*.png or \*.svg" <<<"$out"
out=$(wj peer add "$J" --name y --generate-key 2>&1 >/dev/full)
check "--generate-key > /dev/full: the peer is not added" grep -q "the peer was not added" <<<"$out"
check_eq "nothing was written" "$before" "$(state)"
# libqrencode and libpng are loaded by the first QR code, not linked:
# every other command starts without them.  One that cannot be loaded (a
# private mount namespace puts /dev/null over it) is named with its
# package, and the peer is not added.
needed=$(readelf -d "${WGJAIL_KEYWATCH_REAL:-$WGJAIL}" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
check "wgjail links libsodium (readelf works)" grep -q '^libsodium' <<<"$needed"
check "wgjail does not link libqrencode, libpng or libnftables (loaded when used)" \
	bash -c "! grep -qE '^lib(qrencode|png|nftables)' <<<'$needed'"
hide() { # hide SONAME CMD...: CMD with SONAME replaced by an empty file
	local so; so=$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64|64bit/ { print $NF; exit }')
	[ -n "$so" ] || so=$(ldconfig -p | awk -v n="$1" '$1 == n { print $NF; exit }')
	shift
	unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$so" "$@"
}
out=$(hide libpng16.so.16 "$WGJAIL" -c "$CONF" peer add "$J" --name nopng --generate-key --qr-file "$T_TMP/no.png" 2>&1)
check_eq "no libpng: peer add --qr-file FILE.png fails" 1 "$?"
check "... naming the library and its package" grep -q "PNG image: cannot load libpng16.so.16 (package libpng 1.6: Debian libpng16-16" <<<"$out"
check "... and the peer was not added" grep -q "the peer was not added" <<<"$out"
check "... no image" test ! -e "$T_TMP/no.png"
out=$(hide libqrencode.so.4 "$WGJAIL" -c "$CONF" export "$J" alice --qr 2>&1)
check "no libqrencode: export --qr fails, naming library and package" \
	grep -q "QR code: cannot load libqrencode.so.4 (package libqrencode: Debian libqrencode4" <<<"$out"
check "... with no key on the terminal" bash -c "! grep -q PrivateKey <<<'$out'"
check_eq "nothing was written" "$before" "$(state)"

# ---- disable, enable, expire: same key, same address ----------------------------
bdrop=$(dropin "$J" "$IFC" "$b_pub")
cp "$bdrop" "$T_TMP/bob.before"
check "peer disable by name" wj peer disable "$J" bob
check "the drop-in says so" grep -qx "# Disabled = yes" "$bdrop"
check "peer list shows it disabled" bash -c "'$WGJAIL' -c '$CONF' peer list '$J' | grep -A2 -x '  name: bob' | grep -qx '  state: disabled'"
check "peer enable" wj peer enable "$J" bob
check "the drop-in is as before (same key, same address)" cmp "$bdrop" "$T_TMP/bob.before"
when=$(date -u -d '+3 days 30 minutes' +%Y-%m-%dT%H:%M:%SZ) # "3 days" however long the next commands take
check "peer expire DATE" wj peer expire "$J" bob "$when"
check "the drop-in carries the date" grep -qx "# Expires = $when" "$bdrop"
check "peer list: expires in ..." bash -c "'$WGJAIL' -c '$CONF' peer list '$J' | grep -A2 -x '  name: bob' | grep -q '  state: expires in 3 days'"
check "peer expire never" wj peer expire "$J" bob never
check "... the drop-in is as before" cmp "$bdrop" "$T_TMP/bob.before"
out=$(wj peer expire "$J" bob yesterday 2>&1)
check "peer expire with a bad date: an error naming it" grep -qF "'yesterday' is not a date" <<<"$out"
# An expired peer stays in the files but not in what wg(8) reads: the
# FreeBSD /etc/IF.conf (provision) leaves it out.
sed -i "s/^# Name = bob$/# Name = bob\n# Expires = 2001-01-01/" "$bdrop"
check "an expired peer is listed as expired" bash -c "'$WGJAIL' -c '$CONF' peer list '$J' | grep -A2 -x '  name: bob' | grep -qx '  state: expired'"
mkdir -p "$T_TMP/root"
if "$WGJAIL" -c "$CONF" provision --root "$T_TMP/root" "$J" >/dev/null 2>&1; then
	ifc_file=$(find "$T_TMP/root/usr/local/jails" -path '*/etc/wg*.conf' | head -1)
	check "provision wrote the jail's /etc/IF.conf" test -s "$ifc_file"
	check "provision's /etc/IF.conf leaves the expired peer out" bash -c "! grep -qF '$b_pub' '$ifc_file'"
	check "... and keeps the active ones" grep -qF "$a2_pub" "$ifc_file"
else
	t_skip "provision's /etc/IF.conf without expired peers" "provision --root failed here"
fi

done_testing
