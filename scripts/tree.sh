#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A git tree to edit the series in: the pre-capability base with one
# branch a series, stacked in the order of series/runs
# (dev/<version>/<series>, each on the one before), one commit a patch
# (git am), each series' cover letter in its branch's description
# (git branch --edit-description).  HEAD is the last series' branch; to
# change a commit of an earlier series, rebase with --update-refs so that
# the branches after it follow.  'make export' writes the tree back to
# series/.  Prints the tree's path.
. "$(dirname "$0")/lib.sh"
take_lock

"$(dirname "$0")/base.sh"
rv=$(ref_version "$(current_base_version)")
repo=$CACHE_DIR/linux.git
tree=$CACHE_DIR/trees/$rv/dev

if [ ! -d "$tree" ]; then
	list=$(series_dirs series) || exit 1
	mapfile -t dirs <<<"$list"
	git -C "$repo" worktree add -q --detach "$tree" "base/$rv/pre-cap"
	for d in "${dirs[@]}"; do
		branch=dev/$rv/$d
		git -C "$tree" checkout -q -B "$branch"
		mapfile -t patches < <(dir_patches "$d")
		git -C "$tree" am -q "${patches[@]/#/$SERIES_DIR/}" ||
			die "series/$d does not apply in $tree; git am stopped there, fix it with 'git am --continue' or start again by removing the tree"
		# The cover letter's subject and blurb become the branch
		# description, which format-patch --cover-from-description=subject
		# turns back into them.
		git mailinfo "$tree/.git-cover-msg" /dev/null <"$SERIES_DIR/$d/0000-cover-letter.patch" >"$tree/.git-cover-info"
		{
			sed -n 's/^Subject: //p' "$tree/.git-cover-info"
			echo
			# The blurb ends where format-patch's shortlog starts.
			sed '/^[^ ].* ([0-9]*):$/,$d' "$tree/.git-cover-msg"
		} | git -C "$tree" config "branch.$branch.description" "$(cat)"
		# [PATCH vN 0/M]: the version 'make export' writes.
		version=$(series_version "$d")
		[ -z "$version" ] || git -C "$tree" config "branch.$branch.capcr-version" "$version"
		rm -f "$tree/.git-cover-msg" "$tree/.git-cover-info"
	done
	log "made $tree: one branch a series (dev/$rv/*), one commit a patch"
fi
log "edit, commit (new files need 'git add -f': Debian's .gitignore ignores the top level), then 'make export'"
printf '%s\n' "$tree"
