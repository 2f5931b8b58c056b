#!/usr/bin/env bash
# The GitLab CI/CD template's logic (opslint.gitlab-ci.yml runs it): one opslint scan written
# to the job log, a Code Quality report for the merge request widget and a Markdown summary.
# Kept here, not inline in the template, so a test can run it with GitLab's variables pointed
# at a fixture repository.
#
# Reads: OPSLINT_BIN, OPSLINT_PATH, OPSLINT_REV, OPSLINT_CONFIG, OPSLINT_FAIL_ON, OPSLINT_BASE,
# OPSLINT_ARGS, OPSLINT_CODE_QUALITY, OPSLINT_SUMMARY, and GitLab's CI_PROJECT_DIR,
# CI_COMMIT_SHA, CI_PIPELINE_SOURCE, CI_MERGE_REQUEST_DIFF_BASE_SHA.
# In a merge request pipeline, compares with the merge request's diff base, so only what the
# merge request breaks fails; elsewhere, scans the whole repository.
# Exits 0 when nothing fails at or above OPSLINT_FAIL_ON (default error), 1 when something
# does, 2 when opslint could not run or when the merge base is not in the clone even after
# fetching the history (this script runs git fetch; opslint itself never does).
set -euo pipefail

bin=${OPSLINT_BIN:-opslint}
project=${CI_PROJECT_DIR:-.}
path=${OPSLINT_PATH:-$project}
# The commit the pipeline runs for, read from git's objects: files the job itself leaves in
# the checkout (a cache, a build) are not part of the repository. Set OPSLINT_REV to an
# empty string to scan the working tree instead.
rev=${OPSLINT_REV-${CI_COMMIT_SHA:-}}
fail_on=${OPSLINT_FAIL_ON:-error}
code_quality=${OPSLINT_CODE_QUALITY:-$project/gl-code-quality-report.json}
summary=${OPSLINT_SUMMARY:-$project/opslint-summary.md}

base=${OPSLINT_BASE:-}
if [[ -z $base && ${CI_PIPELINE_SOURCE:-} == merge_request_event ]]; then
    base=${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}
    if [[ -z $base ]]; then
        echo "opslint: warning: a merge request pipeline without CI_MERGE_REQUEST_DIFF_BASE_SHA;" \
            "scanning the whole repository, so failures the merge request did not cause fail too."
    fi
fi

args=(check "$path" --fail-on "$fail_on"
    --gitlab-output "$code_quality" --markdown-output "$summary")
if [[ -n $rev ]]; then
    args+=(--rev "$rev")
fi
if [[ -n ${OPSLINT_CONFIG:-} ]]; then
    args+=(--config "$OPSLINT_CONFIG")
fi

git_in() { git -C "$path" "$@"; }
is_shallow() { [[ $(git_in rev-parse --is-shallow-repository 2>/dev/null || echo false) == true ]]; }
has_merge_base() { git_in merge-base "$base" "${rev:-HEAD}" >/dev/null 2>&1; }

# A merge request is judged against its base's config and findings. Without the merge base in
# the clone (GitLab clones 20 or 50 commits deep unless GIT_DEPTH is 0), scanning the commit
# alone would obey the merge request's own .opslint.toml, which it may have weakened: fetch
# the history, and fail if the merge base is still missing rather than pass on the merge
# request's own terms.
if [[ $base == -* ]]; then
    echo "opslint: error: the base '$base' is not a revision."
    exit 2
fi
if [[ -n $base ]]; then
    if ! has_merge_base; then
        echo "opslint: the merge base with $base is not in the clone; fetching the history."
        if is_shallow; then
            git_in fetch -q --no-tags --unshallow origin || true
        fi
        if ! has_merge_base && [[ $base != *:* ]]; then
            git_in fetch -q --no-tags origin "$base" || true
        fi
    fi
    if ! has_merge_base; then
        echo "opslint: error: the merge base of the merge request's base $base and this commit" \
            "is not in the clone and could not be fetched, so the merge request cannot be" \
            "compared with its base (scanning it alone would obey its own config). Set the" \
            "variable GIT_DEPTH: 0 on this job."
        exit 2
    fi
    echo "opslint: merge request: comparing with its base $base; only what it changes fails."
    args+=(--base "$base")
else
    echo "opslint: not a merge request pipeline: scanning the whole repository."
fi

# A shallow clone without a base has no history to measure: say how to fix it, and still
# report what the tree shows.
if is_shallow; then
    echo "opslint: warning: the clone is shallow, so the history figures are skipped; tree" \
        "findings are reported. Set the variable GIT_DEPTH: 0 on this job for the full report."
    args+=(--no-history)
fi

# Extra arguments, split on whitespace as a user writes them in a variable.
# Every line counts: read -d '' reads to the end, not to the first newline; the words are
# not evaluated or globbed.
read -r -d '' -a extra <<< "${OPSLINT_ARGS:-}" || true
args+=("${extra[@]}")

status=0
"$bin" "${args[@]}" || status=$?
if (( status > 1 )); then
    echo "opslint: error: opslint could not scan the repository (exit $status); see above."
    exit 2
fi
if (( status == 1 )); then
    echo "opslint: failing findings at or above $fail_on (listed above, and in the merge" \
        "request's Code Quality widget); OPSLINT_FAIL_ON sets the level."
    exit 1
fi
