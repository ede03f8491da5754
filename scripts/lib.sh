# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the scripts; sourced, never run.
# shellcheck shell=bash
# shellcheck disable=SC2034 # its settings are read by the scripts that source it

set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${CAPCR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/capcr}
SERIES_DIR=$PROJECT_DIR/series
SELFTEST=cap_checkpoint_restore
# What the VM runs: the series' Rust suite, and upstream's own test of the
# capability (patch 10 fixes it), selected in run_kselftest.sh's syntax.
KSELFTEST_TARGETS="$SELFTEST clone3"
KSELFTEST_SELECTION="-c $SELFTEST -t clone3:clone3_cap_checkpoint_restore"
# The series' Documentation page: its gates table is what the security
# matrix (matrix.sh) holds the kselftest results against.
CAP_DOC=Documentation/admin-guide/cap-checkpoint-restore.rst
# The Debian source package the base tree comes from.
BASE_PACKAGE=linux-source-6.12

# Kernel Rust wants the rustc, rustdoc and library source of one release:
# Debian's rustc-web and rust-web-src, not a rustup toolchain on PATH.
# virtme-ng and checkpatch's Python modules live in the cache's venv.
export PATH=$CACHE_DIR/tools/bin:$CACHE_DIR/tools/venv/bin:$PATH
KMAKE_RUST=(RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
	RUSTFMT=/usr/bin/rustfmt CLIPPY_DRIVER=/usr/bin/clippy-driver
	BINDGEN="$CACHE_DIR/tools/bin/bindgen"
	RUST_LIB_SRC=/usr/lib/rustlib/src/rust/library)

