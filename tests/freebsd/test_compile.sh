#!/bin/bash
# The FreeBSD build, checked on Linux with the FreeBSD test kit
# (../shared/freebsd, see its README): every source the Makefile compiles
# on FreeBSD (`make print-srcs BUILD_OS=FreeBSD`, so the list cannot drift)
# is compiled with clang for x86_64-unknown-freebsd14.0 against the kit's
# FreeBSD headers, with the project's warning flags (-Werror included);
# then every symbol the objects leave undefined must be defined by another
# of them or be listed in tests/freebsd/allowed-symbols.txt (FreeBSD's
# libc, libnv, libjail, libutil and the packages' libsodium and libinih).
# The list is kept honest both ways: every entry must be used, and must be
# declared by a header of the kit's sysroot.
#
# The kit has no FreeBSD libraries, so this is not a link: it proves the
# code compiles for FreeBSD and calls nothing that FreeBSD lacks; the
# ioctls are not run (docs/design.md).  Skipped loudly without the kit.
. "$(dirname "$0")/../integration/lib.sh"

KIT=${FREEBSD_KIT:-../shared/freebsd}
case $KIT in /*) ;; *) KIT=$TOP/$KIT ;; esac # relative to the tree, as in the Makefile
SYSROOT=$KIT/sysroot
ALLOW=$TOP/tests/freebsd/allowed-symbols.txt
[ -d "$SYSROOT/usr/include" ] ||
	skip_all "no FreeBSD test kit at $KIT (set FREEBSD_KIT): the FreeBSD build is NOT checked"
command -v clang >/dev/null || skip_all "clang is not installed: the FreeBSD build is NOT checked"
NM=$(command -v llvm-nm || command -v nm) || skip_all "no nm: the FreeBSD build is NOT checked"

OUT=$TOP/build/freebsd
rm -rf "$OUT"
mkdir -p "$OUT/obj" "$OUT/shim"

# The kit's copy of the sysroot may hold FreeBSD's include/Makefile links
# (stdint.h -> sys/stdint.h, ...) as small text files naming their target
# (a copy that did not keep symbolic links).  Such a file is replaced, for
# this check, by a one-line header including its target.
for f in "$SYSROOT"/usr/include/*.h; do
	[ -f "$f" ] && [ ! -L "$f" ] && [ "$(wc -c <"$f")" -lt 64 ] || continue
	t=$(cat "$f")
	case $t in *.h) [ -f "$SYSROOT/usr/include/$t" ] && printf '#include <%s>\n' "$t" >"$OUT/shim/${f##*/}" ;; esac
done

# Package headers the kit does not have: libqrencode's one header and
# libpng's three are the same upstream files on both systems (FreeBSD:
# graphics/libqrencode and graphics/png, in /usr/local/include; libpng's
# pnglibconf.h is the build's configuration, upstream's default in both
# the Debian package and the port), so the host's copies stand in.
mkdir -p "$OUT/pkg"
for h in qrencode.h png.h libpng16/pngconf.h libpng16/pnglibconf.h; do
	[ -f "$SYSROOT/usr/local/include/${h##*/}" ] || { [ -f "/usr/include/$h" ] && cp -L "/usr/include/$h" "$OUT/pkg/"; } ||
		skip_all "no $h in the kit or on this host (Debian libqrencode-dev, libpng-dev): the FreeBSD build is NOT checked"
done

cd "$TOP" || exit 1
SRCS=$(make -s --no-print-directory print-srcs BUILD_OS=FreeBSD)
WFLAGS=$(make -s --no-print-directory print-wflags)
CFLAGS_FB="--target=x86_64-unknown-freebsd14.0 --sysroot=$SYSROOT -isystem $OUT/shim
	-isystem $SYSROOT/usr/local/include -isystem $OUT/pkg $WFLAGS -O2 -D_GNU_SOURCE -I."
export OUT CFLAGS_FB

# What the FreeBSD build must (not) contain.
linux_only=$(printf '%s\n' $SRCS | grep -E '_linux\.c$|^netconf/' || true)
check_eq "no Linux-only source is compiled on FreeBSD" "" "$linux_only"
for f in wg/kernel_freebsd.c wg/nv_encode_freebsd.c wg/nv_decode_freebsd.c agent/watch_freebsd.c \
	agent/platform_freebsd.c; do
	case " $(echo $SRCS) " in *" $f "*) t_ok "the FreeBSD build compiles $f" ;;
	*) t_fail "the FreeBSD build compiles $f" ;; esac
done

# Compile, two at a time; one TAP line per source.
printf '%s\n' $SRCS | xargs -P 2 -I{} sh -c '
	o="$OUT/obj/$(echo "{}" | tr / _).o"
	clang $CFLAGS_FB -c "{}" -o "$o" >"$o.log" 2>&1 || rm -f "$o"' 
for f in $SRCS; do
	o="$OUT/obj/$(echo "$f" | tr / _).o"
	if [ -f "$o" ]; then t_ok "compiles for FreeBSD 14: $f"; else
		t_fail "compiles for FreeBSD 14: $f"; head -20 "$o.log" | diag; fi
done

# The benchmark of waking a process (bench/wake_rtt.c, a program of its
# own: not in the link check) pins itself with cpuset_setaffinity there.
if clang $CFLAGS_FB -c bench/wake_rtt.c -o "$OUT/wake_rtt.o" >"$OUT/wake_rtt.log" 2>&1; then
	t_ok "compiles for FreeBSD 14: bench/wake_rtt.c"
else
	t_fail "compiles for FreeBSD 14: bench/wake_rtt.c"; head -20 "$OUT/wake_rtt.log" | diag
fi

# The link check.
objs=$(ls "$OUT"/obj/*.o 2>/dev/null)
if [ -z "$objs" ]; then
	t_fail "link check: no object to check"
	done_testing
	exit
fi
"$NM" -g --defined-only $objs 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$OUT/defined"
for o in $objs; do "$NM" -u "$o" | awk -v o="${o##*/}" '{ print $NF, o }'; done | sort >"$OUT/undef-by"
awk '{ print $1 }' "$OUT/undef-by" | sort -u | comm -23 - "$OUT/defined" >"$OUT/external"
sed 's/#.*//' "$ALLOW" | awk 'NF == 2 { print $2 }' | sort >"$OUT/allowed"
dups=$(uniq -d "$OUT/allowed")
check_eq "the allow-list names each symbol once" "" "$dups"
sort -u -o "$OUT/allowed" "$OUT/allowed"
missing=$(comm -23 "$OUT/external" "$OUT/allowed")
if [ -z "$missing" ]; then
	t_ok "link check: the $(wc -l <"$OUT/external") symbols the objects need from outside are all allowed"
else
	t_fail "link check: symbols defined by no project object and not in tests/freebsd/allowed-symbols.txt"
	for s in $missing; do echo "$s (used by $(awk -v s="$s" '$1 == s { print $2 }' "$OUT/undef-by" | tr '\n' ' '))"; done | diag
fi
unused=$(comm -13 "$OUT/external" "$OUT/allowed")
check_eq "every allowed symbol is used (the list stays small)" "" "$unused"
# Each allowed symbol exists in FreeBSD: a header of the sysroot declares it.
grep -rhowF -f "$OUT/allowed" "$SYSROOT/usr/include" "$SYSROOT/usr/local/include" "$OUT/pkg" 2>/dev/null | sort -u >"$OUT/declared"
undeclared=$(comm -23 "$OUT/allowed" "$OUT/declared")
check_eq "every allowed symbol is declared by a FreeBSD (or package) header" "" "$undeclared"

done_testing
