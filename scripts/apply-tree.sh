#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# apply-tree.sh: the apply step of make run TREE=/path/to/linux, for a
# kernel git tree of the user's own.  Which series it takes is decided
# from the tree and printed: all of them where the tree lacks
# CAP_CHECKPOINT_RESTORE (as the series run takes them), those upstream
# lacks where it has it (as the stock run takes them; series/runs).
#
# TREE itself is never written to: the patches go with git am onto a copy
# of the commit it has checked out, in the cache, which shares its objects
# (git clone --shared), and is built there.  A tree that is not a kernel
# git tree, has uncommitted changes (the run would not test what the user
# sees) or is in the middle of a git operation is refused; a patch that
# does not apply stops the run, naming it.  Prints the copy's path.
. "$(dirname "$0")/lib.sh"
need git:git

kernel_paths tree
src=$TREE
copy=$tree

[ -d "$src" ] || die "TREE=$src: no such directory; give the top directory of your Linux kernel git tree"
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null) ||
	die "TREE=$src: not a git work tree; the patches go on with git am, so put the tree under git first (for a source tarball: git init && git add -f . && git commit -m base)"
[ "$(realpath "$top")" = "$(realpath "$src")" ] ||
	die "TREE=$src: not the top of its git work tree; give $top"
for f in Makefile Kconfig include/uapi/linux/capability.h tools/testing/selftests/Makefile; do
	[ -f "$src/$f" ] || die "TREE=$src: not a Linux kernel tree (it has no $f); give the top directory of one"
done
head=$(git -C "$src" rev-parse -q --verify HEAD) || die "TREE=$src: the git tree has no commit yet; commit the sources first"
for op in rebase-merge rebase-apply MERGE_HEAD CHERRY_PICK_HEAD REVERT_HEAD BISECT_LOG; do
	[ ! -e "$(git -C "$src" rev-parse --git-path "$op")" ] ||
		die "TREE=$src: a git operation is in progress ($op); finish or abort it, then run again"
done
dirty=$(git -C "$src" status --porcelain --untracked-files=no)
[ -z "$dirty" ] || die "TREE=$src has uncommitted changes ($(head -n 3 <<<"$dirty" | awk '{ print $2 }' | paste -sd' ')$([ "$(wc -l <<<"$dirty")" -le 3 ] || echo ' ...')); the run takes the commit checked out, $(git -C "$src" rev-parse --short HEAD), and would not test them: commit or stash them first"

version=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = \([0-9]*\)$/\2/p' "$src/Makefile" | paste -sd.)
if grep -q '^#define CAP_CHECKPOINT_RESTORE' "$src/include/uapi/linux/capability.h"; then
	run=stock why="it has CAP_CHECKPOINT_RESTORE: the series upstream lacks"
else
	run=series why="it lacks CAP_CHECKPOINT_RESTORE: every series"
fi
list=$(series_dirs "$run")
{
	echo "TREE=$src: Linux $version, $(git -C "$src" log -1 --format='%h (%s)')"
	echo "  $why (as the $run run)"
	for d in $(series_dirs series); do
		if grep -qx "$d" <<<"$list"; then
			n=$(dir_patches "$d" | wc -l)
			echo "  apply  $d ($n patch$([ "$n" = 1 ] || echo es))"
		else
			echo "  skip   $d (not in the $run run: the tree has the capability)"
		fi
	done
} >&2

stage_begin apply
# The copy is made once a TREE path and brought to TREE's commit each run;
# its build directory stays, so that an unchanged tree is not rebuilt.
if [ ! -d "$copy/.git" ]; then
	rm -rf "$copy"
	mkdir -p "$(dirname "$copy")"
	git clone -q --shared --no-checkout "$src" "$copy"
fi
git -C "$copy" am --abort >/dev/null 2>&1 || true
git -C "$copy" fetch -q "$src" "$head" && git -C "$copy" checkout -q -f --detach "$head" ||
	die "could not check out $head of TREE=$src in $copy"
for p in $(series_patches "$run"); do
	if ! out=$(git -C "$copy" -c user.name=capcr -c user.email=capcr@localhost \
			am -q --3way "$SERIES_DIR/$p" 2>&1); then
		# Where the three-way merge had no ancestor (a tree made from a
		# tarball lacks the patch's blobs) git am says only that: the
		# hunks that do not apply are what to fix.
		{
			printf '%s\n' "$out" | grep -E '^(error|Patch failed)'
			git -C "$copy" am --show-current-patch=diff 2>/dev/null |
				git -C "$copy" apply --check - 2>&1 | grep '^error'
		} | head -n 8 >&2 || true
		git -C "$copy" am --abort >/dev/null 2>&1 || true
		die "series/$p does not apply to TREE=$src (at $(git -C "$src" rev-parse --short HEAD)); git's errors are above.  TREE is untouched: the patches go onto a copy, $copy"
	fi
done
echo "$src $head $run" >"$copy.applied"
stage_end
echo "$copy"
