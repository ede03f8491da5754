#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# report.sh KERNEL: turn what vm.sh kept into the run's report: the base,
# the KUnit results from the console, the kselftest results, their second
# pass in the same boot held against the first (expect-rerun.sh), the
# security matrix (matrix.sh) and a last line "N passed, N failed, N
# skipped".
# Exits 1 when anything failed, a matrix cell differs from the
# Documentation page, or nothing ran.  The result sets are parsed by the
# tree's own kunit.py.
. "$(dirname "$0")/lib.sh"
need column:bsdextrautils python3:python3

kernel_paths "${1:-}"
# skipped NAME REASON: a KTAP document of one skipped result, for a part
# this kernel has nothing to run for.
skipped() { printf 'KTAP version 1\n1..1\nok 1 %s # SKIP %s\n' "$1" "$2"; }
[ -f "$results/kselftest.tap" ] || die "no results in $results: run scripts/vm.sh $kernel first"

awk -v logs="$results" -f "$PROJECT_DIR/scripts/kselftest-nest.awk" \
	"$results/kselftest.tap" >"$results/kselftest-nested.ktap"
kunit_parse "$results/kselftest-nested.ktap" >"$results/kselftest.parsed"
if [ -n "$distro" ]; then
	# Debian builds KUnit as modules, which nothing loads: there is no
	# KUnit run to count, as none of the series' doctests is in it.
	skipped kunit "Debian's kernel runs no KUnit tests at boot" >"$results/kunit.ktap"
	kunit_parse "$results/kunit.ktap" >"$results/kunit.parsed"
else
	kunit_parse "$results/console.log" >"$results/kunit.parsed"
fi

echo
echo "== $kernel kernel"
if [ -n "$distro" ]; then
	echo "Debian's kernel: $(cat "$results/package") (distro-root.sh)"
	echo "kselftests: the series tree's, $(git -C "$tree" rev-parse --short HEAD)"
elif [ "$kernel" = tree ]; then
	read -r src head run <"$tree.applied"
	echo "TREE=$src at $(git -C "$tree" rev-parse --short "$head"), the patches of the $run run on a copy: $tree"
	echo "patches: $(git -C "$tree" rev-list --count "$head..HEAD")"
else
	cat "$CACHE_DIR/base-$rv.txt"
	echo "kernel tree: $(git -C "$tree" describe --always --all 2>/dev/null) $(git -C "$tree" rev-parse --short HEAD)"
	echo "patches: $(git -C "$tree" rev-list --count "base/$rv/$([ "$kernel" = stock ] && echo stock || echo pre-cap)..HEAD")"
fi
echo "architecture: $karch; VM accelerator: $(cat "$results/accel")"
echo
echo "== KUnit (at boot)"
sed 's/^\[[0-9:]*\] //' "$results/kunit.parsed" | grep -v -e '^=*$' | tail -n 5
echo
echo "== kselftests"
sed 's/^\[[0-9:]*\] //' "$results/kselftest.parsed"
echo
echo "== the kselftests again in the same boot, SELinux test first (expect-rerun.sh)"
"$PROJECT_DIR/scripts/expect-rerun.sh" "$results" >"$results/rerun.ktap" || true
kunit_parse "$results/rerun.ktap" >"$results/rerun.parsed"
grep -e '^#' -e '^not ok' -e '# SKIP' "$results/rerun.ktap" ||
	echo "every program: the same results in both passes ($results/rerun/)"
echo
echo "== security matrix: the kselftests against $CAP_DOC"
if [ -n "$distro" ]; then
	# The page is the series'; an older kernel lacks gates it lists.  Its
	# own expectations file says which cases must fail there.
	echo "not held against the page: $kernel is Debian's kernel, held against tests/$kernel-failures.txt by make test"
	skipped matrix "Debian's kernel: see tests/$kernel-failures.txt" >"$results/matrix.ktap"
else
	"$PROJECT_DIR/scripts/matrix.sh" "$tree/$CAP_DOC" "$results/kselftest-nested.ktap" \
		"$results/matrix.ktap" || true
fi
kunit_parse "$results/matrix.ktap" >"$results/matrix.parsed"
echo
echo "== CRIU as uid 65534 with CAP_CHECKPOINT_RESTORE only (tests/criu/)"
if [ -f "$results/criu/criu.ktap" ]; then
	cat "$results/criu/root.txt" 2>/dev/null || true
	kunit_parse "$results/criu/criu.ktap" >"$results/criu.parsed"
	sed 's/^\[[0-9:]*\] //' "$results/criu.parsed"
else
	echo "no CRIU results: the CRIU run stopped early (its console: $results/criu/console.log)"
	: >"$results/criu.parsed"
fi
echo
echo "== kernel reports in the console (BUG, WARNING, Oops, KASAN, UBSAN, lockdep, hangs)"
consoles=("$results/console.log")
[ ! -f "$results/criu/console.log" ] || consoles+=("$results/criu/console.log")
"$PROJECT_DIR/scripts/splats.sh" "${consoles[@]}" >"$results/console.ktap" || true
grep -e '^#' -e '^not ok' "$results/console.ktap" || echo "none"
kunit_parse "$results/console.ktap" >"$results/console.parsed"
echo
if [ -n "${STAGE_LOG:-}" ] && [ -f "$STAGE_LOG" ]; then
	echo "== stage timings (s)"
	column -t "$STAGE_LOG"
	echo
fi
read -r kp kf ks < <(kunit_counts "$results/kunit.parsed")
read -r sp sf ss < <(kunit_counts "$results/kselftest.parsed")
read -r xp xf xs < <(kunit_counts "$results/rerun.parsed")
read -r mp mf ms < <(kunit_counts "$results/matrix.parsed")
read -r cp cf cs < <(kunit_counts "$results/console.parsed")
read -r rp rf rs < <(kunit_counts "$results/criu.parsed")
echo "kunit: $kp passed, $kf failed, $ks skipped"
echo "kselftest: $sp passed, $sf failed, $ss skipped"
echo "rerun: $xp passed, $xf failed, $xs skipped"
echo "matrix: $mp passed, $mf failed, $ms skipped"
echo "console: $cp passed, $cf failed, $cs skipped"
echo "criu: $rp passed, $rf failed, $rs skipped"
echo "$((kp + sp + xp + mp + cp + rp)) passed, $((kf + sf + xf + mf + cf + rf)) failed, $((ks + ss + xs + ms + cs + rs)) skipped"
[ $((kf + sf + xf + mf + cf + rf)) = 0 ] && [ $((kp + sp + rp)) -gt 0 ]
