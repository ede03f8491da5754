#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest-run.sh RESULTS KSELFTEST COLLECTION:FIRST SELECTION...
# Runs inside the test VM as root: the kselftests with the in-tree runner,
# each test's log kept (-p), then COLLECTION a second time in the same
# boot, FIRST first, then the kernel log.  Results go to RESULTS, a
# directory shared read-write with the host; SELECTION selects the tests
# (run_kselftest.sh's -c and -t).
#
# FIRST (the SELinux test) loads what cannot be taken back: it runs after
# every other program of COLLECTION in the first pass (TEST_GEN_PROGS
# lists it last), and first in the second.  The second pass runs the
# programs of COLLECTION the first pass ran, with -t, which keeps the order
# given; its output and logs go to RESULTS/rerun/, apart from the first
# pass's.  expect-rerun.sh compares the two.  RERUN=0 leaves the second
# pass out, with the reason in RESULTS/rerun/skipped: make test compares
# the passes on the series kernel only, and a pass costs a minute or more
# under TCG.  Every program is bounded by
# the collection's settings (timeout), the whole boot by vm.sh's
# VM_TIMEOUT.
set -u
results=$1
kselftest=$2
collection=${3%%:*}
first=${3#*:}
shift 3

cd "$kselftest" || exit 1

# run_pass DIR ARGS...: run_kselftest.sh -p ARGS into DIR/kselftest.tap,
# its exit code in DIR/kselftest.rc, each test's log as DIR/<test>.log.
run_pass() {
	dir=$1
	shift
	# The runner reopens /dev/stdout for some of its lines: into a file
	# that would write over earlier ones, through a pipe they keep their
	# order.
	{
		./run_kselftest.sh -p "$@" 2>&1
		echo "$?" >"$dir/kselftest.rc"
	} | cat >"$dir/kselftest.tap"
	# -p leaves each test's log in /tmp, named after the test.  Only the
	# tests that ran: /tmp is an overlay of the host's, which may hold
	# others.
	sed -n 's/^# selftests: [^ ]*: //p' "$dir/kselftest.tap" | while read -r test; do
		cp "/tmp/$test" "$dir/$test.log"
	done
}

run_pass "$results" "$@"

# The second pass: FIRST, then the programs of COLLECTION the first pass
# ran, in its order.  Where there is nothing to compare, the reason is
# left in rerun/skipped instead.
rerun=$results/rerun
mkdir -p "$rerun"
programs=$(sed -n "s/^# selftests: $collection: //p" "$results/kselftest.tap")
if [ "${RERUN:-1}" = 0 ]; then
	echo "not asked for (RERUN=0): make test compares the two passes on the series kernel only" >"$rerun/skipped"
elif [ -z "$programs" ]; then
	echo "the selection ($*) ran no program of $collection" >"$rerun/skipped"
elif ! ./run_kselftest.sh -l | grep -qx "$collection:$first"; then
	echo "this build has no $collection:$first" >"$rerun/skipped"
else
	set -- -t "$collection:$first"
	for test in $programs; do
		[ "$test" = "$first" ] || set -- "$@" -t "$collection:$test"
	done
	echo "$*" >"$rerun/selection"
	run_pass "$rerun" "$@"
fi
dmesg >"$results/dmesg.log"
