#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write the series back from the tree 'make tree' made, one directory a
# series: the messages b4 would send for each series' branch (b4_write
# in lib.sh: b4 send -o), the cover letter from the branch description,
# the version and change-id from b4's tracking data.  series/ is replaced
# only once the new files are complete.
#
# The changelog in each cover letter is written by hand: b4 prep
# --compare-to makes the range-diff against a version b4 has sent (its
# sent/ tags), and v1 was sent as one series across every tree, not as
# these four.  Once v2 is sent with b4, v3's range-diffs come from it.
#
# DEV_NAME=NAME exports the tree tree.sh made under that name, and
# SERIES_OUT=DIR writes to DIR instead of series/ (check-series.sh).
. "$(dirname "$0")/lib.sh"
take_lock

rv=$(ref_version "$(current_base_version)")
name=${DEV_NAME:-dev}
tree=$CACHE_DIR/trees/$rv/$name
dest=${SERIES_OUT:-$SERIES_DIR}
[ -d "$tree" ] || die "no tree at $tree: run 'make tree' first"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes: commit them (or stash them) first"
need b4:deps
list=$(series_dirs series) || exit 1
mapfile -t dirs <<<"$list"

head=$(git -C "$tree" symbolic-ref -q --short HEAD || git -C "$tree" rev-parse HEAD)
tmp=$(mktemp -d "$(dirname "$dest")/series.new.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"; git -C "$tree" checkout -q "$head"' EXIT
for d in "${dirs[@]}"; do
	branch=$name/$rv/$d
	git -C "$tree" rev-parse -q --verify "$branch" >/dev/null || die "no branch $branch in $tree: series/runs names $d"
	b4_write "$tree" "$branch" "base/$rv/pre-cap" "$tmp/$d"
	# A series that did not change keeps its files: b4 dates and numbers
	# its messages anew each time, and one series' messages refer to
	# each other, so a series is kept or written again as a whole.
	if [ -d "$dest/$d" ] && b4_same "$dest/$d" "$tmp/$d"; then
		rm -rf "${tmp:?}/$d"
		cp -r "$dest/$d" "$tmp/$d"
	fi
done
cp "$SERIES_DIR/runs" "$tmp/"
# Series for other trees than the kernel's (man-pages) are kept as they are.
for d in "$SERIES_DIR"/*/; do
	d=$(basename "$d")
	[ -e "$tmp/$d" ] || cp -r "$SERIES_DIR/$d" "$tmp/"
done
rm -rf "$dest.old"
[ ! -e "$dest" ] || mv "$dest" "$dest.old"
mv "$tmp" "$dest"
rm -rf "$dest.old"
trap 'git -C "$tree" checkout -q "$head"' EXIT
log "$dest now holds $(cd "$dest" && ls -d */ | tr -d / | paste -sd ' '): $(ls "$dest"/*/0*-* | wc -l) files from $tree"
