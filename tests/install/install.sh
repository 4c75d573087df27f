#!/bin/sh
# SPDX-License-Identifier: MIT
# install.package: `cmake --install` into a temporary prefix holds what it promises, and a
# program outside the project builds against it and runs, once through find_package and
# once through pkg-config.
# usage: install.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix
status=0
fail() { echo "FAIL $*"; status=1; }

cmake --install "$build" --prefix "$prefix" > "$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "FAIL cmake --install"; exit 1; }

for f in bin/iomem bin/iomem-bench include/iomem/iomem.h include/iomem/ioremap.h \
	include/locks/lock.h lib/pkgconfig/iomem.pc lib/cmake/iomem/iomemConfig.cmake \
	share/man/man1/iomem.1 bin/iomem-compare bin/iomem-sweep; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
"$prefix/bin/iomem" list > "$tmp/list" || fail "installed iomem list: exit $?"
grep -qx 'backends: rwlock rcu itree maple' "$tmp/list" || fail "installed iomem list: $(head -1 "$tmp/list")"
if "$prefix/bin/iomem" script --backend itree-planted /dev/null > /dev/null 2>&1; then
	fail "the installed iomem has the planted backend"
fi
"$prefix/bin/iomem-compare" --help > "$tmp/help" 2>&1 || fail "iomem-compare --help: exit $?"
grep -q '^usage: iomem-compare ' "$tmp/help" || fail "iomem-compare --help: $(head -1 "$tmp/help")"
"$prefix/bin/iomem-sweep" --no-such-option > "$tmp/usage" 2>&1 && fail "iomem-sweep took a bad option"
grep -q '^usage: iomem-sweep ' "$tmp/usage" || fail "iomem-sweep usage: $(head -1 "$tmp/usage")"
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$prefix/share/man/man1/iomem.1" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "man -l iomem.1 warns: $warnings"

# find_package(iomem)
if cmake -S "$src/tests/install/consumer" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
	> "$tmp/cmake.log" 2>&1 && cmake --build "$tmp/cmake" >> "$tmp/cmake.log" 2>&1; then
	"$tmp/cmake/consumer" || fail "the find_package consumer"
else
	cat "$tmp/cmake.log"
	fail "building the find_package consumer"
fi

# pkg-config iomem
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs iomem) ||
	fail "pkg-config iomem"
# shellcheck disable=SC2086
if cc -std=c11 -D_GNU_SOURCE -o "$tmp/pc-consumer" "$src/tests/install/consumer/consumer.c" \
	$flags 2> "$tmp/cc.log"; then
	"$tmp/pc-consumer" || fail "the pkg-config consumer"
else
	cat "$tmp/cc.log"
	fail "building the pkg-config consumer"
fi
exit $status
