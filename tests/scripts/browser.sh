# Shared by the page checks (`source`d): `browse` renders a page in headless Chromium (Debian's
# `chromium`, with the flags this machine's closed network needs), `measure` renders a copy of
# a page with a measuring script in it and prints what the script found.
# The caller sets: chromium (the browser), work (a scratch folder), measure_js (a file holding
# the <script> element, which writes <pre id="measured" data-problems="N"> into the page) and
# label (the prefix of printed lines).

browse() { # width html [chromium arguments]
    local width=$1 html=$2
    shift 2
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$work")" --hide-scrollbars \
        --window-size="$width,1400" "$@" "file://$html" 2>/dev/null
}

# Prints what was measured; fails when something is wrong. The script goes in before the
# page's last </body>; a Content-Security-Policy, which would block it, is taken out of the copy.
measure() { # width html
    python3 - "$2" "$measure_js" "$2.measured.html" <<'EOF'
import sys
page = open(sys.argv[1]).read()
script = open(sys.argv[2]).read()
page = "\n".join(line for line in page.split("\n") if "Content-Security-Policy" not in line)
at = page.rfind("</body>")
page = page[:at] + script + page[at:] if at >= 0 else page + script
open(sys.argv[3], "w").write(page)
EOF
    browse "$1" "$2.measured.html" --dump-dom > "$2.dom"
    local found status
    found=$(python3 - "$2.dom" <<'EOF'
import html, re, sys
dom = open(sys.argv[1]).read()
match = re.search(r'<pre id="measured" data-problems="(\d+)">(.*?)</pre>', dom, re.S)
if not match:
    print("no measurements: the page did not render or its script did not run")
    sys.exit(1)
print(html.unescape(match.group(2)))
sys.exit(1 if int(match.group(1)) else 0)
EOF
    ) && status=0 || status=$?
    echo "$found" | sed "s/^/$label: $1 px: /"
    return "$status"
}