# series/ holds one directory a series, each for one tree (the capability,
# the kselftests, the Rust API, the documentation), and series/runs says
# in which order they apply and which kernel runs take them.
# series_dirs KERNEL: the series the KERNEL run applies, in order.
series_dirs() {
	[ -f "$SERIES_DIR/runs" ] || die "no $SERIES_DIR/runs: it names the series and the runs that take them"
	awk -v k="$1" '!/^[ \t]*(#|$)/ { for (i = 2; i <= NF; i++) if ($i == k) print $1 }' "$SERIES_DIR/runs"
}
# The dev trees (tree.sh) hold each series as a b4 prep branch: b4 keeps
# the cover letter in the branch's description (its branch-description
# strategy: a cover commit at the start of each branch would sit inside
# the next series, which is stacked on it) and its tracking data (change-id,
# version, base branch, prerequisites) next to it.  These settings go into
# the tree's repository, so that b4 prep --check and --auto-to-cc do there
# what export.sh and check-series.sh do.  The tree's history is Debian's
# tarball, so get_maintainer.pl cannot look up the authors of the commits
# named in Fixes: (--nofixes), and checkpatch cannot find the upstream
# commits the patches credit (UNKNOWN_COMMIT_ID).
B4_SETTINGS=(
	b4.prep-cover-strategy branch-description
	b4.send-auto-to-cmd "scripts/get_maintainer.pl --nogit --nogit-fallback --nogit-chief-penguins --nofixes --norolestats --nol"
	b4.send-auto-cc-cmd "scripts/get_maintainer.pl --nogit --nogit-fallback --nogit-chief-penguins --nofixes --norolestats --nom"
	b4.prep-perpatch-check-cmd "./scripts/checkpatch.pl -q --terse --no-summary --mailback --showfile --strict --ignore UNKNOWN_COMMIT_ID"
)
b4_settings() { # b4_settings TREE
	local i
	for ((i = 0; i < ${#B4_SETTINGS[@]}; i += 2)); do
		git -C "$1" config "${B4_SETTINGS[i]}" "${B4_SETTINGS[i + 1]}"
	done
}
# b4_enroll TREE BRANCH BASE VERSION [CHANGE-ID]: makes BRANCH, checked out
# in TREE with its cover letter in its description, a b4 prep series on
# BASE (the branch of the series before it, or the base), version VERSION.
b4_enroll() {
	local tree=$1 branch=$2 base=$3 version=$4 change_id=${5:-} tracking
	git -C "$tree" checkout -q "$branch"
	(cd "$tree" && b4 -q prep -e "$base" && b4 -q prep --force-revision "$version") >/dev/null
	[ -n "$change_id" ] || return 0
	# Enrolling makes a new change-id, and b4 has no option to keep one:
	# the series' own, from its cover letter, goes back into the tracking
	# data, so that a tree made again from series/ holds the same series
	# for b4 (and for lore, which files versions by it).
	tracking=$(git -C "$tree" config "branch.$branch.b4-tracking")
	tracking=$(python3 -c 'import json, sys
t = json.loads(sys.argv[1])
t["series"]["change-id"] = sys.argv[2]
print(json.dumps(t))' "$tracking" "$change_id")
	git -C "$tree" config "branch.$branch.b4-tracking" "$tracking"
}
# b4_write TREE BRANCH PRE OUT: the messages of the series on BRANCH, as
# b4 send would send them, written to OUT (b4 send -o): To/Cc from
# get_maintainer.pl (b4 prep --auto-to-cc), base-commit the pre-capability
# base PRE, and the patches of the series BRANCH is stacked on as
# prerequisite-patch-id lines (git format-patch --base computes them, b4
# prep --edit-deps records them).
b4_write() {
	local tree=$1 branch=$2 pre=$3 out=$4 fork deps
	git -C "$tree" checkout -q "$branch"
	# The recipients are worked out anew each time, from what the series
	# touches now: --auto-to-cc only adds, and would keep the maintainers
	# of a file the series no longer changes.
	git -C "$tree" config "branch.$branch.description" \
		"$(git -C "$tree" config "branch.$branch.description" | sed '/^\(To\|Cc\): /d')"
	(cd "$tree" && b4 -q prep --auto-to-cc) >/dev/null
	fork=$(cd "$tree" && b4 prep --show-info start-commit)
	if [ "$fork" != "$(git -C "$tree" rev-parse "$pre")" ]; then
		deps=$(mktemp)
		{
			git -C "$tree" format-patch --stdout --base="$pre" "$fork..$branch" |
				sed -n 's/^prerequisite-patch-id: /patch-id: /p'
			echo "base-commit: $(git -C "$tree" rev-parse "$pre")"
		} >"$deps"
		(cd "$tree" && GIT_EDITOR="cp $deps" b4 -q prep --edit-deps) >/dev/null
		rm -f "$deps"
	fi
	# A series of one patch has no cover letter: b4 puts its text under
	# the patch's '---', as the kernel's submitting-patches.rst asks.
	# -o only writes, but b4 picks a transport first, and in a kernel tree
	# with none set that is kernel.org's web endpoint, which refuses
	# unsigned messages: a sendmail that cannot send keeps it a dry run.
	# (Added to the caller's GIT_CONFIG_* settings, if any.)
	local n=${GIT_CONFIG_COUNT:-0}
	(cd "$tree" && export GIT_CONFIG_COUNT=$((n + 1)) "GIT_CONFIG_KEY_$n=sendemail.sendmailcmd" \
		"GIT_CONFIG_VALUE_$n=false" &&
		b4 -q send -o "$out" --no-sign --not-me-too) >/dev/null
}
# b4_stable FILE: the message b4 wrote without the headers it makes new
# each time it writes one (Date, Message-Id and the threading that names
# it, X-B4-Tracking, which is compressed with a time stamp).
b4_stable() {
	awk 'body { print; next }
		/^$/ { body = 1; print; next }
		/^[ \t]/ { if (!skip) print; next }
		{ skip = $0 ~ /^(Date|Message-Id|References|In-Reply-To|X-B4-Tracking):/; if (!skip) print }' "$1"
}
# b4_same DIR1 DIR2: the two directories hold the same messages, but for
# what b4_stable leaves out.
b4_same() {
	local f
	[ "$(cd "$1" && ls)" = "$(cd "$2" && ls)" ] || return 1
	for f in "$1"/*; do
		cmp -s <(b4_stable "$f") <(b4_stable "$2/${f##*/}") || return 1
	done
}
# dir_patches DIR: the patch files of the series DIR as DIR/FILE, in
# order, the cover letter left out.
dir_patches() {
	local f
	for f in "$SERIES_DIR/$1"/[0-9][0-9][0-9][0-9]-*.eml "$SERIES_DIR/$1"/[0-9][0-9][0-9][0-9]-*.patch; do
		if [ -e "$f" ]; then echo "${f#"$SERIES_DIR"/}"; fi
	done | sed '/\/0000-/d' | sort
}
# cover_letter DIR: the cover letter of the series DIR: its 0000- file,
# or its only patch, which carries the cover text under its '---'.
cover_letter() {
	local f p
	for f in "$SERIES_DIR/$1"/0000-*; do
		if [ -f "$f" ]; then echo "$f"; return; fi
	done
	p=$(dir_patches "$1")
	[ -n "$p" ] && [ "$(wc -l <<<"$p")" = 1 ] ||
		die "series/$1 has no cover letter (0000-*) and more or fewer patches than one"
	echo "$SERIES_DIR/$p"
}
# series_patches KERNEL: the patch files of the series the KERNEL run
# applies, as DIR/FILE, in the order they apply.
series_patches() {
	local d
	series_dirs "$1" | while read -r d; do
		[ -d "$SERIES_DIR/$d" ] || die "series/runs names $d, which is not a directory of series/"
		dir_patches "$d"
	done
}
# series_version DIR: N of the cover letter's [PATCH vN 0/M]; nothing for
# a first version.
series_version() {
	sed -n 's/^Subject: \[PATCH v\([0-9]*\)[] ].*/\1/p' "$(cover_letter "$1")"
}

# in_build_dir OUT COMMAND...: runs COMMAND, a build that writes into OUT.
#
# A build that was killed (a CI job's time limit, a session's end) can
# leave a file cut short yet newer than its sources, which make then takes
# as up to date: a half-written rust/bindings/bindings_generated.rs once
# failed the next run's build of an unchanged commit.  So a mark stays in
# OUT while COMMAND runs, and a mark found at the start means the last build
# did not end: what it wrote (the files newer than the mark, but the
# .config that the caller gave) is removed and built again.
in_build_dir() {
	local out=$1 mark rc=0
	shift
	mark=$out/.capcr-building
	mkdir -p "$out"
	if [ -e "$mark" ]; then
		log "the last build in $out did not end: removing the $(find "$out" -newer "$mark" -type f ! -name .config | wc -l) files it wrote"
		find "$out" -newer "$mark" -type f ! -name .config -delete
	fi
	touch "$mark"
	"$@" || rc=$?
	rm -f "$mark"
	return $rc
}

# KMAKE_OPTIONS: kbuild's options for every build: clang, the Rust
# toolchain above, and ccache, with the settings in KMAKE_CCACHE (one
# cache for every tree).
KMAKE_OPTIONS=(LLVM=1 "CC=ccache clang" "${KMAKE_RUST[@]}")
KMAKE_CCACHE=(CCACHE_DIR="$CACHE_DIR/ccache" CCACHE_BASEDIR="$CACHE_DIR")
# KMAKE_NEEDS: what those options and kbuild call, for need (below).
KMAKE_NEEDS=(make:make clang:clang ld.lld:lld ccache:ccache bc:bc bison:bison flex:flex
	/usr/bin/rustc:rustc-web bindgen:deps)

# kernel_targets CONFIG: what to build of a kernel with that .config:
# the boot image of the architecture (kernel_image's name), and
# modules where it has them (the Rust sample is one); kbuild refuses
# 'make modules' in a kernel without module support.
kernel_targets() {
	local image
	image=$(kernel_image "")
	image=${image##*/}
	if grep -q '^CONFIG_MODULES=y' "$1"; then echo "$image" modules; else echo "$image"; fi
}
# debian_arch KARCH: Debian's name for the kernel's architecture; for a
# foreign one, from its CROSS_TARGETS row (below).
debian_arch() {
	case $1 in
	x86_64) echo amd64 ;;
	*) cross_field "$1" 3 ;;
	esac
}
# kernel_image OUT: the boot image kbuild leaves in the build directory
# OUT for the architecture (karch).
kernel_image() {
	case ${karch:-x86_64} in
	x86_64) echo "$1/arch/x86/boot/bzImage" ;;
	arm64) echo "$1/arch/arm64/boot/Image" ;;
	esac
}

