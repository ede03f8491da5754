# SPDX-License-Identifier: GPL-2.0
# The security matrix: what each credential set may do at each gate, as
# the kselftests found it, held against what the Documentation page says.
#   awk -f matrix.awk PAGE.rst KTAP
# prints tab-separated records: a header, then one per gate: its name, a
# cell per credential set, the row's status (ok, differs, not run) and,
# for a row that differs, why.  A cell is "allowed", "denied", "own ns"
# (allowed only in namespaces owned by the process's own user namespace),
# "mixed" or "not run"; "!" marks one that differs from the page.
#
# The page is the only source of what is documented.  Its gates table
# names every gate and the user namespace it is checked in; a sentence of
# its prose that says an operation "still requires CAP_X" (in the initial
# user namespace) documents a gate that only CAP_X opens.  Its prose gives
# the rules applied here: a table gate accepts CAP_CHECKPOINT_RESTORE or
# CAP_SYS_ADMIN (a file capability gives the former) and looks at no uid,
# root of a user namespace has them only in what that namespace owns,
# SELinux can deny them.  A case whose gate the page does not name is not
# read.
#
# A kselftest case is named "GATE VARIANT CREDS" and prints, just before
# its result line, "# want: R; got: R": the matrix reads what it got
# ("error ENAME" is a denial, "ok ..." is allowed, "setup failed: ..." and
# a skip are no finding), never its name's wording.  A VARIANT made only
# of "own_..." parts runs in namespaces its own user namespace owns; any
# other (own_pidns_and_init included) touches the initial ones.  At a
# gate the page says readlink() is not gated for, "readlink..." variants
# are controls; where it gates only a call "with ``exe_fd``", variants
# that are not "exe_fd..." are.  The restore scenario, cap_last_cap and
# selinuxfs are no gates of the page and are not read.

BEGIN {
	# The columns: the CREDS of the cases, in the matrix's order.  held:
	# the capability each holds (uid 65534 unless said); userns: held
	# only in a user namespace of its own.  The SELinux cases in a domain
	# with the permission, or in permissive mode, are not columns: the
	# page claims only that a domain without it is denied.
	ncred = split("none cr sys_admin sys_resource file_cr uid0_nocaps userns_root userns_cr userns_file_cr cr_selinux_denied", cred_name, " ")
	for (c = 1; c <= ncred; c++)
		column[cred_name[c]] = c
	held["cr"] = held["file_cr"] = held["cr_selinux_denied"] = "CAP_CHECKPOINT_RESTORE"
	held["sys_admin"] = "CAP_SYS_ADMIN"
	held["sys_resource"] = "CAP_SYS_RESOURCE"
	# userns_root holds every capability, the other two only
	# CAP_CHECKPOINT_RESTORE: at the page's gates that is the same.
	held["userns_root"] = held["userns_cr"] = held["userns_file_cr"] = "CAP_CHECKPOINT_RESTORE"
	userns["userns_root"] = userns["userns_cr"] = userns["userns_file_cr"] = 1
	not_column["cr_selinux_allowed"] = not_column["cr_selinux_permissive"] = 1
}

function fail(msg) {
	print "matrix.awk: " msg > "/dev/stderr"
	failed = 1
	exit 2
}

# constants(TEXT, LIST): LIST[1..n] = the C constants TEXT names; n.
function constants(text, list,   n) {
	n = 0
	while (match(text, /[A-Z][A-Z0-9]*(_[A-Z0-9]+)+/)) {
		list[++n] = substr(text, RSTART, RLENGTH)
		text = substr(text, RSTART + RLENGTH)
	}
	return n
}

# ---- the page (first file) ----

