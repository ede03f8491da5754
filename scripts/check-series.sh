#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series checked without booting anything, reported as KTAP:
# the pre-capability base really lacks the capability, the series apply
# with git am, every patch passes checkpatch --strict, the files are what
# b4 writes of a tree made from them (the round trip), each cover
# letter names the base, each series applies to the trees it is for with
# only what it needs, the man-pages patch applies to the page Debian
# ships and groff finds nothing in it, and the Rust kselftests are
# rustfmt- and clippy-clean.
. "$(dirname "$0")/lib.sh"
take_lock

rv=$(ref_version "$(current_base_version)")
repo=$CACHE_DIR/linux.git
pre=base/$rv/pre-cap
list=$(series_dirs series) || exit 1
mapfile -t dirs <<<"$list"
list=$(series_patches series) || exit 1
mapfile -t patches <<<"$list"

# 1. The base is what it claims to be.
out=$(git -C "$repo" grep -n 'checkpoint_restore_ns_capable' "$pre" -- . || true)
ktap_result "pre-cap base: no checkpoint_restore_ns_capable*() anywhere" "$([ -z "$out" ]; echo $?)" "$out"
out=$(git -C "$repo" grep -n 'CAP_CHECKPOINT_RESTORE' "$pre" -- '*.c' '*.h' ':!tools/testing/selftests' || true)
ktap_result "pre-cap base: CAP_CHECKPOINT_RESTORE not used outside the selftests" "$([ -z "$out" ]; echo $?)" "$out"
out=$(git -C "$repo" show "$pre:include/uapi/linux/capability.h" | grep -E '^#define CAP_LAST_CAP' || true)
ktap_result "pre-cap base: CAP_LAST_CAP is CAP_BPF" "$(grep -qE 'CAP_LAST_CAP[[:space:]]+CAP_BPF$' <<<"$out"; echo $?)" "$out"
out=$(git -C "$repo" show "$pre:security/selinux/include/classmap.h" | grep -n 'checkpoint_restore' || true)
ktap_result "pre-cap base: no checkpoint_restore in the SELinux classmap" "$([ -z "$out" ]; echo $?)" "$out"

# 2. The series applies with git am (apply.sh) onto the pre-cap base.
rc=0
out=$("$PROJECT_DIR/scripts/apply.sh" series 2>&1 >/dev/null) || rc=$?
ktap_result "series: all ${#patches[@]} patches of ${dirs[*]} apply with git am onto $pre" $rc "$( [ $rc = 0 ] || echo "$out")"
tree=$CACHE_DIR/trees/$rv/series