# kmake TREE OUT MAKE-ARGS...: kbuild of TREE into OUT (in_build_dir),
# for the architecture karch: LLVM builds for arm64 as it is, with no
# cross toolchain.
kmake() {
	local tree=$1 out=$2 arch=()
	shift 2
	[ "${karch:-x86_64}" = x86_64 ] || arch=(ARCH="$karch")
	in_build_dir "$out" env "${KMAKE_CCACHE[@]}" \
		make -C "$tree" O="$out" "${arch[@]}" "${KMAKE_OPTIONS[@]}" -j"$(nproc)" "$@"
}

# kselftest_make TREE OUT MAKE-ARGS...: the kselftests' make of TREE on
# this host, building in OUT/kselftest-build, with Debian's rustc for the
# Rust kselftests (as KMAKE_RUST, and for the same reason).
kselftest_make() {
	local tree=$1 out=$2
	shift 2
	make -C "$tree/tools/testing/selftests" O="$out/kselftest-build" RUSTC=/usr/bin/rustc "$@"
}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need COMMAND:PACKAGE...: stops, naming the command and where it comes
# from, when a stage is about to use a command that is not installed, so
# that a missing tool is found before the stage's work and not deep in a
# kbuild log.  PACKAGE is a Debian package, or "deps" for what deps.sh
# puts in the cache (bindgen, virtme-ng).
need() {
	local c cmd pkg
	for c in "$@"; do
		cmd=${c%%:*} pkg=${c#*:}
		command -v "$cmd" >/dev/null 2>&1 && continue
		if [ "$pkg" = deps ]; then
			die "'$cmd' not found: scripts/deps.sh installs it into $CACHE_DIR/tools; run 'make deps' (as root)"
		fi
		die "'$cmd' not found: it comes with Debian's $pkg package; run 'make deps' as root, which installs it (or 'apt-get install $pkg')"
	done
}

# Stage timings go to stderr as they finish and are collected in
# $STAGE_LOG so that the report can list them all at the end.
stage_begin() { STAGE_NAME=$1; STAGE_T0=$(date +%s.%N); log "stage $1"; }
stage_end() {
	local t
	t=$(printf '%.1f' "$(echo "$(date +%s.%N) - $STAGE_T0" | bc)")
	log "stage $STAGE_NAME took ${t}s"
	[ -z "${STAGE_LOG:-}" ] || printf '%s %s\n' "$STAGE_NAME" "$t" >>"$STAGE_LOG"
}

# A Debian version is not a valid git ref component ('~'), nor a nice
# directory name; this is the form used for both.
ref_version() { printf '%s' "${1//\~/_}"; }

# Fixed identity and dates, so that the same tarball always gives the
# same base commits and the cover letter's base-commit can be checked.
git_fixed() {
	GIT_AUTHOR_NAME=capcr GIT_AUTHOR_EMAIL=capcr@localhost \
	GIT_COMMITTER_NAME=capcr GIT_COMMITTER_EMAIL=capcr@localhost \
	GIT_AUTHOR_DATE=$FIXED_DATE GIT_COMMITTER_DATE=$FIXED_DATE \
		git "$@"
}

# The base version this run uses: BASE_VERSION, else the one the cache
# last prepared (base.sh writes it), so later stages need no apt look-up.
current_base_version() {
	if [ -n "${BASE_VERSION:-}" ]; then
		printf '%s' "$BASE_VERSION"
	elif [ -f "$CACHE_DIR/base-version" ]; then
		cat "$CACHE_DIR/base-version"
	else
		die "no base tree prepared yet: run 'make base' (or 'make run') first"
	fi
}

# check_kernel KERNEL: KERNEL names one of the three runs of trees built
# here (see apply.sh) or one of Debian's own kernels (distro-root.sh).
check_kernel() {
	case ${1:-} in
	series | pre-cap | stock | debian-6.1 | debian-6.12) ;;
	tree) [ -n "${TREE:-}" ] || die "KERNEL=tree needs TREE=/path/to/linux, your kernel git tree" ;;
	*) die "KERNEL=${1:-}: not one of series, pre-cap, stock (built here), debian-6.1, debian-6.12 (Debian's own kernels) or tree (with TREE=/path/to/linux)" ;;
	esac
}

