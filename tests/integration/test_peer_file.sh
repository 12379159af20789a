#!/bin/bash
# peer add/remove/list, rotate and export on a jail that is not up: the
# file side.  Validation refuses bad input and changes nothing; edits keep
# the operator's comments; remove restores the file byte for byte.
#
#   CONF/pf/jail.conf     spec (interface p8<pid>f)
#   CONF/pf/IF.conf       hand-edited config (main file), edited by wgjail
#   CONF/pf/IF.peers/     one drop-in per peer added by wgjail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/peer_lib.sh"
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (run make test-bins)"

J=pf$$
IFC="p8$$f"
mkjail "$J" "$IFC" 10.8.0.1/24 51820 vpn.example.org:51820 || skip_all "cannot make a jail spec"
F="$CONF/$J/$IFC.conf"
# a hand-written peer with a comment above it and two AllowedIPs lines
keypair a
printf '# Alice\n[peer]\npublickey= %s\nAllowedIPs = 10.8.0.2/32 # v4\nallowedips = fd08::2/128\n' "$a_pub" >>"$F"
cp "$F" "$T_TMP/orig"

# ---- validation: refused, nothing changed -------------------------------
keypair b
check_fails "bad key refused" wj peer add "$J" --public-key "not-a-key"
check_fails "non-canonical key refused" wj peer add "$J" --public-key "${b_pub%?}B"
check_fails "bad allowed IP refused" wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.300/32
check_fails "bad prefix refused" wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.3/33
check_fails "bad endpoint refused" wj peer add "$J" --public-key "$b_pub" --endpoint "host"
check_fails "endpoint port 0 refused" wj peer add "$J" --public-key "$b_pub" --endpoint "h:0"
check_fails "keepalive 65536 refused" wj peer add "$J" --public-key "$b_pub" --keepalive 65536
check_fails "--psk with --psk-file refused" wj peer add "$J" --public-key "$b_pub" --psk --psk-file /dev/null
"$WGJAIL" genpsk >"$T_TMP/psk.open" 2>/dev/null; chmod 644 "$T_TMP/psk.open"
out=$(wj peer add "$J" --public-key "$b_pub" --psk-file "$T_TMP/psk.open" 2>&1)
rc=$?
check_eq "world-readable PSK file refused (exit 1)" 1 "$rc"
case $out in *"$T_TMP/psk.open"*) t_ok "the refusal names the PSK file";; *) t_fail "the refusal names the PSK file"; echo "$out" | diag;; esac
check_fails "duplicate key refused" wj peer add "$J" --public-key "$a_pub" --allowed-ips 10.8.0.9/32
check_fails "own key refused" wj peer add "$J" --public-key "$JAIL_PUB"
out=$(wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.2/32 2>&1)
case $out in *"already routed to peer $a_pub"*) t_ok "same allowed IP refused, naming the other peer";;
	*) t_fail "same allowed IP refused, naming the other peer"; echo "$out" | diag;; esac
check_fails "same IPv6 allowed IP refused" wj peer add "$J" --public-key "$b_pub" --allowed-ips fd08::2/128
check_fails "unknown jail refused" wj peer add nosuchjail --public-key "$b_pub"
check_fails "bad jail name refused" wj peer add "../x" --public-key "$b_pub"
wj peer add "$J" >/dev/null 2>&1; check_eq "missing --public-key is a usage error (2)" 2 "$?"
check "file unchanged by every refusal" cmp "$F" "$T_TMP/orig"

# ---- add / list / remove ---------------------------------------------------
check "add b with endpoint, keepalive, two allowed IPs" \
	wj peer add "$J" --public-key "$b_pub" --allowed-ips "10.8.0.3/32, fd08::3/128" \
	--endpoint 192.0.2.3:51820 --keepalive 25
