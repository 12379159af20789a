# 5,000 peers in one change: many SET messages (and a peer with 1,000
# allowed IPs split across messages both ways), checked peer for peer
# against wg(8) and against what was asked.
"$IP" netns add m
nsx m "$IP" link add wgm0 type wireguard
t0=$(date +%s)
if [ "$CONF_BY" = sync ]; then
	"$WJVM" genconf 5000 1000 "$W/m.want" "$W/m.conf"
	check "wgjail sync applies 5,000 peers (one with 1,000 allowed IPs)" nsx m "$WGJAIL" sync wgm0 "$W/m.conf"
else
	check "apply 5,000 peers (one with 1,000 allowed IPs)" nsx m "$WJVM" gen wgm0 5000 1000 "$W/m.want"
fi
t1=$(date +%s)
echo "WJTAP # 5,000-peer apply took $((t1 - t0)) s"
"$WJVM" canon <"$W/m.want" >"$W/m.want.c"
canon_wg m wgm0 >"$W/m.wg"
same_files "5,000 peers: wg reads exactly what was applied" "$W/m.want.c" "$W/m.wg"
canon_wjvm m wgm0 >"$W/m.wj"
same_files "5,000 peers: the kernel backend reads the same as wg" "$W/m.wg" "$W/m.wj"
n=$(($(wc -l <"$W/m.wj") - 1))
[ "$n" -eq 5000 ] && ok "5,000 peer lines" || notok "5,000 peer lines: $n"
"$IP" netns del m
