#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# splats.sh CONSOLE: the kernel's own reports of bugs in a console log,
# one KTAP case per kind; a case fails on any report of its kind and shows
# the first one.  The debug kernel (DEBUG=1) makes most of them possible;
# every run is checked.
. "$(dirname "$0")/lib.sh"
console=${1:?usage: splats.sh CONSOLE_LOG}
[ -f "$console" ] || die "no console log at $console: run scripts/vm.sh first"

# kind|extended regular expression of the report's first line
kinds=(
	"BUG|BUG: "
	"WARNING|WARNING: |------------\\[ cut here \\]"
	"Oops|Oops: |general protection fault"
	"KASAN|KASAN: "
	"UBSAN|UBSAN: "
	"lockdep|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|lock held when returning"
	"hung task or soft lockup|blocked for more than|soft lockup|rcu_sched self-detected stall|rcu: INFO"
	"panic|Kernel panic"
)
for kind in "${kinds[@]}"; do
	name=${kind%%|*}
	first=$(grep -m1 -n -E "${kind#*|}" "$console" | cut -d: -f1 || true)
	if [ -z "$first" ]; then
		ktap_result "console: no $name report" 0
	else
		ktap_result "console: no $name report" 1 "$(grep -c -E "${kind#*|}" "$console") in $console, the first at line $first:
$(sed -n "$first,$((first + 15))p" "$console")"
	fi
done
ktap_print