check "main file untouched by peer add" cmp "$F" "$T_TMP/orig"
D="$CONF/$J/$IFC.peers"
B=$(dropin "$J" "$IFC" "$b_pub")
check "b is in its drop-in, named after its key" test -f "$B"
check_eq "drop-in 0600" 600 "$(stat -c %a "$B")"
check_eq "drop-in directory 0700" 700 "$(stat -c %a "$D")"
check_eq "the drop-in holds b only" "$b_pub" "$(peers_in "$B")"
check_eq "one [Peer] section, nothing else" "[Peer]" "$(grep '^\[' "$B")"
check_eq "both peers in the merged config" "$(printf '%s\n' "$a_pub" "$b_pub" | sort)" "$(all_peers "$J" "$IFC")"
check "the index links b's allowed IPs" test "$(readlink "$D/.aip/4-10.8.0.3_32")" = "$(key_hex "$b_pub")" -a \
	"$(readlink "$D/.aip/6-fd08::3_128")" = "$(key_hex "$b_pub")"
check_fails "duplicate drop-in key refused" wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.99/32
keypair e
out=$(wj peer add "$J" --public-key "$e_pub" --allowed-ips 10.8.0.3/32 2>&1)
case $out in *"already routed to peer $b_pub ($B:1"*) t_ok "same allowed IP as a drop-in peer refused, naming its file:line";;
	*) t_fail "same allowed IP as a drop-in peer refused, naming its file:line"; echo "$out" | diag;; esac
check_fails "an address inside a drop-in peer's prefix refused" wj peer add "$J" --public-key "$e_pub" --allowed-ips fd08::3/128
check_eq "refusals left no drop-in" "" "$(ls "$D" | grep -v "$(key_hex "$b_pub")")"
json=$(wj peer list --json "$J")
check "list --json shows b" python3 -c '
import json,sys
d=json.loads(sys.argv[1]); p={x["public_key"]:x for x in d["peers"]}
b=p[sys.argv[2]]
assert d["up"] is False, d
assert sorted(b["allowed_ips"])==["10.8.0.3/32","fd08::3/128"], b
assert b["endpoint"]=="192.0.2.3:51820" and b["persistent_keepalive"]==25 and b["preshared_key"] is False, b
a=p[sys.argv[3]]; assert sorted(a["allowed_ips"])==["10.8.0.2/32","fd08::2/128"], a
' "$json" "$b_pub" "$a_pub"
check "plain list names both" bash -c "out=\$(\"$WGJAIL\" -c \"$CONF\" peer list \"$J\"); echo \"\$out\" | grep -q \"$a_pub\" && echo \"\$out\" | grep -q \"$b_pub\""
check "remove b" wj peer remove "$J" "$b_pub"
check "remove leaves the main file byte for byte" cmp "$F" "$T_TMP/orig"
check "remove deletes the drop-in" test ! -e "$B"
check_eq "remove deletes its index links" "" "$(ls "$D/.aip")"
check_fails "removing an absent peer fails" wj peer remove "$J" "$b_pub"

# overlap rules: a default route is carved from; --force takes a route
keypair c
check "default-route peer added" wj peer add "$J" --public-key "$c_pub" --allowed-ips 0.0.0.0/0,10.20.0.0/16
check_fails "an address inside another peer's /16 refused" wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.20.1.1/32
check "a /16 around another peer's /32 is no conflict" wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.0/16
check "remove b" wj peer remove "$J" "$b_pub"
check "a /32 is not a conflict with a /0" wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.9.0.7/32
check "remove b" wj peer remove "$J" "$b_pub"
check "--force takes a used allowed IP" wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.2/32 --force
check "remove b, c" bash -c "\"$WGJAIL\" -c \"$CONF\" peer remove \"$J\" \"$b_pub\" && \"$WGJAIL\" -c \"$CONF\" peer remove \"$J\" \"$c_pub\""
check "file back to the original" cmp "$F" "$T_TMP/orig"

