#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# apply.sh KERNEL: check out a kernel tree for one of the three runs and
# apply its patches with git am.
#   series   pre-capability base + every series
#   pre-cap  pre-capability base + the series series/runs names for it
#   stock    Debian's tree        + the series series/runs names for it
# The tree is left alone when its base and patches have not changed, so
# that an unchanged tree is not rebuilt.  Prints the tree's path.
. "$(dirname "$0")/lib.sh"
need git:git

kernel_paths "${1:-}"
[ -z "$distro" ] || die "KERNEL=$kernel is Debian's own kernel: nothing to apply; scripts/run.sh $kernel boots it"
repo=$CACHE_DIR/linux.git

case $kernel in
series) base="pre-cap" ;;
pre-cap | stock) base=$kernel ;;
esac
list=$(series_patches "$kernel") || exit 1
mapfile -t patches <<<"$list"
base_commit=$(git -C "$repo" rev-parse -q --verify "base/$rv/$base") ||
	die "no base/$rv/$base in $repo: run scripts/base.sh first"
for p in "${patches[@]}"; do
	[ -f "$SERIES_DIR/$p" ] || die "series/$p is not a file"
done

# $stamp records how the tree was made, a line a step: the base commit,
# then for each patch the sha256 of its file, each with the commit it
# gave.  A run re-applies only from the first patch that changed, so that
# the files of the patches before it keep their times and are not rebuilt.
stamp=$tree.applied
want=("$base_commit")
for p in "${patches[@]}"; do want+=("$(sha256sum <"$SERIES_DIR/$p" | cut -d' ' -f1)"); done

stage_begin apply
# $busy exists while this script changes the tree, so that what a run cut
# short (Ctrl-C, a crash) left half done is undone, not taken for edits.
busy=$tree.busy
if [ -e "$busy" ] && [ -e "$tree" ]; then
	log "the last run stopped while changing $tree: undoing what it left"
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" reset -q --hard >/dev/null 2>&1 || true
	rm -f "$stamp"
fi
# A worktree left half-made by an interrupted run is made again.
if [ -e "$tree" ] && ! git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$tree" "$stamp"
fi
if [ ! -e "$tree" ]; then
	log "git: checking out $kernel tree at $tree"
	mkdir -p "$(dirname "$tree")"
	touch "$busy"
	git -C "$repo" worktree prune
	git -C "$repo" worktree add -q --detach "$tree" "$base_commit"
fi

# keep: how many steps of $stamp still hold; from: the commit to go on from.
keep=0 from=$base_commit
mapfile -t have < <(cat "$stamp" 2>/dev/null)
if [ ${#have[@]} -gt 0 ] && [ "${have[-1]#* }" = "$(git -C "$tree" rev-parse HEAD)" ]; then
	while [ $keep -lt ${#want[@]} ] && [ "${have[keep]%% *}" = "${want[keep]}" ]; do
		from=${have[keep]#* }
		keep=$((keep + 1))
	done
fi
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes; this tree is rebuilt from series/ on every run. Edit the series in the tree 'make tree' gives you, then 'make export'."
if [ $keep = ${#want[@]} ]; then
	log "$kernel tree is up to date (${#patches[@]} patches)"
else
	[ $keep -gt 0 ] || { keep=1 from=$base_commit have=("$base_commit $base_commit"); }
	rm -f "$stamp"
	touch "$busy"
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	# The times of the files the patches after $from touched, so that those
	# they give the same content again keep them and are not rebuilt.
	old_head=$(git -C "$tree" rev-parse HEAD)
	times=$(cd "$tree" && git diff --name-only "$from" "$old_head" |
		while read -r f; do [ ! -f "$f" ] || printf '%s\t%s\n' "$(stat -c %y "$f")" "$f"; done)
	git -C "$tree" checkout -q --detach "$from"
	made=("${have[@]:0:keep}")
	for ((i = keep; i < ${#want[@]}; i++)); do
		p=${patches[i - 1]}
		if ! out=$(git -C "$tree" -c user.name=capcr -c user.email=capcr@localhost \
				am -q --committer-date-is-author-date "$SERIES_DIR/$p" 2>&1); then
			git -C "$tree" am --abort >/dev/null 2>&1 || true
			rm -f "$busy"
			grep '^error:' <<<"$out" >&2 || printf '%s\n' "$out" >&2
			files=$(sed -n 's/^error: \(.*\): patch does not apply$/\1/p' <<<"$out" | paste -sd ' ')
			die "series/$p does not apply to the $kernel tree (base/$rv/$base)${files:+ in $files}: update the patch ('make tree', fix it, 'make export') or use the base it was made for (BASE_VERSION). The am was aborted; the next run starts again from the base."
		fi
		made+=("${want[i]} $(git -C "$tree" rev-parse HEAD)")
	done
	changed=$(git -C "$tree" diff --name-only "$old_head" HEAD)
	while IFS=$'\t' read -r time f; do
		[ -z "$f" ] || grep -qxF "$f" <<<"$changed" || touch -m -d "$time" "$tree/$f"
	done <<<"$times"
	git -C "$tree" branch -q -f "run/$rv/$kernel" HEAD
	printf '%s\n' "${made[@]}" >"$stamp"
	log "$kernel tree: applied ${#patches[@]} patches onto base/$rv/$base ($((${#want[@]} - keep)) of them now)"
fi
rm -f "$busy"
stage_end
printf '%s\n' "$tree"
