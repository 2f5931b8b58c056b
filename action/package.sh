#!/usr/bin/env bash
# The release workflow's packaging, the counterpart of install.sh (which reads what this
# writes):
#   package.sh archive TARGET BINARY OUTDIR
#       OUTDIR/opslint-TARGET.tar.gz (.zip for Windows) holding the binary at its root, and
#       OUTDIR/<archive>.sha256 ("HASH  NAME", as sha256sum -c reads it).
#   package.sh fingerprint [DIR]   the source fingerprint of DIR (default this repository),
#       published as the release's opslint-source.fingerprint.
#   package.sh version [DIR]       the version in DIR's Cargo.toml (the release is v<it>).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
source "$here/lib.sh"

case ${1:-} in
    archive)
        target=$2 binary=$3 out=$4
        mkdir -p "$out"
        out=$(cd "$out" && pwd)
        stage=$(mktemp -d)
        exe=opslint
        if [[ $target == *windows* ]]; then
            exe=opslint.exe
        fi
        cp "$binary" "$stage/$exe"
        if [[ $target == *windows* ]]; then
            asset="opslint-$target.zip"
            if command -v 7z >/dev/null; then
                (cd "$stage" && 7z a -tzip -bd "$out/$asset" "$exe" >/dev/null)
            else
                (cd "$stage" && zip -q "$out/$asset" "$exe")
            fi
        else
            asset="opslint-$target.tar.gz"
            tar -czf "$out/$asset" -C "$stage" "$exe"
        fi
        rm -rf "$stage"
        # Written out rather than sha256sum's own line, which marks binary mode with '*' on
        # Windows.
        hash=$(cd "$out" && opslint_sha256 "$asset" | cut -d' ' -f1)
        printf '%s  %s\n' "$hash" "$asset" > "$out/$asset.sha256"
        echo "$out/$asset"
        ;;
    fingerprint)
        opslint_fingerprint "${2:-$here/..}"
        ;;
    version)
        opslint_version "${2:-$here/..}"
        ;;
    *)
        echo "usage: package.sh archive TARGET BINARY OUTDIR | fingerprint [DIR] | version [DIR]" >&2
        exit 2
        ;;
esac
