//! CI pipeline analysis: triggers and test commands read from parsed pipelines, with task
//! runners followed to what they actually run.

use crate::support::{TestRepo, finding, json_report, status_of};

const WORKFLOW: &str = "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: RUN\n";

/// A repository with some source code, so that there are tests to run
/// (`ci.runs-tests` applies).
fn repo_with_code() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("app.py", "def main():\n    pass\n");
    repo
}

fn workflow_running(command: &str) -> String {
    WORKFLOW.replace("RUN", command)
}

/// The status of `ci.runs-tests` and its first evidence line.
fn runs_tests(repo: &TestRepo) -> (String, Option<u64>) {
    repo.commit("pipeline");
    let (_, report) = json_report(&[], repo.path());
    let line = finding(&report, "ci.runs-tests").unwrap()["evidence"][0]["line"].as_u64();
    (status_of(&report, "ci.runs-tests"), line)
}

#[test]
fn a_make_target_that_runs_a_test_tool_counts_at_the_step_line() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("make ci"));
    repo.write(
        "Makefile",
        ".PHONY: ci\nci: lint test\nlint:\n\tgolangci-lint run\ntest:\n\tgo test ./...\n",
    );
    assert_eq!(runs_tests(&repo), ("pass".to_owned(), Some(7)));
}

#[test]
fn a_lint_only_pipeline_does_not_run_tests() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("make lint"));
    repo.write(
        "Makefile",
        "lint:\n\tgolangci-lint run\ntest:\n\tgo test ./...\n",
    );
    assert_eq!(runs_tests(&repo).0, "fail");
}

#[test]
fn the_npm_placeholder_script_is_not_a_test_suite() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("npm test"));
    repo.write(
        "package.json",
        r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#,
    );
    assert_eq!(runs_tests(&repo).0, "fail");
    repo.write("package.json", r#"{"scripts": {"test": "vitest run"}}"#);
    assert_eq!(runs_tests(&repo).0, "pass");
}

#[test]
fn gitlab_merge_request_pipelines_and_scripts() {
    let repo = repo_with_code();
    repo.write(
        ".gitlab-ci.yml",
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\ntest:\n  script:\n    - pytest -q\n",
    );
    repo.commit("gitlab");
    let (_, report) = json_report(&[], repo.path());
    assert_eq!(status_of(&report, "ci.pull-request-trigger"), "pass");
    let trigger = &finding(&report, "ci.pull-request-trigger").unwrap()["evidence"][0];
    assert_eq!(trigger["line"], 3);
    assert_eq!(status_of(&report, "ci.runs-tests"), "pass");
}

#[test]
fn a_workflow_that_only_mentions_pull_request_in_a_string_is_not_triggered_by_it() {
    let repo = repo_with_code();
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  x:\n    steps:\n      - run: echo pull_request\n",
    );
    repo.commit("push only");
    let (_, report) = json_report(&[], repo.path());
    assert_eq!(status_of(&report, "ci.pull-request-trigger"), "fail");
}

#[test]
fn a_malformed_pipeline_is_a_finding_with_its_line_not_a_crash() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  test: [\n");
    repo.commit("broken");
    let (code, report) = json_report(&[], repo.path());
    assert_eq!(code, Some(1));
    let parses = finding(&report, "ci.pipeline-parses").unwrap();
    assert_eq!(parses["status"], "fail");
    assert_eq!(parses["evidence"][0]["path"], ".github/workflows/ci.yml");
    assert!(parses["evidence"][0]["line"].as_u64().is_some(), "{parses}");
}

#[test]
fn steps_of_another_repositorys_reusable_workflow_are_named_as_not_seen() {
    let repo = repo_with_code();
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo clippy\n  test:\n    uses: acme/shared-ci/.github/workflows/rust.yml@v3\n",
    );
    repo.commit("shared workflow");
    let (_, report) = json_report(&[], repo.path());
    let runs_tests = finding(&report, "ci.runs-tests").unwrap();
    assert_eq!(runs_tests["status"], "fail");
    let message = runs_tests["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            "Not seen: the steps of acme/shared-ci/.github/workflows/rust.yml@v3, a reusable \
             workflow of another repository called at .github/workflows/ci.yml:8."
        ),
        "{message}"
    );
}

#[test]
fn a_test_step_in_a_matrix_job_says_what_varies() {
    let repo = repo_with_code();
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  test:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n        node: [20, 22, 24]\n    runs-on: ${{ matrix.os }}\n    steps:\n      - run: npx playwright install --with-deps\n      - run: npx playwright test\n",
    );
    repo.commit("matrix");
    let (_, report) = json_report(&[], repo.path());
    let evidence = &finding(&report, "ci.runs-tests").unwrap()["evidence"][0];
    // Installing the browsers is not running the tests.
    assert_eq!(evidence["line"], 11);
    assert_eq!(
        evidence["detail"],
        "npx playwright test (matrix: os (2) × node (3))"
    );
}
