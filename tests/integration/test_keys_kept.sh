#!/bin/bash
# Issue 13: a jail's private key is never lost nor replaced behind the
# operator's back, and a change that cannot be completed changes nothing.
# One jail, WireGuard-only uplink, wireguard-go (the key on the device is
# read back with `wgjail show --json`).
#
#   create --interface onto an existing IF.peers/ fails before any change
#   (item 2); interface names whose files collide with the spec or a
#   system file are refused (4, 5); --listen-port keeps spec and file in
#   step (13); create --interface on a running jail is refused (17); boot
#   on a running jail whose wg0.conf lost its key (removed, line deleted,
#   "generate") makes no key and leaves the device alone, and so does boot
#   on a stopped jail that had a key (1); secrets printed to a full output
#   change nothing (8); a FIFO or a link in place of a config fails at once
#   (10); a configuration or jail directory others can write is refused
#   (11).
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd nsenter
need_cmd python3

J=k13$$
export WGJAIL_RUNDIR=$T_TMP/status
wgjail_host "$J"
F=$CONF/$J/wg0.conf
key() { sed -n 's/^PrivateKey *= *//p' "$1" | head -1; }
pubof() { printf '%s\n' "$1" | "$WGJAIL" pubkey; }
devpub() { W show --json "$J" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["interfaces"][0]["public_key"])' 2>/dev/null; }
sum() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
# Each part starts from the same files, even if a part before it failed
# (a wgjail without the fixes breaks them): snapshot and restore.
snapshot() { rm -rf "$T_TMP/snap"; cp -a "$CONF/$J" "$T_TMP/snap"; }
restore() { rm -rf "${CONF:?}/$J"; cp -a "$T_TMP/snap" "$CONF/$J"; }

check "create" W create "$J" --uplink wireguard --implementation userspace --address 10.79.0.1/24 --listen-port 51900
K0=$(key "$F")
P0=$(pubof "$K0")
check "the jail's key is recorded (.pubkey)" grep -qx "$P0" "$CONF/$J/.pubkey"
keypair p
check "peer add" W peer add "$J" --public-key "$p_pub" --allowed-ips 10.79.0.2/32

# ---- item 2: a rename that cannot be completed changes nothing ------------
snapshot
mkdir -m 700 "$CONF/$J/wg1.peers"
before=$(sum "$CONF/$J/jail.conf" "$F")
out=$(W create "$J" --interface wg1 2>&1)
check_eq "create --interface wg1 over an existing wg1.peers/ fails" 1 "$?"
check "... and says why" grep -q "wg1.peers exists" <<<"$out"
check_eq "... wg0.conf and the spec are untouched" "$before" "$(sum "$CONF/$J/jail.conf" "$F")"
check "... the peer is still listed" bash -c "\"$WGJAIL\" -c \"$CONF\" peer list \"$J\" | grep -qF \"$p_pub\""
rmdir "$CONF/$J/wg1.peers"
touch "$CONF/$J/wg1.conf"
check_fails "create --interface wg1 over an existing wg1.conf fails" W create "$J" --interface wg1
check_eq "... nothing changed" "$before" "$(sum "$CONF/$J/jail.conf" "$F")"
check_eq "... and wg1.conf is still the operator's (empty)" 0 "$(stat -c %s "$CONF/$J/wg1.conf")"
restore

# ---- items 4, 5: names that collide with files that are not the interface's
for n in jail rc resolv sysctl pf ntp syslog login devfs; do
	out=$(W create "$J" --interface "$n" 2>&1)
	check_eq "--interface $n is refused" 1 "$?"
	check "... as reserved" grep -q "reserved" <<<"$out"
