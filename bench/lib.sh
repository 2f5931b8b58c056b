# Shared by the benchmark scripts (`source "$here/lib.sh"`): a release build of opslint as
# `$opslint`, a scratch directory `$work` removed on exit, and timing helpers (which read `runs`).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
opslint="$root/target/release/opslint"

# median_ms CMD...: runs CMD $runs times (after one warm-up), prints the median wall time in ms.
median_ms() {
    "$@" >/dev/null 2>&1 || true
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        echo $(( (end - start) / 1000 ))
    done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}

# peak_rss_mib CMD...: CMD's peak resident memory in MiB.
peak_rss_mib() {
    { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null || true; } | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'
}