# check_arch: ARCH (make run ARCH=arm64) names an architecture the runs
# build and boot: x86_64, the default and the host's, or arm64 (LLVM, and
# qemu-system-aarch64 under TCG).  Sets karch.
check_arch() {
	case ${ARCH:-x86_64} in
	x86_64 | x86) karch=x86_64 ;;
	arm64 | aarch64) karch=arm64 ;;
	*) die "ARCH=$ARCH: use x86_64 (the default) or arm64" ;;
	esac
}

# kernel_paths KERNEL: checks KERNEL and ARCH and sets where its files
# are: rv (the base version as a ref), tree (its kernel tree), out (its
# build), results and bench_results (the benchmark's, apart from the
# tests'), karch (check_arch).  Debian's kernels (distro set to 1) run the
# series' kselftests: tree and out are the series', results their own.
# An arm64 kernel is built and run beside the x86_64 one, from the same
# tree: out and results end in -arm64.
kernel_paths() {
	check_kernel "${1:-}"
	check_debug
	check_arch
	kernel=$1 distro=
	rv=$(ref_version "$(current_base_version)")
	tree=$CACHE_DIR/trees/$rv/$kernel
	results=$CACHE_DIR/results/$rv/$kernel
	case $kernel in
	debian-*)
		distro=1 tree=$CACHE_DIR/trees/$rv/series
		[ "${DEBUG:-0}" = 0 ] || die "DEBUG=1 with KERNEL=$kernel: Debian's kernel is as Debian built it; the debug kernel is one of series, pre-cap, stock"
		;;
	tree)
		# The user's tree (TREE) is never changed: apply-tree.sh applies
		# the patches to a copy in the cache, one for each TREE path.
		local key
		key=$(realpath -m "$TREE" | sha256sum | cut -c1-12)
		tree=$CACHE_DIR/trees/user/$key results=$CACHE_DIR/results/user/$key
		kunit_tree=$tree
		;;
	esac
	out=$(build_dir "$tree")
	# The debug kernel (DEBUG=1, kconfig/debug/) is built and run beside
	# the normal one, from the same tree.
	if [ "${DEBUG:-0}" = 1 ]; then
		out=$out-debug
		results=$results-debug
	fi
	if [ "$karch" = arm64 ]; then
		[ -z "$distro" ] || die "ARCH=arm64 with KERNEL=$kernel: Debian's own kernels run on x86_64 only; ARCH=arm64 builds series, pre-cap, stock or tree"
		[ "${DEBUG:-0}" = 0 ] || die "DEBUG=1 with ARCH=arm64: the debug kernel is built for x86_64 only (KASAN under arm64 TCG would take hours)"
		out=$out-arm64
		results=$results-arm64
	fi
	bench_results=$results-bench
}

