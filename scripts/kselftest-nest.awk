# SPDX-License-Identifier: GPL-2.0
# Nests the per-test logs that run_kselftest.sh -p leaves (every line
# prefixed "# ") under their programs as KTAP subtests, so that a KTAP
# parser counts each test case, not only each program.  -v logs=DIR.
# A log without a plan (the program died before printing one) is kept as
# diagnostics only: the runner's own "not ok" then counts as the failure.
/^# selftests: / {
	print
	log_file = logs "/" $NF ".log"
	n = 0
	has_plan = 0
	while ((getline line < log_file) > 0) {
		sub(/^# /, "", line)
		# The program's version line is replaced by the one below.
		if (line ~ /^(K?TAP version )/)
			continue
		if (line ~ /^1\.\./)
			has_plan = 1
		# The runner's own notes ("timeout set to") become diagnostics.
		if (line !~ /^(ok |not ok |1\.\.|#|  )/)
			line = "# " line
		lines[++n] = line
	}
	close(log_file)
	if (has_plan)
		print "    KTAP version 1"
	for (i = 1; i <= n; i++)
		print (has_plan ? "    " : "# ") lines[i]
	next
}
{ print }
