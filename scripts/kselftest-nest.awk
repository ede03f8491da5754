# SPDX-License-Identifier: GPL-2.0
# Nests the per-test logs that run_kselftest.sh -p leaves (every line
# prefixed "# ") under their programs as KTAP subtests, so that a KTAP
# parser counts each test case, not only each program.  -v logs=DIR.
/^# selftests: / {
	print
	log_file = logs "/" $NF ".log"
	print "    KTAP version 1"
	while ((getline line < log_file) > 0) {
		sub(/^# /, "", line)
		# The runner's own notes ("timeout set to") become diagnostics;
		# the program's version line is replaced by the one above.
		if (line ~ /^(K?TAP version )/)
			continue
		if (line !~ /^(ok |not ok |1\.\.|#|  )/)
			line = "# " line
		print "    " line
	}
	close(log_file)
	next
}
{ print }
