#!/usr/bin/env bash
# Runs when the SARIF upload to code scanning failed (action.yml lets that step fail without
# failing the job). The usual causes are a repository without code scanning and a workflow
# token without the permissions: say so, and what to do, as a warning. The findings are in
# the annotations and the job summary all the same, and fail the job (or not) by fail-on.
#
# Reads: OPSLINT_REPO_PRIVATE (github.event.repository.private), OPSLINT_SARIF (the file),
# GITHUB_STEP_SUMMARY. Always exits 0.
set -uo pipefail

perms="the workflow's permissions lack \`security-events: write\`"
where="turn it on in Settings → Code security → Code scanning"
if [[ ${OPSLINT_REPO_PRIVATE:-} == true ]]; then
    perms="the workflow's permissions lack \`security-events: write\` and \`actions: read\` (a private repository needs both)"
    where="$where; a private repository needs GitHub Code Security for it"
fi
message="The SARIF upload to code scanning failed, so the findings are not code scanning alerts (they are in the annotations and the job summary; this does not fail the job). Either code scanning is not enabled for this repository ($where), or $perms. Set \`upload-sarif: false\` to skip the upload."

echo "::warning title=opslint SARIF upload::$message"
if [[ -n ${OPSLINT_SARIF:-} ]]; then
    echo "opslint: the SARIF is still at $OPSLINT_SARIF."
fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    printf '\n> [!WARNING]\n> %s\n' "$message" >> "$GITHUB_STEP_SUMMARY"
fi
exit 0
