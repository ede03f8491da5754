#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# matrix.sh PAGE KTAP OUT: the security matrix of a kselftest run (see
# matrix.awk) held against the Documentation page PAGE.  Prints it as a
# table and writes KTAP to OUT, one result per gate: not ok where a cell
# differs from the page, skipped where no case names the gate, one
# failure if the results or the page cannot be read.  Exits 1 when a
# cell differs, no case names a gate with its credentials, or nothing
# could be read.
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
# A matrix.awk that cannot read its input still leaves a failing OUT, so
# that the run's counts do not come from an older OUT.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if ! records=$(awk -f "$PROJECT_DIR/scripts/matrix.awk" "$page" "$ktap" 2>"$err"); then
	cat "$err" >&2
	ktap_result "matrix: the kselftest results can be read against the page" 1 "$(cat "$err")"
	ktap_print >"$out" || true
	die "no security matrix: matrix.awk could not read $page and $ktap (it said why above)"
fi
# The records: the gate, a cell per credential set, the status, why.
read -r -a heading < <(head -n 1 <<<"$records" | tr '\t' ' ')
ncells=$((${#heading[@]} - 3))
cut -f 1-$((ncells + 1)) <<<"$records" | column -t -s $'\t'
echo "own ns: allowed only in namespaces that its own user namespace owns; not run: no case; !: not what the page says"
for cred in "${heading[@]:1:ncells}"; do
	case $cred in
	none) what="uid 65534, no capabilities" ;;
	cr) what="uid 65534 with CAP_CHECKPOINT_RESTORE" ;;
	sys_admin) what="uid 65534 with CAP_SYS_ADMIN" ;;
	sys_resource) what="uid 65534 with CAP_SYS_RESOURCE" ;;
	file_cr) what="uid 65534 running a copy of the test with the file capability CAP_CHECKPOINT_RESTORE" ;;
	uid0_nocaps) what="uid 0 with no capabilities" ;;
	userns_root) what="root of a user namespace it made, every capability there" ;;
	userns_cr) what="root of its own user namespace with only CAP_CHECKPOINT_RESTORE there (a rootless container)" ;;
	userns_file_cr) what="uid 0 in its own user namespace, CAP_CHECKPOINT_RESTORE there from a version 3 file capability" ;;
	cr_selinux_denied) what="uid 65534 with CAP_CHECKPOINT_RESTORE in an SELinux domain without the permission, enforcing" ;;
	*) what="see matrix.awk" ;;
	esac
	echo "$cred: $what"
done

ran=0
while IFS=$'\t' read -r -a field; do
	# Only the last field, why, can be empty.
	gate=${field[0]} status=${field[ncells + 1]} why=${field[ncells + 2]:-}
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