# check_debug: DEBUG is 0 (the normal kernel) or 1 (the debug kernel).
check_debug() {
	case ${DEBUG:-0} in
	0 | 1) ;;
	*) die "DEBUG=$DEBUG: use 1 for the debug kernel (KASAN, lockdep, UBSAN) or 0" ;;
	esac
}

# build_dir TREE: where TREE is built.  Inside the tree, so that the
# compiler sees the same relative paths in every tree and ccache serves
# one tree's objects to the others (pre-cap, stock, each bisect step).
build_dir() { printf '%s/.build' "$1"; }

# One run at a time: the cache's trees and build directories are shared.
# Entry points take the lock; scripts they start inherit it.
take_lock() {
	[ -z "${CAPCR_LOCKED:-}" ] || return 0
	mkdir -p "$CACHE_DIR"
	exec 9>"$CACHE_DIR/lock"
	flock -n 9 || die "another run is using $CACHE_DIR (it holds $CACHE_DIR/lock); wait for it to finish"
	export CAPCR_LOCKED=1
}

# The project's own checks print KTAP.  ktap_result NAME STATUS [DIAG]
# adds a result, ok when STATUS is 0, each line of DIAG a "# " diagnostic
# before it; ktap_print prints the document and fails if any result
# failed, or if there was none.
KTAP_N=0 KTAP_FAILED=0 KTAP_LINES=()
ktap_result() {
	local name=$1 status=$2 diag=${3:-}
	KTAP_N=$((KTAP_N + 1))
	[ -z "$diag" ] || KTAP_LINES+=("$(sed 's/^/# /' <<<"$diag")")
	if [ "$status" = 0 ]; then
		KTAP_LINES+=("ok $KTAP_N $name")
	else
		KTAP_LINES+=("not ok $KTAP_N $name")
		KTAP_FAILED=$((KTAP_FAILED + 1))
	fi
}
ktap_print() {
	echo "KTAP version 1"
	echo "1..$KTAP_N"
	[ "$KTAP_N" = 0 ] || printf '%s\n' "${KTAP_LINES[@]}"
	[ "$KTAP_N" -gt 0 ] && [ "$KTAP_FAILED" = 0 ]
}

