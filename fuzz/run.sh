#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 120 s each), starting from the inputs
# kept in tests/fuzz_regressions/<target>/ and from a corpus of the repository's own files.
# A crash leaves its input in fuzz/artifacts/<target>/: fix it, then copy the input into
# tests/fuzz_regressions/<target>/ so `cargo test` replays it for ever.
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (needs cargo-fuzz; the stable toolchain is told
# to accept the sanitizer flags with RUSTC_BOOTSTRAP=1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=${1:-120}
shift || true
targets=("$@")
if (( ${#targets[@]} == 0 )); then
    targets=(config pipeline manifest renderers)
fi
export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    corpus="$here/corpus/$target"
    mkdir -p "$corpus"
    # Seeds: real inputs of the kind the target reads.
    case $target in
        config) cp "$root"/src/config/template.rs "$corpus/" 2>/dev/null || true ;;
        pipeline) for f in "$root"/fixtures/rules/*/*/.github/workflows/*.yml "$root"/fixtures/rules/*/*/.gitlab-ci.yml; do
                [[ -f $f ]] && { printf '\000'; cat "$f"; } > "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")"; done ;;
        manifest) for f in "$root"/fixtures/rules/*/*/package.json "$root"/fixtures/rules/*/*/Cargo.toml; do
                [[ -f $f ]] && { printf '\001'; cat "$f"; } > "$corpus/$(echo "$f" | md5sum | cut -c1-12)"; done ;;
    esac
    echo "== $target: ${seconds}s"
    (cd "$here" && cargo fuzz run "$target" "$corpus" "$root/tests/fuzz_regressions/$target" \
        -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 2>&1 | tail -5)
done
