#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A git tree to edit the series in: the pre-capability base with one
# commit per patch (git am), on branch dev/<version>, the cover letter in
# the branch description (git branch --edit-description).  'make export'
# writes it back to series/.  Prints the tree's path.
. "$(dirname "$0")/lib.sh"
take_lock

"$(dirname "$0")/base.sh"
rv=$(ref_version "$(current_base_version)")
repo=$CACHE_DIR/linux.git
tree=$CACHE_DIR/trees/$rv/dev
branch=dev/$rv

if [ ! -d "$tree" ]; then
	git -C "$repo" worktree add -q -b "$branch" "$tree" "base/$rv/pre-cap"
	mapfile -t patches < <(ls "$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-')
	git -C "$tree" am -q "${patches[@]}" ||
		die "the series does not apply in $tree; git am stopped there, fix it with 'git am --continue' or start again by removing the tree"
	# The cover letter's subject and blurb become the branch description,
	# which format-patch --cover-from-description=subject turns back into them.
	git mailinfo "$tree/.git-cover-msg" /dev/null <"$SERIES_DIR/0000-cover-letter.patch" >"$tree/.git-cover-info"
	{
		sed -n 's/^Subject: //p' "$tree/.git-cover-info"
		echo
		# The blurb ends where format-patch's shortlog starts.
		sed '/^[^ ].* ([0-9]*):$/,$d' "$tree/.git-cover-msg"
	} | git -C "$tree" config "branch.$branch.description" "$(cat)"
	rm -f "$tree/.git-cover-msg" "$tree/.git-cover-info"
	log "made $tree: one commit per patch on $branch"
fi
log "edit, commit (new files need 'git add -f': Debian's .gitignore ignores the top level), then 'make export'"
printf '%s\n' "$tree"
