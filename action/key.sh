#!/usr/bin/env bash
# The cache key of the opslint binary (action.yml's first step): the platform plus the
# fingerprint of the source the binary is built from (see lib.sh), so that a change of
# Cargo.lock or the code gets a new binary and nothing else does. Not github.action_ref:
# inside a composite action it is not reliably set, and a branch such as @main would keep its
# first binary forever. hashFiles() cannot be used either: it reads only the workspace, and
# the action is in $GITHUB_ACTION_PATH.
#
# Reads: OPSLINT_ACTION_PATH (default GITHUB_ACTION_PATH, else this script's repository),
# RUNNER_OS, RUNNER_ARCH, OPSLINT_TOOLCHAIN (the toolchain a build uses: another one is
# another binary). Writes step outputs: key, fingerprint; prints the key.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
source "$here/lib.sh"

src=${OPSLINT_ACTION_PATH:-${GITHUB_ACTION_PATH:-$here/..}}
fingerprint=$(opslint_fingerprint "$src")
platform=$(opslint_target || echo "${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}")
toolchain=$(printf '%s' "${OPSLINT_TOOLCHAIN:-stable}" | tr -c 'A-Za-z0-9._-' '_')
key="opslint-bin-$platform-$toolchain-$fingerprint"

echo "$key"
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    {
        echo "key=$key"
        echo "fingerprint=$fingerprint"
    } >> "$GITHUB_OUTPUT"
fi
