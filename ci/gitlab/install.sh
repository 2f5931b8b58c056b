#!/usr/bin/env bash
# Puts an opslint binary at OPSLINT_ROOT/bin/opslint for the GitLab template
# (opslint.gitlab-ci.yml runs it before run.sh): the cached one when the job's cache holds
# one and may be trusted, else a build from source, which is then left in the cache.
#
# The binary is never run from the checkout. GitLab caches only paths inside the project
# directory, so the cache (.opslint-cache/) lies in the merge request's checkout, where the
# merge request could commit an "opslint" of its own: the binary is run from OPSLINT_ROOT,
# outside the checkout, and the cache is copied there only when the repository tracks
# nothing under the cache directory (a repository that does fails the job rather than have
# its file cached as opslint).
#
# What this cannot check: a cache written by another pipeline. GitLab keeps separate caches
# for protected and unprotected branches by default; any pipeline of an unprotected branch
# (whose .gitlab-ci.yml the branch's author controls) can write the unprotected cache of the
# same key. Keep "Use separate caches for protected branches" on, and set
# OPSLINT_USE_CACHE: "false" to build on every run where that is not enough.
#
# The build runs in an empty directory with RUSTUP_TOOLCHAIN set, so the checkout's
# rust-toolchain.toml (even one whose `path =` names a toolchain the merge request commits)
# never chooses the compiler.
#
# Reads: OPSLINT_SOURCE (the opslint source; default this script's repository), OPSLINT_ROOT
# (default /tmp/opslint-root), CI_PROJECT_DIR, OPSLINT_CACHE_DIR (default
# $CI_PROJECT_DIR/.opslint-cache), OPSLINT_USE_CACHE (default true), OPSLINT_TOOLCHAIN
# (default: rustup's default toolchain, else stable), OPSLINT_BUILD (a shell command that
# builds into $OPSLINT_ROOT from $OPSLINT_SOURCE; default cargo install --locked).
# Exits 0 with the binary in place, 2 when it could not put one there.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

src=${OPSLINT_SOURCE:-$here/../..}
src=$(cd "$src" && pwd)
project=${CI_PROJECT_DIR:-$PWD}
root=${OPSLINT_ROOT:-/tmp/opslint-root}
cache=${OPSLINT_CACHE_DIR:-$project/.opslint-cache}
bin=$root/bin/opslint

say() { echo "opslint: $*"; }
fail() {
    echo "opslint: error: $*"
    exit 2
}

if ! tracked=$(git -C "$project" ls-files -- "$cache" 2>&1); then
    fail "could not list what the repository tracks under $cache ($tracked), so the cache" \
        "there cannot be told apart from files the repository brings."
fi
if [[ -n $tracked ]]; then
    fail "the repository tracks files under $cache, the directory this job caches opslint" \
        "in: a committed file there could pass for opslint. Remove it from the repository."
fi

# Nothing left at OPSLINT_ROOT by an earlier job on a shared runner is used.
rm -f "$bin"
mkdir -p "$root/bin"

cached=$cache/bin/opslint
if [[ ${OPSLINT_USE_CACHE:-true} != true ]]; then
    say "not using the cache (OPSLINT_USE_CACHE is ${OPSLINT_USE_CACHE:-})."
elif [[ -L $cache || -L $cache/bin || -L $cached ]]; then
    say "not using the cache: it holds a symbolic link."
elif [[ -f $cached ]] && cp "$cached" "$bin" && chmod +x "$bin" &&
    "$bin" --version >/dev/null 2>&1; then
    say "using the cached binary ($("$bin" --version 2>/dev/null || true))."
    exit 0
fi

rm -f "$bin"
toolchain=${OPSLINT_TOOLCHAIN:-}
if [[ -z $toolchain ]] && command -v rustup >/dev/null; then
    toolchain=$(cd / && rustup default 2>/dev/null | cut -d' ' -f1) || toolchain=""
fi
toolchain=${toolchain:-stable}
say "building opslint from $src with the $toolchain Rust toolchain."
export OPSLINT_SOURCE=$src OPSLINT_ROOT=$root
# shellcheck disable=SC2016 # expanded by the bash that runs it
build=${OPSLINT_BUILD:-'cargo install --locked --path "$OPSLINT_SOURCE" --root "$OPSLINT_ROOT"'}
build_dir=$(mktemp -d)
status=0
(cd "$build_dir" && RUSTUP_TOOLCHAIN=$toolchain bash -c "$build") || status=$?
rm -rf "$build_dir"
if (( status != 0 )) || [[ -L $bin || ! -f $bin || ! -x $bin ]]; then
    fail "the build (exit $status) left no $bin."
fi

# Left in the cache for the next job of this cache key (uploaded when the job succeeds).
if ! { rm -rf "${cache:?}/bin" && mkdir -p "$cache/bin" && cp "$bin" "$cached"; }; then
    say "warning: could not copy the binary to $cache; the next job builds again."
fi
