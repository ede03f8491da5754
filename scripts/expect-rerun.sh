#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# expect-rerun.sh RESULTS: the SELinux test leaves nothing behind that
# changes another test's result.  Its policy cannot be unloaded, so
# guest-run.sh runs the kselftests with the SELinux test after every
# other program of the collection, then the collection again in the same
# boot with the SELinux test first (RESULTS/rerun/).  Every other program
# must give each case the same result ("STATUS NAME", compared exactly:
# no case name holds a PID) before the policy as after it, and the
# SELinux test the same run last as run first.  Both passes are nested as
# report.sh nests the first (kselftest-nest.awk) and read by the tree's
# kunit.py; the second's reading is kept as RESULTS/rerun/kselftest.parsed.
# Prints KTAP, one case a program.
. "$(dirname "$0")/lib.sh"
[ -n "${1:-}" ] || die "usage: expect-rerun.sh RESULTS"
results=$(cd "$1" && pwd) || die "no results directory $1"
first=selinux
rerun=$results/rerun
what="the kselftests again in the same boot, $first first"

if [ ! -f "$results/kselftest.tap" ]; then
	ktap_result "rerun: $what" 1 "no kselftest results in $results: run scripts/vm.sh first"
	ktap_print
	exit
fi
if [ ! -f "$rerun/kselftest.tap" ]; then
	if [ -f "$rerun/skipped" ]; then
		ktap_result "rerun: $what # SKIP $(cat "$rerun/skipped")" 0
	else
		ktap_result "rerun: $what" 1 "no second pass: $rerun/kselftest.tap is missing; the VM stopped before guest-run.sh ran it (the end of $results/console.log says why)"
	fi
	ktap_print
	exit
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v logs="$results" -f "$PROJECT_DIR/scripts/kselftest-nest.awk" \
	"$results/kselftest.tap" >"$tmp/first.ktap"
kunit_parse "$tmp/first.ktap" >"$tmp/first.parsed"
awk -v logs="$rerun" -f "$PROJECT_DIR/scripts/kselftest-nest.awk" \
	"$rerun/kselftest.tap" >"$rerun/kselftest-nested.ktap"
kunit_parse "$rerun/kselftest-nested.ktap" >"$rerun/kselftest.parsed"

# programs PARSED: kunit_leaves' "STATUS NAME" lines of each program of
# the collection, as "PROGRAM<tab>STATUS NAME", in the order they ran:
# its cases, then its own result (the runner's).  kunit.py closes each
# program's cases with a divider that names it; a program that printed
# no plan is a leaf named after it.
programs() {
	awk -v collection="$SELFTEST" '
		function result(status, name,    f, i) {
			split(name, f, ": ")
			if (f[2] == collection) {
				for (i = 1; i <= n; i++)
					print f[3] "\t" leaf[i]
				print f[3] "\t" status " " name
			}
			n = 0
		}
		{ sub(/^\[[0-9:]*\] /, "") }
		/^\[[A-Z ]+\] / {
			status = substr($0, 2, index($0, "]") - 2)
			name = substr($0, index($0, "] ") + 2)
			if (name ~ /^selftests: [^ ]+: [^ ]+$/)
				result(status, name)
			else
				leaf[++n] = status " " name
			next
		}
		/^=* \[[A-Z ]+\] selftests: [^ ]+: [^ ]+ =*$/ {
			line = $0
			sub(/^=* \[/, "", line)
			sub(/ =*$/, "", line)
			result(substr(line, 1, index(line, "]") - 1), substr(line, index(line, "] ") + 2))
		}' "$1"
}

# read_pass PARSED ORDER RESULTS: ORDER (an array) lists the programs in
# the order they ran, RESULTS (an associative array) holds each one's
# lines.
read_pass() {
	local -n order_=$2 results_=$3
	local prog line
	while IFS=$'\t' read -r prog line; do
		[ -n "${results_[$prog]+set}" ] || order_+=("$prog")
		results_["$prog"]+="$line"$'\n'
	done < <(programs "$1")
}
declare -a order1=() order2=()
declare -A pass1=() pass2=() at1=()
read_pass "$tmp/first.parsed" order1 pass1
read_pass "$rerun/kselftest.parsed" order2 pass2
if [ ${#order1[@]} = 0 ]; then
	ktap_result "rerun: $what" 1 "kunit.py read no program of $SELFTEST in the first pass ($results/kselftest.tap)"
	ktap_print
	exit
fi
for i in "${!order1[@]}"; do at1[${order1[i]}]=$i; done

# Notes that hold for more than one case.
unfinished=
[ -f "$rerun/kselftest.rc" ] ||
	unfinished="; the second pass did not finish ($rerun/kselftest.rc is missing): the VM stopped during it"
start=
[ "${order2[0]:-}" = "$first" ] ||
	start="the second pass did not start with $first but with ${order2[0]:-nothing} ($rerun/kselftest.tap)"

# same NAME A B LABEL-A LABEL-B [NOTE...]: a case that passes when A and
# B hold the same lines and there is no NOTE; its diagnostic has the
# notes, then the lines that differ, each with its label.
same() {
	local name=$1 a=$2 b=$3 label_a=$4 label_b=$5 diag rc=0
	shift 5
	diag=$({
		[ $# = 0 ] || printf '%s\n' "$@"
		diff --old-line-format="$label_a: %L" --new-line-format="$label_b: %L" \
			--unchanged-line-format= <(printf %s "$a") <(printf %s "$b") || true
	})
	[ -z "$diag" ] || rc=1
	ktap_result "$name" $rc "$diag"
}

others=()
for prog in "${order1[@]}" "${order2[@]}"; do
	if [ "$prog" != "$first" ] && [[ " ${others[*]} " != *" $prog "* ]]; then
		others+=("$prog")
	fi
done
for prog in "${others[@]}"; do
	name="rerun: $prog: same results before and after the SELinux policy"
	if [ -z "${pass1[$prog]+set}" ]; then
		ktap_result "$name" 1 "$prog ran in the second pass only ($rerun/kselftest.tap): the first pass did not run it"
	elif [ -z "${pass2[$prog]+set}" ]; then
		ktap_result "$name" 1 "$prog is missing from the second pass ($rerun/kselftest.tap)$unfinished"
	else
		notes=()
		[ -z "$start" ] || notes+=("$start")
		if [ -n "${at1[$first]+set}" ] && [ "${at1[$prog]}" -gt "${at1[$first]}" ]; then
			notes+=("in the first pass $prog ran after $first, with its policy loaded: there is no run without the policy to compare with (TEST_GEN_PROGS must list $first last)")
		fi
		same "$name" "${pass1[$prog]}" "${pass2[$prog]}" \
			"first pass, before the policy" "second pass, after it" "${notes[@]}"
	fi
done

name="rerun: $first: same results run last and run first in one boot"
if [ -z "${pass1[$first]+set}" ]; then
	ktap_result "$name # SKIP the first pass did not run $first (the selection left it out)" 0
elif [ -z "${pass2[$first]+set}" ]; then
	ktap_result "$name" 1 "$first is missing from the second pass ($rerun/kselftest.tap)$unfinished"
else
	notes=()
	[ -z "$start" ] || notes+=("$start")
	same "$name" "${pass1[$first]}" "${pass2[$first]}" \
		"first pass, run last" "second pass, run first" "${notes[@]}"
fi
ktap_print