# ---- PSKs ------------------------------------------------------------------
out=$(wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.3/32 --psk 2>&1)
psk=$(grep -i '^ *presharedkey' "$B" | sed 's/^[^=]*= *//')
check_eq "--psk writes a 44-character PSK" 44 "${#psk}"
case $out in *"$psk"*) t_fail "--psk does not print the PSK";; *) t_ok "--psk does not print the PSK";; esac
check "list says psk yes" bash -c "\"$WGJAIL\" -c \"$CONF\" peer list --json \"$J\" | grep -q '\"preshared_key\":true'"
wj peer remove "$J" "$b_pub" >/dev/null
out=$(wj peer add "$J" --public-key "$b_pub" --psk --show-keys)
psk=$(grep -i '^ *presharedkey' "$B" | sed 's/^[^=]*= *//')
check_eq "--show-keys prints the PresharedKey line" "PresharedKey = $psk" "$(echo "$out" | grep '^PresharedKey')"
wj peer remove "$J" "$b_pub" >/dev/null
(umask 077; "$WGJAIL" genpsk >"$T_TMP/psk")
check "--psk-file (0600) accepted" wj peer add "$J" --public-key "$b_pub" --psk-file "$T_TMP/psk"
check_eq "the file's PSK is stored" "$(cat "$T_TMP/psk")" "$(grep -i '^ *presharedkey' "$B" | sed 's/^[^=]*= *//')"

# ---- rotate (not up) -------------------------------------------------------
cp "$F" "$T_TMP/before-rotate"
newpub=$(wj rotate "$J" 2>/dev/null)
newpriv=$(grep '^PrivateKey' "$F" | sed 's/^[^=]*= *//; s/ *#.*//')
check_eq "rotate prints the public key of the new private key" "$(printf '%s\n' "$newpriv" | "$WGJAIL" pubkey)" "$newpub"
check "rotate changed the key" test "$newpriv" != "$JAIL_PRIV"
check "rotate kept the comment on the key line" grep -qF "PrivateKey = $newpriv   # keep secret" "$F"
check_eq "rotate changed only that line" 1 "$(diff "$T_TMP/before-rotate" "$F" | grep -c '^>')"
cp "$F" "$T_TMP/before-psk"
line=$(wj rotate "$J" --peer "$b_pub" 2>/dev/null)
psk=$(grep -i '^ *presharedkey' "$B" | sed 's/^[^=]*= *//')
check "rotate --peer of a drop-in peer leaves the main file alone" cmp "$F" "$T_TMP/before-psk"
check_eq "... and its drop-in still 0600" 600 "$(stat -c %a "$B")"
check_eq "rotate --peer prints the new PresharedKey line" "PresharedKey = $psk" "$line"
check "rotate --peer made a new PSK" test "$psk" != "$(cat "$T_TMP/psk")"
line=$(wj rotate "$J" --peer "$a_pub" 2>/dev/null)
check "rotate --peer on a peer without PSK adds one" grep -qF "${line}" "$F"
check_fails "rotate --peer on an unknown key fails" wj rotate "$J" --peer "$c_pub"

