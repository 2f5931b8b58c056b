#!/usr/bin/env bash
# The `opslint` hook of .pre-commit-hooks.yaml, installed by the real pre-commit framework
# from this repository's HEAD commit into a fixture repository: a commit that removes the CI
# pipeline is blocked, a harmless one passes. pre-commit builds the hook with cargo, as it
# does for users (without --locked).
#
# Usage: tests/scripts/pre-commit.sh   (needs `pre-commit` on PATH, or PRE_COMMIT=/path)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pre_commit=${PRE_COMMIT:-pre-commit}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"

project="$work/project"
git init -q -b main "$project"
cd "$project"
git config user.name "Ada"
git config user.email "ada@example.com"
git config commit.gpgsign false
cp -R "$root/fixtures/repos/sample/." .
cat > .pre-commit-config.yaml <<CONFIG
repos:
  - repo: $root
    rev: $(git -C "$root" rev-parse HEAD)
    hooks:
      - id: opslint
CONFIG
git add -A
git commit -q -m "Initial import"
"$pre_commit" install >/dev/null
# The first run builds the hook (minutes); a harmless commit passes.
echo "notes" > NOTES.md
git add NOTES.md
git commit -q -m "Add notes"
echo "pre-commit: a harmless commit passed"

git rm -q .github/workflows/ci.yml
if git commit -q -m "Drop CI" > "$work/blocked.log" 2>&1; then
    echo "pre-commit: the commit removing the CI pipeline was NOT blocked" >&2
    cat "$work/blocked.log" >&2
    exit 1
fi
grep -q "ci.pipeline" "$work/blocked.log" || {
    echo "pre-commit: blocked, but the output does not name ci.pipeline:" >&2
    cat "$work/blocked.log" >&2
    exit 1
}
echo "pre-commit: the commit removing the CI pipeline was blocked"
