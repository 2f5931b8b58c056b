#!/usr/bin/env bash
# Sweep benchmark: `opslint sweep` over many repositories against a shell loop running
# `opslint check` on each one after another, in the same run; repositories per second for
# both and the ratio, the sweep's peak RSS, and its peak RSS over 100 and over 1,000
# repositories (it must not grow with their number: results are streamed, not held).
# Targets (issue #6): sweep >= 1.7x the loop on 2 cores, peak RSS under 300 MiB.
#
# Usage: bench/sweep.sh [REPOS] [RUNS]   (defaults: 500 repositories, 3 runs; medians)
set -euo pipefail

count=${1:-500}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"

# Ten templates of mixed size and history, each copied to a tenth of the repositories:
# trees of 100 to 3,000 files with one commit, and teams' histories of 50 to 1,500 commits.
templates="$work/templates"
mkdir -p "$templates"
for files in 100 300 1000 3000 600; do
    git init -q --bare -b main "$templates/tree-$files.git"
    python3 "$here/synth.py" "$files" | git -C "$templates/tree-$files.git" fast-import --quiet
done
for commits in 50 150 400 800 1500; do
    git init -q --bare -b main "$templates/history-$commits.git"
    python3 "$here/synth_history.py" "$commits" | git -C "$templates/history-$commits.git" fast-import --quiet
done
for template in "$templates"/*.git; do
    git -C "$template" repack -adq
done
root="$work/org"
mkdir -p "$root"
set -- "$templates"/*.git
for index in $(seq "$count"); do
    which=$(( index % $# + 1 ))
    template=${!which}
    cp -R "$template" "$root/repo-$index.git"
done
echo "organisation: $count bare repositories from $# templates ($(du -sh "$root" | cut -f1))"

loop() {
    for repo in "$root"/*.git; do
        "$opslint" check "$repo" --format json --fail-on never > /dev/null 2>&1 || true
    done
}
loop_ms=$(median_ms loop)
sweep_ms=$(median_ms "$opslint" sweep "$root" -o "$work/sweep.jsonl")
rss=$(peak_rss_mib "$opslint" sweep "$root" -o "$work/sweep.jsonl")
lines=$(wc -l < "$work/sweep.jsonl")
errors=$(grep -c '"error":{' "$work/sweep.jsonl" || true)
echo "sweep wrote $lines lines ($errors errors)"
awk -v n="$count" -v l="$loop_ms" -v s="$sweep_ms" -v r="$rss" 'BEGIN {
    printf "check loop: %.0f ms, %.1f repositories/s\n", l, n / (l / 1000)
    printf "sweep:      %.0f ms, %.1f repositories/s, peak %.0f MiB\n", s, n / (s / 1000), r
    printf "sweep is %.2fx the loop (target >= 1.7x); peak RSS target < 300 MiB: %s\n", l / s, (r < 300 ? "met" : "NOT met") }'

# Peak RSS with 100 and with 1,000 repositories (the 500 listed twice).
ls -d "$root"/*.git | head -100 > "$work/100.txt"
{ ls -d "$root"/*.git; ls -d "$root"/*.git; } | head -1000 > "$work/1000.txt"
rss_100=$(peak_rss_mib "$opslint" sweep --repos-from "$work/100.txt" -o "$work/100.jsonl")
rss_1000=$(peak_rss_mib "$opslint" sweep --repos-from "$work/1000.txt" -o "$work/1000.jsonl")
echo "peak RSS: ${rss_100} MiB over 100 repositories, ${rss_1000} MiB over 1,000"
