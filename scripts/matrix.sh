#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# matrix.sh PAGE KTAP OUT: the security matrix of a kselftest run (see
# matrix.awk) held against the Documentation page PAGE.  Prints it as a
# table and writes KTAP to OUT, one result per gate: not ok where a cell
# differs from the page, skipped where no case names the gate.  Exits 1
# when a cell differs or no case names a gate with its credentials.
. "$(dirname "$0")/lib.sh"
usage="usage: matrix.sh PAGE KTAP OUT"
page=${1:?$usage} ktap=${2:?$usage} out=${3:?$usage}

if [ ! -f "$page" ]; then
	# The pre-cap run does not apply the page's patch.
	echo "not made: there is no $page"
	ktap_result "matrix # SKIP there is no $page" 0
	ktap_print >"$out"
	exit 0
fi
records=$(awk -f "$PROJECT_DIR/scripts/matrix.awk" "$page" "$ktap") ||
	die "no security matrix: matrix.awk could not read $page and $ktap (it said why above)"
cut -f 1-7 <<<"$records" | column -t -s $'\t'
echo "own ns: allowed only in namespaces that its own user namespace owns; not run: no case; !: not what the page says"

ran=0
while IFS=$'\t' read -r gate _ _ _ _ _ _ status why; do
	case $status in
	ok)
		ran=1
		ktap_result "matrix: $gate: as the page says" 0 ;;
	differs)
		ran=1
		echo "differs: $gate: $why"
		ktap_result "matrix: $gate: differs from the page" 1 "$why" ;;
	*)
		ktap_result "matrix: $gate # SKIP no kselftest case names this gate with credentials" 0 ;;
	esac
done < <(tail -n +2 <<<"$records")
if [ $ran = 0 ]; then
	echo "no case in $ktap names a gate with its credentials: nothing was compared"
	ktap_result "matrix: the kselftests name gates and credentials" 1 "no case in $ktap does"
fi
ktap_print >"$out"
