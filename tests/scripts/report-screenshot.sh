#!/usr/bin/env bash
# The organisation report rendered by a real browser: sweeps a small organisation made of
# the fixture repositories, writes `opslint report --format html`, and renders it in headless
# Chromium (Debian's `chromium` package) to a screenshot, which must be a real picture.
# Look at it: `tests/scripts/report-screenshot.sh OUT.png`.
#
# Usage: tests/scripts/report-screenshot.sh [OUT.png]   (needs chromium on PATH or CHROMIUM=)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
chromium=${CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${1:-$work/report.png}
cargo build --quiet --manifest-path "$root/Cargo.toml"
opslint="$root/target/debug/opslint"

org="$work/org"
for repo in sample monorepo; do
    for team in payments platform; do
        dir="$org/$team/$repo"
        mkdir -p "$dir"
        cp -R "$root/fixtures/repos/$repo/." "$dir"
        echo "* @acme/$team" > "$dir/CODEOWNERS"
        git -C "$dir" init -q -b main
        git -C "$dir" add -A
        git -C "$dir" -c user.name=Ada -c user.email=ada@example.com -c commit.gpgsign=false \
            commit -q -m "Initial import"
    done
done
mkdir -p "$org/mirrors/broken.git"
"$opslint" sweep "$org" -o "$work/sweep.jsonl" 2>/dev/null
"$opslint" report "$work/sweep.jsonl" --group-by codeowners -o "$work/report.html"

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --window-size=1400,1200 \
    --screenshot="$out" "file://$work/report.html" >/dev/null 2>&1
size=$(wc -c < "$out")
# A blank or broken page compresses to a few kilobytes; the rendered report is far larger.
if (( size < 40000 )); then
    echo "report-screenshot: $out is only $size bytes: the page did not render" >&2
    exit 1
fi
echo "report-screenshot: rendered the organisation report to $out ($size bytes)"