# ---- export ----------------------------------------------------------------
exp=$(wj export "$J" "$a_pub")
check "export: no private key" bash -c "! grep -q '^PrivateKey' <<<\"\$1\"" _ "$exp"
check "export: Address = a's host addresses" grep -qx "Address = 10.8.0.2/32, fd08::2/128" <<<"$exp"
check "export: our public key" grep -qx "PublicKey = $newpub" <<<"$exp"
check "export: our endpoint" grep -qx "Endpoint = vpn.example.org:51820" <<<"$exp"
check "export: our tunnel network" grep -qx "AllowedIPs = 10.8.0.0/24" <<<"$exp"
check "export: a's PSK" grep -qx "PresharedKey = ${line#PresharedKey = }" <<<"$exp"
check "export: keepalive (we have no endpoint for a)" grep -qx "PersistentKeepalive = 25" <<<"$exp"
exp=$(wj export --default-route "$J" "$a_pub")
check "export --default-route" grep -qx "AllowedIPs = 0.0.0.0/0, ::/0" <<<"$exp"
check_fails "export of an unknown peer fails" wj export "$J" "$c_pub"
cp "$F" "$T_TMP/before-gen"
exp=$(wj export --generate-remote-key "$J" "$a_pub" 2>/dev/null)
rpriv=$(sed -n 's/^PrivateKey = //p' <<<"$exp")
rpub=$(printf '%s\n' "$rpriv" | "$WGJAIL" pubkey 2>/dev/null)
check_eq "--generate-remote-key: exported private key present" 44 "${#rpriv}"
check_eq "--generate-remote-key: config names the new public key" "$rpub" "$(peers_in "$F")"
check "--generate-remote-key: comments and allowed IPs kept" grep -qF "AllowedIPs = 10.8.0.2/32 # v4" "$F"
check_eq "--generate-remote-key: only the key line changed" 1 "$(diff "$T_TMP/before-gen" "$F" | grep -c '^>')"
check_fails "the old key is gone" wj export "$J" "$a_pub"
wj peer remove "$J" "$b_pub" >/dev/null
wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.3/32 >/dev/null
exp=$(wj export --generate-remote-key "$J" "$b_pub" 2>/dev/null)
rpriv=$(sed -n 's/^PrivateKey = //p' <<<"$exp")
rpub2=$(printf '%s\n' "$rpriv" | "$WGJAIL" pubkey 2>/dev/null)
B2=$(dropin "$J" "$IFC" "$rpub2")
check "--generate-remote-key on a drop-in peer: the drop-in follows the key" test -f "$B2" -a ! -e "$B"
check_eq "... which holds the new key" "$rpub2" "$(peers_in "$B2")"
check "... and the index points at it" test "$(readlink "$D/.aip/4-10.8.0.3_32")" = "$(key_hex "$rpub2")"
check "... merged: a's replacement and b's" test "$(all_peers "$J" "$IFC")" = "$(printf '%s\n' "$rpub" "$rpub2" | sort)"
wj peer remove "$J" "$rpub2" >/dev/null
wj peer add "$J" --public-key "$b_pub" --allowed-ips 10.8.0.3/32 >/dev/null

# ---- drop-ins written or changed by hand -------------------------------------
keypair g
check "junk and temporary files in the peer directory are ignored" bash -c "
	touch '$D/README' '$D/$(key_hex "$g_pub").conf.tmpAbCdEf' '$D/$(key_hex "$g_pub" | tr a-f A-F).conf'
	\"$WGJAIL\" -c '$CONF' peer list '$J' >/dev/null"
rm -f "$D/README" "$D/"*.tmpAbCdEf "$D/"*[A-F]*.conf
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.8.0.7/32\n' "$g_pub" >"$D/$(key_hex "$e_pub").conf"
out=$(wj peer list "$J" 2>&1)
case $out in *"$D/$(key_hex "$e_pub").conf:1"*"does not match"*) t_ok "a drop-in whose key does not match its name: error names file:line";;
	*) t_fail "a drop-in whose key does not match its name: error names file:line"; echo "$out" | diag;; esac
mv "$D/$(key_hex "$e_pub").conf" "$D/$(key_hex "$g_pub").conf"
check "a drop-in copied in by hand is listed" bash -c "\"$WGJAIL\" -c '$CONF' peer list '$J' | grep -qF '$g_pub'"
check_fails "... and its allowed IP is known to peer add (index rebuilt)" wj peer add "$J" --public-key "$e_pub" --allowed-ips 10.8.0.7/32
check "... the index links it now" test "$(readlink "$D/.aip/4-10.8.0.7_32")" = "$(key_hex "$g_pub")"
printf '[Interface]\nListenPort = 1\n' >>"$D/$(key_hex "$g_pub").conf"
out=$(wj peer list "$J" 2>&1)
case $out in *"$D/$(key_hex "$g_pub").conf:4"*"[Interface]"*) t_ok "[Interface] in a drop-in: error names file:line";;
	*) t_fail "[Interface] in a drop-in: error names file:line"; echo "$out" | diag;; esac
