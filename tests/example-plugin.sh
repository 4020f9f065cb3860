#!/bin/sh
# The example plugin in examples/grep builds out of tree against the
# installed SDK (make install into a scratch DESTDIR, pkg-config) and runs.
. "$top_srcdir/tests/lib.sh"

command -v pkg-config > /dev/null || { echo "no pkg-config: skipped"; exit 77; }
DEST="$TMP/inst"
env -u MAKEFLAGS -u MFLAGS make -s -C "$top_builddir" install-sluiceincludeHEADERS install-pkgconfigDATA DESTDIR="$DEST" > "$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "installing the SDK"; finish; }
pcdir=$(find "$DEST" -name sluice-plugin.pc -printf '%h\n' | head -1)
[ -n "$pcdir" ] || { fail "sluice-plugin.pc installed"; finish; }
[ -f "$(find "$DEST" -path '*/include/sluice/plugin.h' | head -1)" ] || fail "plugin.h installed"

cp "$top_srcdir/examples/grep/grep.c" "$top_srcdir/examples/grep/Makefile" "$TMP/"
PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$DEST" env -u MAKEFLAGS -u MFLAGS make -s -C "$TMP" grep.so > "$TMP/build.log" 2>&1 ||
    { cat "$TMP/build.log" >&2; fail "building the example against the installed SDK"; finish; }
if grep -q "warning:" "$TMP/build.log"; then cat "$TMP/build.log" >&2; fail "example builds without warnings"; fi

cat > "$TMP/p.ini" <<INI
[source]
plugin = stdin
[transform.only-errors]
plugin = $TMP/grep.so
pattern = ERROR
[sink.out]
plugin = stdout
INI
printf 'ok\nERROR one\nfine\nERROR two\n' | "$SLUICE" -q "$TMP/p.ini" > "$TMP/out"
printf 'ERROR one\nERROR two\n' > "$TMP/want"
expect_file_eq "example transform filters" "$TMP/out" "$TMP/want"

"$SLUICE" --describe "$TMP/grep.so" > "$TMP/describe"
grep -Eq '^  pattern +string +\(required\)' "$TMP/describe" || fail "--describe of a path"
finish
