# SPDX-License-Identifier: GPL-2.0
# Prints the diagnostics of rustc, clippy, rustdoc or rustfmt --check in a
# kbuild log that point into the files a patch touches, so that a patch
# is held to what it changes and not to what the tree had before it (a
# newer clippy finds things in 6.12's own Rust).
# -v root=TREE: the tree the log's absolute paths start with;
# -v files="PATH...": the touched files, relative to TREE.
# A rustc diagnostic starts with "warning:" or "error:" and names its
# place on its first "-->" line; rustfmt --check starts a block with
# "Diff in PATH:LINE:" (or "Diff in PATH at line N:").
function flush() {
	if (open && (place in want))
		print block "\n"
	open = 0
	block = place = ""
}
function rel(path) {
	sub(/(:[0-9]+)*:?$/, "", path)
	sub(/ at line [0-9]+:?$/, "", path)
	if (index(path, root "/") == 1)
		path = substr(path, length(root) + 2)
	return path
}
BEGIN {
	n = split(files, f, " ")
	for (i = 1; i <= n; i++)
		want[f[i]] = 1
}
/^(warning|error)(\[[^]]*\])?: / {
	flush()
	open = 1
	block = $0
	next
}
/^Diff in / {
	flush()
	open = 1
	block = $0
	p = $0
	sub(/^Diff in /, "", p)
	place = rel(p)
	next
}
open && /^ *--> / && place == "" {
	place = rel($2)
}
open && /^$/ && block !~ /^Diff in / {
	flush()
	next
}
open { block = block "\n" $0 }
END { flush() }
