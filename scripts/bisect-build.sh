#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every patch of the series builds on its own: the kernel is built at
# each commit from the pre-capability base to the end of the series,
# incrementally in one build directory, with the series kernel's config.
# A commit that touches only selftests or docs rebuilds nothing, so it
# costs little.  A commit that touches a kselftest directory gets that
# directory built too (its own build directory, incremental as well), as
# build.sh builds it: the kernel build alone cannot fail on it.
#
# The build runs clippy (CLIPPY=1), and a patch is held to the checks
# the Rust-for-Linux and kernel-doc maintainers run, on what it touches:
# a patch that changes the kernel's Rust gets no clippy or rustc warning
# in its files, make rustfmtcheck finds nothing in them, and make rustdoc
# builds without a warning in them; a patch that changes C gets no
# kernel-doc warning (scripts/kernel-doc -none -Wall) that its files did
# not have before it.  Prints KTAP.
. "$(dirname "$0")/lib.sh"
take_lock

rv=$(ref_version "$(current_base_version)")
repo=$CACHE_DIR/linux.git
series_tree=$CACHE_DIR/trees/$rv/series
config=$(build_dir "$series_tree")/kernel/.config
tree=$CACHE_DIR/trees/$rv/bisect
out=$(build_dir "$tree")
[ -f "$config" ] || die "no series kernel config at $config: run 'make run' first"

if [ ! -d "$tree" ] || ! git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$tree"
	git -C "$repo" worktree prune
	git -C "$repo" worktree add -q --detach "$tree" "base/$rv/pre-cap"
fi
mkdir -p "$out/kernel"

# diag LOG: the diagnostics in LOG that point into the touched Rust files.
diag() { awk -v root="$tree" -v files="$rust" -f "$PROJECT_DIR/scripts/rust-diag.awk" "$1"; }

stage_begin bisect
mapfile -t commits < <(git -C "$series_tree" rev-list --reverse "base/$rv/pre-cap..HEAD")
n=0
for c in "base/$rv/pre-cap" "${commits[@]}"; do
	n=$((n + 1))
	name=$(git -C "$repo" log -1 --format=%s "$c")
	git -C "$tree" checkout -q --detach "$c"
	# A rewritten .config would make every commit a full rebuild.
	cmp -s "$config" "$out/kernel/.config" || cp "$config" "$out/kernel/.config"
	t0=$(date +%s)
	# shellcheck disable=SC2046 # kernel_targets prints make targets, one a word
	if kmake "$tree" "$out/kernel" CLIPPY=1 $(kernel_targets "$config") >"$out/build-$n.log" 2>&1; then
		ktap_result "builds: $name" 0 "built in $(($(date +%s) - t0))s"
	else
		ktap_result "builds: $name" 1 "$(tail -n 20 "$out/build-$n.log")"
		continue
	fi
	[ "$c" != "base/$rv/pre-cap" ] || continue
	touched=$(git -C "$tree" diff-tree --no-commit-id --name-only -r "$c")
	rust=$(grep -E '^(rust|samples/rust)/.*\.rs$' <<<"$touched" | paste -sd ' ' || true)
	cfiles=$(grep -E '\.[ch]$' <<<"$touched" | grep -v '^tools/' | paste -sd ' ' || true)
	if [ -n "$rust" ]; then
		out_=$(diag "$out/build-$n.log")
		ktap_result "clippy: no warning in the Rust files of: $name" "$([ -z "$out_" ]; echo $?)" "$out_"
		# rustfmtcheck also fails on files generated in the build
		# directory, which is in the tree; only the touched files count.
		kmake "$tree" "$out/kernel" rustfmtcheck >"$out/rustfmt-$n.log" 2>&1 || true
		out_=$(diag "$out/rustfmt-$n.log")
		ktap_result "rustfmtcheck: nothing in the Rust files of: $name" "$([ -z "$out_" ]; echo $?)" "$out_"
		rc=0
		kmake "$tree" "$out/kernel" CLIPPY=1 rustdoc >"$out/rustdoc-$n.log" 2>&1 || rc=$?
		out_=$(diag "$out/rustdoc-$n.log")
		[ $rc = 0 ] || out_="make rustdoc failed: $(tail -n 20 "$out/rustdoc-$n.log")"
		ktap_result "rustdoc: builds, no warning in the Rust files of: $name" "$([ -z "$out_" ]; echo $?)" "$out_"
	fi
	for t in $(sed -n 's|^tools/testing/selftests/\([^/]*\)/.*|\1|p' <<<"$touched" | sort -u); do
		# FORCE_TARGETS: a target that fails fails the make.
		if kselftest_make "$tree" "$out" FORCE_TARGETS=1 TARGETS="$t" \
				>"$out/selftests-$n-$t.log" 2>&1; then
			ktap_result "kselftests build: $t at: $name" 0
		else
			ktap_result "kselftests build: $t at: $name" 1 "$(tail -n 20 "$out/selftests-$n-$t.log")"
		fi
	done
	if [ -n "$cfiles" ]; then
		# Warnings without their line numbers, at the commit and its parent.
		new=$(cd "$tree" && for f in $cfiles; do
			[ ! -f "$f" ] || ./scripts/kernel-doc -none -Wall "$f" 2>&1
		done | sed 's/:[0-9]*:/:/' | sort -u)
		old=$(cd "$tree" && for f in $cfiles; do
			git show "$c^:$f" >"$out/kdoc.tmp" 2>/dev/null || continue
			./scripts/kernel-doc -none -Wall "$out/kdoc.tmp" 2>&1 | sed "s|$out/kdoc.tmp|$f|"
		done | sed 's/:[0-9]*:/:/' | sort -u)
		rm -f "$out/kdoc.tmp"
		out_=$(comm -23 <(echo "$new") <(echo "$old") | sed '/^$/d')
		ktap_result "kernel-doc: no new warning in the C files of: $name" "$([ -z "$out_" ]; echo $?)" "$out_"
	fi
done
stage_end
ktap_print
