#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the two base trees in the cache's git repository:
#   base/<version>/stock    Debian's linux-source-6.12 tarball as shipped
#   base/<version>/pre-cap  the same with CAP_CHECKPOINT_RESTORE taken out
#                           by base/pre-capability.patch
# Prints nothing on stdout; records the package version and the tarball's
# sha256 in $CACHE_DIR/base-<version>.txt for the run's report.
. "$(dirname "$0")/lib.sh"
need git:git dpkg-deb:dpkg tar:tar xz:xz-utils sha256sum:coreutils

mkdir -p "$CACHE_DIR/deb"

resolve_version() {
	local offered
	offered=$(apt_versions "$BASE_PACKAGE")
	if [ -z "$offered" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq
		offered=$(apt_versions "$BASE_PACKAGE")
	fi
	if [ -z "${BASE_VERSION:-}" ]; then
		[ -n "$offered" ] || die "apt offers no $BASE_PACKAGE; check /etc/apt/sources.list (Debian 12 has it in bookworm-security and bookworm-backports)"
		# madison lists the newest first.
		head -n 1 <<<"$offered"
		return
	fi
	if ! grep -qxF -- "$BASE_VERSION" <<<"$offered"; then
		# A tarball fetched earlier for this version still counts.
		[ -f "$CACHE_DIR/deb/$(ref_version "$BASE_VERSION").tar.xz" ] && {
			printf '%s' "$BASE_VERSION"; return; }
		die "BASE_VERSION=$BASE_VERSION: apt does not offer this version of $BASE_PACKAGE. Versions offered: $(echo $offered | tr ' ' ',' | sed 's/,/, /g'). Pick one of them, or leave BASE_VERSION unset for the newest."
	fi
	printf '%s' "$BASE_VERSION"
}

# fetch_tarball VERSION: fetches the .deb and takes the tarball out of it;
# sets sum to its sha256, which is recorded the first time and must match
# on every later run.  Not run in a subshell: there a Ctrl-C would skip
# the trap that removes the download.
fetch_tarball() {
	local ver=$1 rv tarball sumfile tmp
	rv=$(ref_version "$ver")
	tarball=$CACHE_DIR/deb/$rv.tar.xz
	sumfile=$CACHE_DIR/deb/$rv.sha256
	if [ ! -f "$tarball" ]; then
		tmp=$(mktemp -d "$CACHE_DIR/deb/tmp.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		log "apt: downloading $BASE_PACKAGE=$ver"
		(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$BASE_PACKAGE=$ver") ||
			die "apt-get download $BASE_PACKAGE=$ver failed (apt said why above): check the network and the apt sources, or pick another version with BASE_VERSION, then run again. Nothing was kept."
		dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" "./usr/src/$BASE_PACKAGE.tar.xz" ||
			die "the $BASE_PACKAGE=$ver package apt downloaded holds no usr/src/$BASE_PACKAGE.tar.xz; nothing was kept"
		mv "$tmp/usr/src/$BASE_PACKAGE.tar.xz" "$tarball"
		rm -rf "$tmp"
		trap - EXIT
	fi
	sum=$(sha256sum "$tarball" | cut -d' ' -f1)
	if [ ! -f "$sumfile" ]; then
		echo "$sum" >"$sumfile"
	elif [ "$(cat "$sumfile")" != "$sum" ]; then
		# Kept for a look, out of the way of the next run's download.
		mv -f "$tarball" "$tarball.bad"
		die "$tarball: sha256 $sum does not match $(cat "$sumfile"), recorded when it was first fetched: the file was damaged or replaced. It is now $tarball.bad; the next run fetches it again and checks it against the recorded sum."
	fi
}

ver=$(resolve_version)
rv=$(ref_version "$ver")
stage_begin base
fetch_tarball "$ver"
tarball=$CACHE_DIR/deb/$rv.tar.xz
repo=$CACHE_DIR/linux.git
# Again on every run: it completes a repository an interrupted run began.
git init -q --bare "$repo"
# No automatic gc: it would repack the whole tree in the background after
# a run, holding the cache's lock (fd 9, inherited) and both cores.
git -C "$repo" config gc.auto 0
git -C "$repo" config maintenance.auto false
# shellcheck disable=SC2034 # git_fixed (lib.sh) reads it
FIXED_DATE="@$(stat -c %Y "$tarball") +0000"

if ! git -C "$repo" rev-parse -q --verify "refs/heads/base/$rv/stock" >/dev/null; then
	log "git: committing the $BASE_PACKAGE $ver tree"
	tmp=$(mktemp -d "$CACHE_DIR/tmp.XXXXXX")
	trap 'rm -rf "$tmp" "$tmp.index"' EXIT
	tar -xf "$tarball" -C "$tmp" --strip-components=1
	# Debian's top-level .gitignore ignores everything: add with -f.
	export GIT_DIR=$repo GIT_WORK_TREE=$tmp GIT_INDEX_FILE=$tmp.index
	git add -A -f .
	commit=$(git_fixed commit-tree "$(git write-tree)" \
		-m "Debian $BASE_PACKAGE $ver" -m "tarball sha256: $sum")
	git update-ref "refs/heads/base/$rv/stock" "$commit"
	unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
	rm -rf "$tmp" "$tmp.index"
	trap - EXIT
fi

# The pre-capability base is made from base/pre-capability.patch on every
# run (a few seconds, on the index alone): the commit is fixed by the
# stock tree and the patch, so a changed patch gives a new base and an
# unchanged one the same commit as before.
{
	tmp=$(mktemp -d "$CACHE_DIR/tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	export GIT_DIR=$repo GIT_INDEX_FILE=$tmp/index
	git read-tree "base/$rv/stock"
	# The preparation is applied to the index alone: no checkout needed.
	git apply --cached "$PROJECT_DIR/base/pre-capability.patch" 2>"$tmp/err" || {
		cat "$tmp/err" >&2
		die "base/pre-capability.patch does not apply to $BASE_PACKAGE $ver. It was made for the version named in its header; update the patch for this version or pick that version with BASE_VERSION."
	}
	git mailinfo "$tmp/msg" /dev/null <"$PROJECT_DIR/base/pre-capability.patch" >"$tmp/info"
	{ sed -n 's/^Subject: //p' "$tmp/info"; echo; cat "$tmp/msg"; } >"$tmp/message"
	commit=$(git_fixed commit-tree "$(git write-tree)" -p "base/$rv/stock" -F "$tmp/message")
	old=$(git rev-parse -q --verify "refs/heads/base/$rv/pre-cap" || true)
	if [ "$old" != "$commit" ]; then
		log "git: ${old:+base/pre-capability.patch changed: }preparing the pre-capability base"
		git update-ref "refs/heads/base/$rv/pre-cap" "$commit"
	fi
	unset GIT_DIR GIT_INDEX_FILE
	rm -rf "$tmp"
	trap - EXIT
}

{
	echo "package: $BASE_PACKAGE $ver"
	echo "tarball-sha256: $sum"
	echo "stock: $(git -C "$repo" rev-parse "base/$rv/stock")"
	echo "pre-cap: $(git -C "$repo" rev-parse "base/$rv/pre-cap")"
} >"$CACHE_DIR/base-$rv.txt"
printf '%s\n' "$ver" >"$CACHE_DIR/base-version"
stage_end
