#!/usr/bin/env bash
# Puts an opslint binary in OPSLINT_ROOT/bin (action.yml's step after the cache restore):
#   1. the cached one, when the cache had this source's binary (OPSLINT_CACHE_HIT=true);
#   2. else the release binary of the action's version, when release v<version> (the
#      version in the action's Cargo.toml) was built from exactly this source (its
#      opslint-source.fingerprint asset matches) and the archive matches its .sha256;
#   3. else a build from source, saying in the log why.
# A commit between releases (@main, or a SHA pin of one) has another fingerprint than the
# release of its version, so it is built rather than handed an older binary.
#
# Reads: OPSLINT_ACTION_PATH (default GITHUB_ACTION_PATH), OPSLINT_ROOT (default
# ~/.opslint), OPSLINT_CACHE_HIT, the action's repository (read from GITHUB_ACTION_PATH,
# .../_actions/<owner>/<name>/<ref>, else OPSLINT_ACTION_REPOSITORY), GITHUB_SERVER_URL,
# OPSLINT_RELEASES_URL (where v<version>/<asset> are; default
# <server>/<owner>/<name>/releases/download, a file:// URL works too), OPSLINT_TARGET,
# OPSLINT_BUILD (a shell command that builds into $OPSLINT_ROOT from $OPSLINT_SOURCE;
# default cargo install --locked; run in an empty directory with RUSTUP_TOOLCHAIN set),
# OPSLINT_TOOLCHAIN (the Rust toolchain of the build; default stable).
# Writes step outputs: bin (the binary's path), source (cache, release or build), built
# (true when built here: the action then saves it to the cache).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
source "$here/lib.sh"

src=${OPSLINT_ACTION_PATH:-${GITHUB_ACTION_PATH:-$here/..}}
root=${OPSLINT_ROOT:-$HOME/.opslint}
target=$(opslint_target || true)
exe=opslint
if [[ $target == *windows* || ${RUNNER_OS:-} == Windows ]]; then
    exe=opslint.exe
fi
bin="$root/bin/$exe"

say() { echo "opslint: $*"; }

# Downloads URL to FILE; a missing file:// or HTTP 404 is a plain failure.
download() {
    curl -fsSL --retry 2 --connect-timeout 20 -o "$2" "$1" 2>/dev/null
}

