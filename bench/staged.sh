#!/usr/bin/env bash
# Pre-commit benchmark: `opslint check --staged` (the index against HEAD, both judged) on a
# synthetic 10,000-file repository with a change staged, against `git status --porcelain`
# on the same repository in the same run (what any hook costs at least).
# Target (issue #5): under 100 ms wall.
#
# Usage: bench/staged.sh [FILES] [RUNS]   (defaults: 10000 files, 15 runs; medians)
set -euo pipefail

files=${1:-10000}
runs=${2:-15}
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"

repo="$work/repo"
git init -q -b main "$repo"
python3 "$here/synth.py" "$files" | git -C "$repo" fast-import --quiet
git -C "$repo" repack -adq
git -C "$repo" checkout -q -f main
echo "# staged" >> "$repo/README.md"
git -C "$repo" add README.md
echo "repository: $(git -C "$repo" ls-files | wc -l) files, one change staged"
git_ms=$(median_ms git -C "$repo" status --porcelain)
opslint_ms=$(median_ms "$opslint" check --staged "$repo")
rss=$(peak_rss_mib "$opslint" check --staged "$repo")
echo "git status --porcelain:  ${git_ms} ms (median of $runs)"
echo "opslint check --staged:  ${opslint_ms} ms (median of $runs), peak ${rss} MiB"
awk -v o="$opslint_ms" -v g="$git_ms" 'BEGIN {
    printf "opslint --staged / git status: %.2fx; target under 100 ms: %s\n", o / g, (o < 100 ? "met" : "NOT met") }'
