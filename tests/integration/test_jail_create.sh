#!/bin/bash
# wgjail create: spec and key on first creation, idempotence, updates that
# keep the key and the peers, -n, ids, file modes.  (No namespace needed.)
. "$(dirname "$0")/lib.sh"
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL (run make test-bins)"

CONF=$T_TMP/conf
J=j6c$$
W() { "$WGJAIL" -c "$CONF" "$@"; }
sum() { cat "$@" | sha256sum | cut -c1-64; }

out=$(W create -n "$J" --address 10.7.0.1/24 --listen-port 51000 2>&1)
check "-n prints the spec" grep -q "would write .*jail.conf" <<<"$out"
check "-n hides the key" grep -q "PrivateKey = (hidden)" <<<"$out"
check_fails "-n writes nothing" test -e "$CONF"

out=$(W create "$J" --address 10.7.0.1/24 --listen-port 51000 2>&1)
check_eq "create succeeds" 0 "$?"
check_eq "confdir mode 0755" 755 "$(stat -c %a "$CONF")"
check_eq "jail directory mode 0700" 700 "$(stat -c %a "$CONF/$J")"
check_eq "wg0.conf mode 0600" 600 "$(stat -c %a "$CONF/$J/wg0.conf")"
check "wg0.conf has a private key" grep -q "^PrivateKey = " "$CONF/$J/wg0.conf"
check "wg0.conf has the listen port" grep -q "^ListenPort = 51000" "$CONF/$J/wg0.conf"
pub=$(sed -n 's/^public key: //p' <<<"$out")
key=$(sed -n 's/^PrivateKey = //p' "$CONF/$J/wg0.conf")
check_eq "printed public key matches the private key" "$pub" "$(printf '%s\n' "$key" | W pubkey)"
check "the spec parses (wgjail check)" W check "$CONF/$J/jail.conf"

before=$(sum "$CONF/$J/jail.conf" "$CONF/$J/wg0.conf")
out=$(W create "$J" --address 10.7.0.1/24 --listen-port 51000 2>&1)
check "same options again: says unchanged" grep -q unchanged <<<"$out"
check_eq "same options again: files unchanged" "$before" "$(sum "$CONF/$J/jail.conf" "$CONF/$J/wg0.conf")"
out=$(W create "$J" 2>&1)
check "no options: unchanged" grep -q unchanged <<<"$out"

# A peer, then an update: the key and the peer stay.
keypair p
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.7.0.2/32\n' "$p_pub" >>"$CONF/$J/wg0.conf"
out=$(W create -n "$J" --listen-port 51001 2>&1)
check "-n on an update shows the new port" grep -q "ListenPort = 51001" <<<"$out"
check "-n left the port alone" grep -q "^ListenPort = 51000" "$CONF/$J/wg0.conf"
check "update" W create "$J" --listen-port 51001 --mtu 1380
check "update: spec has the new mtu" grep -q "^mtu = 1380" "$CONF/$J/jail.conf"
check "update: spec kept the address" grep -q "^address = 10.7.0.1/24" "$CONF/$J/jail.conf"
check "update: wg0.conf has the new port" grep -q "^ListenPort = 51001" "$CONF/$J/wg0.conf"
check_eq "update: key kept" "$key" "$(sed -n 's/^PrivateKey = //p' "$CONF/$J/wg0.conf")"
check "update: peer kept" grep -q "$p_pub" "$CONF/$J/wg0.conf"
check_eq "update: still 0600" 600 "$(stat -c %a "$CONF/$J/wg0.conf")"

# Ids: lowest unused by default, a taken one refused.
check "second jail" W create "${J}b"
check_eq "second jail gets id 1" "id = 1" "$(grep '^id' "$CONF/${J}b/jail.conf")"
out=$(W create "${J}c" --id 1 2>&1)
check "a taken id is refused" grep -q "id 1 is used by another jail" <<<"$out"
check_fails "refused jail not written" test -e "$CONF/${J}c/jail.conf"

# A peer added with `peer add` is a drop-in: an update keeps it as it is.
q_pub=$("$WGJAIL" genkey | "$WGJAIL" pubkey)
check "peer add (a drop-in)" W peer add "$J" --public-key "$q_pub" --allowed-ips 10.7.0.9/32
check "update keeps the drop-in" bash -c "\"$WGJAIL\" -c \"$CONF\" create \"$J\" --mtu 1381 >/dev/null &&
	ls \"$CONF/$J/wg0.peers\" | grep -q '\.conf\$'"
check_fails "... and does not fold it into the main file" grep -q "$q_pub" "$CONF/$J/wg0.conf"

# A new interface name renames the config, keeping key and peers.
check "rename the interface" W create "$J" --interface wgx0
check_fails "old config gone" test -e "$CONF/$J/wg0.conf"
check "new config has the key" grep -q "$key" "$CONF/$J/wgx0.conf"
check "new config has the peer" grep -q "$p_pub" "$CONF/$J/wgx0.conf"
check_fails "old peer directory gone" test -e "$CONF/$J/wg0.peers"
check "the drop-in peer follows the interface" bash -c "\"$WGJAIL\" -c \"$CONF\" peer list \"$J\" | grep -qF \"$q_pub\""
check_fails "bad uplink refused" W create "$J" --uplink carrier-pigeon
check_fails "usage: no jail name" W create
done_testing
