#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The project's tests.  make test (CI's) runs:
#   1. the series checked statically (check-series.sh), the kselftests
#      built for aarch64 and riscv64 and without rustc (cross-build.sh),
#      and the scripts' own tests (tests/scripts.sh)
#   2. the kselftests, KUnit and CRIU on the series kernel: all must pass,
#      the security matrix must agree with the Documentation page, and a
#      second pass of the kselftests in the same boot, SELinux test
#      first, must give the same results (expect-rerun.sh)
#   3. the kselftests and CRIU on the pre-capability base: exactly the
#      cases that need the capability must fail there (expect-baseline.sh)
#   4. the kselftests and CRIU on Debian's stock tree, which has upstream's
#      implementation: every KUnit, kselftest and CRIU case as with the
#      series (expect-same.sh)
#   5. the README's main command on a fresh Debian 12 root, as a new user
#      meets it (fresh-root.sh)
# make test-all (test.sh all) adds what does not fit in CI's 90 minutes
# from an empty cache on 2 cores, and runs in the GitHub matrix:
#   6. the series kernel built for arm64 and booted under
#      qemu-system-aarch64: every KUnit, kselftest and CRIU case as on
#      x86_64 (expect-same.sh), the matrix and the console as there
#   7. the kernel crate's doctests on kernels without user namespaces and
#      without users, as User Mode Linux kernels (kunit-config.sh)
#   8. the series' kselftests and CRIU on Debian's own kernels, 6.1 and
#      6.12 (distro-root.sh): each case fails, skips or passes as
#      tests/debian-*-failures.txt says (expect-baseline.sh)
#   9. every patch builds on its own (bisect-build.sh)
# Ends with "N passed, N failed, N skipped" over all that ran.
#
# On 2 cores some steps leave a core idle most of their time: mmdebstrap
# installs the arm64 root one emulated dpkg at a time, the fresh root
# waits on downloads and dpkg, the static checks run checkpatch and Sphinx
# on one core, rustc builds the kernel crate on one, and the test kernels
# boot under single-threaded TCG.  So the cross root (and for make
# test-all the arm64 root) is built beside the static checks and what
# follows them; make test-all builds the arm64 kernel beside the x86_64
# kernels at the lowest CPU priority (idle.sh), taking only what they
# leave; and the fresh root runs beside the kernels after the series one,
# whose objects its own build then finds in ccache.  And only the series
# kernel runs the kselftests twice in a boot (RERUN=0 for the others):
# only its second pass is compared.  Each saves minutes on a run from an
# empty cache.
. "$(dirname "$0")/lib.sh"
# make passes its command line's variables on: ARCH=arm64 would make
# every run below an arm64 one.  The tests choose the architecture of
# each run themselves.
check_arch
[ "$karch" = x86_64 ] || die "ARCH=$ARCH: make test and make test-all choose each run's architecture (make test-all runs arm64 too); ARCH is for make run and make bench"
unset ARCH
case ${1:-} in
'') all=0 ;;
all) all=1 ;;
*) die "unknown argument '$1': 'scripts/test.sh' runs make test, 'scripts/test.sh all' make test-all" ;;
esac
take_lock
here=$(dirname "$0")
STAGE_LOG=$(mktemp)
export STAGE_LOG
work=$(mktemp -d)
declare -A beside_pid
trap 'for p in "${beside_pid[@]}"; do kill -- "-$p" 2>/dev/null; done; rm -rf "$STAGE_LOG" "$work"' EXIT

# part NAME COMMAND...: runs a step that prints KTAP, shows it, and keeps
# kunit.py's reading of it as $work/NAME.parsed for the summary.
part() {
	local name=$1
	shift
	"$@" >"$work/$name.ktap" || true
	cat "$work/$name.ktap"
	kunit_parse "$work/$name.ktap" >"$work/$name.parsed"
}

