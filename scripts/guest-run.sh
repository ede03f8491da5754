#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM as root: the kselftests with the in-tree runner,
# each test's log kept (-p), then the kernel log. Results go to $1, a
# directory shared read-write with the host; $3... select the tests
# (run_kselftest.sh's -c and -t).
set -u
results=$1
kselftest=$2
shift 2

cd "$kselftest" || exit 1
# The runner reopens /dev/stdout for some of its lines: into a file that
# would write over earlier ones, through a pipe they keep their order.
{
	./run_kselftest.sh -p "$@" 2>&1
	echo "$?" >"$results/kselftest.rc"
} | cat >"$results/kselftest.tap"
# -p leaves each test's log in /tmp, named after the test.  Only the
# tests that ran: /tmp is an overlay of the host's, which may hold others.
sed -n 's/^# selftests: [^ ]*: //p' "$results/kselftest.tap" | while read -r test; do
	cp "/tmp/$test" "$results/$test.log"
done
dmesg >"$results/dmesg.log"