done
check_eq "... and nothing changed" "$before" "$(sum "$CONF/$J/jail.conf" "$F")"
check_fails "a new jail with --interface jail is refused" W create "${J}n" --interface jail
check_fails "... and has no spec" test -e "$CONF/${J}n/jail.conf"
check_fails "... nor a directory (a refused create changes nothing)" test -e "$CONF/${J}n"
mkdir -m 700 "$CONF/${J}n"
printf '[jail]\nid = 9\n[wireguard]\ninterface = rc\n' >"$CONF/${J}n/jail.conf"
out=$(W peer list "${J}n" 2>&1)
check "a spec written by hand with interface rc is refused" grep -q "interface = 'rc': reserved" <<<"$out"
rm -r "${CONF:?}/${J}n"
restore

# ---- item 13: the listen port is one change to both files ------------------
check "create --listen-port 51901" W create "$J" --listen-port 51901
check "... the spec says 51901" grep -qx "listen_port = 51901" "$CONF/$J/jail.conf"
check "... wg0.conf says 51901" grep -qx "ListenPort = 51901" "$F"
check_eq "... the key is kept" "$K0" "$(key "$F")"
mkdir -p "$T_TMP/img"
check "... provision agrees (spec and file match)" W provision -n --root "$T_TMP/img" "$J"
snapshot

# ---- the jail up ------------------------------------------------------------
check "up" W up "$J"
check_eq "the device has the file's key" "$P0" "$(devpub)"

# ---- item 17: no rename of a running jail's interface -----------------------
before=$(sum "$CONF/$J/jail.conf" "$F")
out=$(W create "$J" --interface wg1 2>&1)
check_eq "create --interface on a running jail fails" 1 "$?"
check "... saying to take it down first" grep -q "take it down first" <<<"$out"
check_eq "... nothing changed" "$before" "$(sum "$CONF/$J/jail.conf" "$F")"
check "... peer list still works" W peer list "$J"
restore

# ---- item 1: boot never makes a key for a jail that has one ------------------
cp -p "$F" "$T_TMP/wg0.saved"
boot_keeps() { # DESC: the file is broken as the caller left it
	local desc=$1 snap out rc
	snap=$(sum "$F")
	out=$(W boot 2>&1); rc=$?
	check_eq "$desc: boot exits 1" 1 "$rc"
	check "$desc: the table names the file and line" grep -Eq "$J .*failed .*$J/wg0.conf(:[0-9]+)?: .*no new key" <<<"$out"
	check_eq "$desc: the file is left as it was" "$snap" "$(sum "$F")"
	check_eq "$desc: the device keeps its key" "$P0" "$(devpub)"
	check_fails "$desc: no new key in any file" grep -rqE "^PrivateKey *= *[A-Za-z0-9+/]{43}=" "$CONF/$J" --exclude-dir=nothing
	cp -p "$T_TMP/wg0.saved" "$F"
}
rm "$F"
boot_keeps "running, wg0.conf removed"
sed -i '/^PrivateKey/d' "$F"
boot_keeps "running, PrivateKey line removed"
sed -i 's/^PrivateKey = .*/PrivateKey = generate/' "$F"
boot_keeps "running, PrivateKey = generate"
out=$(W boot 2>&1)
check_eq "with the file restored, boot succeeds" 0 "$?"
check_eq "... with the same key" "$P0" "$(devpub)"

check "down" W down "$J"
sed -i 's/^PrivateKey = .*/PrivateKey = generate/' "$F"
out=$(W boot 2>&1)
check_eq "down, but the jail had a key: boot exits 1" 1 "$?"
check "... saying which key it had" grep -q "had the key whose public key is $P0" <<<"$out"
check_fails "... and it is not up" test -e "/run/netns/$J"
check "... 'generate' is still there" grep -qx "PrivateKey = generate" "$F"
cp -p "$T_TMP/wg0.saved" "$F"
check "up again" W up "$J"

