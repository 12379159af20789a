# Helpers for the suites that run FreeBSD's real rc scripts (rc.subr,
# network.subr, rc.d/*) with the test kit's runner, run-rc.sh
# (../shared/freebsd/rc/README.md): every FreeBSD command is a stub that
# logs its arguments, and the suites compare the whole report -- the
# script's output, its exit status, the exact command log, the interfaces
# left -- with a golden file.
#
#   . "$(dirname "$0")/rc_lib.sh"     # after ../integration/lib.sh
#   need_rc_kit                       # skips the suite, loudly, without the kit
#   rc_golden "desc" NAME [run-rc.sh options] ROOT STUBS SCRIPT VERB
#
# Golden files: tests/freebsd/golden/NAME.  To regenerate them after an
# intended change, run the suite with UPDATE_GOLDEN=1, e.g.
#   UPDATE_GOLDEN=1 SUITES=freebsd TESTS=test_rc sh tests/run.sh
# and review `git diff tests/freebsd/golden` like any other change: each
# file is the report a reader can check against rc.subr and network.subr.

KIT=${FREEBSD_KIT:-$TOP/../shared/freebsd}
case $KIT in /*) ;; *) KIT=$TOP/$KIT ;; esac
RUNRC=$KIT/rc/run-rc.sh
GOLDEN=$TOP/tests/freebsd/golden

need_rc_kit() {
	[ -x "$RUNRC" ] || [ -f "$RUNRC" ] ||
		skip_all "no FreeBSD test kit at $KIT (FREEBSD_KIT): FreeBSD's real rc scripts are NOT run"
	# One run that does nothing tells whether the sandbox can be made here.
	mkdir -p "$T_TMP/probe"
	sh "$RUNRC" -q "$T_TMP/probe" "" /etc/rc.d/NETWORKING start >/dev/null 2>&1
	[ $? -ne 77 ] || skip_all "run-rc.sh cannot make its sandbox here (exit 77): FreeBSD's rc scripts are NOT run"
}

# rc_norm: the report with the run's temporary paths and process ids
# replaced by names (RC_SUBST: extra "sed expression" lines).
rc_norm() {
	sed -e "s|$T_TMP|@TMP@|g" -e "s|; /bin/sh: .*)\$|)|" ${RC_SUBST:+-e "$RC_SUBST"}
}

# rc_run OUT [run-rc.sh args...]: run it; the normalised report goes to
# OUT, the status to RC_STATUS.  Exit 77 (no sandbox here) skips the suite.
rc_run() {
	local out=$1; shift
	sh "$RUNRC" "$@" >"$out.raw" 2>&1
	RC_STATUS=$?
	[ "$RC_STATUS" -ne 77 ] || skip_all "run-rc.sh cannot make its sandbox here (exit 77)"
	rc_norm <"$out.raw" >"$out"
}

# golden_cmp DESC NAME FILE: FILE must equal tests/freebsd/golden/NAME
# (UPDATE_GOLDEN=1 writes it instead).
golden_cmp() {
	local desc=$1 name=$2 file=$3
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$(dirname "$GOLDEN/$name")"
		cp "$file" "$GOLDEN/$name"
		t_ok "$desc (golden $name regenerated)"
	elif [ ! -f "$GOLDEN/$name" ]; then
		t_fail "$desc: no golden file tests/freebsd/golden/$name (UPDATE_GOLDEN=1 makes it)"
		diag <"$file"
	elif diff -u "$GOLDEN/$name" "$file" >"$file.diff"; then
		t_ok "$desc"
	else
		t_fail "$desc (differs from tests/freebsd/golden/$name)"
		head -60 "$file.diff" | diag
	fi
}

# rc_golden DESC NAME [run-rc.sh args...]: run, then compare the report.
rc_golden() {
	local desc=$1 name=$2; shift 2
	rc_run "$T_TMP/report" "$@"
	golden_cmp "$desc" "$name" "$T_TMP/report"
}

# The rc.d script as `make install` installs it for FreeBSD, into ROOT
# (only the script: the stubs stand in for the binary).
install_rc_script() {
	local root=$1 stage=$T_TMP/stage.$$
	make -s -C "$TOP" install DESTDIR="$stage" PREFIX=/usr/local UNAME_S=FreeBSD >"$T_TMP/install.log" 2>&1 ||
		{ cat "$T_TMP/install.log"; return 1; }
	mkdir -p "$root/usr/local/etc/rc.d"
	cp -p "$stage/usr/local/etc/rc.d/wgjail" "$root/usr/local/etc/rc.d/wgjail"
	rm -rf "$stage"
}
