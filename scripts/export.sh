#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write the series back from the tree 'make tree' made: git format-patch
# with the cover letter from the branch description and base-commit set.
# series/ is replaced only once the new files are complete.
. "$(dirname "$0")/lib.sh"
take_lock

rv=$(ref_version "$(current_base_version)")
tree=$CACHE_DIR/trees/$rv/dev
[ -d "$tree" ] || die "no tree at $tree: run 'make tree' first"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes: commit them (or stash them) first"

tmp=$(mktemp -d "$PROJECT_DIR/series.new.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
# The kernel's abbreviation length: git's default depends on the
# size of the repository, which would make index lines differ.
git -C "$tree" -c core.abbrev=12 format-patch -q --zero-commit --no-signature --cover-letter \
	--cover-from-description=subject --base="base/$rv/pre-cap" \
	-o "$tmp" "base/$rv/pre-cap..HEAD"
cp "$SERIES_DIR/stock" "$SERIES_DIR/pre-cap" "$tmp/"
for list in stock pre-cap; do
	grep -v -e '^#' -e '^$' "$tmp/$list" | while read -r p; do
		[ -f "$tmp/$p" ] || log "warning: series/$list names $p, which the export no longer has: update the list"
	done
done
rm -rf "$SERIES_DIR.old"
mv "$SERIES_DIR" "$SERIES_DIR.old"
mv "$tmp" "$SERIES_DIR"
rm -rf "$SERIES_DIR.old"
trap - EXIT
log "series/ now holds $(ls "$SERIES_DIR"/*.patch | wc -l) files from $tree"
