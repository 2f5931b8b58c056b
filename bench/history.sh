#!/usr/bin/env bash
# History benchmark: `opslint check --window all` (the tree pass and the history pass over every
# commit) against `git log --no-merges --numstat` over the same commits, in the same run, on a
# synthetic history and on any repositories given (a bare mirror of git/git is the yardstick).
# Prints each wall-time ratio and both peak RSS. Targets (issue #4), on git/git's full history:
# opslint at least 2.0x faster than git log, peak RSS at most 1.5x git log's.
#
# Usage: bench/history.sh [COMMITS] [RUNS] [REPO...]   (defaults: 55,000 commits, 3 runs; medians)
set -euo pipefail

commits=${1:-55000}
runs=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"

compare() { # compare NAME REPO
    local name=$1 repo=$2 git_ms opslint_ms git_rss opslint_rss
    echo "$name: $(git -C "$repo" rev-list --count --no-merges HEAD) non-merge commits," \
        "$(git -C "$repo" count-objects -vH | awk '/size-pack/ { print $2 $3 }') pack"
    git_ms=$(median_ms git -C "$repo" log --no-merges --numstat HEAD)
    opslint_ms=$(median_ms "$opslint" check "$repo" --rev HEAD --window all --format json --fail-on never)
    git_rss=$(peak_rss_mib git -C "$repo" log --no-merges --numstat HEAD)
    opslint_rss=$(peak_rss_mib "$opslint" check "$repo" --rev HEAD --window all --format json --fail-on never)
    echo "  git log --no-merges --numstat: ${git_ms} ms, peak ${git_rss} MiB (median of $runs)"
    echo "  opslint check --window all:    ${opslint_ms} ms, peak ${opslint_rss} MiB (median of $runs)"
    awk -v g="$git_ms" -v o="$opslint_ms" -v gr="$git_rss" -v orss="$opslint_rss" 'BEGIN {
        printf "  opslint is %.2fx faster than git log (target >= 2.0x); peak RSS %.2fx git log'"'"'s (target <= 1.5x)\n", g / o, orss / gr }'
}

git init -q -b main "$work/synthetic"
python3 "$here/synth_history.py" "$commits" | git -C "$work/synthetic" fast-import --quiet
git -C "$work/synthetic" repack -adq
compare "synthetic history" "$work/synthetic"
for repo in "$@"; do
    compare "$repo" "$repo"
done
