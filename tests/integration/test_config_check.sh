#!/bin/bash
# wgjail check: exit statuses, messages with file:line, keys hidden (in
# messages always, in -v output unless --show-keys), warnings, jail specs.
# Needs no root.
. "$(dirname "$0")/lib.sh"
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (run make test-bins)"
umask 077
cd "$T_TMP" || exit 1

keypair a
keypair b
psk=$("$WGJAIL" genpsk)
cat >ok.conf <<EOF
# a server
[Interface]
PrivateKey = $a_priv
ListenPort = 51820
Address = 10.0.0.1/24
PostUp = echo up %i

[Peer]
PublicKey = $b_pub
PresharedKey = $psk
AllowedIPs = 10.0.0.2/32
Endpoint = 127.0.0.1:51821
EOF

out=$("$WGJAIL" check ok.conf 2>err); rc=$?
check_eq "a valid file: exit 0" 0 "$rc"
check_eq "a valid file: one line" "ok.conf: valid WireGuard configuration (1 peer)" "$out"
check_eq "a 0600 file: no warning" "" "$(cat err)"

"$WGJAIL" check -v ok.conf >v.out 2>err; rc=$?
check_eq "-v: exit 0" 0 "$rc"
check "-v: private key hidden" grep -qx 'PrivateKey = (hidden)' v.out
check "-v: preshared key hidden" grep -qx 'PresharedKey = (hidden)' v.out
check_fails "-v: no private key anywhere" grep -qF -- "$a_priv" v.out
check_fails "-v: no preshared key anywhere" grep -qF -- "$psk" v.out
check "-v: canonical spelling and order" diff -u - <(grep -v '^PrivateKey\|^PresharedKey' v.out) <<EOF
[Interface]
ListenPort = 51820
Address = 10.0.0.1/24
PostUp = echo up %i

[Peer]
PublicKey = $b_pub
AllowedIPs = 10.0.0.2/32
Endpoint = 127.0.0.1:51821
EOF

"$WGJAIL" check -v --show-keys ok.conf >k.out 2>/dev/null
check "--show-keys: private key shown" grep -qx "PrivateKey = $a_priv" k.out
check "--show-keys: preshared key shown" grep -qx "PresharedKey = $psk" k.out
"$WGJAIL" check -v --show-keys k.out >k2.out 2>/dev/null
check "the normalised file is valid and a fixed point" cmp k.out k2.out
check_fails "the hidden view is not taken for keys" "$WGJAIL" check v.out
check "... and says why" sh -c "'$WGJAIL' check v.out 2>&1 | grep -q 'v.out:2: PrivateKey = (value hidden): this file was printed with keys hidden'"

# Usage.
"$WGJAIL" check >/dev/null 2>&1; check_eq "no FILE: exit 2" 2 "$?"
"$WGJAIL" check ok.conf ok.conf >/dev/null 2>&1; check_eq "two FILEs: exit 2" 2 "$?"
"$WGJAIL" check --show-keys ok.conf >/dev/null 2>&1; check_eq "--show-keys without -v: exit 2" 2 "$?"
"$WGJAIL" check -x ok.conf >/dev/null 2>&1; check_eq "unknown option: exit 2" 2 "$?"
"$WGJAIL" check -h >h.out 2>&1; check_eq "-h: exit 0" 0 "$?"
check "-h: usage" grep -q 'usage: wgjail check' h.out
"$WGJAIL" check nosuch.conf 2>err; check_eq "missing file: exit 1" 1 "$?"
check "missing file: named" grep -q 'nosuch.conf' err