# The release binary, or a reason on stdout and status 1 (2 when an asset fails its checksum,
# which deserves a warning).
from_release() {
    if [[ -z $target ]]; then
        echo "no release asset for this platform (${RUNNER_OS:-$(uname -s)} ${RUNNER_ARCH:-$(uname -m)})"
        return 1
    fi
    local version repo base
    version=$(opslint_version "$src")
    if [[ -z $version ]]; then
        echo "no version in $src/Cargo.toml"
        return 1
    fi
    base=${OPSLINT_RELEASES_URL:-}
    if [[ -z $base ]]; then
        # The runner downloads an action to <work>/_actions/<owner>/<name>/<ref>; the
        # github.action_repository context is not reliably set inside a composite action.
        local in_actions='[/\\]_actions[/\\]([^/\\]+)[/\\]([^/\\]+)[/\\][^/\\]+[/\\]?$'
        repo=${OPSLINT_ACTION_REPOSITORY:-}
        if [[ ${GITHUB_ACTION_PATH:-} =~ $in_actions ]]; then
            repo="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
        fi
        if [[ -z $repo ]]; then
            echo "the action's repository is unknown (a local action?), so is its release"
            return 1
        fi
        base="${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download"
    fi
    local url="${base%/}/v$version" tmp
    tmp=$(mktemp -d)
    # shellcheck disable=SC2064 # expand tmp now: it is local
    trap "rm -rf '$tmp'" RETURN

    if ! download "$url/opslint-source.fingerprint" "$tmp/fingerprint"; then
        echo "no release v$version at $url"
        return 1
    fi
    local theirs ours
    theirs=$(tr -d ' \r\n' < "$tmp/fingerprint")
    ours=$(opslint_fingerprint "$src")
    if [[ $theirs != "$ours" ]]; then
        echo "release v$version was built from other source than this action's (a commit between releases?)"
        return 1
    fi

    local asset="opslint-$target.tar.gz"
    if [[ $target == *windows* ]]; then
        asset="opslint-$target.zip"
    fi
    if ! download "$url/$asset" "$tmp/$asset" || ! download "$url/$asset.sha256" "$tmp/$asset.sha256"; then
        echo "release v$version has no $asset with its .sha256"
        return 1
    fi
    local expected actual
    expected=$(cut -d' ' -f1 < "$tmp/$asset.sha256" | tr -d '\r\n')
    actual=$(cd "$tmp" && opslint_sha256 "$asset" | cut -d' ' -f1)
    if [[ -z $expected || $expected != "$actual" ]]; then
        echo "$asset of release v$version does not match its .sha256 (expected ${expected:-nothing}, got $actual): not using it"
        return 2
    fi

    # from_release runs in $(...) inside an && list, where set -e is off: every command's
    # status is checked here. A failed extraction or an archive whose opslint is anything but
    # a regular file (a symlink could point at any file of the runner) is a broken release:
    # status 2, a warning, and a build instead.
    local extracted=0
    mkdir -p "$tmp/x" || return 1
    if [[ $asset == *.zip ]]; then
        if command -v unzip >/dev/null; then
            unzip -q -o "$tmp/$asset" -d "$tmp/x" || extracted=$?
        elif command -v 7z >/dev/null; then
            7z x -y -bd -o"$tmp/x" "$tmp/$asset" >/dev/null || extracted=$?
        else
            tar -xf "$tmp/$asset" -C "$tmp/x" || extracted=$?
        fi
    else
        tar -xzf "$tmp/$asset" -C "$tmp/x" || extracted=$?
    fi
    if (( extracted != 0 )); then
        echo "$asset of release v$version could not be extracted (exit $extracted): not using it"
        return 2
    fi
    if [[ -L $tmp/x/$exe || ! -f $tmp/x/$exe ]]; then
        if [[ -e $tmp/x/$exe || -L $tmp/x/$exe ]]; then
            echo "$exe in $asset of release v$version is not a regular file: not using it"
            return 2
        fi
        echo "$asset of release v$version has no $exe"
        return 1
    fi
    if ! chmod +x "$tmp/x/$exe"; then
        echo "could not make the $exe of release v$version executable"
        return 1
    fi
    if ! "$tmp/x/$exe" --version >/dev/null 2>&1; then
        echo "the $target binary of release v$version does not run here"
        return 1
    fi
    if ! mkdir -p "$root/bin" || ! mv -f "$tmp/x/$exe" "$bin"; then
        echo "could not install the $exe of release v$version in $root/bin"
        return 1
    fi
    say "using the $target binary of release v$version ($asset, sha256 $actual)"
}

source=""
built=false
if [[ ${OPSLINT_CACHE_HIT:-} == true && -x $bin ]]; then
    source=cache
    say "using the cached binary built from this source"
elif reason=$(from_release) && status=0 || status=$?; (( status == 0 )); then
    # from_release says what it used on success, and only the reason on failure.
    echo "$reason"
    source=release
else
    if (( status == 2 )); then
        echo "::warning title=opslint release binary::$reason; building from source instead."
    fi
    say "building from source: $reason."
    export OPSLINT_SOURCE=$src OPSLINT_ROOT=$root
    # shellcheck disable=SC2016 # expanded by the bash that runs it
    build=${OPSLINT_BUILD:-'cargo install --locked --path "$OPSLINT_SOURCE" --root "$OPSLINT_ROOT"'}
    # Not in the step's working directory, the checked-out repository: rustup would obey its
    # rust-toolchain.toml (even `path = ` to a toolchain the pull request commits) and run
    # the pull request's own cargo, whose output would then be cached as opslint. The build
    # runs in an empty directory, with the toolchain named (a directory's override never
    # beats RUSTUP_TOOLCHAIN).
    toolchain=${OPSLINT_TOOLCHAIN:-stable}
    say "building with the $toolchain Rust toolchain"
    build_dir=$(mktemp -d)
    (cd "$build_dir" && RUSTUP_TOOLCHAIN=$toolchain bash -c "$build")
    rm -rf "$build_dir"
    if [[ ! -x $bin ]]; then
        echo "::error title=opslint::The build left no $bin."
        exit 1
    fi
    source=build
    built=true
fi

if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    {
        echo "bin=$bin"
        echo "source=$source"
        echo "built=$built"
    } >> "$GITHUB_OUTPUT"
fi
