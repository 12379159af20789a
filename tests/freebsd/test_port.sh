#!/bin/bash
# The FreeBSD port (dist/freebsd/sysutils/wgjail) agrees with the source
# tree: what `gmake install` stages with the port's MAKE_ARGS (FreeBSD's
# layout) is exactly pkg-plist, plus what the ports framework adds itself
# (the rc.d script of USE_RC_SUBR); the man pages are listed as the ports
# framework compresses them; files/wgjail.in is rc/wgjail.in in the
# ports' %%PREFIX%% form; LIB_DEPENDS names every package the FreeBSD
# build links and nothing else; the version is the tree's.  No kit needed.
. "$(dirname "$0")/../integration/lib.sh"
cd "$TOP" || exit 1

P=dist/freebsd/sysutils/wgjail
check "the port has Makefile, pkg-descr, pkg-plist, files/wgjail.in" \
	test -f $P/Makefile -a -f $P/pkg-descr -a -f $P/pkg-plist -a -f $P/files/wgjail.in

# portvar NAME: the value of NAME= in the port's Makefile (one line).
portvar() { sed -n "s/^$1=[[:space:]]*//p" $P/Makefile | sed 's/[[:space:]]*#.*//; s/[[:space:]]*$//'; }

# ---- make install with the port's MAKE_ARGS, into a stage ------------------------------
STAGE=$T_TMP/stage
PREFIX=/usr/local
eval "set -- $(portvar MAKE_ARGS | sed "s|\${PREFIX}|$PREFIX|g")"
check_eq "the port passes PREFIX, MANDIR (share/man) and an empty RCDIR" \
	"PREFIX=/usr/local MANDIR=/usr/local/share/man RCDIR=" "$*"
out=$(make -s install DESTDIR="$STAGE" UNAME_S=FreeBSD "$@" 2>&1); rc=$?
check_eq "make install with the port's MAKE_ARGS succeeds" 0 "$rc"; [ "$rc" -ne 0 ] && printf '%s\n' "$out" | diag

# What the ports framework then does: compress the manual pages.
find "$STAGE" -path '*/man/man*' -type f -exec gzip -9n {} +
staged=$(cd "$STAGE$PREFIX" && find . -type f | sed 's|^\./||' | sort)
plist=$(grep -v '^@' $P/pkg-plist | sort)
check_eq "staged files = pkg-plist" "$plist" "$staged"
check "pkg-plist is not empty" test -n "$plist"

check_eq "USE_RC_SUBR installs the rc.d script wgjail" "wgjail" "$(portvar USE_RC_SUBR)"
check_fails "... which the upstream install does not stage again (RCDIR empty)" test -e "$STAGE$PREFIX/etc/rc.d/wgjail"
check_fails "pkg-plist does not list it (the framework adds it)" grep -q 'rc.d' $P/pkg-plist
exp=$(sed 's|@BINDIR@|%%PREFIX%%/sbin|g' rc/wgjail.in)
if [ "$exp" = "$(cat $P/files/wgjail.in)" ]; then
	t_ok "files/wgjail.in is rc/wgjail.in with %%PREFIX%%/sbin"
else
	t_fail "files/wgjail.in is rc/wgjail.in with %%PREFIX%%/sbin (run: make port-files)"
	diff <(echo "$exp") $P/files/wgjail.in | head -20 | diag
fi
check_eq "the ports' %%PREFIX%% is the only substitution left in it" "%%PREFIX%%" \
	"$(grep -o '%%[A-Z_]*%%\|@[A-Z_]*@' $P/files/wgjail.in | sort -u | tr '\n' ' ' | sed 's/ $//')"

# A plain FreeBSD install (no port) puts the script in /usr/local/etc/rc.d,
# and the binary and pages where the port does.
out=$(make -s install DESTDIR="$T_TMP/plain" UNAME_S=FreeBSD PREFIX=/usr/local 2>&1); rc=$?
check_eq "plain make install (FreeBSD layout) succeeds" 0 "$rc"
check_eq "plain make install (FreeBSD layout): the files" \
"etc/rc.d/wgjail
sbin/wgjail
share/man/man5/wgjail.conf.5
share/man/man8/wgjail.8" "$(cd "$T_TMP/plain/usr/local" && find . -type f | sed 's|^\./||' | sort)"

# ---- dependencies and version -----------------------------------------------------------
pkgs=$(make -s --no-print-directory print-pkgs BUILD_OS=FreeBSD)
deps=$(portvar LIB_DEPENDS | tr ' ' '\n' | sed -n 's/^lib\([^.]*\)\.so:.*/lib\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
check_eq "LIB_DEPENDS = the packages the FreeBSD build links or loads (pkg-config: $pkgs)" \
	"$(echo "$pkgs" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" "$deps"
check_eq "libpng from graphics/png, libqrencode from graphics/libqrencode, libsodium from security/libsodium" \
	"libpng.so:graphics/png libqrencode.so:graphics/libqrencode libsodium.so:security/libsodium" "$(portvar LIB_DEPENDS)"
check_eq "USES: gmake (the Makefile is GNU make's) and pkgconfig" "gmake pkgconfig" "$(portvar USES)"
check_eq "DISTVERSION is the tree's VERSION" \
	"$(sed -n 's/^VERSION := //p' Makefile)" "$(portvar DISTVERSION)"
check_eq "LICENSE BSD2CLAUSE, as LICENSE says" "BSD2CLAUSE" \
	"$(grep -q '^BSD 2-Clause License' LICENSE && portvar LICENSE)"

done_testing