# A paragraph or list item of prose, joined into one line: each of its
# sentences that says "still require(s) CAP_X" documents that the
# operations named before those words (since the previous sentence)
# require CAP_X, in the initial user namespace: the rest of the sentence
# must say so, or name it capable(CAP_X).
function prose(text,   rest, found, subject, cap, tail, n, i, list) {
	for (rest = text; match(rest, /still requires? (capable\()?CAP_[A-Z0-9_]+/); rest = tail) {
		subject = substr(rest, 1, RSTART - 1)
		found = substr(rest, RSTART, RLENGTH)
		tail = substr(rest, RSTART + RLENGTH)
		cap = found
		sub(/.* (capable\()?/, "", cap)
		while (match(subject, /[.;:!?] /))
			subject = substr(subject, RSTART + RLENGTH)
		n = constants(subject, list)
		if (!n)
			continue
		if (found !~ /capable\(/ && sentence(tail) !~ /initial user namespace/)
			fail(ARGV[1] ": \"" subject found "\": the sentence does not say in which user namespace (the matrix knows the initial one)")
		for (i = 1; i <= n; i++) {
			if (list[i] ~ /^CAP_/)
				continue
			if (list[i] in requires && requires[list[i]] != cap)
				fail(ARGV[1] ": " list[i] " still requires both " requires[list[i]] " and " cap ", says the page: which is it?")
			requires[list[i]] = cap
		}
	}
}

# sentence(TEXT): TEXT up to the end of its first sentence.
function sentence(text) {
	if (match(text, /[.;:!?]( |$)/))
		text = substr(text, 1, RSTART)
	return text
}

FILENAME == ARGV[1] {
	line = $0
	if (line ~ /^\.\. list-table::/) { in_table = 1; next }
	if (in_table) {
		if (line ~ /^   \* - /) { rows++; col = 1; cell[rows, 1] = substr(line, 8); next }
		if (line ~ /^     - /) { cell[rows, ++col] = substr(line, 8); next }
		if (line ~ /^       [^ ]/ && rows) { cell[rows, col] = cell[rows, col] " " substr(line, 8); next }
		if (line !~ /^[^ ]/)
			next
		in_table = 0
	}
	# A section title's over- and underline: the title is no prose.
	if (line ~ /^(=+|-+|~+|\^+)$/) { para = pending = ""; next }
	if (line ~ /^[ \t]*$/ || line ~ /^\.\. /) { end_paragraph(); next }
	# The title is the line before its underline: held back one line.
	if (pending != "")
		para = para (para == "" ? "" : " ") pending
	pending = line
	sub(/^[ \t]*(- )?/, "", pending)
	next
}

function end_paragraph() {
	if (pending != "")
		para = para (para == "" ? "" : " ") pending
	prose(para)
	para = pending = ""
}

# The gates are the table's rows after its header.
function gates(   r, op, rest, constant) {
	end_paragraph()
	if (rows < 2 || cell[1, 3] !~ /[Uu]ser namespace/)
		fail(ARGV[1] ": no gates table (Operation, Code, User namespace, ...) found: has the page changed shape?")
	for (r = 2; r <= rows; r++) {
		kind[r] = "table"
		op = cell[r, 1]
		# "readlink() on the link is not gated": cases of that are controls.
		if (match(op, /[a-z0-9_]+\(\)[^;.]* not gated/)) {
			ungated[r] = substr(op, RSTART, RLENGTH)
			sub(/\(\).*/, "", ungated[r])
		}
		# "... with ``exe_fd``": a case without it is a control (unless
		# the literal is the gate itself, as ``set_tid`` is).
		if (match(op, /with ``[^`]+``/))
			needs[r] = substr(op, RSTART + 7, RLENGTH - 9)
		# A gate no case names is called by its last constant, else its
		# first literal, else its function.
		constant = ""
		label[r] = cell[r, 2]
		sub(/\(\).*/, "()", label[r])
		sub(/.* /, "", label[r])
		for (rest = op; match(rest, /[A-Z][A-Z0-9]*(_[A-Z0-9]+)+/); rest = substr(rest, RSTART + RLENGTH))
			constant = substr(rest, RSTART, RLENGTH)
		if (constant != "")
			label[r] = constant
		else if (match(op, /``[^`]+``/)) {
			label[r] = substr(op, RSTART + 2, RLENGTH - 4)
			sub(/\/$/, "", label[r])
			sub(/.*\//, "", label[r])
		}
	}
	nrows = rows
}

# word(W, TEXT): TEXT has W as a whole word ("restore" is not one in
# "/dev/rust-checkpoint-restore").
function word(w, text) {
	return w ~ /^[A-Za-z0-9_]+$/ && text ~ ("(^|[^-A-Za-z0-9_])" w "([^-A-Za-z0-9_]|$)")
}

# row_of(GATE): the table row whose Operation names GATE, else a row of
# its own for a gate that "still requires" a capability, else 0.
function row_of(gate,   r) {
	if (gate in found_row)
		return found_row[gate]
	for (r = 2; r <= rows; r++)
		if (word(gate, cell[r, 1]))
			return found_row[gate] = r
	if (!(gate in requires))
		return found_row[gate] = 0
	kind[++nrows] = "requires"
	needed[nrows] = requires[gate]
	label[nrows] = gate
	return found_row[gate] = nrows
}

# ---- the kselftest results (second file) ----
FNR == 1 { gates() }
{
	line = $0
	sub(/^[ \t]+/, "", line)
	if (line !~ /^(not )?ok [0-9]+ /) { before = line; next }
	diag = before
	before = line
	name = line
	sub(/^(not )?ok [0-9]+ /, "", name)
	skipped = name ~ /# *[Ss][Kk][Ii][Pp]/
	sub(/ *#.*/, "", name)
	if (name !~ /^[A-Za-z0-9_]+ [A-Za-z0-9_]+ [A-Za-z0-9_]+$/)
		next
	split(name, field, " ")
	gate = field[1]; variant = field[2]; creds = field[3]

	r = row_of(gate)
	if (!r)
		next	# no gate of the page's
	if (creds in not_column)
		next
	if (!(creds in column))
		fail(ARGV[2] " line " FNR ": the case \"" name "\" runs with credentials \"" creds "\", which the matrix has no column for: add one to matrix.awk (and its rule), or name them as one of: " columns())
	c = column[creds]
	if ((ungated[r] != "" && named(variant, ungated[r])) || (needs[r] != "" && needs[r] != gate && !named(variant, needs[r])))
		next
	if (!index("," keys[r] ",", "," gate ","))
		keys[r] = keys[r] (keys[r] == "" ? "" : ",") gate

	if (skipped)
		next
	if (diag !~ /^# want: .*; got: /)
		fail(ARGV[2] " line " FNR ": the case \"" name "\" has no \"# want: ...; got: ...\" line just before it: the kselftests print one before every case they run")
	got = diag
	sub(/^# want: .*; got: /, "", got)
	if (got ~ /^error E[A-Z0-9]+$/)
		res = "denied"
	else if (got ~ /^ok( |$)/)
		res = "allowed"
	else if (got ~ /^setup failed: /)
		next	# it could not run: no finding
	else
		fail(ARGV[2] " line " FNR ": the case \"" name "\" got \"" got "\": not \"ok [VALUE]\", \"error ENAME\" or \"setup failed: WHY\"")
	own = variant ~ /^own_/
	n = split(variant, part, /_and_/)
	for (i = 2; i <= n; i++)
		if (part[i] !~ /^own_/)
			own = 0
	count[r, c, own, res]++
}

# named(VARIANT, W): VARIANT is W, or W and more ("readlink_own").
function named(variant, w) {
	return variant == w || index(variant, w "_") == 1
}

function columns(   c, s) {
	for (c = 1; c <= ncred; c++)
		s = s (c > 1 ? ", " : "") cred_name[c]
	return s
}

function observed(r, c,   ah, dh, ao, dO) {
	ah = count[r, c, 0, "allowed"]; dh = count[r, c, 0, "denied"]
	ao = count[r, c, 1, "allowed"]; dO = count[r, c, 1, "denied"]
	if (ah + dh + ao + dO == 0) return "not run"
	if (dh + dO == 0) return "allowed"
	if (ah + ao == 0) return "denied"
	if (ah == 0 && dO == 0) return "own ns"
	return "mixed"
}

# more(R, C, WANT): a case of the cell was allowed where the page denies.
function more(r, c, want) {
	if (want == "denied")
		return count[r, c, 0, "allowed"] + count[r, c, 1, "allowed"] > 0
	if (want == "own ns")
		return count[r, c, 0, "allowed"] > 0
	return 0
}

function documented(r, c,   who, ns) {
	who = cred_name[c]
	# "a policy can deny the operations above to a process even though it
	# holds CAP_CHECKPOINT_RESTORE"
	if (who == "cr_selinux_denied")
		return "denied"
	# "still requires CAP_X in the initial user namespace": only CAP_X,
	# held there.
	if (kind[r] == "requires")
		return held[who] == needed[r] && !(who in userns) ? "allowed" : "denied"
	# The table's gates accept CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN and
	# no uid: uid 0 without them is denied (the *_next_id files are
	# "read-only for everybody, root of the IPC namespace included").
	if (held[who] != "CAP_CHECKPOINT_RESTORE" && held[who] != "CAP_SYS_ADMIN")
		return "denied"
	if (!(who in userns))
		return "allowed"
	ns = cell[r, 3]
	return ns ~ /initial/ ? "denied" : ns ~ /caller/ ? "allowed" : "own ns"
}

END {
	if (failed)
		exit 2
	if (!nrows)
		gates()
	head = "gate"
	for (c = 1; c <= ncred; c++)
		head = head "\t" cred_name[c]
	print head "\tstatus\tdiffers"
	for (r = 2; r <= nrows; r++) {
		out = keys[r] != "" ? keys[r] : label[r]
		status = "not run"
		diff = ""
		for (c = 1; c <= ncred; c++) {
			got = observed(r, c)
			want = documented(r, c)
			if (got != "not run" && status == "not run")
				status = "ok"
			if (got != "not run" && got != want) {
				status = "differs"
				diff = diff (diff == "" ? "" : "; ") cred_name[c] ": the kselftests show " got \
					", the page says " want (more(r, c, want) ? " (more than the page grants)" : "")
				got = got "!"
			}
			out = out "\t" got
		}
		print out "\t" status "\t" diff
	}
}