# kunit_parse FILE: the KTAP in FILE (a console log will do) through the
# kernel tree's own parser, tools/testing/kunit/kunit.py parse.
kunit_parse() {
	local tree
	# make run TREE=... has the copy of the user's tree (kernel_paths sets
	# kunit_tree), and may have no other.
	tree=${kunit_tree:-$CACHE_DIR/trees/$(ref_version "$(current_base_version)")/series}
	python3 "$tree/tools/testing/kunit/kunit.py" parse "$1" 2>&1 |
		sed 's/^\[[0-9:]*\] //' || true
}

# kunit_leaves PARSED: the leaf results of kunit.py parse's output as
# "STATUS NAME" lines (PASSED, FAILED, SKIPPED, ...) in the order they ran;
# the lines with "=" around them are the suites.
kunit_leaves() { sed -n 's/^\(\[[0-9:]*\] \)\?\[\([A-Z]*\)\] /\2 /p' "$1"; }

# kunit_counts PARSED: "passed failed skipped" from kunit.py's closing
# line ("Testing complete. Ran N tests: passed: P, failed: F, ...").
# Crashed tests and parse errors count as failed; no closing line at all
# (nothing parsed), or one of no test run, counts as one failure.
kunit_counts() {
	local line n p=0 f=0 s=0
	line=$(grep 'Testing complete' "$1" | tail -n 1 || true)
	[ -n "$line" ] || { echo "0 1 0"; return; }
	# kunit.py's TestCounts: "Ran N tests: passed: N, failed: N, crashed: N,
	# skipped: N, errors: N", each left out when 0.  An error is a KTAP
	# document that could not be read (none at all, for one).
	for n in passed failed crashed skipped errors; do
		[[ $line =~ $n:\ ([0-9]+) ]] || continue
		case $n in
		passed) p=${BASH_REMATCH[1]} ;;
		skipped) s=${BASH_REMATCH[1]} ;;
		*) f=$((f + BASH_REMATCH[1])) ;;
		esac
	done
	# A part in which nothing ran proves nothing.
	[ $((p + f + s)) -gt 0 ] || f=1
	echo "$p $f $s"
}

# strict_counts FILE: kunit_counts, with every skip counted as failed,
# for a run whose VM has everything its tests need (the series kernel's
# kselftests): there a skip means the VM lost something, such as the
# kernel's modules, and a test that skips proves nothing.
strict_counts() {
	local p f s
	read -r p f s < <(kunit_counts "$1")
	echo "$p $((f + s)) 0"
}

