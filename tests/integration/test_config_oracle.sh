#!/bin/bash
# wg0.conf parser against wg(8) as the oracle.
#
#   namespace o:  wireguard-go interface c3o<pid>  <-  wg setconf FILE
#                                                    (wg-quick keys stripped
#                                                     by wg-quick strip)
#   host:         wgjail check -v --show-keys FILE
#
# A corpus of ~250 files (config_corpus.py: valid and invalid, every error
# class, CRLF, BOM, NUL, long AllowedIPs lines, 10,000 peers) is written at
# test time.  For every file: wgjail accepts exactly when wg setconf does,
# and for accepted files the device state (wg showconf) equals wgjail's
# model as printed by check -v, normalised by config_oracle.py.  Rejections
# must name FILE:LINE and must not echo keys.  Deliberate differences are
# listed in the corpus manifest and named in the output.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd wg
need_cmd wg-quick
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "python3 is not installed (make deps)"
umask 077

IF="c3o$$"
ns_new o
wg_go o "$IF" || { t_fail "wireguard-go starts"; done_testing; }

corpus="$T_TMP/corpus" res="$T_TMP/res" strip="$T_TMP/strip"
mkdir -p "$res" "$strip"
t0=$SECONDS
n=$("$PY" "$TOP/tests/integration/config_corpus.py" "$corpus") || { t_fail "corpus generated"; done_testing; }
check "corpus of at least 200 files ($n)" test "$n" -ge 200

echo "# corpus written in $((SECONDS - t0)) s"
quick_re='^[[:space:]]*(Address|DNS|MTU|Table|PreUp|PostUp|PreDown|PostDown|SaveConfig)[[:space:]]*='
cut -f1 "$corpus/MANIFEST" | while read -r f; do
	# wg-quick strip wants NAME.conf with NAME a valid interface name.
	# It is slow on long lines (bash patterns): only files that hold a
	# wg-quick key go through it.
	s="$corpus/$f"
	if grep -qiE "$quick_re" "$s"; then
		cp "$s" "$strip/c.conf"
		s="$strip/s.conf"
		wg-quick strip "$strip/c.conf" >"$s" 2>"$res/$f.strip.err" || cp "$corpus/$f" "$s"
	fi
	# No retries for names that do not resolve (there is no DNS here).
	WG_ENDPOINT_RESOLUTION_RETRIES=0 nsx o wg setconf "$IF" "$s" >/dev/null 2>"$res/$f.wg.err"
	echo $? >"$res/$f.wg.rc"
	nsx o wg showconf "$IF" >"$res/$f.wg.show" 2>/dev/null
	"$WGJAIL" check -v --show-keys "$corpus/$f" >"$res/$f.wj.out" 2>"$res/$f.wj.err"
	echo $? >"$res/$f.wj.rc"
done

echo "# wg and wgjail ran in $((SECONDS - t0)) s"
while IFS=$'\t' read -r st desc detail; do
	if [ "$st" = ok ]; then t_ok "$desc"; else
		t_fail "$desc"; printf '%s\n' "$detail" | diag; fi
done < <(nsx o "$PY" "$TOP/tests/integration/config_oracle.py" "$corpus" "$res")

# The oracle's verdicts must not all be the same (a broken setup would
# make wg reject everything).
acc=$(grep -lx 0 "$res"/*.wg.rc | wc -l)
rej=$(grep -Lx 0 "$res"/*.wg.rc | wc -l)
check "wg accepted some files ($acc) and rejected others ($rej)" test "$acc" -ge 50 -a "$rej" -ge 50

done_testing