# beside NAME COMMAND...: starts COMMAND in the background, in a process
# group of its own that the exit trap ends if this run stops first; its
# output is kept until beside_wait NAME shows it.
beside() {
	local name=$1
	shift
	setsid "$@" >"$work/$name.out" 2>"$work/$name.err" &
	beside_pid[$name]=$!
}
beside_wait() {
	local name=$1
	wait "${beside_pid[$name]}" || true
	unset "beside_pid[$name]"
	cat "$work/$name.err" >&2
}

"$here/deps.sh"
[ "$all" = 0 ] || ARCH=arm64 "$here/deps.sh"
"$here/base.sh"
rv=$(ref_version "$(current_base_version)")

echo "== static checks of the series; the cross root beside them$([ "$all" = 0 ] || echo ", and the arm64 root")"
mapfile -t pairs < <(cross_root_pairs)
beside cross-root "$here/cross-root.sh" "${pairs[@]}"
[ "$all" = 0 ] || beside arm64-root "$here/criu-root.sh" arm64
part static "$here/check-series.sh"
beside_wait cross-root
echo "== the kselftests built for aarch64 and riscv64, and without rustc"
part cross "$here/cross-build.sh" "$CACHE_DIR/trees/$rv/series"

echo "== the scripts' own tests"
part scripts "$PROJECT_DIR/tests/scripts.sh"

echo "== the series kernel$([ "$all" = 0 ] || echo "; its arm64 build beside, at the lowest priority, from here on")"
if [ "$all" = 1 ]; then
	# The arm64 build needs the series tree; run.sh finds it applied (or
	# says why it cannot be).  Measured in make test from an empty cache
	# (7494cef): the x86_64 kernels leave it too little to fit in 90 min.
	"$here/apply.sh" series >/dev/null || true
	beside arm64-build "$here/idle.sh" env ARCH=arm64 "$here/build.sh" series
fi
"$here/run.sh" series || true

echo "== the pre-capability base, with the tests and without the series; make run in a fresh root beside the kernels from here on"
beside fresh-root "$here/fresh-root.sh"
RERUN=0 "$here/run.sh" pre-cap || true
part baseline "$here/expect-baseline.sh" "$CACHE_DIR/results/$rv/pre-cap/kselftest.parsed"
part criu-baseline "$here/expect-baseline.sh" "$CACHE_DIR/results/$rv/pre-cap/criu.parsed"

echo "== Debian's stock tree, with the patches upstream lacks"
RERUN=0 "$here/run.sh" stock || true
for kind in kunit kselftest criu; do
	part "stock-$kind" "$here/expect-same.sh" "$CACHE_DIR/results/$rv/series/$kind.parsed" \
		"$CACHE_DIR/results/$rv/stock/$kind.parsed"
done

if [ "$all" = 1 ]; then
	echo "== the series kernel for arm64 (qemu-system-aarch64, TCG)"
	# A root or a build that failed is made again by the run, which then
	# says why.
	beside_wait arm64-root
	beside_wait arm64-build
	ARCH=arm64 RERUN=0 "$here/run.sh" series || true
	for kind in kunit kselftest criu; do
		part "arm64-$kind" "$here/expect-same.sh" "$CACHE_DIR/results/$rv/series/$kind.parsed" \
			"$CACHE_DIR/results/$rv/series-arm64/$kind.parsed" arm64 x86_64
	done

	echo "== the kernel crate's doctests without user namespaces and without users (kunit.py)"
	for config in no-user-ns no-multiuser; do
		part "kunit-$config" "$here/kunit-config.sh" "$CACHE_DIR/trees/$rv/series" "$config"
	done

	echo "== Debian's own kernels, with the series' kselftests and CRIU"
	for k in debian-6.1 debian-6.12; do
		RERUN=0 "$here/run.sh" "$k" || true
		for kind in kselftest criu; do
			part "$k-$kind" "$here/expect-baseline.sh" "$CACHE_DIR/results/$rv/$k/$kind.parsed" "$kind" \
				"$PROJECT_DIR/tests/$k-failures.txt" "$k kernel"
		done
	done

	# Last: its first step, the pre-cap base, is then mostly ccache hits.
	echo "== every patch builds on its own"
	part bisect "$here/bisect-build.sh"
