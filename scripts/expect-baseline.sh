#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-baseline.sh PARSED [SET [LIST [LABEL]]]: on a kernel without
# (some of) the series, the cases of one result set must fail exactly
# where LIST expects it, under its "[SET]" header, and pass everywhere
# else.  LIST defaults to tests/pre-cap-failures.txt, for the
# pre-capability base (LABEL, which names the kernel in the results, to
# "pre-cap base"); Debian's kernels have lists of their own.  PARSED is
# kunit.py parse's output for that run; SET defaults to PARSED's name
# without ".parsed" (kselftest, criu, as run.sh names them).  An entry is
# a case's exact name or a bash glob matched against the whole name; one
# written "skip: ENTRY" names cases that must skip instead (a test of
# what that kernel does not have).  An entry that matches no case is
# itself a failure: it is stale.  Prints KTAP.
. "$(dirname "$0")/lib.sh"
usage="usage: expect-baseline.sh PARSED [SET [LIST [LABEL]]]"
parsed=${1:?$usage}
set_name=${2:-$(basename "$parsed" .parsed)}
list=${3:-$PROJECT_DIR/tests/pre-cap-failures.txt}
label=${4:-pre-cap base}
[ -f "$parsed" ] || die "no results: $parsed does not exist (run that kernel first: scripts/run.sh KERNEL)"
[ -f "$list" ] || die "no expectations: $list does not exist"

# entries: the lines of LIST under "[SET]", up to the next header, as
# "LINE-NUMBER ENTRY"; comments and blank lines left out.
entries() {
	awk -v set="$set_name" '
		/^[ \t]*(#|$)/ { next }
		/^\[[A-Za-z0-9_-]+\]$/ { section = substr($0, 2, length($0) - 2); seen = seen || section == set; next }
		section == "" { bad = NR; exit }
		section == set { sub(/[ \t]+$/, ""); sub(/^[ \t]+/, ""); print NR " " $0 }
		END {
			if (bad) { print "line " bad " comes before the first [SET] header"; exit 2 }
			if (!seen) exit 3
		}' "$1"
}
rc=0
out=$(entries "$list") || rc=$?
case $rc in
0) ;;
2) die "$list: $out: put each entry under the header of its result set ([kselftest], [criu])" ;;
3) die "$list has no [$set_name] header for the cases of $parsed: add one (it may be empty), or name the set: expect-baseline.sh PARSED SET" ;;
*) die "$list could not be read" ;;
esac
lineno=() pattern=() status=() used=()
if [ -n "$out" ]; then
	while read -r n entry; do
		lineno+=("$n")
		if [[ $entry == "skip: "* ]]; then
			status+=(SKIPPED) pattern+=("${entry#skip: }")
		else
			status+=(FAILED) pattern+=("$entry")
		fi
	done <<<"$out"
fi

# expected NAME: sets want to the status the entries give NAME (FAILED,
# SKIPPED), or PASSED where none matches; each entry that does is marked
# used (in this shell: no command substitution).
expected() {
	local i
	want=PASSED
	for i in "${!pattern[@]}"; do
		# shellcheck disable=SC2053 # the entry is a glob
		if [[ $1 == ${pattern[i]} ]]; then
			used[i]=1
			want=${status[i]}
		fi
	done
}

while read -r got name; do
	expected "$name"
	if [ "$got" = "$want" ]; then
		ktap_result "$label: ${want,,} as expected: $name" 0
	else
		ktap_result "$label: expected ${want,,}, got $got: $name" 1
	fi
done < <(kunit_leaves "$parsed")
for i in "${!pattern[@]}"; do
	[ -z "${used[i]:-}" ] || continue
	ktap_result "$label: stale expectation, matches no case: ${pattern[i]}" 1 \
		"$list line ${lineno[i]}, under [$set_name], matches no case of $parsed (whole names: GATE VARIANT CREDS for the kselftests): fix it or remove it"
done
ktap_print
