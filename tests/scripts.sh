#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the project's own scripts: bad input is refused with a clear
# message, and results are counted right.  Needs a prepared base (for the
# tree's kunit.py).  Prints KTAP.
. "$(dirname "$0")/../scripts/lib.sh"
scripts=$PROJECT_DIR/scripts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # check NAME COMMAND...: ok when COMMAND succeeds
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	ktap_result "$name" $rc "$([ $rc = 0 ] || echo "$out")"
}
# fails_with PATTERN COMMAND...: COMMAND exits non-zero and says PATTERN
fails_with() {
	local pattern=$1 out
	shift
	if out=$("$@" 2>&1); then echo "succeeded: $out"; return 1; fi
	grep -q -- "$pattern" <<<"$out" || { echo "$out"; return 1; }
}

check "base: an unknown BASE_VERSION is refused, listing the versions apt offers" \
	fails_with "Versions offered: .*6\.12" env BASE_VERSION=0.0-nosuch "$scripts/base.sh"
check "run: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch: not one of series, pre-cap, stock" "$scripts/run.sh" nosuch
check "apply: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch" "$scripts/apply.sh" nosuch
check "bench: an unknown KERNEL is refused" \
	fails_with "KERNEL=nosuch: not one of series, pre-cap, stock" "$scripts/bench.sh" nosuch
check "vm: an unknown MODE is refused" \
	fails_with "MODE=nosuch: use tests or bench" "$scripts/vm.sh" series nosuch
# A build without the benchmark, in a cache of its own: the lock and the
# results stay apart from the real ones.
cache=$tmp/cache/build/$(ref_version "$(current_base_version)")/series
mkdir -p "$cache/kernel/arch/x86/boot" "$cache/kselftest/$SELFTEST"
touch "$cache/kernel/arch/x86/boot/bzImage"
check "bench: a build without the benchmark is refused before booting" \
	fails_with "no benchmark at .*: the series patches lack it" \
	env CAPCR_CACHE="$tmp/cache" BASE_VERSION="$(current_base_version)" "$scripts/bench.sh" series

counts_are() { # counts_are "P F S" LINE
	printf '%s\n' "$2" >"$tmp/parsed"
	[ "$(kunit_counts "$tmp/parsed")" = "$1" ] || { echo "got $(kunit_counts "$tmp/parsed")"; return 1; }
}
check "counts: crashed tests and errors count as failed" \
	counts_are "2 4 1" "Testing complete. Ran 6 tests: passed: 2, failed: 1, crashed: 1, skipped: 1, 2 errors"
check "counts: no closing line counts as a failure" counts_are "0 1 0" "nothing parsed"

# A runner log with a passing program, a failing one, one that skips a
# case, one that crashed before printing its plan, and a second directory
# (the runner starts a TAP document for each).
mkdir -p "$tmp/r"
cat >"$tmp/r/kselftest.tap" <<'TAP'
TAP version 13
1..4
# selftests: d: good
ok 1 selftests: d: good
# selftests: d: bad
not ok 2 selftests: d: bad # exit=1
# selftests: d: skips
ok 3 selftests: d: skips
# selftests: d: crash
not ok 4 selftests: d: crash # exit=139
TAP version 13
1..1
# selftests: e: other
ok 1 selftests: e: other
TAP
printf '# timeout set to 45\n# TAP version 13\n# 1..2\n# ok 1 a\n# ok 2 b\n' >"$tmp/r/good.log"
printf '# TAP version 13\n# 1..2\n# # got EPERM\n# not ok 1 c\n# ok 2 d\n' >"$tmp/r/bad.log"
printf '# TAP version 13\n# 1..2\n# ok 1 e\n# ok 2 f # SKIP no ptmx\n' >"$tmp/r/skips.log"
printf '# thread panicked\n' >"$tmp/r/crash.log"
printf '# TAP version 13\n# 1..1\n# ok 1 g\n' >"$tmp/r/other.log"
nested_counts_are() {
	awk -v logs="$tmp/r" -f "$scripts/kselftest-nest.awk" "$tmp/r/kselftest.tap" >"$tmp/r/nested"
	kunit_parse "$tmp/r/nested" >"$tmp/r/parsed"
	[ "$(kunit_counts "$tmp/r/parsed")" = "$1" ] || { cat "$tmp/r/parsed"; return 1; }
}
check "kselftest nesting: every case of every directory counted, a skip is not a pass, a crash is a failure" \
	nested_counts_are "5 2 1"

printf '[PASSED] x: uid 65534 with CAP_CHECKPOINT_RESTORE: ok\n[FAILED] y: uid 65534 without capabilities: EPERM\n' >"$tmp/baseline"
check "baseline: a capability case that passes on the pre-cap base is caught" \
	fails_with "expected failed, got PASSED: x:" "$scripts/expect-baseline.sh" "$tmp/baseline"
check "baseline: a case without the capability that fails there is caught" \
	fails_with "expected passed, got FAILED: y:" "$scripts/expect-baseline.sh" "$tmp/baseline"

ktap_print