# 3. checkpatch --strict, patch by patch.  It asks "does MAINTAINERS need
#    updating?" of every patch that adds a file; when an F: line of the
#    series tree's MAINTAINERS already names the directory of each added
#    file, the answer is no, and the check says which line covers them.
covering_entries() { # covering_entries PATCH: prints the F: lines, fails if a file has none
	local file dir
	for file in $(awk '/^diff --git /{f=$4} /^new file mode/{print substr(f, 3)}' "$1"); do
		dir=$file
		while [[ $dir == */* ]]; do
			dir=${dir%/*}
			if grep -qxF "F:	$dir/" "$tree/MAINTAINERS"; then
				echo "F:	$dir/"
				continue 2
			fi
		done
		return 1
	done | sort -u
}
#    In a dev tree, b4 prep --check runs the same checkpatch (lib.sh's
#    B4_SETTINGS); here each patch file is a KTAP case of its own, and
#    the MAINTAINERS question gets its answer, which b4 cannot give.
#    The tree's history is the Debian tarball's, without upstream's
#    commits, so checkpatch cannot find the upstream commits the patches
#    credit (UNKNOWN_COMMIT_ID): that one check is left out; the form of
#    the references ('commit <id> ("<title>")') is still checked.
for p in "${patches[@]}"; do
	out=$(cd "$tree" && ./scripts/checkpatch.pl --strict --quiet --ignore UNKNOWN_COMMIT_ID \
		"$SERIES_DIR/$p" 2>&1) || true
	rc=0
	if [ -n "$out" ]; then
		rc=1
		if [ "$(grep -cE '^(WARNING|ERROR|CHECK):' <<<"$out")" = 1 ] &&
			grep -q '^WARNING: added, moved or deleted file(s), does MAINTAINERS need updating?' <<<"$out" &&
			covered=$(covering_entries "$SERIES_DIR/$p") && [ -n "$covered" ]; then
			out="checkpatch asks whether MAINTAINERS needs updating: no, the added files are covered by
$covered"
			rc=0
		fi
	fi
	ktap_result "checkpatch --strict: $p" $rc "$out"
done

# 4. The round trip between files and tree loses nothing: a tree made
#    from series/ (tree.sh, as 'make tree' makes one) and written back
#    (export.sh, with b4) gives the same messages, cover letters
#    included, but for the headers b4 makes new each time it writes:
#    Date, Message-Id and the threading that names it, and X-B4-Tracking
#    (compressed with a time stamp): b4_stable in lib.sh.  It runs as the
#    cover letters' author, whom b4 puts in their From:.
rt=roundtrip
if [ -d "$CACHE_DIR/trees/$rv/$rt" ]; then
	git -C "$repo" worktree remove --force "$CACHE_DIR/trees/$rv/$rt"
fi
git -C "$repo" for-each-ref --format='%(refname:short)' "refs/heads/$rt/" |
	xargs -r git -C "$repo" branch -q -D
tmp=$(mktemp -d)
author=$(git mailinfo /dev/null /dev/null <"$(cover_letter "${dirs[0]}")" | sed -n 's/^\(Author\|Email\): //p')
rc=0
name=$(sed -n 1p <<<"$author") email=$(sed -n 2p <<<"$author")
out=$(export GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="$name" \
	GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1="$email" DEV_NAME=$rt
	"$PROJECT_DIR/scripts/tree.sh" 2>&1 >/dev/null && SERIES_OUT=$tmp/series "$PROJECT_DIR/scripts/export.sh" 2>&1) || rc=$?
if [ $rc = 0 ]; then
	out=$(diff <(cd "$SERIES_DIR" && find . -type f | sort) <(cd "$tmp/series" && find . -type f | sort) || true)
	for f in $(cd "$SERIES_DIR" && find . -type f -name '0*' | sort); do
		[ -f "$tmp/series/$f" ] || continue
		out+=$(diff -u --label "series/${f#./}" --label "written again" \
			<(b4_stable "$SERIES_DIR/$f") <(b4_stable "$tmp/series/$f") | head -n 20 || true)
	done
	[ -z "$out" ] || rc=1
fi
rm -rf "$tmp"
ktap_result "round trip: series/ made into a tree and written back with b4 gives series/ again" $rc "$out"

# 5. Each cover letter names the base its series was made on.
want=$(git -C "$repo" rev-parse "$pre")
for d in "${dirs[@]}"; do
	have=$(sed -n 's/^base-commit: //p' "$(cover_letter "$d")")
	ktap_result "series/$d: the cover letter's base-commit is the prepared pre-cap base" \
		"$([ "$have" = "$want" ]; echo $?)" "$( [ "$have" = "$want" ] || echo "cover letter says ${have:-nothing}, prepared base is $want")"
done

# 6. Each series applies to the trees it is for with only what it needs
#    (series/runs' needs=), and each run's series apply in order, checked
#    on an index alone: no checkout needed.
applies() { # applies BASE DIR...: the patches of the series DIR... onto BASE
	local tmp rc=0 d p
	tmp=$(mktemp)
	(export GIT_DIR=$repo GIT_INDEX_FILE=$tmp
		git read-tree "$1"
		shift
		for d in "$@"; do
			for p in $(dir_patches "$d"); do
				git apply --cached "$SERIES_DIR/$p" 2>&1 || { echo "($p)"; exit 1; }
			done
		done) || rc=$?
	rm -f "$tmp"
	return $rc
}
for d in "${dirs[@]}"; do
	needs=$(awk -v d="$d" '$1 == d { for (i = 2; i <= NF; i++) if ($i ~ /^needs=/) print substr($i, 7) }' "$SERIES_DIR/runs" | tr , ' ')
	rc=0
	# shellcheck disable=SC2086 # needs is a list of names
	out=$(applies "$pre" $needs "$d") || rc=$?
	ktap_result "series/$d: applies onto the pre-cap base${needs:+ after $needs}" $rc "$out"
done
for kernel in pre-cap stock; do
	list=$(series_dirs "$kernel") || exit 1
	mapfile -t run <<<"$list"
	rc=0
	out=$(applies "base/$rv/$kernel" "${run[@]}") || rc=$?
	ktap_result "$kernel run: ${run[*]} apply onto base/$rv/$kernel" $rc "$out"
done

# 6b. The man-pages patch applies to the capabilities(7) that Debian's
#     manpages package ships (its page is man-pages' source), and groff
#     finds nothing to warn about in the result.
need groff:groff-base apt-get:apt
mp=$CACHE_DIR/man-pages
if [ ! -f "$mp/capabilities.7" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q manpages >/dev/null 2>&1) ||
		die "apt-get download manpages failed: Debian's manpages package holds the capabilities(7) the man-pages patch is for"
	dpkg-deb -x "$tmp"/manpages_*.deb "$tmp/x"
	mkdir -p "$mp"
	zcat "$tmp/x/usr/share/man/man7/capabilities.7.gz" >"$mp/capabilities.7.new"
	echo "manpages $(dpkg-deb -f "$tmp"/manpages_*.deb Version)" >"$mp/version"
	mv "$mp/capabilities.7.new" "$mp/capabilities.7"
	rm -rf "$tmp"
fi
for p in "$SERIES_DIR"/man-pages/[0-9][0-9][0-9][0-9]-*.patch; do
	tmp=$(mktemp -d)
	mkdir -p "$tmp/man7"
	cp "$mp/capabilities.7" "$tmp/man7/"
	rc=0
	out=$(git -C "$tmp" init -q && git -C "$tmp" add -A &&
		git -C "$tmp" -c user.name=capcr -c user.email=capcr@localhost commit -q -m page &&
		git -C "$tmp" -c user.name=capcr -c user.email=capcr@localhost am -q "$p" 2>&1 &&
		groff -man -ww -z "$tmp/man7/capabilities.7" 2>&1) || rc=$?
	[ -z "$out" ] || rc=1
	ktap_result "man-pages: $(basename "$p") applies to $(cat "$mp/version")'s capabilities.7, groff -ww finds nothing" $rc "$out"
	rm -rf "$tmp"
done

# 7. The kselftests' Rust as the kernel's own Rust is held: rustfmt with
#    the tree's .rustfmt.toml, and clippy with warnings as errors.  Clippy
#    only type-checks (metadata), so no C object needs building.
need rustfmt:rustfmt-web clippy-driver:rust-web-clippy
ksft=$tree/tools/testing/selftests/$SELFTEST
out=$(cd "$ksft" && rustfmt --edition 2021 --config-path "$tree/.rustfmt.toml" --check \
	./*.rs kselftest/lib.rs 2>&1) || true
ktap_result "kselftests: rustfmt --check finds nothing" "$([ -z "$out" ]; echo $?)" "$out"
tmp=$(mktemp -d)
out=$(cd "$ksft" && {
	clippy-driver --edition 2021 -D warnings --crate-type rlib --crate-name kselftest \
		--emit=metadata -o "$tmp/libkselftest.rmeta" kselftest/lib.rs &&
		for f in ./*.rs; do
			clippy-driver --edition 2021 -D warnings --crate-type bin --emit=metadata \
				--extern kselftest="$tmp/libkselftest.rmeta" -o "$tmp/$(basename "$f" .rs)" "$f" ||
				echo "(in $f)"
		done
} 2>&1) || true
rm -rf "$tmp"
ktap_result "kselftests: clippy -D warnings finds nothing" "$([ -z "$out" ]; echo $?)" "$out"

ktap_print
