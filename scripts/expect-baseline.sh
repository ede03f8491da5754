#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-baseline.sh PARSED: on the pre-capability base the kselftests
# must fail in exactly the cases tests/pre-cap-failures.txt names (those
# the series changes) and pass in all others.  PARSED is kunit.py parse's
# output for that run.  Prints KTAP.
. "$(dirname "$0")/lib.sh"
parsed=${1:?usage: expect-baseline.sh KSELFTEST_PARSED}
mapfile -t changed < <(grep -v -e '^#' -e '^$' "$PROJECT_DIR/tests/pre-cap-failures.txt")

needs_cap() {
	local pattern
	for pattern in "${changed[@]}"; do
		[[ $1 != *"$pattern"* ]] || return 0
	done
	return 1
}

while read -r status name; do
	if needs_cap "$name"; then want=FAILED; else want=PASSED; fi
	if [ "$status" = "$want" ]; then
		ktap_result "pre-cap base: ${want,,} as expected: $name" 0
	else
		ktap_result "pre-cap base: expected ${want,,}, got $status: $name" 1
	fi
done < <(kunit_leaves "$parsed")
ktap_print
