# 5,000 peers in one change: many SET messages (and a peer with 1,000
# allowed IPs split across messages both ways), checked peer for peer
# against wg(8) and against what was asked.
"$IP" netns add m
nsx m "$IP" link add wgm0 type wireguard
t0=$(date +%s)
"$WJVM" genconf 5000 1000 "$W/m.want" "$W/m.conf"
check "wgjail sync applies 5,000 peers (one with 1,000 allowed IPs)" sync_if m wgm0 "$W/m.conf"
t1=$(date +%s)
echo "WJTAP # 5,000-peer apply took $((t1 - t0)) s"
"$WJVM" canon <"$W/m.want" >"$W/m.want.c"
canon_wg m wgm0 >"$W/m.wg"
same_files "5,000 peers: wg reads exactly what was applied" "$W/m.want.c" "$W/m.wg"
canon_wjvm m wgm0 >"$W/m.wj"
same_files "5,000 peers: the kernel backend reads the same as wg" "$W/m.wg" "$W/m.wj"
n=$(($(wc -l <"$W/m.wj") - 1))
[ "$n" -eq 5000 ] && ok "5,000 peer lines" || notok "5,000 peer lines: $n"
check "a second sync of the same file succeeds" sync_if m wgm0 "$W/m.conf"
canon_wg m wgm0 >"$W/m.wg2"
same_files "... and leaves the 5,000 peers as they were" "$W/m.wg" "$W/m.wg2"
# One change: the last peer's allowed IPs (sed edits the last AllowedIPs).
last=$(grep -n '^AllowedIPs' "$W/m.conf" | tail -1 | cut -d: -f1)
sed -i "${last}s|.*|AllowedIPs = 172.31.255.0/24|" "$W/m.conf"
check "sync of one change among 5,000 peers" sync_if m wgm0 "$W/m.conf"
canon_wg m wgm0 >"$W/m.wg3"
if [ "$(diff "$W/m.wg2" "$W/m.wg3" | grep -c '^[-+][^-+]')" -eq 2 ] && grep -q '172.31.255.0/24' "$W/m.wg3"; then
	ok "exactly that peer changed"; else notok "exactly that peer changed"; diff "$W/m.wg2" "$W/m.wg3" | head | diag; fi
show_has() { nsx m "$WGJAIL" show --json wgm0 >"$W/m.json" && grep -q '172.31.255.0/24' "$W/m.json"; }
check "wgjail show --json reads the kernel device" show_has
"$IP" netns del m
