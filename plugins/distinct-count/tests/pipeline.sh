# Shared by distinct-count's shell tests (source it after tests/lib.sh).
# pipeline WINDOWS EXTRA: stdin -> json-extract -> distinct-count -> stdout,
# error records to $TMP/dead.jsonl.
pipeline() {
    cat <<INI
[source]
plugin = stdin
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
[transform.count]
plugin = distinct-count
windows = $1
$2
[sink.out]
plugin = stdout
[sink.dead]
plugin = stdout
errors = true
path = $TMP/dead.jsonl
INI
}
