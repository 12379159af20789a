#!/bin/bash
# The record of the last sync is read whole by every `wgjail sync`.  On
# tmpfs (/run, the default state directory's home) wgjail asks the kernel to
# hold it in 2 MiB pages (util/platform_linux.c), which makes that read
# cheaper (BENCHMARKS.md).  Checked from the outside: /proc/kpageflags says
# which of the record's pages lie in huge pages (huge_pages.py).
#   - a record written by a sync: folded;
#   - a plain copy of it on the same tmpfs: not (so it is wgjail's doing,
#     not the mount's);
#   - a fast-path sync appends to the record: still folded;
#   - compaction (WG_APPLIED_MAX_EDITS edits) writes a new record: folded.
. "$(dirname "$0")/lib.sh"
need_root_netns
need_wireguard_go
need_cmd python3

HP="python3 $(dirname "$0")/huge_pages.py"
[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] || skip_all "no tmpfs at /dev/shm"
[ -r /proc/kpageflags ] || skip_all "no /proc/kpageflags to read page flags from"
SHM=$(mktemp -d /dev/shm/wgjail-test.XXXXXX) || skip_all "cannot make a directory in /dev/shm"
on_exit "rm -rf '$SHM'"
# What the mount and the kernel do on their own, with this script's own fold.
head -c $((5 << 20)) /dev/urandom >"$SHM/probe"
read -r plain _ < <($HP "$SHM/probe")
[ "$plain" = 0 ] || skip_all "the tmpfs at /dev/shm holds files in huge pages by itself (huge= mount option): nothing to tell apart"
read -r folded _ < <($HP --fold "$SHM/probe" 2>/dev/null)
[ "${folded:-0}" -ge 512 ] || skip_all "this kernel does not fold tmpfs pages on request (MADV_COLLAPSE on shmem: Linux 6.1 or later)"
rm -f "$SHM/probe"

export WGJAIL_STATEDIR="$SHM/state"
IF="u4$$hp"
on_exit "rm -f /var/run/wireguard/$IF.sock"
ns_new a || { t_fail "namespace"; done_testing; exit; }
wg_go a "$IF" || { t_fail "wireguard-go starts"; done_testing; exit; }

# 24,000 peers: a record of some 2.6 MB, one whole 2 MiB page at least
umask 077
"$WGJAIL" genkey >"$T_TMP/priv"
python3 - "$T_TMP/priv" "$T_TMP" <<'PY'
import base64, hashlib, sys
priv = open(sys.argv[1]).read().strip()
def conf(extra):
    out = ["[Interface]", "PrivateKey = " + priv, ""]
    for i in range(24000):
        pub = base64.b64encode(hashlib.sha256(b"hp-%d" % i).digest()).decode()
        ip = "10.%d.%d.%d/32" % (i >> 16, (i >> 8) & 255, i & 255)
        if i == 12000 and extra:
            ip += ", 172.16.0.1/32"
        out += ["[Peer]", "PublicKey = " + pub, "AllowedIPs = " + ip, ""]
    return "\n".join(out)
open(sys.argv[2] + "/base.conf", "w").write(conf(False))
open(sys.argv[2] + "/one.conf", "w").write(conf(True))
PY
record() { ls "$WGJAIL_STATEDIR"/applied/*"-$IF" 2>/dev/null; }
huge() { $HP "$1" | cut -d' ' -f1; }

check "a sync of 24,000 peers" nsx a "$WGJAIL" sync "$IF" "$T_TMP/base.conf"
rec=$(record)
check "it leaves a record on tmpfs" test -n "$rec"
size=$(stat -c %s "$rec")
check "the record spans a whole 2 MiB page ($size bytes)" test "$size" -ge $((2 << 20))
n=$(huge "$rec")
check "the record is held in huge pages ($n of its pages)" test "$n" -ge 512
cp -p "$rec" "$SHM/copy"
check_eq "a plain copy of it is not (the mount does not fold)" 0 "$(huge "$SHM/copy")"
rm -f "$SHM/copy"

out=$(nsx a "$WGJAIL" sync -v "$IF" "$T_TMP/one.conf" 2>&1)
check "a change: the fast path, the device not read" grep -q "the device was not read" <<<"$out"
check_eq "the change is on the device" "172.16.0.1/32" \
	"$(nsx a wg show "$IF" allowed-ips | grep -o '172\.16\.0\.1/32')"
check_eq "the same record, appended to" "$(stat -c %i "$rec")" "$(stat -c %i "$(record)" 2>/dev/null)"
n=$(huge "$(record)")
check "still held in huge pages after the append ($n)" test "$n" -ge 512

ino=$(stat -c %i "$rec")
for i in $(seq 16); do
	nsx a "$WGJAIL" sync "$IF" "$T_TMP/base.conf" >/dev/null &&
		nsx a "$WGJAIL" sync "$IF" "$T_TMP/one.conf" >/dev/null || break
done
check "32 more edits compact the record into a new file" test "$(stat -c %i "$(record)" 2>/dev/null)" != "$ino"
n=$(huge "$(record)")
check "the compacted record is held in huge pages ($n)" test "$n" -ge 512
out=$(nsx a "$WGJAIL" sync -v "$IF" "$T_TMP/base.conf" 2>&1)
check "and serves the next sync" grep -q "the device was not read" <<<"$out"
done_testing
