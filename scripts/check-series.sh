#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series checked without booting anything, reported as KTAP:
# the pre-capability base really lacks the capability, the series applies
# with git am, every patch passes checkpatch --strict, the patch files are
# exactly what git format-patch makes of the applied commits, the
# cover letter names the base, the stock/pre-cap patch lists apply, and
# the Rust kselftests are rustfmt- and clippy-clean.
. "$(dirname "$0")/lib.sh"
take_lock

rv=$(ref_version "$(current_base_version)")
repo=$CACHE_DIR/linux.git
pre=base/$rv/pre-cap
stock=base/$rv/stock
mapfile -t patches < <(cd "$SERIES_DIR" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-')

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
ktap_result "series: all ${#patches[@]} patches apply with git am onto $pre" $rc "$( [ $rc = 0 ] || echo "$out")"
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
for p in "${patches[@]}"; do
	out=$(cd "$tree" && ./scripts/checkpatch.pl --strict --quiet "$SERIES_DIR/$p" 2>&1) || true
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

# 4. The patch files are git's own output for the applied commits, so
#    the round trip between files and tree loses nothing.
if [ -d "$tree" ]; then
	tmp=$(mktemp -d)
	# The kernel's abbreviation length: git's default depends on the
	# size of the repository, which would make index lines differ.
	git -C "$tree" -c core.abbrev=12 format-patch -q --zero-commit --no-signature -o "$tmp" "$pre..HEAD"
	out=$(diff -r -x 0000-cover-letter.patch -x stock -x pre-cap "$tmp" "$SERIES_DIR" 2>&1 | head -n 20 || true)
	rm -rf "$tmp"
	ktap_result "round trip: git format-patch of the applied series gives series/ back" "$([ -z "$out" ]; echo $?)" "$out"
fi

# 5. The cover letter names the base it was made on.
want=$(git -C "$repo" rev-parse "$pre")
have=$(sed -n 's/^base-commit: //p' "$SERIES_DIR/0000-cover-letter.patch")
made_for=$(sed -n 's/^base-version: //p' "$SERIES_DIR/0000-cover-letter.patch")
if [ "$made_for" = "$(current_base_version)" ]; then
	ktap_result "cover letter: base-commit is the prepared pre-cap base" "$([ "$have" = "$want" ]; echo $?)" "$( [ "$have" = "$want" ] || echo "cover letter says $have, prepared base is $want")"
else
	ktap_result "cover letter: base-commit is the prepared pre-cap base # SKIP the series was made on $made_for, this base is $(current_base_version)" 0
fi

# 6. The lists for the pre-cap and stock runs apply, checked on an index
#    alone: no checkout needed.
for kernel in pre-cap stock; do
	tmp=$(mktemp)
	rc=0
	out=$(export GIT_DIR=$repo GIT_INDEX_FILE=$tmp
		git read-tree "base/$rv/$kernel"
		grep -v -e '^#' -e '^$' "$SERIES_DIR/$kernel" | while read -r p; do
			git apply --cached "$SERIES_DIR/$p" 2>&1 || { echo "($p)"; exit 1; }
		done) || rc=$?
	rm -f "$tmp"
	ktap_result "series/$kernel: its patches apply onto base/$rv/$kernel" $rc "$out"
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
