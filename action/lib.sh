# shellcheck shell=bash
# Functions shared by the action's scripts (key.sh, install.sh) and the release workflow
# (package.sh): what determines the opslint binary, which release asset fits a runner, and
# the version the action's source declares. Sourced, not run.

# sha256 of the files named (or of stdin), in sha256sum's "HASH  NAME" format: sha256sum on
# Linux and Windows (Git Bash), shasum on macOS.
# shellcheck disable=SC2120 # the scripts that source this pass files
opslint_sha256() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$@"
    else
        shasum -a 256 "$@"
    fi
}

# The source fingerprint: one sha256 over the path and content of every file the binary is
# built from (Cargo.lock, Cargo.toml, build.rs, src/, and rules/, which are compiled in), in a
# fixed order. Anything else in the action (README, tests, this directory) leaves it as is.
opslint_fingerprint() {
    local dir=$1 part parts=() sum=(sha256sum)
    command -v sha256sum >/dev/null || sum=(shasum -a 256)
    for part in Cargo.lock Cargo.toml build.rs src rules; do
        if [[ -e $dir/$part ]]; then
            parts+=("$part")
        fi
    done
    if (( ${#parts[@]} == 0 )); then
        echo "opslint: no Cargo.toml, Cargo.lock or src/ in $dir" >&2
        return 1
    fi
    (
        cd "$dir" || exit 1
        find "${parts[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 "${sum[@]}"
    ) | opslint_sha256 - | cut -d' ' -f1
}

# The Rust target triple of the release asset that runs here: OPSLINT_TARGET if set, else
# from the runner's RUNNER_OS and RUNNER_ARCH (or uname outside a runner). Fails for a
# platform with no release asset.
opslint_target() {
    if [[ -n ${OPSLINT_TARGET:-} ]]; then
        echo "$OPSLINT_TARGET"
        return
    fi
    local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
    case $os in
        Linux) os=unknown-linux-gnu ;;
        macOS | Darwin) os=apple-darwin ;;
        Windows | MINGW* | MSYS* | CYGWIN*) os=pc-windows-msvc ;;
        *) return 1 ;;
    esac
    case $arch in
        X64 | x86_64 | amd64) arch=x86_64 ;;
        ARM64 | aarch64 | arm64) arch=aarch64 ;;
        *) return 1 ;;
    esac
    echo "$arch-$os"
}

# The version in [package] of the Cargo.toml in $1: releases are tagged v<version>.
opslint_version() {
    awk '/^\[/ { package = ($0 == "[package]") }
         package && /^version[ \t]*=/ { gsub(/^[^"]*"|".*$/, ""); print; exit }' "$1/Cargo.toml"
}
