#!/bin/bash
# `make` on FreeBSD: FreeBSD's make is bmake, whose sys.mk prefers
# BSDmakefile (.MAKE.MAKEFILE_PREFERENCE= BSDmakefile makefile Makefile);
# BSDmakefile hands each target, with the command line's variables, to
# gmake, or says in one line what to install.  Checked with Debian's bmake
# (the same program, FreeBSD's make since 10.0) given FreeBSD's preference,
# against a recording stand-in for gmake and against the real one.
. "$(dirname "$0")/../integration/lib.sh"

command -v bmake >/dev/null || skip_all "bmake is not installed (make deps): the BSDmakefile is NOT checked"
cd "$TOP" || exit 1

mkdir -p "$T_TMP/mk" "$T_TMP/bin"
echo '.MAKE.MAKEFILE_PREFERENCE= BSDmakefile makefile Makefile' >"$T_TMP/mk/sys.mk"
cat >"$T_TMP/bin/gmake" <<EOF
#!/bin/sh
{ echo "call:"; for a in "\$@"; do printf '[%s]\n' "\$a"; done; echo "MAKEFLAGS=[\${MAKEFLAGS:-}]"; } >>"$T_TMP/calls"
EOF
chmod +x "$T_TMP/bin/gmake"
bsdmake() { : >"$T_TMP/calls"; bmake -m "$T_TMP/mk" "$@"; }
calls() { tr '\n' ' ' <"$T_TMP/calls"; }

GMAKE="$T_TMP/bin/gmake" bsdmake >/dev/null 2>&1
check_eq "make alone builds: gmake all" \
	"call: [--no-print-directory] [-f] [Makefile] [all] MAKEFLAGS=[] " "$(calls)"
GMAKE="$T_TMP/bin/gmake" bsdmake install PREFIX="/opt/w j" DESTDIR=/tmp/stage >/dev/null 2>&1
check_eq "a target and its variables, spaces kept" \
	"call: [--no-print-directory] [-f] [Makefile] [install] [DESTDIR=/tmp/stage] [PREFIX=/opt/w j] MAKEFLAGS=[] " \
	"$(calls)"
GMAKE="$T_TMP/bin/gmake" bsdmake all install V=1 >/dev/null 2>&1
check_eq "each target in turn" \
	"call: [--no-print-directory] [-f] [Makefile] [all] [V=1] MAKEFLAGS=[] call: [--no-print-directory] [-f] [Makefile] [install] [V=1] MAKEFLAGS=[] " \
	"$(calls)"

out=$(GMAKE="$T_TMP/no-gmake" bsdmake 2>&1); rc=$?
check_eq "without gmake: a failure" 1 "$((rc != 0))"
case $out in
*"wgjail builds with GNU make: pkg install gmake, then run make again"*) t_ok "without gmake: one line says what to install" ;;
*) t_fail "without gmake: one line says what to install"; echo "$out" | diag ;;
esac

# The real gmake behind it: the FreeBSD source list, as GNU make computes it.
want=$(make -s --no-print-directory print-srcs BUILD_OS=FreeBSD)
got=$(GMAKE=make bsdmake print-srcs BUILD_OS=FreeBSD 2>&1)
check_eq "through bmake, gmake computes the same FreeBSD build" "$want" "$got"

done_testing
