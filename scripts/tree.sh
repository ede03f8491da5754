#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A git tree to edit the series in: the pre-capability base with one
# branch a series, stacked in the order of series/runs
# (dev/<version>/<series>, each on the one before), one commit a patch
# (git am), each branch a b4 prep series (see b4_enroll in lib.sh) whose
# cover letter is its branch's description (b4 prep --edit-cover).  HEAD
# is the last series' branch; to change a commit of an earlier series,
# rebase with --update-refs so that the branches after it follow.
# 'make export' writes the tree back to series/.  Prints the tree's path.
#
# DEV_NAME=NAME makes the tree and its branches under another name than
# dev (check-series.sh makes one to check the round trip).
. "$(dirname "$0")/lib.sh"
take_lock

need b4:deps
"$(dirname "$0")/base.sh"
rv=$(ref_version "$(current_base_version)")
repo=$CACHE_DIR/linux.git
name=${DEV_NAME:-dev}
tree=$CACHE_DIR/trees/$rv/$name

if [ ! -d "$tree" ]; then
	list=$(series_dirs series) || exit 1
	mapfile -t dirs <<<"$list"
	git -C "$repo" worktree add -q --detach "$tree" "base/$rv/pre-cap"
	b4_settings "$tree"
	prev=base/$rv/pre-cap
	for d in "${dirs[@]}"; do
		branch=$name/$rv/$d
		git -C "$tree" checkout -q -B "$branch"
		mapfile -t patches < <(dir_patches "$d")
		git -C "$tree" am -q "${patches[@]/#/$SERIES_DIR/}" ||
			die "series/$d does not apply in $tree; git am stopped there, fix it with 'git am --continue' or start again by removing the tree"
		# The cover letter's subject and text become the branch
		# description, which is where b4 keeps a cover letter.
		cover=$(cover_letter "$d")
		git mailinfo "$tree/.git-cover-msg" "$tree/.git-cover-patch" <"$cover" >"$tree/.git-cover-info"
		{
			sed -n 's/^Subject: //p' "$tree/.git-cover-info"
			echo
			case ${cover##*/} in
			0000-*) # The text ends where b4's '---' or format-patch's
				# shortlog starts.
				sed '/^---$/,$d; /^[^ ].* ([0-9]*):$/,$d' "$tree/.git-cover-msg" ;;
			*) # One patch: the text between its '---' lines.
				sed '1d; /^---$/,$d' "$tree/.git-cover-patch" ;;
			esac
		} | git -C "$tree" config "branch.$branch.description" "$(cat)"
		rm -f "$tree/.git-cover-msg" "$tree/.git-cover-patch" "$tree/.git-cover-info"
		# [PATCH vN 0/M] and the change-id: the version and the series
		# 'make export' writes.
		version=$(series_version "$d")
		change_id=$(sed -n 's/^change-id: //p' "$cover")
		# A series b4 has not written yet gets a change-id of b4's form
		# (date, name, 12 random hex digits) named after the series, not
		# after the branch.
		[ -n "$change_id" ] || change_id=$(date +%Y%m%d)-cap-checkpoint-restore-${d#[0-9]-}-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
		b4_enroll "$tree" "$branch" "$prev" "${version:-1}" "$change_id"
		prev=$branch
	done
	log "made $tree: one branch a series ($name/$rv/*), one commit a patch"
fi
log "edit, commit (new files need 'git add -f': Debian's .gitignore ignores the top level), then 'make export'"
printf '%s\n' "$tree"
