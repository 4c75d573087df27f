#!/bin/sh
# SPDX-License-Identifier: MIT
# Error paths of the iomem CLI.
# usage: cli_errors.sh IOMEM LIST_BACKENDS SCRIPTDIR
#   SCRIPTDIR holds the golden scripts; SCRIPTDIR/bad holds malformed ones and MANIFEST.
set -u
iomem=$1 lister=$2 dir=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
fail() { echo "FAIL $*"; status=1; }

# expect_exit WANT DESCRIPTION CMD...: runs CMD, stdout/stderr into $tmp/out, $tmp/err
expect_exit() {
	want=$1 what=$2
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$what: exit status $rc, expected $want"
		cat "$tmp/err"
		return 1
	fi
	return 0
}

has_usage() { cat "$tmp/out" "$tmp/err" | grep -qi usage; }

# --help: usage on stdout, exit 0, for every command.
for cmd in list show script stress difftest torture faultinject placement preflight; do
	expect_exit 0 "iomem $cmd --help" "$iomem" $cmd --help &&
		{ grep -qi usage "$tmp/out" || fail "iomem $cmd --help: no usage text on stdout"; }
done

# Bad options → usage + exit 2.
expect_exit 2 "iomem --no-such-option" "$iomem" --no-such-option &&
	{ has_usage || fail "iomem --no-such-option: no usage text"; }
expect_exit 2 "iomem no-such-command" "$iomem" no-such-command &&
	{ has_usage || fail "iomem no-such-command: no usage text"; }
expect_exit 2 "iomem script --no-such-option" "$iomem" script --no-such-option "$dir/request.iomem" &&
	{ has_usage || fail "iomem script --no-such-option: no usage text"; }
expect_exit 2 "iomem show --no-such-option" "$iomem" show --no-such-option &&
	{ has_usage || fail "iomem show --no-such-option: no usage text"; }
expect_exit 2 "iomem show --root bogus" "$iomem" show --from "$dir/../dumps/x86-ec2-ioports.txt" --root bogus
for bad in 0 4194305 x -1; do
	expect_exit 2 "iomem difftest --grid $bad" "$iomem" difftest --grid "$bad" &&
		{ has_usage || fail "iomem difftest --grid $bad: no usage text"; }
done

# Unknown backend → exit 2.
expect_exit 2 "iomem script --backend no-such-backend" \
	"$iomem" script --backend no-such-backend "$dir/request.iomem"
[ -s "$tmp/out" ] && fail "unknown backend: ran the script anyway"

# A script read from stdin behaves like the file (for every backend).
for b in $("$lister"); do
	"$iomem" script --backend "$b" - < "$dir/request.iomem" > "$tmp/stdin.out" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 0 ] || fail "[$b] script - : exit status $rc"
	sed -E 's/^(E[A-Z0-9]+)([[:space:]].*)?$/\1/' "$tmp/stdin.out" > "$tmp/stdin.norm"
	cmp -s "$tmp/stdin.norm" "$dir/request.out" || fail "[$b] script - differs from request.out"
done
# The default backend runs too.
"$iomem" script "$dir/request.iomem" > "$tmp/default.out" 2> "$tmp/err" < /dev/null ||
	fail "script without --backend failed"
sed -E 's/^(E[A-Z0-9]+)([[:space:]].*)?$/\1/' "$tmp/default.out" > "$tmp/default.norm"
cmp -s "$tmp/default.norm" "$dir/request.out" || fail "default backend differs from request.out"

# Malformed script lines → FILE:LINE: error: on stderr, exit 2 (run from the bad/ dir so
# FILE is given as a bare name).
n=0
while read -r file line; do
	case $file in '#'*|'') continue ;; esac
	n=$((n + 1))
	(cd "$dir/bad" && "$iomem" script "$file" > "$tmp/out" 2> "$tmp/err" < /dev/null)
	rc=$?
	[ $rc -eq 2 ] || fail "$file: exit status $rc, expected 2"
	grep -q "^$file:$line: error: " "$tmp/err" ||
		{ fail "$file: stderr lacks '$file:$line: error: ':"; cat "$tmp/err"; }
	# iomem faultinject refuses them alike, before injecting anything.
	(cd "$dir/bad" && "$iomem" faultinject "$file" > "$tmp/out" 2> "$tmp/err" < /dev/null)
	rc=$?
	[ $rc -eq 2 ] || fail "faultinject $file: exit status $rc, expected 2"
	grep -q "^$file:$line: error: " "$tmp/err" ||
		{ fail "faultinject $file: stderr lacks '$file:$line: error: ':"; cat "$tmp/err"; }
	[ -s "$tmp/out" ] && fail "faultinject $file: injected into a script that does not run"
done < "$dir/bad/MANIFEST"
[ $n -ge 10 ] || fail "only $n malformed scripts in the MANIFEST"

# iomem faultinject: bad options and an unknown backend → usage, exit 2; a golden script
# holds on the backend asked for, and the summary says so.
for args in "--no-such-option request.iomem" "--backend" "" "request.iomem extra"; do
	# shellcheck disable=SC2086
	expect_exit 2 "iomem faultinject $args" sh -c "cd '$dir' && '$iomem' faultinject $args" &&
		{ has_usage || fail "iomem faultinject $args: no usage text"; }
done
expect_exit 2 "iomem faultinject --backend no-such-backend" \
	sh -c "cd '$dir' && '$iomem' faultinject --backend no-such-backend request.iomem"
[ -s "$tmp/out" ] && fail "faultinject: unknown backend: injected anyway"
expect_exit 2 "iomem faultinject of a missing file" "$iomem" faultinject "$tmp/missing.iomem"
if expect_exit 0 "iomem faultinject --backend rwlock request.iomem" \
	sh -c "cd '$dir' && '$iomem' faultinject --backend rwlock request.iomem"; then
	grep -Eq '^faultinject: rwlock: request.iomem: [1-9][0-9]* runs with one allocation failing' \
		"$tmp/out" || { fail "faultinject: no summary for rwlock:"; cat "$tmp/out"; }
fi

[ $status -eq 0 ] && echo "all CLI error paths ok"
exit $status
