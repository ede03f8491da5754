#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM as root: the kselftests with the in-tree runner,
# each test's log kept (-p), then the kernel log. Results go to $1, a
# directory shared read-write with the host.
set -u
results=$1
kselftest=$2

cd "$kselftest" || exit 1
./run_kselftest.sh -p >"$results/kselftest.tap" 2>&1
echo $? >"$results/kselftest.rc"
# -p leaves each test's log in /tmp, named after the test.
while IFS=: read -r _dir test; do
	cp "/tmp/$test" "$results/$test.log" 2>/dev/null
done <kselftest-list.txt
dmesg >"$results/dmesg.log"
