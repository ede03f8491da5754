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
# The page is the only source of what is documented: its gates table
# names every gate and the user namespace it is checked in, and its prose
# gives the rules applied here: a gate accepts CAP_CHECKPOINT_RESTORE or
# CAP_SYS_ADMIN (a file capability gives the former), root of a user
# namespace has them only in what that namespace owns, SELinux can deny
# them; what its "still requires CAP_SYS_ADMIN" section names stays with
# CAP_SYS_ADMIN.  An operation the page names nowhere is granted to none.
#
# A kselftest case names its gate (the last word before the first ": "),
# its credentials and what happens ("fails with EPERM" is a denial,
# anything else is allowed).  The SELinux cases name their domain: one
# "without" the permission, in enforcing mode, is the SELinux-denied
# column.  The restore scenario passes several gates in each case and is
# left out: the matrix reads the single-gate cases.

BEGIN {
	ncred = split("none|CAP_CHECKPOINT_RESTORE|CAP_SYS_ADMIN|file capability|user-namespace root|SELinux-denied", cred_name, "|")
	rank["denied"] = 0; rank["own ns"] = 1; rank["mixed"] = 2; rank["allowed"] = 3
}

function fail(msg) {
	print "matrix.awk: " msg > "/dev/stderr"
	failed = 1
	exit 2
}

# word(W, TEXT): TEXT has W as a whole word.
function word(w, text) {
	return w ~ /^[A-Za-z0-9_]+$/ && text ~ ("(^|[^A-Za-z0-9_])" w "([^A-Za-z0-9_]|$)")
}

function credentials(name) {
	if (name ~ /^restore: /) return 0
	if (name ~ /, SELinux domain [^ ]+ without [^:]*, enforcing: /) return 6
	if (name ~ /: uid [0-9]+ without capabilities:/) return 1
	if (name ~ /: uid [0-9]+ with file capability CAP_CHECKPOINT_RESTORE:/) return 4
	if (name ~ /: uid [0-9]+ with CAP_CHECKPOINT_RESTORE:/) return 2
	if (name ~ /: uid [0-9]+ with CAP_SYS_ADMIN:/) return 3
	if (name ~ /: user namespace root:/) return 5
	return 0
}

# ---- the page (first file) ----
FILENAME == ARGV[1] {
	line = $0
	if (line ~ /^=+$/ && prev !~ /^=*$/)
		section = prev
	prev = line
	if (line ~ /^\.\. list-table::/) { in_table = 1; next }
	if (in_table) {
		if (line ~ /^   \* - /) { rows++; col = 1; cell[rows, 1] = substr(line, 8); next }
		if (line ~ /^     - /) { cell[rows, ++col] = substr(line, 8); next }
		if (line ~ /^       [^ ]/ && rows) { cell[rows, col] = cell[rows, col] " " substr(line, 8); next }
		if (line ~ /^[^ ]/) in_table = 0
	}
	if (section ~ /requires CAP_SYS_ADMIN/)
		while (match(line, /[A-Z][A-Z0-9]*(_[A-Z0-9]+)+/)) {
			sysadmin[substr(line, RSTART, RLENGTH)] = 1
			line = substr(line, RSTART + RLENGTH)
		}
	next
}

# The gates are the table's rows after its header.
function gates(   r, op, rest, constant) {
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
		# "... with ``exe_fd``": a case without it is a control.
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

# ---- the kselftest results (second file) ----
FNR == 1 { gates() }
{
	line = $0
	sub(/^[ \t]+/, "", line)
	if (line ~ /^# /) { diag = line; next }
	if (line !~ /^(not )?ok [0-9]+ /) next
	passed = line ~ /^ok /
	why = diag
	diag = ""
	name = line
	sub(/^(not )?ok [0-9]+ /, "", name)
	skipped = name ~ /# *SKIP/
	sub(/ # .*/, "", name)
	c = credentials(name)
	if (!c) next

	split(name, field, ": ")
	gate = field[1]
	sub(/.* /, "", gate)
	r = 0
	for (i = 2; i <= rows; i++)
		if (word(gate, cell[i, 1])) { r = i; break }
	if (!r) {
		if (!(gate in extra)) {
			extra[gate] = ++nrows
			kind[nrows] = gate in sysadmin ? "sysadmin" : "undocumented"
		}
		r = extra[gate]
	}
	if ((ungated[r] != "" && word(ungated[r], name)) || (needs[r] != "" && index(name, "without " needs[r])))
		next
	if (!index("," keys[r] ",", "," gate ","))
		keys[r] = keys[r] (keys[r] == "" ? "" : ",") gate

	if (skipped)
		next
	if (passed)
		res = name ~ /fails with E[A-Z]+/ || name ~ /[ :]E[A-Z][A-Z]+$/ ? "denied" : "allowed"
	else if (why ~ /^# got E[A-Z]+/)
		res = "denied"
	else if (why ~ /^# expected .*, got /)
		res = "allowed"
	else
		next	# it could not run: no finding
	own = name ~ /own [A-Za-z]+ namespace/ && name !~ /initial/
	count[r, c, own, res]++
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

function documented(r, c,   ns) {
	if (kind[r] == "sysadmin")
		return c == 3 ? "allowed" : "denied"
	if (kind[r] != "table" || c == 1 || c == 6)
		return "denied"
	if (c != 5)
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
					", the page says " want (rank[got] > rank[want] ? " (more than the page grants)" : "")
				got = got "!"
			}
			out = out "\t" got
		}
		print out "\t" status "\t" diff
	}
}
