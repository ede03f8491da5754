#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# splats.sh CONSOLE...: the kernel's own reports of bugs in console logs
# (a run's boots: the kselftests', CRIU's), one KTAP case per kind; a case fails on any report of its kind and shows
# the first one.  The debug kernel (DEBUG=1) makes most of them possible;
# every run is checked.
#
# Only the kernel's report formats count, at the start of a message (after
# printk's optional "[  time]" and "[  T1]"): the console also carries
# what userspace prints, such as virtme-ng-init's "virtme-ng-init: WARNING:
# failed to run ...", which is no kernel report.
. "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || die "usage: splats.sh CONSOLE_LOG..."
for console; do
	[ -f "$console" ] || die "no console log at $console: run scripts/vm.sh first"
done

# The start of a kernel message: printk's time stamp and caller id, each
# there only when configured.
at='(\[ *[0-9]+\.[0-9]+\] )?(\[ *[CT][0-9]+\] )?'
# lockdep's headers (kernel/locking/lockdep.c), which begin like WARN's
# and BUG's but are lockdep's kind.
lockdep='(WARNING: (possible (circular|recursive) locking|possible irq lock inversion|inconsistent lock state|suspicious RCU usage|lock held when returning|lock held at task exit|bad unlock balance|held lock freed|bad contention|Nested lock was not taken|Illegal lock usage|.* still has locks held)|BUG: (Invalid wait context|looking up invalid subclass|MAX_LOCK))'

# kind NAME FIRST OTHER CONSOLE...: a case for the reports whose first
# line matches FIRST, leaving out those that match OTHER (another kind's,
# or empty).
kind() {
	local name=$1 first="^$at$2" other=${3:+"^[^:]*:[0-9]+:$at$3"} lines file n
	shift 3
	lines=$(grep -H -n -E "$first" "$@" |
		{ if [ -n "$other" ]; then grep -v -E "$other"; else cat; fi; } || true)
	if [ -z "$lines" ]; then
		ktap_result "console: no $name report" 0
		return
	fi
	file=${lines%%:*}
	n=${lines#*:}
	n=${n%%:*}
	ktap_result "console: no $name report" 1 "$(wc -l <<<"$lines") in all, the first at line $n of $file:
$(sed -n "$n,$((n + 15))p" "$file")"
}
kind BUG '(BUG: |kernel BUG at )' "(BUG: (KASAN|KFENCE): |$lockdep)" "$@"
# The "[ cut here ]" line before it comes before a BUG() too.
kind WARNING 'WARNING: CPU: [0-9]+ PID: [0-9]+ at ' '' "$@"
kind Oops '(Oops: |Internal error: Oops|general protection fault)' '' "$@"
kind KASAN 'BUG: KASAN: ' '' "$@"
kind UBSAN 'UBSAN: ' '' "$@"
kind lockdep "$lockdep" '' "$@"
kind 'hung task or soft lockup' \
	'(INFO: task .* blocked for more than|watchdog: BUG: soft lockup|rcu: INFO: rcu_[a-z]+ (self-)?detected stall)' '' "$@"
kind panic 'Kernel panic - not syncing' '' "$@"
ktap_print
