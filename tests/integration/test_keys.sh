#!/bin/bash
# Key tools against wg(8) as the oracle: genkey/pubkey/genpsk output and
# exactly the same rejections.  Needs no root.
. "$(dirname "$0")/lib.sh"
need_cmd wg
[ -x "$WGJAIL" ] || skip_all "no wgjail binary at $WGJAIL"
umask 077
cd "$T_TMP" || exit 1

# The 1,000-key and 200-key loops compare output with wg's, not memory
# safety: they run the non-sanitized ./wgjail when present (WGJAIL_FAST
# overrides), as test_create_crash does, since under ASan/LSan each of
# their 2,200 processes spends ~0.1 s of CPU starting and scanning for
# leaks.  Every other check here runs the sanitized $WGJAIL.
FAST=$WGJAIL
[ -x "${WGJAIL_FAST:-$TOP/wgjail}" ] && FAST=${WGJAIL_FAST:-$TOP/wgjail}

# 1,000 keys: wgjail pubkey == wg pubkey, and wg accepts every one.
n=1000
: >keys
for _ in $(seq $n); do "$FAST" genkey >>keys; done
check_eq "1000 genkey lines, each 44 base64 characters ending in '='" "$n" \
	"$(grep -cE '^[A-Za-z0-9+/]{43}=$' keys)"
check_eq "1000 distinct keys" "$n" "$(sort -u keys | wc -l)"
mismatch=0 wgfail=0
while read -r k; do
	a=$(printf '%s\n' "$k" | "$FAST" pubkey) || { mismatch=$((mismatch + 1)); continue; }
	b=$(printf '%s\n' "$k" | wg pubkey) || { wgfail=$((wgfail + 1)); continue; }
	[ "$a" = "$b" ] || mismatch=$((mismatch + 1))
done <keys
check_eq "wg pubkey accepts every wgjail key" 0 "$wgfail"
check_eq "wgjail pubkey prints exactly what wg pubkey prints (1000 keys)" 0 "$mismatch"

# genkey clamps: first byte's low 3 bits clear, last byte 01xxxxxx.
bad_clamp=0
while read -r k; do
	hex=$(printf '%s' "$k" | base64 -d | od -An -tx1 | tr -d ' \n')
	first=$((16#${hex:0:2})) last=$((16#${hex:62:2}))
	{ [ $((first & 7)) -eq 0 ] && [ $((last & 192)) -eq 64 ]; } || bad_clamp=$((bad_clamp + 1))
done < <(head -200 keys)
check_eq "genkey clamps (200 keys checked)" 0 "$bad_clamp"

# genpsk does not clamp: over 200 keys some first byte has low bits set.
unclamped=0
for _ in $(seq 200); do
	hex=$("$FAST" genpsk | base64 -d | od -An -tx1 | tr -d ' \n')
	[ $((16#${hex:0:2} & 7)) -ne 0 ] && unclamped=$((unclamped + 1))
done
check "genpsk does not clamp ($unclamped of 200 with low bits set)" test "$unclamped" -gt 0

# Byte for byte: the same bytes from the same key, including the newline.
k=$(head -1 keys)
printf '%s\n' "$k" | "$WGJAIL" pubkey >a.out
printf '%s\n' "$k" | wg pubkey >b.out
check "pubkey output identical byte for byte (cmp)" cmp a.out b.out

# Malformed input: wgjail rejects (exit 1, a message) exactly where wg does.
good=$(head -1 keys)
cases=(
	"43 chars|${good:0:43}"
	"45 chars|${good:0:43}A="
	"outside alphabet|${good:0:10}-${good:11}"
	"outside alphabet (space)|${good:0:10} ${good:11}"
	"non-zero padding bits|${good:0:42}$( [ "${good:42:1}" = B ] && echo C || echo B)="
	"no padding|${good:0:43}A"
	"trailing garbage|${good} x"
	"trailing garbage no space|${good}x"
	"empty|"
	"whitespace only|   "
	"valid with trailing newlines|${good}"$'\n\n'
	"valid with trailing tab|${good}"$'\t'
)
for c in "${cases[@]}"; do
	name=${c%%|*} input=${c#*|}
	printf '%s' "$input" | wg pubkey >/dev/null 2>&1; wrc=$?
	printf '%s' "$input" | "$WGJAIL" pubkey >out 2>err; jrc=$?
	if [ "$wrc" -eq 0 ]; then
		check_eq "pubkey '$name': accepted by both" 0 "$jrc"
	else
		if [ "$jrc" -eq 1 ] && [ -s err ] && [ ! -s out ]; then t_ok "pubkey '$name': rejected by both (exit 1, message: $(head -c 80 err))"
		else t_fail "pubkey '$name': wg rejects (exit $wrc), wgjail exit $jrc"; cat err | diag; fi
	fi
done
# Non-canonical padding bits must be rejected by both (guard against a
# case list that silently stopped testing it).
printf '%s' "${good:0:42}$( [ "${good:42:1}" = B ] && echo C || echo B)=" | wg pubkey >/dev/null 2>&1
check_eq "the non-canonical case really is rejected by wg" 1 "$?"

# The world-accessible warning, as wg prints it; the key is still written.
umask 022
"$WGJAIL" genkey >world.key 2>warn
check "genkey warns when stdout is a world-readable file" grep -q "Warning: writing to world accessible file" warn
check "  ... and still writes the key" grep -qE '^[A-Za-z0-9+/]{43}=$' world.key
umask 077
"$WGJAIL" genkey >private.key 2>warn2
check_eq "no warning for a 0600 file" "" "$(cat warn2)"
"$WGJAIL" genkey 2>warn3 | cat >/dev/null
check_eq "no warning for a pipe" "" "$(cat warn3)"

# Keys never on argv: the commands take no key argument.
check_fails "genkey refuses arguments" "$WGJAIL" genkey extra
"$WGJAIL" pubkey "$good" </dev/null >/dev/null 2>&1
check_eq "pubkey refuses a key on argv (usage error, exit 2)" 2 "$?"
check "genkey -h prints usage" sh -c "'$WGJAIL' genkey -h | grep -q 'usage: wgjail genkey'"
# wgjail -h, --help and help: the list of commands, from the command table, exit 0
for h in -h --help help; do
	"$WGJAIL" $h >out 2>err
	check_eq "wgjail $h exits 0" 0 "$?"
	for c in genkey check sync create up down peer rotate export boot agent; do
		grep -q "^  $c " out || { t_fail "wgjail $h lists $c"; cat out err | diag; }
	done
	check "wgjail $h writes the list to stdout, nothing to stderr" test ! -s err
done

done_testing
