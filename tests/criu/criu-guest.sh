#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# criu-guest.sh RESULTS: the real CRIU client, unprivileged.  Runs inside
# the test VM as root, booted with the root scripts/criu-root.sh builds;
# RESULTS is a directory shared read-write with the host, into which the
# caller has copied this script and criu-tree.py.  Writes KTAP to
# RESULTS/criu.ktap, its exit code to RESULTS/criu.rc and CRIU's logs to
# RESULTS/criu-logs/.  Every CRIU run is as uid 65534 with at most
# CAP_CHECKPOINT_RESTORE (a file capability, or in a user namespace only
# that one), and every wait is bounded.
set -u

# Under TCG a dump or restore of the small tree takes seconds; the bound
# is for a hang.
CRIU_TIMEOUT=${CRIU_TIMEOUT:-300}
NOBODY=65534
# criu-tree.py's processes: the parent, the writer and the reader, and the
# holder of the deleted file's mapping when there is one.
NPROC=4 NPROC_NOMAP=3
work=/run/capcr-criu

# log_file FILE NAME: keep a CRIU log for the report.
log_file() { [ ! -f "$1" ] || cp "$1" "$results/criu-logs/$2"; }

# KTAP: the results go to $ktap_lines unnumbered (the user namespace part
# runs as another user in a child process and appends its own), numbered
# when printed.  result NAME STATUS [DIAG]
result() {
	[ -z "${3:-}" ] || printf '%s\n' "$3" | sed '/^$/d; s/^/# /' >>"$ktap_lines"
	if [ "$2" = 0 ]; then echo "ok $1"; else echo "not ok $1"; fi >>"$ktap_lines"
}

# uid 65534 with no capability (an exec gives it those of the file only).
nobody=(setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups --inh-caps=-all --)

