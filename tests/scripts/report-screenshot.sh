#!/usr/bin/env bash
# The organisation report rendered by a real browser: sweeps a small organisation made of
# the fixture repositories (with a very long repository name, a long owner, every area and
# signals that moved), writes `opslint report --format html`, and renders it in headless
# Chromium (Debian's `chromium` package) at 1,280 and 1,920 px. At each width a small script
# added to a copy of the page measures its layout and writes what it found into the DOM,
# which Chromium dumps; the check fails when:
#   - the page scrolls sideways, or the heat map's box runs past the window;
#   - an area column of the heat map cannot be reached (scrolled to), or the first three
#     are not visible without scrolling (at 1,920 px: any of them);
#   - the repository or owner column is wider than a third of the heat map;
#   - anything in a card (a long repository name, a rule id) sticks out of the card.
# As a control, the same page with its layout rules undone must fail the check at 1,280 px
# (a check that cannot fail checks nothing). Screenshots of both widths are kept: look at
# them, `tests/scripts/report-screenshot.sh OUT.png` writes OUT-1280.png and OUT-1920.png.
#
# Usage: tests/scripts/report-screenshot.sh [OUT.png]   (needs chromium on PATH or CHROMIUM=)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
chromium=${CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${1:-$work/report.png}
out=${out%.png}
mkdir -p "$(dirname "$out")"
cargo build --quiet --manifest-path "$root/Cargo.toml"
# (Where cargo puts it: CARGO_TARGET_DIR when set.)
opslint="${CARGO_TARGET_DIR:-$root/target}/debug/opslint"

org="$work/org"
long_name=platform-engineering/kubernetes-cluster-bootstrap-configuration-for-every-production-region-and-disaster-recovery-site
long_owner=@acme/platform-engineering-and-developer-experience-reliability-guild
import() { # folder fixture owner
    local dir="$org/$1"
    mkdir -p "$dir"
    cp -R "$root/fixtures/repos/$2/." "$dir"
    echo "* $3" > "$dir/CODEOWNERS"
    git -C "$dir" init -q -b main
    git -C "$dir" add -A
    git -C "$dir" -c user.name=Ada -c user.email=ada@example.com -c commit.gpgsign=false \
        commit -q -m "Initial import"
}
for repo in sample monorepo; do
    for team in payments platform; do
        import "$team/$repo" "$repo" "@acme/$team"
    done
done
import "$long_name" monorepo "$long_owner @acme/sre"
mkdir -p "$org/mirrors/broken.git"
"$opslint" sweep "$org" -o "$work/sweep.jsonl" 2>/dev/null

# Signals that moved need two windows of history; the fixtures have one commit, so the
# lines are given trends, the long-named repository among those that worsened most.
python3 - "$work/sweep.jsonl" "$long_name" <<'EOF'
import json, sys
path, long_name = sys.argv[1], sys.argv[2]
lines = [json.loads(line) for line in open(path)]
moves = {long_name: ["worsening"] * 3, "payments/sample": ["improving"] * 2,
         "platform/monorepo": ["improving", "worsening", "worsening"]}
for line in lines:
    trends = moves.get(line["repository"]["name"])
    if trends and line.get("history"):
        for figure, trend in zip(line["history"]["figures"], trends):
            figure["trend"] = trend
with open(path, "w") as out:
    out.writelines(json.dumps(line) + "\n" for line in lines)
EOF
"$opslint" report "$work/sweep.jsonl" --group-by codeowners -o "$work/report.html"

# The measurements, written into the page as <pre id="measured" data-problems="N">.
cat > "$work/measure.js" <<'EOF'
<script>
(function () {
  var problems = [], notes = [];
  var width = window.innerWidth, page = document.documentElement;
  if (page.scrollWidth > width + 1) { problems.push('the page scrolls sideways: ' + page.scrollWidth + ' px wide in ' + width); }
  var wrap = document.querySelector('.heat-wrap') || document.getElementById('heat');
  var box = wrap.getBoundingClientRect();
  if (box.right > width + 1) { problems.push('the heat map box ends at ' + Math.round(box.right) + ' px, past ' + width); }
  var heads = Array.prototype.slice.call(document.querySelectorAll('#heat thead th'));
  var areas = heads.slice(3);
  var visible = areas.filter(function (th) {
    var cell = th.getBoundingClientRect();
    return cell.left >= box.left - 1 && cell.right <= Math.min(box.right, width) + 1;
  }).length;
  notes.push(areas.length + ' area columns, ' + visible + ' visible without scrolling');
  var style = getComputedStyle(wrap);
  var scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
  areas.forEach(function (th) {
    var cell = th.getBoundingClientRect();
    var reachable = cell.right <= Math.min(box.right, width) + 1 || (scrolls && cell.right - box.left - wrap.clientLeft <= wrap.scrollWidth + 1);
    if (!reachable) { problems.push('area column ' + th.textContent + ' cannot be reached (ends ' + Math.round(cell.right - box.left) + ' px into a box that scrolls ' + wrap.scrollWidth + ' px, overflow-x ' + style.overflowX + ')'); }
  });
  var wanted = width >= 1920 ? areas.length : Math.min(3, areas.length);
  if (visible < wanted) { problems.push('only ' + visible + ' of the first ' + wanted + ' area columns are visible'); }
  ['Repository', 'Owner'].forEach(function (title, column) {
    var cell = heads[column].getBoundingClientRect();
    notes.push(title + ' column ' + Math.round(cell.width) + ' px');
    if (cell.width > box.width / 3) { problems.push('the ' + title + ' column takes ' + Math.round(cell.width) + ' of ' + Math.round(box.width) + ' px'); }
  });
  document.querySelectorAll('.card').forEach(function (card) {
    var edge = card.getBoundingClientRect();
    card.querySelectorAll('*').forEach(function (element) {
      var shape = element.getBoundingClientRect();
      if (shape.width > 0 && (shape.right > edge.right + 1 || shape.left < edge.left - 1)) {
        problems.push('sticks out of its card: ' + element.tagName + ' ' + element.textContent.trim().slice(0, 60));
      }
    });
  });
  var result = document.createElement('pre');
  result.id = 'measured';
  result.setAttribute('data-problems', String(problems.length));
  result.textContent = notes.concat(problems).join('\n');
  document.body.appendChild(result);
})();
</script>
EOF
measure_js="$work/measure.js"
label=report-screenshot
source "$root/tests/scripts/browser.sh"

failed=0
for width in 1280 1920; do
    measure "$width" "$work/report.html" || failed=1
    browse "$width" "$work/report.html" --screenshot="$out-$width.png" >/dev/null
    size=$(wc -c < "$out-$width.png")
    # A blank or broken page compresses to a few kilobytes; the rendered report is far larger.
    if (( size < 40000 )); then
        echo "report-screenshot: $out-$width.png is only $size bytes: the page did not render" >&2
        failed=1
    fi
done

# The control: without its layout rules the page must fail the same check.
sed -e 's#</style>#.heat-wrap { overflow: visible !important; max-height: none !important; } \#heat td div { max-width: none !important; } .card { overflow-wrap: normal !important; } .movers > div { min-width: auto !important; }</style>#' \
    "$work/report.html" > "$work/control.html"
if control=$(measure 1280 "$work/control.html"); then
    echo "report-screenshot: the control passed too: the check does not measure what it says" >&2
    failed=1
else
    echo "report-screenshot: the control fails, as it should:"
    echo "$control" | grep -v -E 'area columns, |column [0-9]+ px$' | sed 's/^report-screenshot: /    /' | head -5
fi

if (( failed )); then
    echo "report-screenshot: the report's layout failed its check (screenshots: $out-1280.png, $out-1920.png)" >&2
    exit 1
fi
echo "report-screenshot: the report fits at 1280 and 1920 px; screenshots: $out-1280.png, $out-1920.png"