# CROSS_TARGETS: the architectures the kselftests are built for besides
# the host's (cross-build.sh; build.sh for ARCH=arm64), each
# NAME:kernel ARCH:Debian architecture:GNU triple:Rust target.
CROSS_TARGETS=(
	aarch64:arm64:arm64:aarch64-linux-gnu:aarch64-unknown-linux-gnu
	riscv64:riscv:riscv64:riscv64-linux-gnu:riscv64gc-unknown-linux-gnu
)
# cross_field KARCH N: field N (3: Debian architecture, 4: GNU triple) of
# the CROSS_TARGETS row of the kernel ARCH KARCH.
cross_field() {
	local t karch_
	for t in "${CROSS_TARGETS[@]}"; do
		IFS=: read -r _ karch_ _ <<<"$t"
		[ "$karch_" != "$1" ] || { cut -d: -f"$2" <<<"$t"; return; }
	done
	die "no CROSS_TARGETS row for the kernel ARCH '$1'"
}
# binfmt_register KARCH: makes this machine run KARCH's programs through
# qemu-user (mmdebstrap installs a foreign root that way).  binfmt-support
# registers qemu-user with binfmt_misc on install, but only where
# binfmt_misc is mounted, which a machine without systemd's automount
# (or a container) does not have: it is mounted here, and the
# interpreter enabled.  Run as root.
binfmt_register() {
	local deb qemu
	qemu=qemu-$(cross_field "$1" 1)
	deb=$(debian_arch "$1")
	arch-test "$deb" >/dev/null 2>&1 && return
	log "binfmt: registering $qemu with binfmt_misc, for the $deb root"
	mountpoint -q /proc/sys/fs/binfmt_misc ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || true
	update-binfmts --enable "$qemu" >/dev/null 2>&1 || true
	arch-test "$deb" >/dev/null 2>&1 ||
		die "this machine cannot run $deb programs (arch-test $deb failed): qemu-user is not registered with binfmt_misc, and mounting it or enabling $qemu did not help (in a container, it must be privileged); as root: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable $qemu"
}
# cross_root_pairs: cross-root.sh's arguments for them, one a line: every
# build asks for the same root, which is then made once.
cross_root_pairs() {
	local t deb triple
	for t in "${CROSS_TARGETS[@]}"; do
		IFS=: read -r _ _ deb triple _ <<<"$t"
		echo "$deb:$triple"
	done
}
# in_chroot ROOT DIR COMMAND...: COMMAND in ROOT (a root cross-root.sh
# made), as root, DIR at /mnt, with no network and mounts that end with
# it.
in_chroot() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --net --propagation private -- sh -c '
		set -e
		root=$1 dir=$2
		shift 2
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount --bind "$dir" "$root/mnt"
		exec chroot "$root" env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' sh "$1" "$2" "${@:3}"
}

# apt_versions PACKAGE [APT-OPTION...]: the versions of PACKAGE that apt
# offers (apt-cache madison), newest first, one a line; the options give
# apt-cache another state (criu-root.sh asks trixie with a private one).
apt_versions() {
	local pkg=$1
	shift
	apt-cache "$@" madison "$pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }'
}

# private_apt DIR SUITE...: a private apt state in DIR for SUITE (main),
# updated; its apt options go into APT_PRIVATE, for apt-get and apt-cache.
# Each suite comes from the mirror the host takes its Debian 12 namesake
# from (trixie-security from bookworm-security's).  The host's sources,
# lists and status are left alone, so that asking trixie changes nothing
# of the host's apt.
APT_PRIVATE=()
private_apt() {
	local d=$1 suite
	shift
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts"
	: >"$d/sources.list"
	for suite in "$@"; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_uri "${suite/trixie/bookworm}") $suite main" >>"$d/sources.list"
	done
	APT_PRIVATE=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
	apt-get "${APT_PRIVATE[@]}" -qq update >&2 || die "apt-get update of $* failed (sources: $(paste -sd' ' "$d/sources.list"))"
}

# debian_uri SUITE: the mirror this machine's apt uses for SUITE
# (bookworm, bookworm-security, ...), read from /etc/apt, so that the
# roots mmdebstrap makes (fresh-root.sh, criu-root.sh) come from the same
# place as the host's packages.
debian_uri() {
	local uri
	uri=$({
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v suite="$1" '
			BEGIN { RS = "" }
			{
				uri = ""; hit = 0
				n = split($0, l, "\n")
				for (i = 1; i <= n; i++) {
					if (l[i] ~ /^URIs:/) { split(l[i], f, " "); uri = f[2] }
					if (l[i] ~ /^Suites:/) { m = split(l[i], f, " ");
						for (j = 2; j <= m; j++) if (f[j] == suite) hit = 1 }
				}
				if (hit && uri != "") print uri
			}'
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed 's/\[[^]]*\]//' | awk -v suite="$1" '$1 == "deb" && $3 == suite { print $2 }'
	} | head -n 1 || true)
	[ -n "$uri" ] || die "no Debian mirror for $1 in /etc/apt's sources: add one (Debian 12 needs bookworm, bookworm-updates and bookworm-security) and run 'apt-get update'"
	printf '%s' "$uri"
}