# tree_pids SID: the tree's processes, zombies too, sorted.
tree_pids() { ps -s "$1" -o pid= 2>/dev/null | tr -d ' ' | sort -n; }
# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_for() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		"${@:2}" && return 0
		sleep 0.2
	done
	return 1
}
count_is() { [ "$(tree_pids "$1" | wc -l)" = "$2" ]; }
counter() { local v; v=$(cat "$1/counter" 2>/dev/null) && echo $((10#$v)); }
counter_above() { local v; v=$(counter "$1") && [ "$v" -gt "$2" ]; }
gone() { [ -z "$(tree_pids "$1")" ]; }
oneline() { printf '%s' "$1" | tr '\n' ' '; }

# start_tree DIR [map] [CMD-PREFIX...]: starts criu-tree.py in DIR as
# CMD-PREFIX says (as uid 65534 by default), parented to the reaper (the
# subshell exits), and prints its PID (its session) once it runs.
start_tree() {
	local dir=$1 map=${2:-} pid n
	shift 2 || shift $#
	[ $# -gt 0 ] || set -- "${nobody[@]}"
	# Not one fd of ours, the command substitution's pipe included.
	pid=$( (cd "$dir" && exec "$@" python3 "$tree_py" tree "$dir" ${map:+"$map"}) \
		</dev/null >/dev/null 2>&1 &
		echo $!)
	n=$NPROC_NOMAP
	[ -z "$map" ] || n=$NPROC
	if ! { wait_for 60 count_is "$pid" "$n" && wait_for 60 counter_above "$dir" 0 &&
		{ [ -z "$map" ] || wait_for 60 test ! -e "$dir/mapped"; }; }; then
		echo "the tree $pid did not start" >&2
		ps -e -o pid,ppid,sid,stat,args >&2
	fi
	echo "$pid"
}

# kill_tree SID: kills the tree and waits until it is reaped, so that its
# PIDs are free.
kill_tree() {
	[ -n "$1" ] || return 0
	kill -KILL -- -"$1" 2>/dev/null
	for p in $(tree_pids "$1"); do kill -KILL "$p" 2>/dev/null; done
	wait_for 30 gone "$1"
}

# snapshot SID: "PID EXE DEV:INODE" of every process of the tree.
snapshot() {
	for p in $(tree_pids "$1"); do
		echo "$p $(readlink "/proc/$p/exe") $(stat -L -c %d:%i "/proc/$p/exe")"
	done
}

# mapping_sum SID: the sha256 of the deleted file's mapping, read as root
# through /proc/PID/map_files (the process cannot lie about it).
mapping_sum() {
	local p range
	for p in $(tree_pids "$1"); do
		range=$(awk '/\/mapped \(deleted\)$/ { print $1; exit }' "/proc/$p/maps")
		[ -z "$range" ] || { sha256sum <"/proc/$p/map_files/$range" | cut -d' ' -f1; return; }
	done
	echo "no mapping of a deleted file"
}

# counter_goes_on DIR FROM: the counter passes FROM and still increases.
counter_goes_on() {
	local v1 v2
	wait_for 30 counter_above "$1" "$2" || { echo "counter stuck at $(counter "$1") (at dump: $2)"; return 1; }
	v1=$(counter "$1")
	wait_for 30 counter_above "$1" "$v1" || { echo "counter stuck at $v1 (at dump: $2)"; return 1; }
	v2=$(counter "$1")
	echo "counter at dump $2, then $v1, then $v2"
}

# criu_run NAME DIR COMMAND...: runs CRIU (COMMAND) in DIR, its log in
# DIR/NAME.log and a copy in criu-logs/; prints its output and the log's
# errors; returns its exit code.
criu_run() {
	local name=$1 dir=$2 rc=0 n
	shift 2
	(cd "$dir" && timeout --kill-after=10 "$CRIU_TIMEOUT" "$@" -o "$name.log" -v4) \
		>"$dir/$name.out" 2>&1 || rc=$?
	log_file "$dir/$name.log" "$case_name-$name.log"
	cat "$dir/$name.out"
	grep -F 'Error' "$dir/$name.log" 2>/dev/null | head -n 12
	n=$(grep -c -F 'Warn' "$dir/$name.log" 2>/dev/null) && echo "and $n warnings (criu-logs/)"
	return $rc
}

# fresh_dirs NAME: empty tree/ and img/ directories for a case in $d,
# owned by uid 65534, as CRIU and the tree run (the restore recreates the
# deleted file in tree/).
fresh_dirs() {
	case_name=$1
	d=$work/$1
	rm -rf "$d"
	mkdir -p "$d/tree" "$d/img"
	chown -R $NOBODY:$NOBODY "$d"
}

# The user namespace part (case e), run as uid 65534 in a user and PID
# namespace of its own, where it is root, under unshare and the reaper.
# Root there, with only CAP_CHECKPOINT_RESTORE (the trees with none), CRIU
# runs as a rootless container's root would.  /proc/PID/map_files wants
# the capability in the initial user namespace, so CRIU falls back to the
# path /proc/PID/maps shows, opens it and checks that its device and inode
# are the mapping's.  MODE overlay: the guest's /usr, an overlayfs, whose
# files' device is not the one the mapping shows; MODE lower: /usr is the
# 9p one under it (the caller mounted it), where the check holds.
# The trees hold no capability and have no_new_privs: CRIU's restorer
# gives each task its dumped bounding set by dropping every capability not
# in it, which takes CAP_SETPCAP, and tolerates a failure only for a task
# with no_new_privs (which cannot gain the capability back anyway).
userns_part() {
	local nsd=$1 mode=$2 cr none t rc out before after c0
	ktap_lines=$nsd/ktap
	results=$nsd
	tree_py=$nsd/../criu-tree.py
	export XDG_RUNTIME_DIR=$nsd/xdg
	mkdir -p "$XDG_RUNTIME_DIR" "$results/criu-logs"
	# shellcheck disable=SC2054 # setpriv takes a comma-separated list
	cr=(setpriv --bounding-set=-all,+checkpoint_restore --inh-caps=-all -- /usr/sbin/criu)
	none=(setpriv --no-new-privs --bounding-set=-all --inh-caps=-all --)

	if [ "$mode" = overlay ]; then
		userns_refused overlayfs "" "Failed to resolve mapping .* filename"
		return
	fi
	# A deleted file has no path to fall back to.
	userns_refused deleted_mapping map "Can't open mapped \\[.*/mapped (deleted)\\]"

	# Without no_new_privs, the bounding set cannot be restored.
	userns_trimmed_bset
	# With neither, nothing needs the initial namespace.
	case_name=userns
	mkdir -p "$nsd/plain/tree" "$nsd/plain/img"
	t=$(start_tree "$nsd/plain/tree" "" "${none[@]}")
	before=$(snapshot "$t")
	rc=0
	out=$(criu_run dump "$nsd/plain/img" "${cr[@]}" dump --unprivileged -t "$t" -D "$nsd/plain/img") || rc=$?
	result userns_dump $rc "criu dump exit $rc
$out"
	c0=$(counter "$nsd/plain/tree")
	[ $rc != 0 ] || wait_for 30 gone "$t"
	if [ $rc != 0 ]; then
		for c in userns_restore userns_restore_same_pids userns_restore_counter_continues; do
			result $c 1 "not tried: the dump failed, so nothing was restored"
		done
		kill_tree "$t"
		return
	fi
	rc=0
	out=$(criu_run restore "$nsd/plain/img" "${cr[@]}" restore --unprivileged -d -D "$nsd/plain/img") || rc=$?
	result userns_restore $rc "criu restore exit $rc
$out"
	after=$(snapshot "$t")
	[ -n "$after" ] && [ "$after" = "$before" ]
	result userns_restore_same_pids $? "before: $(oneline "$before")
after: $(oneline "$after")"
	out=$(counter_goes_on "$nsd/plain/tree" "$c0")
	result userns_restore_counter_continues $? "$out"
	kill_tree "$t"
}

# userns_trimmed_bset: a tree with an empty bounding set and without
# no_new_privs dumps, and CRIU cannot restore it.
userns_trimmed_bset() {
	local dir=$nsd/bset rc=0 rc2=0 out out2
	case_name=userns-bset
	mkdir -p "$dir/tree" "$dir/img"
	t=$(start_tree "$dir/tree" "" setpriv --bounding-set=-all --inh-caps=-all --)
	out=$(criu_run dump "$dir/img" "${cr[@]}" dump --unprivileged -t "$t" -D "$dir/img") || rc=$?
	[ $rc != 0 ] || wait_for 30 gone "$t"
	out2=$(criu_run restore "$dir/img" "${cr[@]}" restore --unprivileged -d -D "$dir/img") || rc2=$?
	[ $rc = 0 ] && [ $rc2 != 0 ] && grep -q 'Unable to drop capability 0' "$dir/img/restore.log"
	result userns_trimmed_bset_restore_refused $? "criu dump exit $rc
$out
criu restore exit $rc2
$out2"
	kill_tree "$t"
}

# userns_refused NAME [map] PATTERN: CRIU refuses to dump a tree (with the
# deleted file's mapping if map), its log says PATTERN, and the tree runs on.
userns_refused() {
	local dir=$nsd/$1 rc=0 out c
	case_name=userns-$1
	mkdir -p "$dir/tree" "$dir/img"
	[ -z "$2" ] || head -c 65536 /dev/urandom >"$dir/tree/mapped"
	t=$(start_tree "$dir/tree" "$2" "${none[@]}")
	out=$(criu_run dump "$dir/img" "${cr[@]}" dump --unprivileged -t "$t" -D "$dir/img") || rc=$?
	[ $rc != 0 ] && grep -q "$3" "$dir/img/dump.log"
	result "userns_${1}_dump_refused" $? "criu dump exit $rc
$(grep -m1 'Failed to open map_files' "$dir/img/dump.log")
$out"
	c=$(counter "$dir/tree")
	count_is "$t" $((${2:+1} + NPROC_NOMAP)) && counter_above "$dir/tree" "${c:-0}"
	result "userns_${1}_tree_runs_on" $? "$(oneline "$(tree_pids "$t")"); counter $c then $(counter "$dir/tree")"
	kill_tree "$t"
}

if [ "${1:-}" = --userns ]; then
	userns_part "$2" "$3"
	exit 0
fi

results=${1:?usage: criu-guest.sh RESULTS}
here=$(cd "$(dirname "$0")" && pwd)
# Everything runs under a subreaper that reaps (see criu-tree.py).
if [ -z "${CRIU_REAPED:-}" ]; then
	CRIU_REAPED=1 exec python3 "$here/criu-tree.py" reaper bash "$0" "$@"
fi

rm -rf "$results/criu-logs" "$results/criu.ktap" "$results/criu.rc"
mkdir -p "$results/criu-logs"
mkdir -p "$work"
mount -t tmpfs -o mode=0755 capcr-criu "$work"
ktap_lines=$work/ktap
: >"$ktap_lines"
# The copies uid 65534 runs: criu with CAP_CHECKPOINT_RESTORE as its file
# capability (tmpfs keeps security.capability), and one without.
mkdir -p "$work/bin"
cp "$here/criu-tree.py" "$here/criu-guest.sh" "$work/bin/"
tree_py=$work/bin/criu-tree.py
cp /usr/sbin/criu "$work/bin/criu"
cp /usr/sbin/criu "$work/bin/criu-plain"
setcap cap_checkpoint_restore+eip "$work/bin/criu"
# CRIU keeps what it learnt of the kernel in $XDG_RUNTIME_DIR when not root.
export XDG_RUNTIME_DIR=$work/xdg
mkdir -p "$XDG_RUNTIME_DIR"
chown $NOBODY:$NOBODY "$XDG_RUNTIME_DIR"
{
	echo "# criu $(criu --version | awk '/^Version/ { print $2 }')"
	echo "# kernel $(uname -r); $(getcap "$work/bin/criu")"
} >>"$ktap_lines"

# a. criu check.
fresh_dirs check
rc=0
out=$(criu_run check "$d/img" "${nobody[@]}" "$work/bin/criu" check --unprivileged) || rc=$?
[ $rc = 0 ] && grep -qx 'Looks good.' <<<"$out"
result check_unprivileged_file_cap $? "criu check exit $rc
$out"

# b. dump and restore a tree.
fresh_dirs tree
head -c 65536 /dev/urandom >"$d/tree/mapped"
chown $NOBODY:$NOBODY "$d/tree/mapped"
sum=$(sha256sum <"$d/tree/mapped" | cut -d' ' -f1)
t=$(start_tree "$d/tree" map)
before=$(snapshot "$t")
diag="tree $(oneline "$before")
CapEff $(awk '/^CapEff/ { print $2 }' "/proc/$t/status"), mapping $(mapping_sum "$t")"
rc=0
out=$(criu_run dump "$d/img" "${nobody[@]}" "$work/bin/criu" dump --unprivileged -t "$t" -D "$d/img") || rc=$?
result dump_unprivileged $rc "$diag
criu dump exit $rc
$out"
c0=$(counter "$d/tree")
# The dump kills the tree; its PIDs must be free for the restore.
[ $rc != 0 ] || wait_for 30 gone "$t"
dumped=$rc
rc=0
[ $dumped != 0 ] ||
	out=$(criu_run restore "$d/img" "${nobody[@]}" "$work/bin/criu" restore --unprivileged -d -D "$d/img") || rc=$?
after=$(snapshot "$t")
if [ $dumped != 0 ]; then
	for c in restore_unprivileged restore_same_pids restore_same_exe restore_no_capabilities \
		restore_deleted_mapping_intact restore_counter_continues \
		second_restore_refused_pid_in_use second_restore_leaves_first_running; do
		result $c 1 "not tried: the dump failed, so nothing was restored"
	done
else
	result restore_unprivileged $rc "criu restore exit $rc
$out"
	[ -n "$after" ] && [ "$(cut -d' ' -f1 <<<"$after")" = "$(cut -d' ' -f1 <<<"$before")" ]
	result restore_same_pids $? "before: $(cut -d' ' -f1 <<<"$before" | paste -sd' ')
after: $(cut -d' ' -f1 <<<"$after" | paste -sd' ')"
	[ -n "$after" ] && [ "$(cut -d' ' -f2- <<<"$after")" = "$(cut -d' ' -f2- <<<"$before")" ]
	result restore_same_exe $? "before: $(cut -d' ' -f2- <<<"$before" | sort -u | paste -sd' ')
after: $(cut -d' ' -f2- <<<"$after" | sort -u | paste -sd' ')"
	# CRIU held CAP_CHECKPOINT_RESTORE; the tree it made must not.
	caps=$(for p in $(tree_pids "$t"); do grep -h '^Cap\(Inh\|Prm\|Eff\|Amb\)' "/proc/$p/status"; done | sort | uniq -c)
	[ -n "$caps" ] && awk '$NF != "0000000000000000" { exit 1 }' <<<"$caps"
	result restore_no_capabilities $? "$caps"
	m=$(mapping_sum "$t")
	[ "$m" = "$sum" ]
	result restore_deleted_mapping_intact $? "written $sum
restored $m"
	out=$(counter_goes_on "$d/tree" "$c0")
	result restore_counter_continues $? "$out"

	# c. the same images again while that copy runs.
	rc=0
	out=$(criu_run restore2 "$d/img" "${nobody[@]}" "$work/bin/criu" restore --unprivileged -d -D "$d/img") || rc=$?
	[ $rc != 0 ] && grep -q "Can't fork for $t: File exists" "$d/img/restore2.log"
	result second_restore_refused_pid_in_use $? "criu restore exit $rc
$out"
	c1=$(counter "$d/tree")
	[ -n "$after" ] && [ "$(snapshot "$t")" = "$after" ] && counter_goes_on "$d/tree" "$c1" >/dev/null
	result second_restore_leaves_first_running $? "$(oneline "$(snapshot "$t")")
counter $c1 then $(counter "$d/tree")"
fi
kill_tree "$t"

# d. the same criu without its file capability.
fresh_dirs nocap
t=$(start_tree "$d/tree")
rc=0
out=$(criu_run dump "$d/img" "${nobody[@]}" "$work/bin/criu-plain" dump --unprivileged -t "$t" -D "$d/img") || rc=$?
[ $rc != 0 ] && grep -q 'CRIU needs to have the CAP_SYS_ADMIN or the CAP_CHECKPOINT_RESTORE capability' <<<"$out" &&
	count_is "$t" $NPROC_NOMAP
result no_file_cap_refused $? "criu dump exit $rc; tree: $(oneline "$(tree_pids "$t")")
$out"
kill_tree "$t"

# e. in a user namespace (what a rootless container gives), twice: with
# the guest's /usr, and in a mount namespace where /usr is the 9p one under
# it (a bind mount of / does not take the mounts on it along).
nsd=$work/userns
mkdir -p "$nsd/overlay" "$nsd/lower" /run/capcr-lower
cp "$work/bin/criu-tree.py" "$work/bin/criu-guest.sh" "$nsd/"
chown -R $NOBODY:$NOBODY "$nsd"
for mode in overlay lower; do
	prefix=()
	[ $mode = overlay ] || prefix=(unshare --mount -- sh -c \
		'mount --bind / /run/capcr-lower && mount --bind /run/capcr-lower/usr /usr && exec "$@"' sh)
	rc=0
	out=$(timeout --kill-after=10 $((CRIU_TIMEOUT * 4)) "${prefix[@]}" "${nobody[@]}" \
		unshare --user --map-root-user --pid --fork --kill-child --mount-proc -- \
		python3 "$nsd/criu-tree.py" reaper bash "$nsd/criu-guest.sh" --userns "$nsd/$mode" $mode 2>&1) || rc=$?
	cat "$nsd/$mode/ktap" >>"$ktap_lines" 2>/dev/null
	for f in "$nsd/$mode"/criu-logs/*; do [ ! -f "$f" ] || cp "$f" "$results/criu-logs/$mode-${f##*/}"; done
	[ $rc = 0 ] || result "userns_${mode}_finished" $rc "unshare exit $rc
$out"
done

ps -e -o pid,ppid,sid,stat,args >"$results/criu-logs/ps-end.txt"
awk 'BEGIN { print "KTAP version 1" }
	/^(not )?ok / { n++; sub(/^ok /, "ok " n " "); sub(/^not ok /, "not ok " n " "); failed += /^not/ }
	{ lines[NR] = $0 }
	END { print "1.." n; for (i = 1; i <= NR; i++) print lines[i]; exit (n == 0 || failed) }' \
	"$ktap_lines" >"$results/criu.ktap"
echo $? >"$results/criu.rc"