# Errors: file:line, the value quoted, keys never.
bad() { # NAME LINE WANT: expect exit 1 and "NAME:LINE: WANT..."
	"$WGJAIL" check "$1" >/dev/null 2>err; local rc=$?
	check_eq "$1: exit 1" 1 "$rc"
	check "$1: '$1:$2:' and '$3'" grep -qF -- "wgjail: $1:$2: $3" err
	check_fails "$1: no key material in the message" grep -qF -e "$a_priv" -e "$psk" -e "${a_priv%?}" err
}
printf '[Interface]\nPrivateKey = %sx\n' "$a_priv" >privkey.conf
bad privkey.conf 2 "PrivateKey = (value hidden): not a WireGuard key"
printf '[Peer]\nPublicKey = %s\nPresharedKey = %s\n' "$b_pub" "${psk%?}" >psk.conf
bad psk.conf 3 "PresharedKey = (value hidden)"
printf '[Interface]\n%s\n' "${a_priv}" >bareline.conf
bad bareline.conf 2 "this line is a key alone (not shown)"
printf '[Interface]\n\n\nListenPort = 65536\n' >port.conf
bad port.conf 4 "ListenPort = '65536': not a port number"
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/32, 10.0.0.256/32\n' "$b_pub" >aips.conf
bad aips.conf 3 "AllowedIPs = '10.0.0.256/32': not an IP address"
printf '[Interface]\r\nListenPort = 1\r\n\r\n[Peer]\r\nAllowedIPs = 10.0.0.1/32\r\n' >nokey.conf
bad nokey.conf 4 "this [Peer] has no PublicKey"
printf '\xef\xbb\xbf[Interface]\n' >bom.conf
bad bom.conf 1 "the file starts with a UTF-8 byte-order mark"
printf '[Interface]\nPrivateKey = <YOUR KEY>\n' >tmpl.conf
bad tmpl.conf 2 "PrivateKey = (value hidden): not a WireGuard key"
check "tmpl.conf: a placeholder is called one" grep -q "template placeholder" err

# Warnings do not fail.
cp ok.conf open.conf; chmod 644 open.conf
"$WGJAIL" check open.conf >/dev/null 2>err; rc=$?
check_eq "a readable key file: still exit 0" 0 "$rc"
check "a readable key file: warned" grep -q "open.conf holds key material and is accessible by others" err
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.2.3/24\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.2.0/24\n' \
	"$a_pub" "$b_pub" >lint.conf
"$WGJAIL" check lint.conf >/dev/null 2>err; rc=$?
check_eq "lint warnings: exit 0" 0 "$rc"
check "host bits: warned at the [Peer] line" grep -q "lint.conf:1: in this \[Peer\], AllowedIPs 10.1.2.3/24 has host bits set; the peer gets 10.1.2.0/24" err
check "an allowed IP under two peers: warned" grep -q "lint.conf:4: in this \[Peer\], AllowedIPs 10.1.2.0/24 is also listed for the \[Peer\] at line 1" err

# Jail specs: told by their sections, named by their directory.
mkdir -p vpn1 bad.name
cat >vpn1/jail.conf <<EOF
[jail]
id = 7
uplink = bridge
bridge = br-vpn
address = 192.0.2.10/24
gateway = 192.0.2.1

[wireguard]
interface = wg0
address = 10.8.0.1/24
listen_port = 51820
EOF
out=$("$WGJAIL" check vpn1/jail.conf 2>&1); rc=$?
check_eq "a jail spec: exit 0" 0 "$rc"
check_eq "a jail spec: recognised and named" "vpn1/jail.conf: valid jail spec for jail 'vpn1'" "$out"
"$WGJAIL" check -v vpn1/jail.conf >spec.out 2>&1
check "a jail spec -v: canonical text" grep -q '^listen_port = 51820' spec.out
cp vpn1/jail.conf bad.name/jail.conf
"$WGJAIL" check bad.name/jail.conf 2>err; rc=$?
check_eq "a jail spec in a badly named directory: exit 1" 1 "$rc"
check "... and why" grep -q "'bad.name' is not a jail name" err
printf '[jail]\nid = 99999\n' >vpn1/jail.conf
"$WGJAIL" check vpn1/jail.conf 2>err; rc=$?
check_eq "an invalid jail spec: exit 1" 1 "$rc"
check "... with file:line" grep -q "vpn1/jail.conf:2: id = '99999'" err

done_testing
