#!/usr/bin/env bash
# Regression check: opslint at REV against the working copy, on the same synthetic
# repository, runs interleaved so that the machine's noise hits both alike. Prints each
# one's median wall time and the ratio (issue #3's budget: at most 1.25 against the
# revision before it).
#
# Usage: bench/compare.sh REV [FILES] [RUNS] [REPO...]
#   REV    the baseline revision (built in a temporary worktree)
#   FILES  synthetic repository size (default 100000); RUNS (default 21)
#   REPO   further repositories to time, e.g. bare mirrors (scanned at HEAD)
set -euo pipefail

rev=${1:?usage: bench/compare.sh REV [FILES] [RUNS] [REPO...]}
files=${2:-100000}
runs=${3:-21}
shift $(( $# < 3 ? $# : 3 ))
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
cleanup() {
    git -C "$root" worktree remove --force "$work/baseline" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

git -C "$root" worktree add --quiet --detach "$work/baseline" "$rev"
cargo build --release --quiet --manifest-path "$work/baseline/Cargo.toml" --target-dir "$work/baseline-target"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
baseline="$work/baseline-target/release/opslint"
current="$root/target/release/opslint"
# The tree pass alone, where a binary has a history pass to leave out.
tree_only() {
    if "$1" check --help | grep -q -- --no-history; then echo --no-history; fi
}
baseline_args=$(tree_only "$baseline")
current_args=$(tree_only "$current")

git init -q -b main "$work/synthetic"
python3 "$here/synth.py" "$files" | git -C "$work/synthetic" fast-import --quiet
git -C "$work/synthetic" repack -adq

# interleaved REPO: median wall ms of baseline and current, alternating runs.
interleaved() {
    local repo=$1
    "$baseline" check "$repo" --rev HEAD --format json $baseline_args >/dev/null 2>&1 || true
    "$current" check "$repo" --rev HEAD --format json $current_args >/dev/null 2>&1 || true
    for _ in $(seq "$runs"); do
        for which in baseline current; do
            local binary=$baseline args=$baseline_args
            [ "$which" = current ] && binary=$current args=$current_args
            local start end
            start=$(date +%s%N)
            "$binary" check "$repo" --rev HEAD --format json $args >/dev/null 2>&1 || true
            end=$(date +%s%N)
            echo "$which $(( (end - start) / 1000 ))"
        done
    done | sort -k1,1 -k2,2n | awk '
        { times[$1, ++count[$1]] = $2 }
        END {
            b = times["baseline", int((count["baseline"] + 1) / 2)] / 1000
            c = times["current", int((count["current"] + 1) / 2)] / 1000
            printf "%8.1f ms  %8.1f ms  %5.2fx\n", b, c, c / b
        }'
}

printf "%-40s %11s %11s %6s\n" "repository" "$rev" "current" "ratio"
printf "%-40s %s" "synthetic, $files files" "$(interleaved "$work/synthetic")"
echo
for repo in "$@"; do
    printf "%-40s %s\n" "$(basename "$(dirname "$repo")")/$(basename "$repo")" "$(interleaved "$repo")"
done
