#!/usr/bin/env bash
# The GitHub Action's logic (action.yml runs it): one opslint scan written as annotations,
# a job summary, SARIF and JSON; step outputs; whether the SARIF may be uploaded. Kept
# here, not inline in action.yml, so a test can run it with GitHub's environment variables
# pointed at temporary files.
#
# Reads: OPSLINT_BIN, OPSLINT_PATH, OPSLINT_CONFIG, OPSLINT_FAIL_ON, OPSLINT_BASE,
# OPSLINT_ARGS, OPSLINT_UPLOAD_SARIF, OPSLINT_HEAD_REPO (a pull request's head repository),
# and GitHub's GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_EVENT_NAME, GITHUB_ACTOR,
# GITHUB_REPOSITORY, RUNNER_TEMP.
# Writes step outputs: score, failed, sarif-file, upload. Exits 2 when opslint could not
# run; findings never fail this step (a later step of the action does, after the upload).
set -euo pipefail

bin=${OPSLINT_BIN:-opslint}
path=${OPSLINT_PATH:-.}
fail_on=${OPSLINT_FAIL_ON:-error}
base=${OPSLINT_BASE:-}
out_dir=${RUNNER_TEMP:-$(mktemp -d)}/opslint
mkdir -p "$out_dir"
sarif="$out_dir/opslint.sarif"
summary="$out_dir/summary.md"
json="$out_dir/report.json"

args=(check "$path" --format github --fail-on "$fail_on"
    --sarif-output "$sarif" --markdown-output "$summary" --json-output "$json")
if [[ -n ${OPSLINT_CONFIG:-} ]]; then
    args+=(--config "$OPSLINT_CONFIG")
fi

# A shallow checkout (actions/checkout's default) has no history to measure and usually
# not the base commit: say how to fix it, and still report what the tree shows.
if [[ $(git -C "$path" rev-parse --is-shallow-repository 2>/dev/null || echo false) == true ]]; then
    echo "::warning title=opslint: shallow checkout::The checkout is shallow, so history" \
        "figures and the comparison with the pull request's base are skipped; tree findings" \
        "are reported. Set fetch-depth: 0 on actions/checkout for the full report."
    args+=(--no-history)
    base=""
fi
if [[ -n $base ]]; then
    args+=(--base "$base")
fi
# Extra arguments, split on whitespace as a user writes them in `with: args:`.
# Every line counts: read -d '' reads to the end, not to the first newline; the words are
# not evaluated or globbed.
read -r -d '' -a extra <<< "${OPSLINT_ARGS:-}" || true
args+=("${extra[@]}")

status=0
"$bin" "${args[@]}" || status=$?
if (( status > 1 )); then
    echo "::error title=opslint::opslint could not scan the repository (exit $status); see the log above."
    exit 2
fi

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi

score=$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1])).get("score"); print("" if s is None else s)' "$json")
failed=false
if (( status == 1 )); then
    failed=true
fi

# Code scanning needs a token that can write security events: pull requests from forks
# and Dependabot get a read-only one.
upload=false
if [[ ${OPSLINT_UPLOAD_SARIF:-true} == true ]]; then
    upload=true
    if [[ ${GITHUB_ACTOR:-} == "dependabot[bot]" ]]; then
        upload=false
        echo "::notice title=opslint::SARIF upload skipped: Dependabot pull requests get a read-only token."
    elif [[ ${GITHUB_EVENT_NAME:-} == pull_request* && -n ${OPSLINT_HEAD_REPO:-} && ${OPSLINT_HEAD_REPO} != "${GITHUB_REPOSITORY:-}" ]]; then
        upload=false
        echo "::notice title=opslint::SARIF upload skipped: pull requests from forks get a read-only token."
    fi
fi

if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    {
        echo "score=$score"
        echo "failed=$failed"
        echo "sarif-file=$sarif"
        echo "upload=$upload"
    } >> "$GITHUB_OUTPUT"
fi
