#!/usr/bin/env bash
# The timeline page rendered by a real browser: builds a repository with a year of history
# (practices adopted and lost, a very long subject and author), writes `opslint timeline
# --format html` with weekly snapshots, and renders it in headless Chromium at 1,280 and
# 1,920 px. A script added to a copy of the page (without its Content-Security-Policy, which
# blocks scripts) measures the layout and writes what it found into the DOM; the check fails
# when:
#   - the page scrolls sideways, or a chart, the event list or the signals table runs past
#     the window;
#   - a chart has no line (fewer than two points) or there is no chart per scored area;
#   - an event is missing from the list.
# As a control, the page with its layout rules undone must fail the check at 1,280 px.
#
# Usage: tests/scripts/timeline-page.sh [OUT.png]   (needs chromium on PATH or CHROMIUM=)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
chromium=${CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${1:-$work/timeline.png}
out=${out%.png}
mkdir -p "$(dirname "$out")"
cargo build --quiet --manifest-path "$root/Cargo.toml"
# (Where cargo puts it: CARGO_TARGET_DIR when set.)
opslint="${CARGO_TARGET_DIR:-$root/target}/debug/opslint"

repo="$work/repo"
git init -q -b main "$repo"
commit() { # day author subject
    local date="@$(( 1767225600 + $1 * 86400 )) +0000"
    git -C "$repo" add -A
    GIT_AUTHOR_NAME="$2" GIT_AUTHOR_EMAIL=dev@example.com GIT_COMMITTER_NAME="$2" \
        GIT_COMMITTER_EMAIL=dev@example.com GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date" \
        git -C "$repo" -c commit.gpgsign=false commit -q --allow-empty -m "$3"
}
long_author="Maximiliana Konstantinopoulou-Vandenberghe of the platform-engineering-and-reliability guild"
long_subject="Rework the deployment pipeline so that every environment-specific-configuration-override-file is validated before the rollout starts"
mkdir -p "$repo/src" "$repo/.github/workflows"
echo 'fn main() {}' > "$repo/src/main.rs"
commit 0 Ada "Start"
for day in $(seq 3 3 360); do
    echo "// $day" >> "$repo/src/main.rs"
    case $day in
        30) printf 'on: [pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n' > "$repo/.github/workflows/ci.yml"
            mkdir -p "$repo/tests"; echo '#[test] fn t() {}' > "$repo/tests/t.rs"
            commit "$day" "$long_author" "$long_subject" ;;
        90) echo '* @team' > "$repo/CODEOWNERS"; commit "$day" Ada "Add code owners" ;;
        180) rm "$repo/CODEOWNERS"; commit "$day" Ada "Drop code owners" ;;
        270) echo '{"image": "rust:1"}' > "$repo/.devcontainer.json"; commit "$day" Ada "Add a dev container" ;;
        *) commit "$day" Ada "Change $day" ;;
    esac
done
"$opslint" timeline "$repo" --since all --every week --format html -o "$work/timeline.html"

cat > "$work/measure.js" <<'EOF'
<script>
(function () {
  var problems = [], notes = [];
  var width = window.innerWidth, page = document.documentElement;
  if (page.scrollWidth > width + 1) { problems.push('the page scrolls sideways: ' + page.scrollWidth + ' px wide in ' + width); }
  var charts = document.querySelectorAll('figure.chart');
  notes.push(charts.length + ' charts');
  if (charts.length < 4) { problems.push('only ' + charts.length + ' charts'); }
  charts.forEach(function (chart) {
    var box = chart.getBoundingClientRect();
    if (box.right > width + 1) { problems.push('chart ' + chart.dataset.area + ' ends at ' + Math.round(box.right) + ' px'); }
    var line = chart.querySelector('polyline');
    var points = line ? line.getAttribute('points').trim().split(/\s+/).length : 0;
    if (points < 2) { problems.push('chart ' + chart.dataset.area + ' has ' + points + ' points'); }
  });
  var events = document.querySelectorAll('.events li');
  notes.push(events.length + ' events');
  if (events.length < 5) { problems.push('only ' + events.length + ' events listed'); }
  events.forEach(function (event) {
    var box = event.getBoundingClientRect();
    if (box.right > width + 1) { problems.push('event runs past the window: ' + event.textContent.slice(0, 60)); }
  });
  var table = document.querySelector('table').getBoundingClientRect();
  if (table.right > width + 1) { problems.push('the signals table ends at ' + Math.round(table.right) + ' px'); }
  var result = document.createElement('pre');
  result.id = 'measured';
  result.setAttribute('data-problems', String(problems.length));
  result.textContent = notes.concat(problems).join('\n');
  document.body.appendChild(result);
})();
</script>
EOF
measure_js="$work/measure.js"
label=timeline-page
source "$root/tests/scripts/browser.sh"

failed=0
for width in 1280 1920; do
    measure "$width" "$work/timeline.html" || failed=1
    browse "$width" "$work/timeline.html" --screenshot="$out-$width.png" >/dev/null
    size=$(wc -c < "$out-$width.png")
    # A blank page compresses to a few kilobytes; the rendered timeline is far larger.
    if (( size < 20000 )); then
        echo "timeline-page: $out-$width.png is only $size bytes: the page did not render" >&2
        failed=1
    fi
done

# The control: without its layout rules the page must fail the same check.
sed -e 's#</style>#table { display: table !important; overflow: visible !important; } .events li { overflow-wrap: normal !important; white-space: nowrap; }</style>#' \
    "$work/timeline.html" > "$work/control.html"
if control=$(measure 1280 "$work/control.html"); then
    echo "timeline-page: the control passed too: the check does not measure what it says" >&2
    failed=1
else
    echo "timeline-page: the control fails, as it should:"
    echo "$control" | grep -v -E ' (charts|events)$' | sed 's/^timeline-page: /    /' | head -4
fi

if (( failed )); then
    echo "timeline-page: the timeline page failed its check (screenshots: $out-1280.png, $out-1920.png)" >&2
    exit 1
fi
echo "timeline-page: the timeline fits at 1280 and 1920 px; screenshots: $out-1280.png, $out-1920.png"
