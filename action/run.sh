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
# run, or when a base is given and its merge base is not in the clone even after fetching
# the history (the scripts run git fetch; opslint itself never does); findings never fail
# this step (a later step of the action does, after the upload).
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

git_in() { git -C "$path" "$@"; }
is_shallow() { [[ $(git_in rev-parse --is-shallow-repository 2>/dev/null || echo false) == true ]]; }
has_merge_base() { git_in merge-base "$base" HEAD >/dev/null 2>&1; }

# A pull request is judged against its base's config and findings. Without the merge base in
# the clone (actions/checkout's default fetch-depth: 1), scanning the head alone would obey
# the change's own .opslint.toml, which the change may have weakened: fetch the history, and
# fail if the merge base is still missing rather than pass on the change's own terms.
if [[ $base == -* ]]; then
    echo "::error title=opslint::The base '$base' is not a revision."
    exit 2
fi
if [[ -n $base ]] && ! has_merge_base; then
    echo "opslint: the merge base with $base is not in the checkout; fetching the history."
    if is_shallow; then
        git_in fetch -q --no-tags --unshallow origin || true
    fi
    if ! has_merge_base && [[ $base != *:* ]]; then
        git_in fetch -q --no-tags origin "$base" || true
    fi
    if ! has_merge_base; then
        echo "::error title=opslint: no merge base::The merge base of $base and the checked-out" \
            "commit is not in the checkout and could not be fetched, so the change cannot be" \
            "compared with its base (scanning it alone would obey its own config). Set" \
            "fetch-depth: 0 on actions/checkout."
        exit 2
    fi
fi
# A shallow checkout without a base (a push) has no history to measure: say how to fix it,
# and still report what the tree shows.
if is_shallow; then
    echo "::warning title=opslint: shallow checkout::The checkout is shallow, so history" \
        "figures are skipped; tree findings are reported. Set fetch-depth: 0 on" \
        "actions/checkout for the full report."
    args+=(--no-history)
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
