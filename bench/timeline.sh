#!/usr/bin/env bash
# Timeline benchmark: `opslint timeline --since 2y --every month` (24 monthly snapshots and
# the events between them) against one `opslint check --window 2y` of the same commit, in the
# same run, on a synthetic 100,000-file monorepo with two years of history and on any
# repositories given (a bare mirror of git/git is the yardstick). Target (issue 20): the
# timeline costs at most 3x the check; peak memory about the check's.
#
# Usage: bench/timeline.sh [RUNS] [REPO...]   (default 5 runs; medians)
set -euo pipefail

runs=${1:-5}
shift $(( $# < 1 ? $# : 1 ))
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"

compare() { # compare NAME REPO
    local name=$1 repo=$2 check_ms timeline_ms check_rss timeline_rss
    echo "$name: $(git -C "$repo" ls-tree -r HEAD | wc -l) files, $(git -C "$repo" rev-list --count --first-parent --since="$(git -C "$repo" log -1 --format=%ct HEAD | awk '{ print $1 - 2 * 365 * 86400 }')" HEAD) main-line commits in two years"
    check_ms=$(median_ms "$opslint" check "$repo" --rev HEAD --window 2y --format json --fail-on never)
    timeline_ms=$(median_ms "$opslint" timeline "$repo" --rev HEAD --since 2y --every month --format json)
    check_rss=$(peak_rss_mib "$opslint" check "$repo" --rev HEAD --window 2y --format json --fail-on never)
    timeline_rss=$(peak_rss_mib "$opslint" timeline "$repo" --rev HEAD --since 2y --every month --format json)
    echo "  opslint check --window 2y:          ${check_ms} ms, peak ${check_rss} MiB (median of $runs)"
    echo "  opslint timeline --since 2y (month): ${timeline_ms} ms, peak ${timeline_rss} MiB (median of $runs)"
    awk -v c="$check_ms" -v t="$timeline_ms" -v cr="$check_rss" -v tr="$timeline_rss" 'BEGIN {
        printf "  timeline / check: %.2fx time (target <= 3x), %.2fx peak memory\n", t / c, tr / cr }'
}

git init -q -b main "$work/big"
python3 "$here/synth.py" 100000 | git -C "$work/big" fast-import --quiet
start=$(( $(git -C "$work/big" log -1 --format=%ct main) + 86400 ))
python3 "$here/synth_timeline.py" "$(git -C "$work/big" rev-parse main)" "$start" |
    git -C "$work/big" fast-import --quiet
git -C "$work/big" repack -adq
compare "synthetic monorepo" "$work/big"
for repo in "$@"; do
    name=$(basename "$repo")
    # A mirror kept as <owner+name>/repo is named by its folder.
    [[ $name == repo ]] && name=$(basename "$(dirname "$repo")")
    compare "$name" "$repo"
done
