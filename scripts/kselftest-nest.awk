# SPDX-License-Identifier: GPL-2.0
# Turns run_kselftest.sh -p output into one KTAP document that a KTAP
# parser can count case by case:
# - the runner prints a TAP document per directory it runs: they become
#   one, with one plan and the results numbered in order;
# - each program's log (-p leaves it with every line prefixed "# ") is
#   nested under the program's result as KTAP subtests.  A log without a
#   plan (the program died before printing one) is kept as diagnostics
#   only: the runner's own "not ok" then counts as the failure.  A program
#   that stopped after its plan but before its last case gets a "not ok"
#   for each case it never ran, so that the plan holds and the parser
#   counts the rest.
# -v logs=DIR names the directory with the logs, <test>.log.
/^TAP version / || /^1\.\./ { next }
/^(not )?ok [0-9]+ / {
	sub(/ok [0-9]+ /, "ok " (++results) " ")
	out[++n] = $0
	next
}
/^# selftests: / {
	out[++n] = $0
	test = $NF
	log_file = logs "/" test ".log"
	m = 0
	has_plan = 0
	ran = 0
	while ((getline line < log_file) > 0) {
		sub(/^# /, "", line)
		# The program's version line is replaced by the one below.
		if (line ~ /^(K?TAP version )/)
			continue
		if (line ~ /^1\.\./) {
			has_plan = 1
			planned = substr(line, 4) + 0
		}
		if (line ~ /^(ok|not ok) /)
			ran++
		# The runner's own notes ("timeout set to") become diagnostics.
		if (line !~ /^(ok |not ok |1\.\.|#|  )/)
			line = "# " line
		sub_lines[++m] = line
	}
	close(log_file)
	if (!has_plan)
		out[++n] = "# " test " printed no KTAP plan: it crashed or was killed before its first case (the runner's result below says how it ended); its log: " log_file
	else if (ran < planned) {
		sub_lines[++m] = "# " test " stopped after " ran " of its " planned " cases: it crashed or was killed (the runner's result below says how it ended)"
		for (i = ran + 1; i <= planned; i++)
			sub_lines[++m] = "not ok " i " case " i " of " planned " never ran"
	}
	if (has_plan)
		out[++n] = "    KTAP version 1"
	for (i = 1; i <= m; i++)
		out[++n] = (has_plan ? "    " : "# ") sub_lines[i]
	next
}
{ out[++n] = $0 }
END {
	print "KTAP version 1"
	print "1.." results
	for (i = 1; i <= n; i++)
		print out[i]
}
