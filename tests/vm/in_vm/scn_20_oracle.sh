# GET against the oracle: wg(8) configures, wgjail's backend reads; then
# wgjail's backend configures, wg(8) reads.
"$IP" netns add o
nsx o "$IP" link add wgo0 type wireguard
genkey o; genkey p1; genkey p2; genkey p3
umask 077; "$WG" genpsk >"$W/o.psk"
nsx o "$WG" set wgo0 private-key "$W/o.key" listen-port 51999 fwmark 0x2a \
	peer "$(cat "$W/p1.pub")" preshared-key "$W/o.psk" endpoint 192.0.2.1:51820 \
		persistent-keepalive 25 allowed-ips 10.9.0.0/24,fd09::/64,10.9.1.1/32 \
	peer "$(cat "$W/p2.pub")" endpoint "[2001:db8::2]:4500" allowed-ips 10.9.2.0/24 \
	peer "$(cat "$W/p3.pub")"
canon_wg o wgo0 >"$W/o.wg"
canon_wjvm o wgo0 >"$W/o.wj"
same_files "GET: a device set by wg reads the same through the kernel backend" "$W/o.wg" "$W/o.wj"
grep -q "$(cat "$W/p1.pub")" "$W/o.wj" && ok "GET: the peers are there" || notok "GET: the peers are there"

# SET: change, remove, update-only, replace-allowed-ips, PSK removal.
printf '\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' | base64 >"$W/zero.psk"
genkey p4
check "SET through the kernel backend" nsx o "$WJVM" set wgo0 listen-port 52000 fwmark 0 \
	peer "$(cat "$W/p1.pub")" preshared-key "$W/zero.psk" replace-allowed-ips allowed-ips 10.9.3.0/24 \
		persistent-keepalive 0 \
	peer "$(cat "$W/p2.pub")" remove \
	peer "$(cat "$W/p4.pub")" update-only allowed-ips 10.9.4.0/24 \
	peer "$(cat "$W/p3.pub")" endpoint 198.51.100.3:1 allowed-ips fd0a::1/128
# What the oracle would have produced, built in a second device by wg.
nsx o "$IP" link add wgo1 type wireguard
nsx o "$WG" set wgo1 private-key "$W/o.key" listen-port 52001 \
	peer "$(cat "$W/p1.pub")" endpoint 192.0.2.1:51820 allowed-ips 10.9.3.0/24 \
	peer "$(cat "$W/p3.pub")" endpoint 198.51.100.3:1 allowed-ips fd0a::1/128
canon_wg o wgo0 | cut -f1-4,8 | sed 's/52000/PORT/' >"$W/o2.got"
canon_wg o wgo1 | cut -f1-4,8 | sed 's/52001/PORT/' >"$W/o2.want"
same_files "SET: remove, replace-allowed-ips, update-only, PSK and keepalive removal as wg would" \
	"$W/o2.want" "$W/o2.got"
"$IP" netns del o
