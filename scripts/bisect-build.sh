#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every patch of the series builds on its own: the kernel is built at
# each commit from the pre-capability base to the end of the series,
# incrementally in one build directory, with the series kernel's config.
# A commit that touches only selftests or docs rebuilds nothing, so it
# costs little.  Prints KTAP.
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

stage_begin bisect
mapfile -t commits < <(git -C "$series_tree" rev-list --reverse "base/$rv/pre-cap..HEAD")
n=0
for c in "base/$rv/pre-cap" "${commits[@]}"; do
	n=$((n + 1))
	name=$(git -C "$repo" log -1 --format=%s "$c")
	git -C "$tree" checkout -q --detach "$c"
	# A rewritten .config would make every commit a full rebuild.
	cmp -s "$config" "$out/kernel/.config" || cp "$config" "$out/kernel/.config"
	if kmake "$tree" "$out/kernel" bzImage >"$out/build-$n.log" 2>&1; then
		ktap_result "builds: $name" 0
	else
		ktap_result "builds: $name" 1 "$(tail -n 20 "$out/build-$n.log")"
	fi
done
stage_end
ktap_print
