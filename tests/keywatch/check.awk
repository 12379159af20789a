# The key watch's verdict (see tests/keywatch/wgjail), as TAP: every
# command that left a jail which had a private key with another key, or
# with none, is a failure, unless it is `rotate JAIL` (without --peer) for
# that jail, or ran while such a rotate of the same jail in the same
# configuration directory ran.  First boot and `create` of a new jail start
# from no key, which is not a change of a key -- but only for a jail that
# never had one: a command that gives a jail whose file lost its key a new
# one (the key seen last, by any command, differs) fails too.  A jail's
# history starts over when it is seen without its directory (removed).
#
#   awk -f tests/keywatch/check.awk build/test-logs/keywatch.log
#
# Log lines: T0 T1 RC [CONFDIR] {JAIL=FP ...} {JAIL=FP ...} ARGS...

# The command word and its jail (first non-option argument after it) of
# the argument string A; sets CMD, JAIL, PEER (a --peer option given).
function parse_args(a,    n, t, i, want) {
	n = split(a, t, " ")
	CMD = ""; JAIL = ""; PEER = 0; want = 0
	for (i = 1; i <= n; i++) {
		if (CMD == "") {
			if (t[i] == "-c") { i++; continue }
			if (t[i] ~ /^-/) continue
			CMD = t[i]; continue
		}
		if (t[i] == "--peer" || t[i] ~ /^--peer=/) PEER = 1
		if (t[i] ~ /^-/) continue
		if (JAIL == "") JAIL = t[i]
	}
}

function snapshot(s, out,    n, t, i, kv) {
	split("", out)
	gsub(/[{}]/, "", s)
	n = split(s, t, " ")
	for (i = 1; i <= n; i++) {
		if (split(t[i], kv, "=") == 2)
			out[kv[1]] = kv[2]
	}
}

{
	if (!match($0, /^[0-9.]+ [0-9.]+ [0-9]+ \[[^]]*\] \{[^}]*\} \{[^}]*\}/)) {
		bad_line++
		next
	}
	head = substr($0, 1, RLENGTH)
	args = substr($0, RLENGTH + 2)
	n++
	T0[n] = $1; T1[n] = $2
	d = head; sub(/^[^[]*\[/, "", d); sub(/\].*/, "", d); DIR[n] = d
	b = head; sub(/^[^{]*/, "", b); a = b
	sub(/\} \{.*/, "}", b); sub(/^\{[^}]*\} /, "", a)
	BEFORE[n] = b; AFTER[n] = a; ARGS[n] = args
	parse_args(args)
	C[n] = CMD; J[n] = JAIL; P[n] = PEER
}

function allowed(i, jail,    k) {
	for (k = 1; k <= n; k++)
		if (C[k] == "rotate" && J[k] == jail && !P[k] && DIR[k] == DIR[i] && T0[k] <= T1[i] && T1[k] >= T0[i])
			return 1
	return 0
}

function fail(i, jail, what) {
	fails++
	printf "not ok %d - 'wgjail %s' %s jail %s (configuration directory %s)\n", fails, ARGS[i], what, jail, DIR[i]
}

END {
	fails = 0
	# In the order the commands ended (the record's order).
	for (i = 1; i <= n; i++) {
		snapshot(BEFORE[i], bef)
		snapshot(AFTER[i], aft)
		for (jail in bef)
			if (bef[jail] != "-")
				last[DIR[i], jail] = bef[jail]
		# (Membership is tested before any read: reading an awk array
		# element creates it.)
		for (jail in aft) {
			a = aft[jail]
			had = ((DIR[i], jail) in last) ? last[DIR[i], jail] : "-"
			if (!(jail in bef)) {   # a new jail
				if (a != "-")
					last[DIR[i], jail] = a
				continue
			}
			b = bef[jail]
			if (a == "-" || a == b)
				continue
			if (b == "-" && (had == "-" || had == a)) {
				last[DIR[i], jail] = a   # a first key
				continue
			}
			if (!allowed(i, jail))
				fail(i, jail, b == "-" ? "made a new key for a jail that had one:" : "replaced the private key of")
			last[DIR[i], jail] = a
		}
		for (jail in bef) {
			if (bef[jail] == "-" || !(jail in aft))
				continue
			if (aft[jail] == "-" && !allowed(i, jail))
				fail(i, jail, "removed the private key of")
		}
		# A jail no longer there: its history ends.
		for (jail in bef)
			if (!(jail in aft) && ((DIR[i], jail) in last))
				delete last[DIR[i], jail]
	}
	if (bad_line)
		printf "# %d unreadable lines in the record\n", bad_line
	if (n == 0) {
		print "ok 1 - key watch # SKIP no command was watched"
	} else if (!fails) {
		printf "ok 1 - key watch: %d commands watched; none left a jail that had a private key with another one or none, except rotate\n", n
	}
	printf "1..%d\n", fails ? fails : 1
	exit fails ? 1 : 0
}