fi

echo "== make run in a minimal Debian 12 root with an empty project cache"
beside_wait fresh-root
part fresh-root cat "$work/fresh-root.out"

echo
echo "== summary"
total_p=0 total_f=0 total_s=0
parts=(static:"$work/static.parsed" scripts:"$work/scripts.parsed"
	cross:"$work/cross.parsed"
	kunit:"$CACHE_DIR/results/$rv/series/kunit.parsed"
	kselftest:"$CACHE_DIR/results/$rv/series/kselftest.parsed"
	rerun:"$CACHE_DIR/results/$rv/series/rerun.parsed"
	matrix:"$CACHE_DIR/results/$rv/series/matrix.parsed"
	console:"$CACHE_DIR/results/$rv/series/console.parsed"
	criu:"$CACHE_DIR/results/$rv/series/criu.parsed"
	baseline:"$work/baseline.parsed"
	criu-baseline:"$work/criu-baseline.parsed"
	pre-cap-console:"$CACHE_DIR/results/$rv/pre-cap/console.parsed"
	stock-kunit:"$work/stock-kunit.parsed" stock-kselftest:"$work/stock-kselftest.parsed"
	stock-criu:"$work/stock-criu.parsed"
	stock-console:"$CACHE_DIR/results/$rv/stock/console.parsed"
	fresh-root:"$work/fresh-root.parsed")
[ "$all" = 0 ] || parts+=(arm64-kunit:"$work/arm64-kunit.parsed" arm64-kselftest:"$work/arm64-kselftest.parsed"
	arm64-criu:"$work/arm64-criu.parsed"
	arm64-matrix:"$CACHE_DIR/results/$rv/series-arm64/matrix.parsed"
	arm64-console:"$CACHE_DIR/results/$rv/series-arm64/console.parsed"
	kunit-no-user-ns:"$work/kunit-no-user-ns.parsed"
	kunit-no-multiuser:"$work/kunit-no-multiuser.parsed"
	debian-6.1-kselftest:"$work/debian-6.1-kselftest.parsed"
	debian-6.1-criu:"$work/debian-6.1-criu.parsed"
	debian-6.1-console:"$CACHE_DIR/results/$rv/debian-6.1/console.parsed"
	debian-6.12-kselftest:"$work/debian-6.12-kselftest.parsed"
	debian-6.12-criu:"$work/debian-6.12-criu.parsed"
	debian-6.12-console:"$CACHE_DIR/results/$rv/debian-6.12/console.parsed"
	bisect:"$work/bisect.parsed")
for part in "${parts[@]}"; do
	name=${part%%:*}
	file=${part#*:}
	counts=kunit_counts what=
	if [ "$name" = kselftest ]; then
		counts=strict_counts what=" (a skip fails here)"
		[ ! -f "$file" ] || grep '\[SKIPPED\]' "$file" | sed 's/^/    /' >&2 || true
	fi
	if [ -f "$file" ]; then read -r p f s < <("$counts" "$file"); else p=0 f=1 s=0; fi
	[ "$name" != fresh-root ] || what=" (make run, minimal Debian 12 root, empty cache: $(cat "$CACHE_DIR/fresh-root.seconds" 2>/dev/null || echo '?')s)"
	echo "$name: $p passed, $f failed, $s skipped$what"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done
[ "$all" = 1 ] ||
	echo "not run by make test (make test-all and the GitHub matrix run them): the series kernel for arm64, the doctests on User Mode Linux kernels, Debian's own kernels, every patch built on its own"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ $total_f = 0 ]
