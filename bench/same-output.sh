#!/usr/bin/env bash
# Behaviour check for a restructuring: two opslint binaries must write byte-identical reports
# on the same repositories — every `check` format (human verbose, json, sarif, markdown,
# github, gitlab), a pull-request comparison, `rules` and every rule's `explain`, and a sweep
# of all of them with its organisation report in every format. Prints each difference and
# exits 1 when there is any.
#
# Usage: bench/same-output.sh BEFORE AFTER REPO...
#   BEFORE, AFTER  opslint binaries (e.g. one built from the revision before the change)
#   REPO           repositories to scan at HEAD (bare mirrors or clones)
set -uo pipefail

before=${1:?usage: bench/same-output.sh BEFORE AFTER REPO...}
after=${2:?usage: bench/same-output.sh BEFORE AFTER REPO...}
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
differences=0

# same NAME ARGS...: run both binaries with ARGS, compare standard output and exit code.
same() {
    local name=$1
    shift
    "$before" "$@" >"$work/before" 2>"$work/before.err"
    local before_code=$?
    "$after" "$@" >"$work/after" 2>"$work/after.err"
    local after_code=$?
    if [ "$before_code" != "$after_code" ] || ! cmp -s "$work/before" "$work/after" ||
        ! cmp -s "$work/before.err" "$work/after.err"; then
        echo "DIFFERENT: $name (exit $before_code vs $after_code)"
        diff "$work/before" "$work/after" | head -20
        diff "$work/before.err" "$work/after.err" | head -5
        differences=$((differences + 1))
    fi
}

for repo in "$@"; do
    name=$(basename "$(dirname "$repo")")
    for format in json sarif markdown github gitlab; do
        same "$name $format" check "$repo" --rev HEAD --format "$format" --color never
    done
    same "$name human -v" check "$repo" --rev HEAD --color never -v
    same "$name pull request" check "$repo" --rev HEAD --base HEAD~3 --format json --color never
done

same "rules" rules
same "rules json" rules --format json
for id in $("$before" rules --format json | python3 -c 'import json, sys; print(" ".join(rule["id"] for rule in json.load(sys.stdin)))'); do
    same "explain $id" explain "$id"
done

mkdir -p "$work/roots"
for repo in "$@"; do
    ln -s "$repo" "$work/roots/$(basename "$(dirname "$repo")")"
done
printf '%s\n' "$@" >"$work/list"
# A sweep's lines arrive in finishing order and carry timings: compare them sorted, without
# the figures that measure the run rather than the repository.
for which in before after; do
    binary=$before
    [ "$which" = after ] && binary=$after
    "$binary" sweep --repos-from "$work/list" -o "$work/$which.jsonl" --color never 2>/dev/null
    python3 - "$work/$which.jsonl" >"$work/$which.sorted" <<'EOF'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in ("elapsed_ms", "duration_ms", "scanned_at")}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value
for line in sorted((json.dumps(strip(l), sort_keys=True) for l in lines)):
    print(line)
EOF
done
if ! cmp -s "$work/before.sorted" "$work/after.sorted"; then
    echo "DIFFERENT: sweep lines"
    diff "$work/before.sorted" "$work/after.sorted" | head -10
    differences=$((differences + 1))
fi
for format in html markdown csv; do
    same "report $format" report "$work/before.jsonl" --format "$format" --color never
    same "report $format by owner" report "$work/before.jsonl" --format "$format" --group-by codeowners --color never
done

echo "$# repositories, $differences differences"
[ "$differences" = 0 ]