check "peer remove repairs a broken drop-in" wj peer remove "$J" "$g_pub"
check "... config good again" wj peer list "$J"
printf '[Peer]\nPublicKey = %s\n' "$rpub" >"$D/$(key_hex "$rpub").conf"
out=$(wj peer list "$J" 2>&1)
case $out in *"$D/$(key_hex "$rpub").conf:1"*"also in $F:"*) t_ok "a key in the main file and in a drop-in: error names both";;
	*) t_fail "a key in the main file and in a drop-in: error names both"; echo "$out" | diag;; esac
rm -f "$D/$(key_hex "$rpub").conf"
ln -s "$(key_hex "$g_pub")" "$D/.aip/4-10.8.0.8_32"
check "a stale index link (its peer is gone) is ignored" wj peer add "$J" --public-key "$g_pub" --allowed-ips 10.8.0.8/32
check "... and replaced" test "$(readlink "$D/.aip/4-10.8.0.8_32")" = "$(key_hex "$g_pub")"
rm -rf "$D/.aip"
check_fails "index removed: rebuilt, a conflict still found" wj peer add "$J" --public-key "$e_pub" --allowed-ips 10.8.0.8/32
check "... the index is back" test -L "$D/.aip/4-10.8.0.8_32"
check "--force takes a drop-in peer's allowed IP" wj peer add "$J" --public-key "$e_pub" --allowed-ips 10.8.0.8/32 --force
check "remove the taker" wj peer remove "$J" "$e_pub"
keypair h
check_fails "the first owner is still known after the taker left" wj peer add "$J" --public-key "$h_pub" --allowed-ips 10.8.0.8/32
wj peer remove "$J" "$g_pub" >/dev/null

# ---- a hand edit after wgjail's last write is always re-parsed ------------------
keypair d
check "stamp written by the last edit" test -s "$CONF/$J/.$IFC.conf.parsed"
echo "ListenPort = 1 2 3" >>"$F"
cp "$F" "$T_TMP/broken"
out=$(wj peer add "$J" --public-key "$d_pub" 2>&1)
case $out in *"$F:"*) t_ok "peer add on a hand-broken file fails, naming file:line";;
	*) t_fail "peer add on a hand-broken file fails, naming file:line"; echo "$out" | diag;; esac
check "the broken file is left alone" cmp "$F" "$T_TMP/broken"
sed -i '$d' "$F"
check "after the repair, peer add works" wj peer add "$J" --public-key "$d_pub"

# ---- CRLF files get CRLF lines ---------------------------------------------------
J2=pg$$
mkjail "$J2" "p8$$g" 10.9.0.1/24
F2="$CONF/$J2/p8$$g.conf"
sed -i 's/$/\r/' "$F2"
cp "$F2" "$T_TMP/crlf"
check "peer add on a jail with a CRLF main file" wj peer add "$J2" --public-key "$d_pub" --allowed-ips 10.9.0.2/32
check "the CRLF main file is left alone" cmp "$F2" "$T_TMP/crlf"
check "peer remove" wj peer remove "$J2" "$d_pub"
printf '[peer]\r\npublickey = %s\r\nallowedips = 10.9.0.3/32\r\n' "$d_pub" >>"$F2"
cp "$F2" "$T_TMP/crlf2"
check "peer remove of a hand-written peer in a CRLF main file" wj peer remove "$J2" "$d_pub"
check_eq "still CRLF only" 0 "$(grep -vc $'\r$' "$F2")"

done_testing
