#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write the series back from the tree 'make tree' made, one directory a
# series: git format-patch of each series' branch from the one before
# it (format_series in lib.sh), with the cover letter from the branch
# description and the version from the branch's capcr-version (default
# 1).  series/ is replaced only once the new files are complete.
. "$(dirname "$0")/lib.sh"
take_lock

rv=$(ref_version "$(current_base_version)")
tree=$CACHE_DIR/trees/$rv/dev
[ -d "$tree" ] || die "no tree at $tree: run 'make tree' first"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes: commit them (or stash them) first"
list=$(series_dirs series) || exit 1
mapfile -t dirs <<<"$list"

tmp=$(mktemp -d "$PROJECT_DIR/series.new.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
prev=base/$rv/pre-cap
for d in "${dirs[@]}"; do
	branch=dev/$rv/$d
	git -C "$tree" rev-parse -q --verify "$branch" >/dev/null || die "no branch $branch in $tree: series/runs names $d"
	version=$(git -C "$tree" config "branch.$branch.capcr-version" || echo 1)
	format_series "$tree" "$prev" "$branch" "$version" "$tmp/$d" \
		--cover-letter --cover-from-description=subject
	prev=$branch
done
cp "$SERIES_DIR/runs" "$tmp/"
# Series for other trees than the kernel's (man-pages) are kept as they are.
for d in "$SERIES_DIR"/*/; do
	d=$(basename "$d")
	[ -e "$tmp/$d" ] || cp -r "$SERIES_DIR/$d" "$tmp/"
done
rm -rf "$SERIES_DIR.old"
mv "$SERIES_DIR" "$SERIES_DIR.old"
mv "$tmp" "$SERIES_DIR"
rm -rf "$SERIES_DIR.old"
trap - EXIT
log "series/ now holds $(cd "$SERIES_DIR" && ls -d */ | tr -d / | paste -sd ' '): $(ls "$SERIES_DIR"/*/*.patch | wc -l) files from $tree"