# ---- item 8: a secret the output does not take changes nothing --------------
before=$(sum "$F" "$CONF/$J/wg0.peers/"*.conf)
out=$(W export --generate-remote-key "$J" "$p_pub" 2>&1 >/dev/full)
check_eq "export --generate-remote-key > /dev/full exits 1" 1 "$?"
check "... saying nothing changed" grep -q "nothing changed" <<<"$out"
check_eq "... the config is unchanged" "$before" "$(sum "$F" "$CONF/$J/wg0.peers/"*.conf)"
check "... the peer keeps its key on the device" bash -c "W() { nsenter --net=/run/netns/$(ns h) \"$WGJAIL\" -c \"$CONF\" \"\$@\"; }; W peer list \"$J\" | grep -qF \"$p_pub\""
out=$(W rotate "$J" --peer "$p_pub" 2>&1 >/dev/full)
check_eq "rotate --peer > /dev/full exits 1" 1 "$?"
check_eq "... the config is unchanged" "$before" "$(sum "$F" "$CONF/$J/wg0.peers/"*.conf)"
keypair q
out=$(W peer add "$J" --public-key "$q_pub" --allowed-ips 10.79.0.3/32 --psk --show-keys 2>&1 >/dev/full)
check_eq "peer add --psk --show-keys > /dev/full exits 1" 1 "$?"
check_eq "... the peer was not added" "$before" "$(sum "$F" "$CONF/$J/wg0.peers/"*.conf)"
out=$(W create "$J" --mtu 1380 2>&1 >/dev/full)
check_eq "any command's output is checked (create > /dev/full exits 1)" 1 "$?"
out=$(W export --generate-remote-key "$J" "$p_pub" 2>"$T_TMP/err" >"$T_TMP/export")
check_eq "export --generate-remote-key to a file works" 0 "$?"
newpriv=$(key "$T_TMP/export")
check "... the peer's new key is in the config" bash -c "\"$WGJAIL\" -c \"$CONF\" peer list \"$J\" | grep -qF \"$(pubof "$newpriv")\""
check_eq "... the jail's own key never moved" "$P0" "$(devpub)"

# ---- item 10: a FIFO or a link in place of a config fails at once -----------
mv "$F" "$T_TMP/wg0.real"
mkfifo -m 600 "$F"
out=$(timeout 10 "$WGJAIL" -c "$CONF" peer list "$J" 2>&1)
check_eq "peer list on a FIFO wg0.conf fails at once (not a timeout)" 1 "$?"
check "... saying it is not a regular file" grep -q "not a regular file" <<<"$out"
out=$(timeout 10 "$WGJAIL" -c "$CONF" peer add "$J" --public-key "$q_pub" --allowed-ips 10.79.0.3/32 2>&1)
check_eq "peer add on a FIFO wg0.conf fails at once" 1 "$?"
rm "$F"
ln -s "$T_TMP/wg0.real" "$F"
out=$(W peer list "$J" 2>&1)
check_eq "a symbolic link in place of wg0.conf is refused" 1 "$?"
check "... saying so" grep -q "symbolic link" <<<"$out"
rm "$F"
mv "$T_TMP/wg0.real" "$F"
check "with the file back, peer list works" W peer list "$J"

# ---- item 11: directories others can write are not trusted ------------------
chmod 777 "$CONF"
out=$(W peer list "$J" 2>&1)
check_eq "a world-writable configuration directory is refused" 1 "$?"
check "... naming it, its mode and owner" grep -q "$CONF: mode 0777, owner uid 0" <<<"$out"
out=$(W boot 2>&1)
check_eq "boot refuses it too" 1 "$?"
chmod 775 "$CONF"
check_fails "a group-writable one too" W peer list "$J"
chmod 755 "$CONF"
chown nobody "$CONF/$J"
out=$(W peer list "$J" 2>&1)
check_eq "a jail directory owned by another user is refused" 1 "$?"
check "... naming its owner" grep -q "$CONF/$J: mode 0700, owner uid $(id -u nobody)" <<<"$out"
chown root "$CONF/$J"
chmod 770 "$CONF/$J"
check_fails "a group-writable jail directory is refused" W up "$J"
chmod 700 "$CONF/$J"
check "restored: peer list works" W peer list "$J"
check_eq "after all this, the jail's key is the first one" "$K0" "$(key "$F")"
check_eq "... and so is the device's" "$P0" "$(devpub)"
done_testing
