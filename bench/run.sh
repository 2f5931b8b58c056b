#!/usr/bin/env bash
# Benchmark: opslint against `git ls-tree -r` on the same synthetic repository, same run.
# Prints the wall-time ratio and opslint's peak RSS. Targets (issue #2): within 2x of
# `git ls-tree -r --name-only HEAD` at 100,000 files, peak RSS under 150 MiB, and
# `opslint check` on a 1,000-file working tree under 50 ms.
#
# Usage: bench/run.sh [FILES] [RUNS]   (defaults: 100000 files, 7 runs; medians are reported)
set -euo pipefail

files=${1:-100000}
runs=${2:-7}
here=$(cd "$(dirname "$0")" && pwd)

make_repo() { # make_repo DIR FILES
    git init -q -b main "$1"
    python3 "$here/synth.py" "$2" | git -C "$1" fast-import --quiet
    git -C "$1" repack -adq
}

source "$here/lib.sh"

make_repo "$work/big" "$files"
echo "repository: $files files, $(git -C "$work/big" count-objects -vH | awk '/size-pack/ { print $2 $3 }') pack"
git_ms=$(median_ms git -C "$work/big" ls-tree -r --name-only HEAD)
# The tree pass alone: the history pass has its own benchmark (issue #4).
opslint_ms=$(median_ms "$opslint" check "$work/big" --rev HEAD --format json --no-history)
rss=$(peak_rss_mib "$opslint" check "$work/big" --rev HEAD --format json --no-history)
ratio=$(awk -v a="$opslint_ms" -v b="$git_ms" 'BEGIN { printf "%.2f", a / b }')
echo "git ls-tree -r:            ${git_ms} ms (median of $runs)"
echo "opslint check --rev HEAD:  ${opslint_ms} ms (median of $runs)"
echo "ratio opslint / git:       ${ratio}x   (target <= 2x)"
echo "opslint peak RSS:          ${rss} MiB (target < 150 MiB)"

make_repo "$work/small" 1000
git -C "$work/small" checkout -q -f main
small_ms=$(median_ms "$opslint" check "$work/small" --format json --no-history)
small_git_ms=$(median_ms git -C "$work/small" status --porcelain)
echo "opslint check, 1,000-file worktree: ${small_ms} ms (target < 50 ms; git status: ${small_git_ms} ms)"
