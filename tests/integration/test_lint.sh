#!/bin/bash
# The sources and the manual pages pass their linters, so that CI holds
# them to it: cppcheck over this platform's sources and the other's
# (`make lint`, as the Makefile runs it), and mandoc's own checker at
# warning level over man/ (tests/deps.sh installs both).  Neither needs
# root; both take a few seconds.
. "$(dirname "$0")/lib.sh"
need_cmd cppcheck
need_cmd mandoc
check "cppcheck: no warning over the Linux and the FreeBSD sources (make lint)" make -s -C "$TOP" lint
out=$(mandoc -Tlint -Wwarning "$TOP"/man/* 2>&1)
[ -z "$out" ] || printf '%s\n' "$out" | diag
check_eq "mandoc -Tlint: no warning in the manual pages" "" "$out"
done_testing
